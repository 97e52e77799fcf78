"""The suite against imperfect Central Systems: deviations become FAILs with evidence.

Each mutant below is a Central System that gets one SOAP-level thing wrong on every
message of a kind (namespaces, faults, WS-Addressing headers, MessageID form). The whole
OCPP 1.6 Central-System catalogue runs against it, as a user would run it (pytest in a
subprocess, ``--report``), and the report must show a verdict for every case that is PASS
or FAIL, never ERROR (an ERROR would mean the harness could not cope with the deviation),
at least one FAIL, and FAILs that point at the wire: the messages are in the report and
the reason names the offending message or check.

The four runs are independent (each starts its own Central System on free ports), so
they run side by side; each is bounded by a timeout.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
MODULE = "tests.mutants.central_system.soap"
MUTANTS = ("Answers16In15Namespace", "PlainTextSchemaErrors", "NoAddressingOnResponses",
           "BareUuidMessageIds")
# Seconds per run. The 1.6 catalogue takes about a minute against the reference on an idle
# machine (mostly bounded waits); these mutants fail most cases early, in ~10-20 s.
TIMEOUT = 300

# Words by which a reason points at a message or at a check on the wire.
_POINTERS = re.compile(
    r"#\d+|wsa:|MessageID|RelatesTo|Action|namespace|fault|HTTP \d{3}|content type|"
    r"application/soap\+xml|text/|\[(xml|envelope|headers|body|schema)\]|OCPP 1\.\d",
    re.IGNORECASE,
)


def _run(mutant: str, directory: Path) -> tuple[int | None, str, dict[str, Any] | None]:
    """(pytest's exit code or None on timeout, its output's tail, the report or None)."""
    command = [sys.executable, "-m", "pytest", "suites/central_system", "-p", "no:cacheprovider",
               "-q", "--tb=no", "--ocpp", "1.6", "--reference-class", f"{MODULE}:{mutant}",
               "--report", str(directory), "--report-formats", "none"]
    try:
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True,
                              timeout=TIMEOUT)
        code, output = done.returncode, (done.stdout + done.stderr)[-3000:]
    except subprocess.TimeoutExpired as exc:
        tail = exc.stdout or b""
        text = tail.decode("utf-8", "replace") if isinstance(tail, bytes) else tail
        code, output = None, f"no end within {TIMEOUT} s:\n{text[-3000:]}"
    path = directory / "report.json"
    report = json.loads(path.read_text("utf-8")) if path.exists() else None
    return code, output, report


@cache
def _reports() -> dict[str, tuple[int | None, str, dict[str, Any] | None]]:
    """Run the catalogue against every mutant (side by side) once per session."""
    base = Path(tempfile.mkdtemp(prefix="ocppcert-imperfect-"))
    with ThreadPoolExecutor(max_workers=len(MUTANTS)) as pool:
        futures = {m: pool.submit(_run, m, base / m) for m in MUTANTS}
        return {mutant: future.result() for mutant, future in futures.items()}


@pytest.mark.parametrize("mutant", MUTANTS)
def test_deviations_fail_with_evidence_never_error(mutant: str) -> None:
    code, output, report = _reports()[mutant]
    assert report is not None, f"no report.json from the run against {mutant}:\n{output}"
    cases = report["cases"]
    assert cases, f"the run against {mutant} judged no case:\n{output}"
    verdicts = {c["id"]: c["verdict"] for c in cases}
    odd = {i: v for i, v in verdicts.items() if v not in ("PASS", "FAIL")}
    assert not odd, (f"against {mutant} these cases were neither PASS nor FAIL: " + "; ".join(
        f"{c['id']} {c['verdict']}: {c['reason']}" for c in cases if c["id"] in odd))
    failed = [c for c in cases if c["verdict"] == "FAIL"]
    assert failed, f"no case FAILs against {mutant}"
    for case in failed:
        assert case["messages"], f"{case['id']} FAILs against {mutant} without messages"
        reason = case["reason"] or ""
        operations = {m["operation"] for m in case["messages"] if m.get("operation")}
        names_message = any(op in reason for op in operations)
        assert names_message or _POINTERS.search(reason), (
            f"{case['id']} FAILs against {mutant} with a reason that names neither a "
            f"message nor a check: {reason!r}")
    assert code == 1, f"pytest exited {code} against {mutant} (1: some case failed):\n{output}"
