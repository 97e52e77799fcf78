"""Schema-only conformance: every bundled fixture gets the verdict its catalogue states.

Valid fixtures must pass all four checks (xml, envelope, headers, body); each invalid one
must fail with the violation its seeded defect causes, at the place the catalogue names.
Variants seen in the field (e.g. Apache CXF's qualified Action) pass with a warning and
fail in strict mode.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from ocppcert.schema import Validator, Violation

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "envelopes"
CATALOG: list[dict[str, Any]] = json.loads((FIXTURES / "catalog.json").read_text())["fixtures"]
_INDEX = re.compile(r"\[\d+\]")


def _matches(found: Violation, wanted: dict[str, str]) -> bool:
    text = " ".join(filter(None, (found.reason, found.expected, found.actual)))
    return (
        found.check.value == wanted["check"]
        and _INDEX.sub("", found.where) == wanted["where"]
        and wanted.get("mentions", "") in text
    )


def _describe(violations: list[Violation]) -> str:
    return "\n".join(f"  {v} expected={v.expected!r} actual={v.actual!r}" for v in violations) or "  (none)"


def test_catalog_lists_every_fixture_file() -> None:
    on_disk = {str(p.relative_to(FIXTURES)) for p in FIXTURES.rglob("*.xml")}
    listed = {entry["file"] for entry in CATALOG}
    assert on_disk - listed == set(), "fixture files missing from catalog.json"
    assert listed - on_disk == set(), "catalog.json lists files that do not exist"


@pytest.mark.parametrize("entry", CATALOG, ids=[e["file"] for e in CATALOG])
def test_fixture_verdict(entry: dict[str, Any], message_validator: Validator) -> None:
    data = (FIXTURES / entry["file"]).read_bytes()
    report = message_validator.check(data, ocpp_version=entry.get("ocpp"), strict=False)
    if entry["expect"] == "valid":
        assert report.valid, f"{entry['purpose']}: expected valid, got\n{_describe(report.violations)}"
        for key in ("ocpp_version", "service", "operation", "kind"):
            if key in entry:
                actual = getattr(report, key)
                assert str(actual) == entry[key] if actual is not None else entry[key] is None
        if "warning" in entry:
            assert any(_matches(w, entry["warning"]) for w in report.warnings), (
                f"expected warning {entry['warning']}, got\n{_describe(report.warnings)}"
            )
            strict_report = message_validator.check(data, ocpp_version=entry.get("ocpp"), strict=True)
            assert not strict_report.valid, "strict mode must turn the warning into a violation"
        elif not message_validator.strict:
            assert report.warnings == [], f"unexpected warnings\n{_describe(report.warnings)}"
    else:
        wanted = entry["violation"]
        assert not report.valid, f"{entry['purpose']}: expected invalid, got valid"
        assert any(_matches(v, wanted) for v in report.violations), (
            f"{entry['purpose']}: expected a {wanted} violation, got\n{_describe(report.violations)}"
        )
