"""report.pdf: the content of report.html, paginated for print (weasyprint).

A cover page (SUT identity, run, PICS, summary per profile), a case index with page numbers,
then one case per page start: facts, requirement, verdict and reason, checks, the sequence
diagram and the messages. Every page carries the SUT identity and the verdict counts in its
running header and "page X of Y" at the bottom.

Envelopes: see :data:`FULL_BODIES_MAX_MESSAGES` — beyond that size the PDF prints the
envelopes of non-PASS cases only (the PDF says so on its first page); report.html and
report.json always hold every envelope.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from ocppcert.reporting.html import VERDICTS, _asset, build_view, environment

# Up to this many messages in the run, the PDF prints every envelope; beyond it, only the
# envelopes of cases that did not PASS (a PASS case keeps its checks, one line each, and its
# sequence diagram). Measured on the OCPP 1.6 charge-point run (122 cases, 2336 messages,
# 2336 checks), weasyprint 70, one idle core: every envelope = 1075 pages, 5.3 MB, 97 s and
# 1.5 GB of memory; this cut = 204 pages, 2.3 MB, 25 s, 0.55 GB.
FULL_BODIES_MAX_MESSAGES = 600
# a page cannot split an SVG: a longer case gets one diagram per this many messages
SVG_ROWS_PER_PAGE = 36


def _running(view: dict[str, Any]) -> dict[str, str]:
    sut = view["sut"]
    identity = dict(sut["identity"])
    parts = [view["sut"]["title"]]
    if identity.get("serial"):
        parts.append(f"serial {identity['serial']}")
    if identity.get("firmware"):
        parts.append(f"firmware {identity['firmware']}")
    parts.append(f"OCPP {view['run']['versions']} {sut['role']}")
    counts = view["total"]["counts"]
    verdicts = ", ".join(f"{counts[v]} {v.replace('_', ' ')}" for v in VERDICTS if counts[v])
    return {
        "sut": " · ".join(parts),
        "summary": f"{view['total']['total']} cases: {verdicts or 'none'}",
        "footer": f"{view['tool']['name']} {view['tool']['version']} · run started "
                  f"{view['started']}",
    }


def cut_policy(document: dict[str, Any], full_bodies: bool | None = None
               ) -> tuple[bool, str | None]:
    """(print every envelope, the sentence the PDF shows when it does not)."""
    messages = sum(len(c.get("messages") or []) for c in document.get("cases") or []
                   if isinstance(c, dict))
    if full_bodies is None:
        full_bodies = messages <= FULL_BODIES_MAX_MESSAGES
    if full_bodies:
        return True, None
    return False, (f"this run recorded {messages} messages, more than the "
                   f"{FULL_BODIES_MAX_MESSAGES} this PDF prints in full. It prints every message "
                   "and envelope of each case that did not PASS. For a PASS case it shows the "
                   "sequence diagram (every message, in order, with its validation result) and "
                   "details only for messages with findings, without envelopes. report.html and "
                   "report.json in the same directory hold every message and envelope.")


def render_pdf_html(document: dict[str, Any], full_bodies: bool | None = None) -> str:
    """The HTML weasyprint lays out (exposed for tests)."""
    every, cut = cut_policy(document, full_bodies)
    view = build_view(document, bodies=lambda case: every or case.get("verdict") != "PASS",
                      links=False, chunk=SVG_ROWS_PER_PAGE, row=24)
    return environment().get_template("report.pdf.j2").render(
        **view, running=_running(view), cut=cut,
        css=_asset("report.css") + "\n" + _asset("pdf.css"))


def _refuse(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    # the report is self-contained: nothing is ever fetched, whatever the run recorded
    raise ValueError(f"report.pdf fetches nothing ({url})")


def write_pdf(document: dict[str, Any], path: Path, full_bodies: bool | None = None) -> Path:
    import weasyprint  # heavy: only when a PDF is written

    # weasyprint logs every CSS property it ignores at WARNING; they are not run problems
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    html = render_pdf_html(document, full_bodies)
    weasyprint.HTML(string=html, url_fetcher=_refuse).write_pdf(str(path))
    return path
