"""report.json as docs/report-json.md documents it: real runs validated against the shipped
JSON Schema, checks that say what was expected and seen, PARTIAL, exit codes, --strict.

The runs are narrow (-k) and start together (one module fixture), so the file takes about
as long as its slowest run: some 15 s on an idle machine, most of it rendering the PDF of
each report directory. The generous timeouts are for loaded machines.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import socket
import subprocess
import sys
import textwrap
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from ocppcert.catalog import Case, SutRole
from ocppcert.checks import CheckLog, CheckVerdict, case_checks
from ocppcert.runreport import CaseRecord, schemas_entry, write_report
from ocppcert.schema.sources import schemas_root
from ocppcert.verdicts import CaseFailed, Verdict
from ocppcert.versions import OcppVersion

ROOT = Path(__file__).resolve().parent.parent
NARROW = "TC_001 or SOAP_001 or TC_003"
pytestmark = pytest.mark.timeout(300)

# Cases written for this test: an explicit skipped check (PARTIAL), an explicit check that
# fails, an expectation the case tolerates missing, and one that ends the case.
EXTRA_CASES = '''
from ocppcert.catalog import case
from ocppcert.checks import skip_check
from ocppcert.messages import Op
from ocppcert.verdicts import CaseFailed


@case(own="RJ_001_CSMS", title="A skipped check", sut="central-system", profile="Core",
      spec="test", versions=("1.6",))
async def test_partial(central_system, cp, case_version):
    """The Central System accepts the boot; the tariff display cannot be looked at."""
    await cp.boot_accepted()
    cp.skip_check("the display shows the tariff", expected="the tariff on the display",
                  why="no operator to look at it")


@case(own="RJ_002_CSMS", title="A skipped check on the fleet", sut="central-system",
      profile="Core", spec="test", versions=("1.6",))
async def test_partial_fleet(central_system, fleet, cp, case_version):
    """The Central System accepts the boot; a second observation is not made."""
    await cp.boot_accepted()
    skip_check(fleet, "the LED turns green", expected="a green LED", why="no camera")


@case(own="RJ_003_CSMS", title="An explicit check that fails", sut="central-system",
      profile="LocalAuthListManagement", spec="test", versions=("1.6",))
async def test_explicit(central_system, cp, case_version):
    """The heartbeat interval of an Accepted boot is 0 (it never is: this case fails)."""
    reply = await cp.boot_accepted()
    cp.check("the heartbeat interval is 0", ok=reply.interval == 0, expected="0",
             seen=f"{reply.interval}", evidence=(cp.recorder.last_seq,))


@case(own="RJ_004_CSMS", title="A tolerated miss", sut="central-system", profile="Core",
      spec="test", versions=("1.6",))
async def test_tolerated(central_system, cp, case_version):
    """The Central System accepts the boot; it may or may not send a Reset after it."""
    await cp.boot_accepted()
    try:
        await cp.expect(Op.RESET, timeout=0.3)
    except CaseFailed:
        pass


@case(own="RJ_005_CSMS", title="A missed expectation", sut="central-system",
      profile="LocalAuthListManagement", spec="test", versions=("1.6",))
async def test_missed(central_system, cp, case_version):
    """After the boot the Central System sends Reset (it does not: this case fails)."""
    await cp.boot_accepted()
    await cp.expect(Op.RESET, timeout=0.3, what="a Reset")
'''


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ocppcert_run(report: Path, *args: str, pytest_args: list[str]) -> list[str]:
    return [sys.executable, "-m", "ocppcert.cli", "run", "--sut", "central-system",
            "--ocpp", "1.6", "--report", str(report), *args,
            "--", "-q", "--report-formats", "none", *pytest_args]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[int, dict[str, Any]]]:
    """Every run this file judges, started at once: name -> (exit code, report.json)."""
    base = tmp_path_factory.mktemp("report-json")
    extra = base / "extra"
    extra.mkdir()
    (extra / "test_rj_cases.py").write_text(textwrap.dedent(EXTRA_CASES), encoding="utf-8")
    commands = {
        # three catalogue cases, and the cases above from their own directory
        "narrow": _ocppcert_run(base / "narrow",
                                pytest_args=[str(extra), "-k", f"{NARROW} or RJ_"]),
        "mutant": _ocppcert_run(base / "mutant", pytest_args=[
            "--reference-class", "tests.mutants.central_system.soap:Answers16In15Namespace",
            "-k", "SOAP_006 or SOAP_001"]),
        "unreachable": _ocppcert_run(
            base / "unreachable", "--sut-url", f"http://127.0.0.1:{_closed_port()}/",
            pytest_args=["-k", "TC_001"]),
        "variant": _ocppcert_run(base / "variant", pytest_args=[
            "--reference-class", "tests.report_json_suts:CxfActions", "-k", "TC_001"]),
        "variant-strict": _ocppcert_run(base / "variant-strict", "--strict", pytest_args=[
            "--reference-class", "tests.report_json_suts:CxfActions", "-k", "TC_001"]),
    }
    started = {name: subprocess.Popen(command, cwd=ROOT,
                                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                      text=True)
               for name, command in commands.items()}
    results = {}
    for name, process in started.items():
        try:
            output, _ = process.communicate(timeout=600)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
        report = base / name / "report.json"
        assert report.is_file(), f"{name}: no report.json\n{output[-3000:]}"
        results[name] = (process.returncode, json.loads(report.read_text(encoding="utf-8")))
    return results


@pytest.fixture(scope="module")
def schema() -> jsonschema.Draft202012Validator:
    text = (resources.files("ocppcert.reporting") / "report.schema.json").read_text("utf-8")
    document = json.loads(text)
    jsonschema.Draft202012Validator.check_schema(document)
    return jsonschema.Draft202012Validator(document)


def _valid(schema: jsonschema.Draft202012Validator, document: dict[str, Any]) -> None:
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in schema.iter_errors(document)]
    assert not errors, errors[:5]


def _case(document: dict[str, Any], prefix: str) -> dict[str, Any]:
    found = [c for c in document["cases"] if c["id"].startswith(prefix)]
    assert len(found) == 1, [c["id"] for c in document["cases"]]
    return found[0]


# -- real runs ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["narrow", "mutant", "unreachable", "variant",
                                  "variant-strict"])
def test_every_run_matches_the_schema(runs, schema, name: str) -> None:
    _valid(schema, runs[name][1])


def test_passing_cases_have_passing_checks_and_full_messages(runs) -> None:
    document = runs["narrow"][1]
    catalogue = [c for c in document["cases"] if "_RJ_" not in c["id"]]
    assert {c["id"] for c in catalogue} == {"TC_001_CSMS", "TC_003_CSMS", "V16_SOAP_001_CSMS"}
    for case in catalogue:
        assert case["verdict"] == "PASS", case["reason"]
        assert case["checks"], case["id"]
        assert {c["verdict"] for c in case["checks"]} == {"PASS"}
        seqs = {m["seq"] for m in case["messages"]}
        inbound = [m for m in case["messages"] if m["direction"] == "in"]
        for message in case["messages"]:
            assert message["direction"] in ("in", "out")
            assert message["xml"].lstrip().startswith("<")
        # one validation check per SUT message, naming it as its evidence
        validated = [c for c in case["checks"] if c["check"].startswith("#")]
        assert sorted(c["evidence"][0] for c in validated) == [m["seq"] for m in inbound]
        for check in case["checks"]:
            assert set(check["evidence"]) <= seqs, check
    boot = _case(document, "TC_001")
    answered = [c for c in boot["checks"] if c["check"].startswith("BootNotification answered")]
    assert answered and answered[0]["seen"].startswith("#2 BootNotification response, HTTP 200")
    assert answered[0]["evidence"] == [1, 2]


def test_schemas_carry_the_hash_of_each_file_used(runs) -> None:
    schemas = runs["narrow"][1]["schemas"]
    assert schemas["source"] == "builtin"
    root = schemas_root()
    for name in ("ocpp/1.6/CentralSystemService.xsd", "ocpp/1.6/ChargePointService.xsd",
                 "soap/soap-envelope-1.2.xsd", "soap/ws-addressing.xsd"):
        assert schemas["sha256"][name] == hashlib.sha256((root / name).read_bytes()).hexdigest()


def test_profiles_summary(runs) -> None:
    document = runs["narrow"][1]
    profiles = document["profiles"]
    assert profiles["Core"] == {"mandatory": True, "counts": {"PARTIAL": 2, "PASS": 3},
                                "applicable": 5, "passed": 3}
    assert profiles["SOAP"] == {"mandatory": True, "counts": {"PASS": 1},
                                "applicable": 1, "passed": 1}
    assert profiles["LocalAuthListManagement"] == {
        "mandatory": False, "counts": {"FAIL": 2}, "applicable": 2, "passed": 0}
    assert document["summary"] == {p: v["counts"] for p, v in profiles.items()}


def test_a_failing_case_has_a_fail_check_with_its_evidence(runs) -> None:
    code, document = runs["mutant"]
    assert code == 1  # a FAIL makes the run fail
    case = _case(document, "V16_SOAP_006")
    assert case["verdict"] == "FAIL"
    seqs = {m["seq"] for m in case["messages"]}
    failed = [c for c in case["checks"] if c["verdict"] == "FAIL"]
    assert failed
    for check in failed:
        assert check["evidence"] and set(check["evidence"]) <= seqs, check
    final = failed[-1]
    assert final["expected"] == case["requirement"]
    assert final["seen"] in case["reason"]
    namespace = [c for c in failed if c["check"].startswith("#")]
    assert any("OCPP 1.5, the case runs OCPP 1.6" in c["seen"] for c in namespace)


def test_an_unreachable_sut_is_an_error_and_fails_the_run(runs) -> None:
    code, document = runs["unreachable"]
    assert code == 1
    case = _case(document, "TC_001")
    assert case["verdict"] == "ERROR"
    assert "could not be delivered" in case["reason"]
    assert not [c for c in case["checks"] if c["verdict"] == "FAIL"]


def test_warnings_are_warn_checks_and_strict_makes_them_fail(runs) -> None:
    code, document = runs["variant"]
    assert code == 0
    case = _case(document, "TC_001")
    assert case["verdict"] == "PASS"
    assert case["warnings"] and "fully qualified wsa:Action" in case["warnings"][0]
    warned = [c for c in case["checks"] if c["verdict"] == "WARN"]
    inbound = [m["seq"] for m in case["messages"] if m["direction"] == "in"]
    assert [c["evidence"][0] for c in warned] == inbound
    assert document["run"]["strict"] is False

    code, document = runs["variant-strict"]
    assert code == 1
    case = _case(document, "TC_001")
    assert case["verdict"] == "FAIL"
    assert "fully qualified wsa:Action" in case["reason"]
    assert document["run"]["strict"] is True
    assert not [c for c in case["checks"] if c["verdict"] == "WARN"]


def test_partial_explicit_checks_and_tolerated_misses(runs) -> None:
    code, document = runs["narrow"]
    assert code == 1  # RJ_003 and RJ_005 fail

    partial = _case(document, "V16_RJ_001")
    assert partial["verdict"] == "PARTIAL"
    assert partial["reason"] == ("check skipped: the display shows the tariff "
                                 "(not checked: no operator to look at it)")
    skipped = [c for c in partial["checks"] if c["verdict"] == "SKIPPED"]
    assert [c["expected"] for c in skipped] == ["the tariff on the display"]
    assert _case(document, "V16_RJ_002")["verdict"] == "PARTIAL"
    assert "the LED turns green" in _case(document, "V16_RJ_002")["reason"]

    explicit = _case(document, "V16_RJ_003")
    assert explicit["verdict"] == "FAIL"
    failing = [c for c in explicit["checks"] if c["check"] == "the heartbeat interval is 0"]
    assert len(failing) == 1 and failing[0]["verdict"] == "FAIL"
    assert failing[0]["expected"] == "0" and failing[0]["seen"] != "0"
    assert failing[0]["evidence"] == [max(m["seq"] for m in explicit["messages"])]
    assert explicit["reason"].startswith("the heartbeat interval is 0: expected 0, seen ")

    tolerated = _case(document, "V16_RJ_004")
    assert tolerated["verdict"] == "PASS"
    assert not [c for c in tolerated["checks"] if "Reset" in c["check"]]
    assert {c["verdict"] for c in tolerated["checks"]} == {"PASS"}

    missed = _case(document, "V16_RJ_005")
    assert missed["verdict"] == "FAIL"
    waits = [c for c in missed["checks"] if "Reset" in c["check"]]
    assert [(c["check"], c["seen"], c["verdict"]) for c in waits] == [
        ("the Central System sends a Reset within 0.3 s", "none within 0.3 s", "FAIL")]
    assert missed["checks"][-1]["expected"] == missed["requirement"]


# -- one function at a time ----------------------------------------------------------------

def _case_meta(profile: str = "Core") -> Case:
    return Case("tests:fake", "A fake case", SutRole.CENTRAL_SYSTEM, profile,
                (OcppVersion.V16,), {OcppVersion.V16: f"V16_FAKE_{profile}"}, None,
                {OcppVersion.V16: "test"}, (), "The SUT does what it must.")


def test_check_log_is_bounded_and_drained() -> None:
    log = CheckLog(capacity=10)
    for n in range(25):
        log.add(f"check {n}", expected="x", seen="x", verdict="PASS")
    assert len(log) == 10 and log.dropped == 15
    drained = log.drain()
    assert [c.check for c in drained] == [f"check {n}" for n in range(15, 25)]
    assert len(log) == 0 and log.dropped == 0


def test_a_skipped_check_makes_a_passing_record_partial_not_a_failing_one() -> None:
    log = CheckLog()
    log.add("the display shows the tariff", expected="a tariff", seen="not checked: no one",
            verdict=CheckVerdict.SKIPPED)
    record = CaseRecord(_case_meta(), OcppVersion.V16, verdict=Verdict.PASS)
    record.add_checks(log.drain(), error=None, strict=False)
    assert record.verdict is Verdict.PARTIAL
    assert record.reason == "check skipped: the display shows the tariff (not checked: no one)"

    log.add("the display shows the tariff", expected="a tariff", seen="not checked: no one",
            verdict=CheckVerdict.SKIPPED)
    error = CaseFailed("no BootNotification", evidence=(3,))
    failing = CaseRecord(_case_meta(), OcppVersion.V16, verdict=Verdict.FAIL,
                         reason="no BootNotification")
    failing.add_checks(log.drain(), error=error, strict=False)
    assert failing.verdict is Verdict.FAIL
    assert failing.checks[-1] == {"check": "the case's requirement holds",
                                  "expected": "The SUT does what it must.",
                                  "seen": "no BootNotification", "verdict": "FAIL",
                                  "evidence": [3]}


def test_a_failed_check_counts_only_if_its_exception_ends_the_case() -> None:
    log = CheckLog()
    caught = log.failure(CaseFailed("late"), "A within 1 s", expected="A", seen="none")
    ending = log.failure(CaseFailed("later"), "B within 1 s", expected="B", seen="none")
    try:
        try:
            raise ending
        except CaseFailed:
            raise CaseFailed("the case's own words") from None
    except CaseFailed as final:
        error = final
    kept = case_checks(log.drain(), [], version="1.6", strict=False, error=error,
                       failed=True, requirement="B comes")
    assert [c.check for c in kept] == ["B within 1 s", "the case's requirement holds"]
    assert caught is not error


def test_write_report_profiles_and_schema(tmp_path: Path, schema) -> None:
    records = [CaseRecord(_case_meta("Core"), OcppVersion.V16, verdict=Verdict.PASS),
               CaseRecord(_case_meta("Reservation"), OcppVersion.V16,
                          verdict=Verdict.NOT_APPLICABLE, reason="no Reservation profile"),
               CaseRecord(_case_meta("SOAP"), OcppVersion.V16, verdict=Verdict.ERROR,
                          reason="harness fault")]
    now = dt.datetime.now(dt.UTC)
    path = write_report(tmp_path, records=records, started=now, finished=now,
                        schemas=schemas_entry("builtin"),
                        sut={"role": "central-system", "url": "http://x/",
                             "pics": {"source": "default"}},
                        run={"ocpp_version": ["1.6"], "profiles": ["Core"], "strict": False})
    document = json.loads(path.read_text(encoding="utf-8"))
    _valid(schema, document)
    assert document["profiles"] == {
        "Core": {"mandatory": True, "counts": {"PASS": 1}, "applicable": 1, "passed": 1},
        "Reservation": {"mandatory": False, "counts": {"NOT_APPLICABLE": 1},
                        "applicable": 0, "passed": 0},
        "SOAP": {"mandatory": True, "counts": {"ERROR": 1}, "applicable": 1, "passed": 0},
    }
    # a verdict other than PASS without a reason breaks the schema
    document["cases"][2]["reason"] = None
    assert list(schema.iter_errors(document))
