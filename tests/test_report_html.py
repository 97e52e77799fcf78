"""report.html: content, escaping, tolerance of older report.json, and a real Chromium check.

The sample document below has one case per verdict, a FAIL with schema violations and check
evidence, envelopes with ``<``, ``&``, ``]]>`` and non-ASCII text, and a malformed envelope
carrying markup. The browser tests skip (with the reason) where chromium is not installed.
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from lxml import html as lxml_html

from ocppcert.reporting import render_directory
from ocppcert.reporting.html import build_view, pretty_xml, render_html, write_html
from ocppcert.reporting.sequence import sequence_svg
from tests.conftest import ROOT, _load_tool

ENV = ('<?xml version="1.0" encoding="UTF-8"?>\n<s:Envelope xmlns:s="http://www.w3.org/2003/05/'
       'soap-envelope" xmlns:o="urn://Ocpp/Cs/2015/10/"><s:Header><o:chargeBoxIdentity>{cb}'
       '</o:chargeBoxIdentity></s:Header><s:Body>{body}</s:Body></s:Envelope>')
NASTY_BODY = ("<o:authorizeRequest><o:idTag>Z\u00fcrich &amp; &lt;S\u00f6hne&gt; ]]&gt; \u2713"
              "</o:idTag><o:note><![CDATA[a < b && c]]></o:note></o:authorizeRequest>")
MALFORMED = "<s:Envelope><script>alert('pwned')</script><b>unclosed & raw"


def _message(seq: int, direction: str, operation: str | None, kind: str | None, body: str,
             **extra: Any) -> dict[str, Any]:
    message = {
        "seq": seq, "time": f"2026-11-24T10:00:0{seq % 10}.250000+00:00", "direction": direction,
        "peer": "http://127.0.0.1:9000/", "http_status": 200 if direction == "in" else None,
        "ocpp_version": "1.6", "service": "CentralSystemService", "operation": operation,
        "kind": kind, "message_id": f"urn:uuid:{seq:08d}", "relates_to": None,
        "charge_box_identity": "CP-ÄÖ-1", "valid": True, "violations": [], "warnings": [],
        "note": None, "content_type": "application/soap+xml; charset=utf-8",
        "xml": ENV.format(cb="CP-ÄÖ-1", body=body),
    }
    message.update(extra)
    return message


def _case(case_id: str, verdict: str, reason: str | None, **extra: Any) -> dict[str, Any]:
    case = {
        "id": case_id, "title": f"Title of {case_id}", "sut": "central-system", "profile": "Core",
        "octt_id": None, "versions": ["1.6"], "spec": "OCPP 1.6 §4.2",
        "requirement": f"The requirement of {case_id}.", "verdict": verdict, "reason": reason,
        "duration_s": 1.234, "warnings": [], "checks": [], "messages": [],
    }
    case.update(extra)
    return case


def sample_document() -> dict[str, Any]:
    """A small report.json document: one case per verdict, evidence, nasty text."""
    fail_messages = [
        _message(1, "out", "Authorize", "request", NASTY_BODY),
        _message(2, "in", "Authorize", "response",
                 "<o:authorizeResponse><o:idTagInfo><o:status>Bogus</o:status></o:idTagInfo>"
                 "</o:authorizeResponse>", valid=False,
                 violations=[{"check": "schema", "where": "/s:Envelope/s:Body/o:status",
                              "reason": "'Bogus' is not an element of the set {Accepted, <x>}",
                              "line": 2}]),
        _message(3, "in", "Authorize", "fault", "<s:Fault><s:Code><s:Value>s:Receiver</s:Value>"
                 "</s:Code></s:Fault>", http_status=500),
        _message(4, "in", None, None, MALFORMED, valid=False, ocpp_version=None,
                 violations=[{"check": "xml", "where": "envelope", "reason": "not well-formed",
                              "line": 1}], note="transport note: <peer closed> & gone"),
    ]
    cases = [
        _case("TC_PASS_001", "PASS", None, profile="Core",
              messages=[_message(1, "out", "BootNotification", "request", "<o:x/>"),
                        _message(2, "in", "BootNotification", "response", "<o:y/>")],
              checks=[{"check": "status", "expected": "Accepted", "seen": "Accepted",
                       "verdict": "PASS", "evidence": [2]}]),
        _case("TC_FAIL_002", "FAIL", "#2 Authorize response from the SUT: [schema] <Bogus> & co",
              profile="SOAP", octt_id="TC_042_CS",
              requirement="Authorize answers with <idTagInfo> & a status — ]]> déjà vu.",
              warnings=["#1 warning: namespace prefix <o> & odd"],
              messages=fail_messages,
              checks=[{"check": "idTagInfo status", "expected": "Accepted | Blocked",
                       "seen": "Bogus <script>", "verdict": "FAIL", "evidence": [2, 3]},
                      {"check": "fault code", "expected": "none", "seen": "s:Receiver",
                       "verdict": "WARN", "evidence": [3]}]),
        _case("TC_ERROR_003", "ERROR", "timeout: no StatusNotification within 30 s",
              profile="Reservation"),
        _case("TC_NA_004", "NOT_APPLICABLE", "the PICS excludes SmartCharging",
              profile="SmartCharging"),
        _case("TC_PARTIAL_005", "PARTIAL", "manual observation not confirmed", profile="Core",
              checks=[{"check": "cable unlocked", "expected": "operator confirms",
                       "seen": "no answer", "verdict": "SKIPPED", "evidence": []}]),
        _case("TC_SKIPPED_006", "SKIPPED", "needs an operator and none is present",
              profile="FirmwareManagement"),
    ]
    counts: dict[str, dict[str, int]] = {}
    for case in cases:
        counts.setdefault(case["profile"], {}).setdefault(case["verdict"], 0)
        counts[case["profile"]][case["verdict"]] += 1
    return {
        "tool": {"name": "ocppcert", "version": "9.9.9-test"},
        "host": "lab-host-<1>",
        "started": "2026-11-24T10:00:00+00:00",
        "finished": "2026-11-24T10:03:05+00:00",
        "schemas": {"source": "builtin",
                    "sha256": {"ocpp/1.6/OCPP_CentralSystemService_1.6.wsdl": "ab" * 32}},
        "sut": {"role": "central-system", "url": "http://sut.example:8080/ocpp?a=1&b=<2>",
                "identity": {"vendor": "Ünïcode & <Vendor>", "model": "CS-9000",
                             "serial": None, "firmware": "1.2.3"},
                "identity_source": "BootNotification answer",
                "pics": {"source": "pics/lab.toml", "role": "central-system",
                         "profiles": ["Core", "SOAP"], "connectors": 2}},
        "run": {"ocpp_version": ["1.6"], "profiles": ["Core", "SOAP", "Reservation"],
                "strict": False},
        "summary": counts,
        "profiles": {
            p: {"mandatory": p in ("Core", "SOAP"), "counts": c,
                "applicable": sum(n for v, n in c.items() if v != "NOT_APPLICABLE"),
                "passed": c.get("PASS", 0)} for p, c in counts.items()},
        "cases": cases,
    }


def _page(text: str) -> lxml_html.HtmlElement:
    return lxml_html.document_fromstring(text)


def test_every_case_is_in_the_table_and_has_an_anchor(tmp_path: Path) -> None:
    document = sample_document()
    page = _page(write_html(document, tmp_path / "report.html").read_text(encoding="utf-8"))
    ids = [c["id"] for c in document["cases"]]
    assert [r.get("data-case") for r in page.xpath('//table[@id="case-table"]/tbody/tr')] == ids
    for case in document["cases"]:
        section = page.get_element_by_id(case["id"])
        assert section.get("data-verdict") == case["verdict"]
        # PASS collapsed by default, everything else open
        assert (section.get("open") is None) == (case["verdict"] == "PASS")
    for verdict in ("PASS", "FAIL", "ERROR", "NOT_APPLICABLE", "PARTIAL", "SKIPPED"):
        row = page.xpath(f'//table[@id="case-table"]//tr[@data-verdict="{verdict}"]')[0]
        reason = next(c["reason"] for c in document["cases"] if c["verdict"] == verdict)
        assert (reason or "") == row.xpath('td[contains(@class, "reason-cell")]')[0].text_content()


def test_header_shows_identity_run_pics_and_schema_hashes() -> None:
    page = _page(render_html(sample_document()))
    text = page.text_content()
    for expected in ("Ünïcode & <Vendor>", "CS-9000", "1.2.3", "BootNotification answer",
                     "http://sut.example:8080/ocpp?a=1&b=<2>", "Central System", "9.9.9-test",
                     "lab-host-<1>", "pics/lab.toml", "2026-11-24 10:00:00 UTC", "3 min 05 s",
                     "ab" * 32, "OCPP_CentralSystemService_1.6.wsdl", "tolerant"):
        assert expected in text, expected
    serial_row = [tr for tr in page.xpath('//table[contains(@class, "kv")]//tr')
                  if tr[0].text_content() == "Serial"]
    assert serial_row[0][1].text_content() == "not reported"


def test_summary_counts_mandatory_and_pass_rate() -> None:
    page = _page(render_html(sample_document()))
    rows = {tr[0].text_content(): [td.text_content().strip() for td in tr[1:]]
            for tr in page.xpath('//table[contains(@class, "summary")]'
                                 '/*[self::tbody or self::tfoot]/tr')}
    # columns: kind, PASS, FAIL, ERROR, NOT_APPLICABLE, PARTIAL, SKIPPED, cases, passed/app, rate
    assert rows["Core"] == ["mandatory", "1", "0", "0", "0", "1", "0", "2", "1 / 2", "50%"]
    assert rows["SOAP"] == ["mandatory", "0", "1", "0", "0", "0", "0", "1", "0 / 1", "0%"]
    assert rows["SmartCharging"][0] == "optional"
    assert rows["SmartCharging"][-2:] == ["0 / 0", "—"]
    assert rows["All profiles"] == ["", "1", "1", "1", "1", "1", "1", "6", "1 / 5", "20%"]
    assert rows["Mandatory (Core, SOAP)"][-2:] == ["1 / 3", "33.3%"]


def test_summary_counts_the_cases_listed_even_if_report_json_disagrees() -> None:
    document = sample_document()
    document["profiles"]["Core"] = {"mandatory": True, "counts": {"PASS": 40}, "applicable": 40,
                                    "passed": 40}
    document["summary"]["Core"] = {"PASS": 40}
    document["summary"]["Ghost"] = {"FAIL": 3}
    view = build_view(document)
    core = next(r for r in view["profiles"] if r["name"] == "Core")
    assert (core["total"], core["applicable"], core["passed"]) == (2, 2, 1)
    assert "Ghost" not in [r["name"] for r in view["profiles"]]
    assert view["total"]["total"] == 6


def test_everything_from_the_run_is_escaped() -> None:
    text = render_html(sample_document())
    assert "<script>alert" not in text and "<Vendor>" not in text and "<Bogus>" not in text
    assert "&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;" in text
    # one <script>: ours
    assert text.count("<script>") == 1
    page = _page(text)
    assert "Bogus <script>" in page.text_content()
    assert "a &lt; b &amp;&amp; c" in page.text_content()  # CDATA content, as escaped text
    # the envelope is shown as XML: its text stays XML-escaped, non-ASCII as characters
    assert "Zürich &amp; &lt;Söhne&gt; ]]&gt; ✓</o:idTag>" in page.text_content()


def test_checks_link_their_evidence_to_the_messages() -> None:
    page = _page(render_html(sample_document()))
    section = page.get_element_by_id("TC_FAIL_002")
    links = [a.get("href") for a in section.xpath('.//table[contains(@class, "checks")]//a')]
    assert links == ["#TC_FAIL_002-m2", "#TC_FAIL_002-m3", "#TC_FAIL_002-m3"]
    for link in links:
        assert page.get_element_by_id(link[1:]).tag == "details"
    # the message with violations lists them at the message and starts open
    bad = page.get_element_by_id("TC_FAIL_002-m2")
    assert bad.get("open") is not None
    assert "[schema]" in bad.xpath('.//ul[@class="violations"]')[0].text_content()
    assert "line 2" in bad.xpath('.//ul[@class="violations"]')[0].text_content()
    message = page.get_element_by_id("TC_FAIL_002-m4")
    note = message.xpath('.//p[@class="msg-note"]')[0].text_content()
    assert note == "Note: transport note: <peer closed> & gone"


def test_sequence_diagram_has_one_arrow_per_message_and_marks_problems() -> None:
    page = _page(render_html(sample_document()))
    svg = page.get_element_by_id("TC_FAIL_002").xpath(".//svg")[0]
    texts = [t.text_content() for t in svg.iter("{*}text", "text")]
    assert "ocppcert (harness, charge point)" in texts and "SUT (Central System)" in texts
    labels = [t for t in texts if t.startswith("#")]
    assert labels == ["#1 Authorize request", "#2 Authorize response ✗ 1 violation",
                      "#3 Authorize fault ✗ SOAP fault", "#4 HTTP 200 ✗ 1 violation"]
    red = [t for t in svg.iter("{*}text", "text") if t.get("fill") == "#c62828"]
    assert len(red) == 3
    hrefs = [a.get("href") for a in svg.iter("{*}a", "a")]
    assert hrefs == [f"#TC_FAIL_002-m{n}" for n in (1, 2, 3, 4)]
    # the SVG standalone is well-formed XML (weasyprint and browsers parse it as such)
    standalone = sequence_svg(sample_document()["cases"][1]["messages"], harness="h <&>",
                              sut="s ]]>")
    root = etree.fromstring(standalone.encode())
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    arrows = [p for p in root.iter("{http://www.w3.org/2000/svg}polygon")]
    assert len(arrows) == 4


def test_envelopes_are_pretty_printed_and_malformed_ones_shown_as_recorded() -> None:
    body, note = pretty_xml(ENV.format(cb="X", body=NASTY_BODY))
    assert note is None
    assert body.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<s:Envelope')
    assert "\n    <o:chargeBoxIdentity>X</o:chargeBoxIdentity>" in body
    assert "]]&gt;" in body and "Zürich" in body
    raw, note = pretty_xml(MALFORMED)
    assert raw == MALFORMED and note and note.startswith("shown as recorded")
    # a DTD is never expanded
    raw, note = pretty_xml('<!DOCTYPE x [<!ENTITY e "boom">]><x>&e;</x>')
    assert "boom" in raw and "&e;" in raw and note


def test_older_report_json_without_new_keys_renders() -> None:
    document = sample_document()
    old = copy.deepcopy(document)
    for key in ("profiles", "host", "schemas"):
        old.pop(key)
    old["sut"] = {"role": "charge-point", "url": "http://cp"}
    for case in old["cases"]:
        for key in ("checks", "warnings", "requirement", "spec", "octt_id"):
            case.pop(key)
        for message in case["messages"]:
            for key in ("violations", "warnings", "kind", "time"):
                message.pop(key)
    page = _page(render_html(old))
    assert [r.get("data-case") for r in page.xpath('//table[@id="case-table"]/tbody/tr')] == \
        [c["id"] for c in document["cases"]]
    text = page.text_content()
    assert "ocppcert (harness, Central System)" in text
    assert "SUT (charge point)" in text
    assert build_view(old)["total"]["applicable"] == 5  # counted from the cases
    assert old == render_ok_and_unchanged(old)


def render_ok_and_unchanged(document: dict[str, Any]) -> dict[str, Any]:
    before = json.dumps(document, sort_keys=True)
    render_html(document)
    assert json.dumps(document, sort_keys=True) == before  # the renderer never edits the data
    return document


def test_render_directory_writes_html_and_checksums(tmp_path: Path) -> None:
    (tmp_path / "report.json").write_text(json.dumps(sample_document()), encoding="utf-8")
    timings = render_directory(tmp_path, formats=("html",))
    assert set(timings) == {"html", "SHA256SUMS"}
    sums = (tmp_path / "SHA256SUMS").read_text(encoding="utf-8")
    assert re.search(r"^[0-9a-f]{64}  \*?report\.html$", sums, re.M), sums


def test_html_is_self_contained() -> None:
    page = _page(render_html(sample_document()))
    for element in page.iter():
        if not isinstance(element.tag, str):
            continue
        for attribute in ("src", "href"):
            value = element.get(attribute)
            assert value is None or value.startswith("#"), (element.tag, value)
    assert not page.xpath("//link | //img | //iframe | //object")
    assert "@import" not in render_html(sample_document())
    assert "url(" not in render_html(sample_document())


# --- a real browser ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser() -> Any:
    tool = _load_tool("check_report_in_browser")
    if tool.find_chromium() is None:
        pytest.skip("chromium is not installed (Debian: apt-get install chromium); "
                    "the browser checks need it")
    return tool


def test_chromium_shows_every_case_without_console_errors_and_filters(browser: Any,
                                                                     tmp_path: Path) -> None:
    """One Chromium: no console errors, every case id, a screenshot, and the filter at work."""
    document = sample_document()
    html = write_html(document, tmp_path / "report.html")
    shot = tmp_path / "shot.png"
    text_filter = ("(() => { const t = document.getElementById('f-text'); t.value = 'TC_ERR'; "
                   "t.dispatchEvent(new Event('input')); return [document.getElementById("
                   "'f-count').textContent, Array.from(document.querySelectorAll('details.case'))"
                   ".filter(d => d.offsetParent !== null).map(d => d.id)]; })()")
    result = browser.inspect_page(html, screenshot=shot, expressions=[
        ("cases", browser.CASE_IDS),
        ("table", browser.TABLE_IDS),
        ("all", browser.visible_rows_for("")),
        ("fail", browser.visible_rows_for("FAIL")),
        ("not_pass", browser.visible_rows_for("!PASS")),
        ("pass", browser.visible_rows_for("PASS")),
        ("reset", browser.visible_rows_for("")),
        ("text", text_filter),
    ])
    assert result.errors == []
    ids = [c["id"] for c in document["cases"]]
    assert result.values["cases"] == ids and result.values["table"] == ids
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
    assert result.values["all"] == 6
    assert result.values["fail"] == 1
    assert result.values["not_pass"] == 5
    assert result.values["pass"] == 1
    assert result.values["reset"] == 6
    assert result.values["text"] == ["1 of 6 cases shown", ["TC_ERROR_003"]]


def test_the_console_error_check_catches_a_broken_page(browser: Any, tmp_path: Path) -> None:
    page = tmp_path / "broken.html"
    page.write_text("<!DOCTYPE html><html><body><p>x</p><script>console.error('deliberate');"
                    "window.setTimeout(function () { noSuchFunction(); }, 10);</script>"
                    "</body></html>", encoding="utf-8")
    result = browser.inspect_page(page)
    assert any("console.error: deliberate" in e for e in result.errors), result.errors
    assert any("noSuchFunction" in e for e in result.errors), result.errors


def test_the_browser_tool_command_line(browser: Any, tmp_path: Path) -> None:
    """tools/check_report_in_browser.py compares the page with report.json beside it."""
    document = sample_document()
    write_html(document, tmp_path / "report.html")
    document["cases"].append(_case("TC_GHOST_007", "PASS", None))  # not on the page
    (tmp_path / "report.json").write_text(json.dumps(document), encoding="utf-8")
    run = subprocess.run([sys.executable, str(ROOT / "tools" / "check_report_in_browser.py"),
                          str(tmp_path / "report.html")], capture_output=True, text=True,
                         timeout=90)
    assert run.returncode == 1, run.stderr
    out = json.loads(run.stdout)
    assert out["cases_on_page"] == 6
    assert out["problems"] == ["1 case id(s) missing from the cases: ['TC_GHOST_007']",
                               "1 case id(s) missing from the table: ['TC_GHOST_007']"]
