"""The run as data: one record per case with its verdict and evidence, and report.json.

This is the library side of the pytest plugin (no pytest here): judging a case's wire
record, and writing the report directory's ``report.json`` (CONTRACT.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import platform
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ocppcert import __version__
from ocppcert.catalog import Case
from ocppcert.checks import CheckRecord, case_checks, skipped_reason
from ocppcert.transport import Direction, WireRecord
from ocppcert.verdicts import Verdict
from ocppcert.versions import OcppVersion


@dataclass
class CaseRecord:
    case: Case
    version: OcppVersion
    verdict: Verdict = Verdict.ERROR
    reason: str | None = None
    duration_s: float = 0.0
    checks: list[dict[str, Any]] = field(default_factory=list)
    messages: list[WireRecord] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.case.id_for(self.version)

    @property
    def partial(self) -> str | None:
        """Why a case that otherwise passed is PARTIAL (its skipped checks), or None."""
        return skipped_reason(self.checks)

    def add_checks(self, logged: list[CheckRecord], *, error: BaseException | None,
                   strict: bool, dropped: int = 0) -> None:
        """Fill ``checks`` from what the harness and the case logged, the SUT's messages
        and the exception that ended the case (ocppcert.checks.case_checks); a passing
        case with a skipped check becomes PARTIAL. ``dropped``: logged checks the bounded
        log did not keep (said in ``warnings``)."""
        if dropped:
            self.warnings.append(f"{dropped} earlier check(s) of this case were not kept: "
                                 "the check log keeps the most recent ones only")
        found = case_checks(logged, self.messages, version=self.version.value, strict=strict,
                            error=error, failed=self.verdict is Verdict.FAIL,
                            requirement=self.case.doc)
        self.checks = [entry.as_dict() for entry in found]
        if self.verdict is Verdict.PASS and (why := self.partial):
            self.verdict, self.reason = Verdict.PARTIAL, why

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.case.title,
            "sut": self.case.sut.value,
            "profile": self.case.profile,
            "octt_id": self.case.octt_id,
            "versions": [self.version.value],
            "spec": self.case.spec.get(self.version),
            "requirement": self.case.doc,
            "verdict": self.verdict.value,
            "reason": self.reason,
            "duration_s": round(self.duration_s, 3),
            "checks": self.checks,
            "warnings": self.warnings,
            "messages": [m.as_dict() for m in self.messages],
        }


# The profiles every SUT must implement; the others are optional (OCPP 1.6 §3.2).
MANDATORY_PROFILES = frozenset({"Core", "SOAP"})


def judge_messages(records: list[WireRecord], version: OcppVersion, *, strict: bool
                   ) -> tuple[list[str], list[str], list[str]]:
    """(SUT findings that fail the case, harness findings that make it an ERROR, warnings).

    Inbound records are the SUT's messages: any schema or header violation is a FAIL, so
    is a message in another OCPP version than the case's. Outbound records are ours: an
    invalid one is a harness defect. Warnings (real-world variants) fail only in strict mode.
    """
    failures, harness, warnings = [], [], []
    for record in records:
        label = f"#{record.seq} {record.operation or 'message'} {record.kind or ''}".strip()
        if record.direction is Direction.IN:
            if not record.data:
                continue  # a transport error we noted; the case's own checks judge it
            for v in record.violations:
                failures.append(f"{label} from the SUT: [{v['check']}] {v['where']}: {v['reason']}")
            if record.ocpp_version and record.ocpp_version != version.value:
                failures.append(f"{label} from the SUT is OCPP {record.ocpp_version}, "
                                f"the case runs OCPP {version.value}")
            for w in record.warnings:
                text = f"{label} from the SUT: [{w['check']}] {w['where']}: {w['reason']}"
                (failures if strict else warnings).append(text)
        elif record.valid is False:
            harness.extend(f"{label} sent by the harness: {v['reason']}"
                           for v in record.violations)
    return failures, harness, warnings


def schemas_entry(source: str, validator: Any | None = None) -> dict[str, Any]:
    """report.json's ``schemas``: the source named by --schemas and the sha256 of each
    file the validator was built from (the OCPP schemas of the source, and our SOAP 1.2
    envelope and WS-Addressing schemas, which every source is compiled with)."""
    from ocppcert.schema.sources import load_source, schemas_root

    loaded = validator.source if validator is not None else load_source(source)
    hashes = dict(loaded.sha256)
    root = schemas_root()
    for extra in ("soap/soap-envelope-1.2.xsd", "soap/ws-addressing.xsd"):
        if extra not in hashes:
            hashes[extra] = hashlib.sha256((root / extra).read_bytes()).hexdigest()
    return {"source": source, "sha256": dict(sorted(hashes.items()))}


def write_report(directory: Path, *, records: list[CaseRecord], started: dt.datetime,
                 finished: dt.datetime, schemas: dict[str, Any], sut: dict[str, Any],
                 run: dict[str, Any]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    summary: dict[str, Counter[str]] = {}
    for record in records:
        summary.setdefault(record.case.profile, Counter())[record.verdict.value] += 1
    profiles = {
        profile: {
            "mandatory": profile in MANDATORY_PROFILES,
            "counts": dict(counts),
            "applicable": sum(n for v, n in counts.items() if v != Verdict.NOT_APPLICABLE.value),
            "passed": counts.get(Verdict.PASS.value, 0),
        }
        for profile, counts in sorted(summary.items())
    }
    document = {
        "tool": {"name": "ocppcert", "version": __version__},
        "host": platform.node(),
        "started": started.isoformat(),
        "finished": finished.isoformat(),
        "schemas": schemas,
        "sut": sut,
        "run": run,
        "summary": {profile: dict(counts) for profile, counts in sorted(summary.items())},
        "profiles": profiles,
        "cases": [r.as_dict() for r in records],
    }
    path = directory / "report.json"
    path.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    return path
