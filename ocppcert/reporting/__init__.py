"""The report directory (CONTRACT.md) rendered from ``report.json``.

``report.json`` is written by :mod:`ocppcert.runreport` at the end of a run; everything
else in the directory is derived from it alone, so ``ocppcert report DIR`` can rebuild the
human and tool formats later, and SHA256SUMS always covers what is there.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from ocppcert.reporting.checksums import write_sha256sums

Writer = Callable[[dict[str, Any], Path], Path]


def _writers() -> dict[str, Writer]:
    # imported late: weasyprint and allure's model are heavy and only needed here
    from ocppcert.reporting.allure import write_allure
    from ocppcert.reporting.html import write_html
    from ocppcert.reporting.junit import write_junit
    from ocppcert.reporting.pdf import write_pdf

    return {
        "html": lambda doc, d: write_html(doc, d / "report.html"),
        "pdf": lambda doc, d: write_pdf(doc, d / "report.pdf"),
        "junit": lambda doc, d: write_junit(doc, d / "junit.xml"),
        "allure": lambda doc, d: write_allure(doc, d / "allure-results"),
    }


FORMATS = ("html", "pdf", "junit", "allure")


class ReportError(Exception):
    """The report directory cannot be (re)rendered; the message says why."""


class RenderFailed(ReportError):
    """Some formats could not be rendered; the others were, and SHA256SUMS covers them.
    ``failures``: format name → what went wrong; ``timings`` as for a full render."""

    def __init__(self, failures: dict[str, str], timings: dict[str, float]) -> None:
        super().__init__("; ".join(f"{name}: {why}" for name, why in failures.items()))
        self.failures = failures
        self.timings = timings


def load_document(directory: Path) -> dict[str, Any]:
    path = directory / "report.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ReportError(f"cannot read {path}: {exc}") from None


def render_directory(directory: Path, formats: Iterable[str] = FORMATS,
                     document: dict[str, Any] | None = None) -> dict[str, float]:
    """Render ``formats`` from ``directory/report.json``, then rewrite SHA256SUMS.

    Returns the seconds each format took (the cost rendering adds to a run). A format
    that fails does not stop the others (the evidence in report.json matters more than
    any one rendering of it): :class:`RenderFailed` is raised after SHA256SUMS is written.
    """
    directory = Path(directory)
    document = document if document is not None else load_document(directory)
    writers = _writers()
    timings: dict[str, float] = {}
    failures: dict[str, str] = {}
    for name in formats:
        started = time.monotonic()
        try:
            writers[name](document, directory)
        except Exception as exc:  # noqa: BLE001 - any renderer bug must spare the rest
            failures[name] = f"{type(exc).__name__}: {exc}"
        timings[name] = time.monotonic() - started
    started = time.monotonic()
    write_sha256sums(directory)
    timings["SHA256SUMS"] = time.monotonic() - started
    if failures:
        raise RenderFailed(failures, timings)
    return timings
