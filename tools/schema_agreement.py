#!/usr/bin/env python3
"""Compare our schemas with another source (the OCA WSDLs by default) on every fixture.

Two sources agree on a fixture when they give the same verdict and put the violations
in the same places (check + where). Where they differ, ours are wrong.

    python tools/schema_agreement.py [--schemas official|DIR] [--json]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ocppcert.schema import SchemaSourceError, Validator
from ocppcert.schema.validator import MessageReport

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "envelopes"
_INDEX = re.compile(r"\[\d+\]")


def _places(report: MessageReport) -> set[tuple[str, str]]:
    return {(v.check.value, _INDEX.sub("", v.where)) for v in report.violations}


@dataclass
class Agreement:
    compared: int = 0
    same_verdict: int = 0
    same_places: int = 0
    differences: list[dict[str, object]] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {"compared": self.compared, "same_verdict": self.same_verdict,
                "same_places": self.same_places, "differences": self.differences}


def compare(other: Validator, ours: Validator | None = None) -> Agreement:
    ours = ours or Validator("builtin")
    catalog = json.loads((FIXTURES / "catalog.json").read_text())["fixtures"]
    result = Agreement()
    for entry in catalog:
        data = (FIXTURES / entry["file"]).read_bytes()
        a = ours.check(data, ocpp_version=entry.get("ocpp"))
        b = other.check(data, ocpp_version=entry.get("ocpp"))
        result.compared += 1
        verdict = a.valid == b.valid
        places = _places(a) == _places(b)
        result.same_verdict += verdict
        result.same_places += verdict and places
        if not (verdict and places):
            result.differences.append({
                "file": entry["file"],
                "ours": [str(v) for v in a.violations],
                "theirs": [str(v) for v in b.violations],
            })
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schemas", default="official")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    try:
        other = Validator(args.schemas)
    except SchemaSourceError as exc:
        print(f"schema_agreement: {exc}", file=sys.stderr)
        return 2
    result = compare(other)
    if args.json:
        print(json.dumps(result.as_dict(), indent=2))
    else:
        for d in result.differences:
            print(f"DIFFER {d['file']}\n  ours:   {d['ours']}\n  theirs: {d['theirs']}")
        print(f"{result.compared} fixtures: same verdict on {result.same_verdict}, "
              f"same verdict and violation places on {result.same_places} "
              f"({100 * result.same_places / result.compared:.1f}%) against {args.schemas}")
    return 0 if result.same_places == result.compared else 1


if __name__ == "__main__":
    sys.exit(main())
