"""junit.xml and allure-results/ rendered from report.json documents.

The document below has one case per verdict, an exchange answered out of order (found by
RelatesTo), a fault, a transport note without an envelope, a failed check naming its
evidence, a control character in a reason (XML 1.0 forbids it) and an old-style case with
only the keys of the first report.json. junit.xml is read back with lxml and junitparser;
the Allure results are read back as JSON, attachments from disk. One test runs the real
Allure 3 command line (npx) over them: it needs the npm registry (marker ``network``).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import junitparser
import pytest
from lxml import etree

from ocppcert.reporting import render_directory
from ocppcert.reporting.allure import exchanges, write_allure
from ocppcert.reporting.checksums import verify_sha256sums
from ocppcert.reporting.junit import write_junit

ENV = ('<?xml version="1.0" encoding="UTF-8"?>\n<s:Envelope xmlns:s="http://www.w3.org/2003/05/'
       'soap-envelope"><s:Body>{body}</s:Body></s:Envelope>')


def _message(seq: int, direction: str, operation: str | None, kind: str | None,
             **extra: Any) -> dict[str, Any]:
    message = {
        "seq": seq, "time": f"2026-11-24T10:00:{seq:02d}.500000+00:00", "direction": direction,
        "peer": "http://127.0.0.1:9000/", "http_status": 200, "ocpp_version": "1.6",
        "service": "CentralSystemService", "operation": operation, "kind": kind,
        "message_id": f"urn:uuid:{seq:08d}", "relates_to": None,
        "charge_box_identity": "CP-1", "valid": True, "violations": [], "warnings": [],
        "note": None, "content_type": "application/soap+xml",
        "xml": ENV.format(body=f"<m{seq}>{operation} {kind}</m{seq}>"),
    }
    message.update(extra)
    return message


def _case(case_id: str, verdict: str, reason: str | None, profile: str = "Core",
          **extra: Any) -> dict[str, Any]:
    case = {
        "id": case_id, "title": f"Title of {case_id}", "sut": "charge-point",
        "profile": profile, "octt_id": f"OCTT_{case_id}", "versions": ["1.6"],
        "spec": "OCPP 1.6 §4.2", "requirement": f"The requirement of {case_id}.",
        "verdict": verdict, "reason": reason, "duration_s": 1.5, "warnings": [],
        "checks": [], "messages": [],
    }
    case.update(extra)
    return case


def sample_document() -> dict[str, Any]:
    failing_messages = [
        # the harness asks (#1), the SUT sends a StatusNotification (#2, answered #3)
        # before it answers #1 (#4): the pairs are (1, 4) and (2, 3)
        _message(1, "out", "ChangeConfiguration", "request"),
        _message(2, "in", "StatusNotification", "request"),
        _message(3, "out", "StatusNotification", "response", relates_to="urn:uuid:00000002"),
        _message(4, "in", "ChangeConfiguration", "response", relates_to="urn:uuid:00000001",
                 valid=False, violations=[{"check": "schema", "where": "/Envelope/Body/x",
                                           "reason": "status 'Maybe' is not allowed",
                                           "line": 3}]),
        _message(5, "out", "Reset", "request"),
        _message(6, "in", "Reset", "fault", relates_to="urn:uuid:00000005"),
        _message(7, "out", None, None, xml=None, note="connection refused by the SUT"),
    ]
    return {
        "tool": {"name": "ocppcert", "version": "0.1.0"}, "host": "lab-pc",
        "started": "2026-11-24T10:00:00.000000+00:00",
        "finished": "2026-11-24T10:01:00.000000+00:00",
        "schemas": {"source": "builtin", "sha256": {}},
        "sut": {"role": "charge-point", "url": "http://sut:8080/",
                "identity": {"vendor": "ACME", "model": "Wallbox 7", "serial": None,
                             "firmware": "1.2.3"},
                "identity_source": "BootNotification", "pics": {"source": "pics.toml"}},
        "run": {"ocpp_version": ["1.6"], "profiles": ["Core", "Reservation"], "strict": False},
        "summary": {},
        "profiles": {"Core": {"mandatory": True}, "Reservation": {"mandatory": False}},
        "cases": [
            _case("TC_001_CS", "PASS", None, messages=[
                _message(10, "out", "BootNotification", "request"),
                _message(11, "in", "BootNotification", "response",
                         relates_to="urn:uuid:00000010")]),
            _case("TC_002_CS", "FAIL", "status Maybe\x01 is not a ChangeConfiguration status",
                  messages=failing_messages,
                  checks=[{"check": "ChangeConfiguration answered", "expected": "Accepted",
                           "seen": "Maybe", "verdict": "FAIL", "evidence": [4]},
                          {"check": "StatusNotification sent", "expected": "Available",
                           "seen": "Available", "verdict": "PASS", "evidence": [2]}]),
            _case("TC_003_CS", "ERROR", "TimeoutError in the harness"),
            _case("TC_004_CS", "NOT_APPLICABLE", "the PICS excludes Reservation",
                  profile="Reservation"),
            _case("TC_005_CS", "PARTIAL", "the operator did not confirm the LED",
                  profile="Reservation", warnings=["#3 from the SUT: odd header"]),
            _case("TC_006_CS", "SKIPPED", "needs an operator"),
            # an old report.json case: no requirement, checks, warnings, octt_id, spec
            {"id": "TC_007_CS", "title": "Old", "sut": "charge-point", "profile": "Core",
             "versions": ["1.6"], "verdict": "PASS", "reason": None, "duration_s": 0.25,
             "messages": []},
        ],
    }


# -- junit.xml ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def junit_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_junit(sample_document(), tmp_path_factory.mktemp("junit") / "junit.xml")


def test_junit_has_one_testcase_per_case_with_its_id(junit_file: Path) -> None:
    root = etree.parse(str(junit_file)).getroot()
    assert root.tag == "testsuites"
    names = [t.get("name") for t in root.iter("testcase")]
    assert names == [f"TC_00{n}_CS" for n in (1, 2, 3, 6, 7, 4, 5)]  # grouped by profile
    for testcase in root.iter("testcase"):
        profile = testcase.getparent().get("name").rsplit(".", 1)[1]
        assert testcase.get("classname") == f"ocppcert.charge-point.{profile}"
        assert re.fullmatch(r"\d+\.\d{3}", testcase.get("time"))
    assert root.find(".//testcase[@name='TC_001_CS']").get("time") == "1.500"


def test_junit_verdicts_map_to_failure_error_skipped(junit_file: Path) -> None:
    root = etree.parse(str(junit_file)).getroot()

    def case(name: str) -> etree._Element:
        return root.find(f".//testcase[@name='{name}']")

    failure = case("TC_002_CS").find("failure")
    # the control character is replaced, not dropped silently and not fatal
    assert failure.get("message") == "status Maybe\ufffd is not a ChangeConfiguration status"
    assert failure.get("type") == "FAIL"
    assert case("TC_003_CS").find("error").get("message") == "TimeoutError in the harness"
    assert case("TC_004_CS").find("skipped").get("message") == \
        "NOT_APPLICABLE: the PICS excludes Reservation"
    assert case("TC_006_CS").find("skipped").get("message") == "SKIPPED: needs an operator"
    partial = case("TC_005_CS")
    assert [c.tag for c in partial] == ["properties", "system-out"]  # passed
    props = {p.get("name"): p.get("value") for p in partial.iter("property")}
    assert props["verdict"] == "PARTIAL"
    assert props["reason"] == "the operator did not confirm the LED"
    for name in ("TC_001_CS", "TC_007_CS"):
        assert [c.tag for c in case(name)] == ["properties", "system-out"]


def test_junit_properties_and_log(junit_file: Path) -> None:
    root = etree.parse(str(junit_file)).getroot()
    failing = root.find(".//testcase[@name='TC_002_CS']")
    assert failing[0].tag == "properties"  # first, as the Jenkins schema orders it
    props = {p.get("name"): p.get("value") for p in failing[0]}
    assert props == {"id": "TC_002_CS", "octt_id": "OCTT_TC_002_CS",
                     "title": "Title of TC_002_CS", "profile": "Core", "version": "1.6",
                     "spec": "OCPP 1.6 §4.2", "verdict": "FAIL"}
    log = failing.find("system-out").text
    assert "FAIL  ChangeConfiguration answered: expected Accepted, seen Maybe (messages #4)" \
        in log
    assert "#4 SUT → harness ChangeConfiguration response INVALID" in log
    assert "[schema] /Envelope/Body/x: status 'Maybe' is not allowed" in log
    old = root.find(".//testcase[@name='TC_007_CS']")
    assert {p.get("name") for p in old[0]} == {"id", "title", "profile", "version", "verdict"}
    suite = root.find("testsuite")
    suite_props = {p.get("name"): p.get("value") for p in suite.find("properties")}
    assert suite_props["sut.vendor"] == "ACME" and suite_props["sut.firmware"] == "1.2.3"
    assert suite_props["mandatory"] == "true" and suite_props["strict"] == "false"
    assert "sut.serial" not in suite_props  # null values are left out


def test_junit_counts_add_up_and_attributes_have_the_schema_shape(junit_file: Path) -> None:
    root = etree.parse(str(junit_file)).getroot()
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["ocppcert.charge-point.Core",
                                               "ocppcert.charge-point.Reservation"]
    expected = {"ocppcert.charge-point.Core": ("5", "1", "1", "1"),
                "ocppcert.charge-point.Reservation": ("2", "0", "0", "1")}
    for suite in suites:
        assert (suite.get("tests"), suite.get("failures"), suite.get("errors"),
                suite.get("skipped")) == expected[suite.get("name")]
        testcases = suite.findall("testcase")
        assert int(suite.get("tests")) == len(testcases)
        assert int(suite.get("failures")) == len(suite.findall("testcase/failure"))
        assert int(suite.get("errors")) == len(suite.findall("testcase/error"))
        assert int(suite.get("skipped")) == len(suite.findall("testcase/skipped"))
        assert float(suite.get("time")) == pytest.approx(
            sum(float(t.get("time")) for t in testcases), abs=0.002)
        # the Ant/Jenkins schema: timestamp without a zone, hostname, id, package
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", suite.get("timestamp"))
        assert suite.get("timestamp") == "2026-11-24T10:00:00"
        assert suite.get("hostname") == "lab-pc"
        assert suite.get("package") == "ocppcert.charge-point" and suite.get("id")
    assert (root.get("tests"), root.get("failures"), root.get("errors"),
            root.get("skipped")) == ("7", "1", "1", "2")


def test_junitparser_reads_it_back(junit_file: Path) -> None:
    xml = junitparser.JUnitXml.fromfile(str(junit_file))
    outcomes: dict[str, str] = {}
    total = 0
    for suite in xml:
        total += suite.tests
        for case in suite:
            results = case.result
            outcomes[case.name] = type(results[0]).__name__ if results else "passed"
            assert case.classname == suite.name
    assert total == 7
    assert outcomes == {"TC_001_CS": "passed", "TC_002_CS": "Failure", "TC_003_CS": "Error",
                        "TC_004_CS": "Skipped", "TC_005_CS": "passed", "TC_006_CS": "Skipped",
                        "TC_007_CS": "passed"}


def test_junit_of_an_empty_run(tmp_path: Path) -> None:
    path = write_junit({"cases": []}, tmp_path / "junit.xml")
    root = etree.parse(str(path)).getroot()
    assert root.get("tests") == "0" and root.findall("testsuite") == []


# -- allure-results/ --------------------------------------------------------------------------
def _results(directory: Path) -> dict[str, dict[str, Any]]:
    loaded = [json.loads(p.read_text(encoding="utf-8"))
              for p in directory.glob("*-result.json")]
    return {r["fullName"]: r for r in loaded}


@pytest.fixture(scope="module")
def allure_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_allure(sample_document(), tmp_path_factory.mktemp("allure") / "allure-results")


def test_allure_one_result_per_case_with_status_and_reason(allure_dir: Path) -> None:
    results = _results(allure_dir)
    assert set(results) == {f"TC_00{n}_CS" for n in range(1, 8)}
    status = {name: r["status"] for name, r in results.items()}
    assert status == {"TC_001_CS": "passed", "TC_002_CS": "failed", "TC_003_CS": "broken",
                      "TC_004_CS": "skipped", "TC_005_CS": "passed", "TC_006_CS": "skipped",
                      "TC_007_CS": "passed"}
    failing = results["TC_002_CS"]
    assert failing["name"] == "Title of TC_002_CS"
    assert failing["statusDetails"]["message"].startswith("FAIL: status Maybe")
    assert failing["description"] == "The requirement of TC_002_CS."
    assert results["TC_004_CS"]["statusDetails"]["message"] == \
        "NOT_APPLICABLE: the PICS excludes Reservation"
    partial = results["TC_005_CS"]
    assert {"name": "verdict", "value": "PARTIAL"} in partial["parameters"]
    assert {"name": "tag", "value": "PARTIAL"} in partial["labels"]
    assert "statusDetails" not in results["TC_001_CS"]


def test_allure_labels(allure_dir: Path) -> None:
    results = _results(allure_dir)
    labels = {}
    for item in results["TC_002_CS"]["labels"]:
        labels.setdefault(item["name"], []).append(item["value"])
    assert labels["suite"] == ["Core"] and labels["feature"] == ["Core"]
    assert labels["testId"] == ["TC_002_CS"] and labels["octt_id"] == ["OCTT_TC_002_CS"]
    assert labels["tag"] == ["OCPP 1.6", "FAIL"]
    assert labels["severity"] == ["critical"]  # Core is mandatory
    assert labels["parentSuite"] == ["ocppcert charge-point"]
    reservation = {i["name"]: i["value"] for i in results["TC_004_CS"]["labels"]}
    assert reservation["severity"] == "normal"


def test_allure_one_step_per_exchange_with_envelopes_attached(allure_dir: Path) -> None:
    steps = _results(allure_dir)["TC_002_CS"]["steps"]
    names = [s["name"] for s in steps]
    assert names == [
        "#1 → ChangeConfiguration request / #4 ← response",
        "#2 ← StatusNotification request / #3 → response",
        "#5 → Reset request / #6 ← fault",
        "#7 → connection refused by the SUT",
        "check: ChangeConfiguration answered",
        "check: StatusNotification sent",
    ]
    # the exchange holding the failed check's evidence (#4) is the failed step
    assert [s["status"] for s in steps] == ["failed", "passed", "passed", "passed",
                                            "failed", "passed"]
    assert "status 'Maybe' is not allowed" in steps[0]["statusDetails"]["message"]
    first = steps[0]["attachments"]
    assert [a["name"] for a in first] == ["#1 → ChangeConfiguration request.xml",
                                         "#4 ← ChangeConfiguration response.xml"]
    assert all(a["type"] == "application/xml" for a in first)
    assert (allure_dir / first[1]["source"]).read_text(encoding="utf-8") == \
        sample_document()["cases"][1]["messages"][3]["xml"]
    note = steps[3]["attachments"][0]
    assert note["type"] == "text/plain"
    assert (allure_dir / note["source"]).read_text() == "connection refused by the SUT"
    assert steps[0]["start"] <= steps[0]["stop"]
    check = steps[4]
    assert {"name": "evidence", "value": "#4"} in check["parameters"]


def test_allure_times_follow_the_run(allure_dir: Path) -> None:
    results = [r for r in _results(allure_dir).values()]
    started = 1795514400000  # 2026-11-24T10:00:00Z
    for result in results:
        assert result["start"] >= started
        assert result["stop"] - result["start"] == int(
            next(c for c in sample_document()["cases"]
                 if c["id"] == result["fullName"])["duration_s"] * 1000)
    failing = _results(allure_dir)["TC_002_CS"]
    # it starts no later than its first message (10:00:01.5)
    assert failing["start"] <= started + 1500


def test_allure_rewrite_removes_stale_results(tmp_path: Path) -> None:
    directory = tmp_path / "allure-results"
    write_allure(sample_document(), directory)
    smaller = sample_document()
    smaller["cases"] = smaller["cases"][:1]
    write_allure(smaller, directory)
    assert set(_results(directory)) == {"TC_001_CS"}
    assert len(list(directory.glob("*-attachment.xml"))) == 2
    env = (directory / "environment.properties").read_text()
    assert "SUT.vendor=ACME" in env and "OCPP=1.6" in env


def test_exchanges_fall_back_to_order_without_relates_to() -> None:
    messages = [_message(1, "out", "Heartbeat", "request"),
                _message(2, "in", "Heartbeat", "response"),  # no RelatesTo
                _message(3, "in", "Heartbeat", "response")]  # an unsolicited one
    assert [[m["seq"] for m in g] for g in exchanges(messages)] == [[1, 2], [3]]


# -- through the orchestrator -----------------------------------------------------------------
def test_render_directory_writes_both_and_checksums_cover_them(tmp_path: Path) -> None:
    (tmp_path / "report.json").write_text(json.dumps(sample_document()), encoding="utf-8")
    timings = render_directory(tmp_path, formats=("junit", "allure"))
    assert set(timings) == {"junit", "allure", "SHA256SUMS"}
    sums = (tmp_path / "SHA256SUMS").read_text()
    assert "  junit.xml\n" in sums
    assert len(re.findall(r"  allure-results/.*-result\.json\n", sums)) == 7
    assert verify_sha256sums(tmp_path) == []


@pytest.mark.network
@pytest.mark.timeout(400)
def test_allure3_generates_a_site_from_the_results(tmp_path: Path,
                                                   allure_dir: Path) -> None:
    """``npx allure generate`` (Allure 3, Node only) reads our results: needs npm."""
    if shutil.which("npx") is None:
        pytest.skip("npx (Node.js) is not installed")
    site = tmp_path / "site"
    try:
        done = subprocess.run(
            ["npx", "--yes", "allure@3", "generate", str(allure_dir), "-o", str(site)],
            capture_output=True, text=True, timeout=360, cwd=tmp_path)
    except subprocess.TimeoutExpired:
        pytest.fail("npx allure@3 generate took more than 360 s")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert (site / "index.html").is_file()
    summary = json.loads((site / "summary.json").read_text())
    assert summary["stats"] == {"total": 7, "passed": 3, "failed": 1, "broken": 1,
                                "skipped": 2}
    text = "".join(p.read_text(errors="replace") for p in site.rglob("*.json"))
    for n in range(1, 8):
        assert f"TC_00{n}_CS" in text
