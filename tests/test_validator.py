"""The validator API: validate() raises, is_valid() answers, iter_violations() explains."""

from __future__ import annotations

import re
import shutil
import threading
from pathlib import Path

import pytest

from ocppcert.schema import (
    Check,
    SchemaSourceError,
    Severity,
    ValidationError,
    Validator,
    directory_source,
    is_valid,
    iter_violations,
    load_source,
    validate,
)
from ocppcert.schema.sources import schemas_root
from ocppcert.versions import OcppVersion, Service

from .conftest import FIXTURES, fixture_bytes

VALID = "valid/1.6/CentralSystemService/BootNotification.request.xml"
TOO_LONG = "invalid/1.6/CentralSystemService/BootNotification.request.too-long-chargePointVendor.xml"
CXF = "valid/1.6/transport/cs-BootNotification.response.cxf-qualified-action.xml"


def test_validate_returns_the_report_of_a_valid_message() -> None:
    report = validate(fixture_bytes(VALID))
    assert report.valid
    assert report.ocpp_version is OcppVersion.V16
    assert report.service is Service.CENTRAL_SYSTEM
    assert (report.operation, report.kind) == ("BootNotification", "request")
    assert report.headers and report.headers.charge_box_identity == "CP-0001"


def test_validate_raises_with_the_report() -> None:
    with pytest.raises(ValidationError) as info:
        validate(fixture_bytes(TOO_LONG))
    assert "chargePointVendor" in str(info.value)
    assert info.value.report.violations[0].check is Check.BODY


def test_is_valid() -> None:
    assert is_valid(fixture_bytes(VALID)) is True
    assert is_valid(fixture_bytes(TOO_LONG)) is False
    assert is_valid(b"not xml") is False


def test_iter_violations_names_where_reason_line_expected_actual() -> None:
    (violation,) = list(iter_violations(fixture_bytes(TOO_LONG)))
    assert violation.check is Check.BODY
    assert violation.where == "/Envelope/Body/bootNotificationRequest/chargePointVendor"
    assert "20" in violation.reason
    assert violation.line == 17  # the line of <chargePointVendor> in the fixture
    assert violation.actual == "X" * 21
    assert violation.severity is Severity.ERROR


def test_missing_element_names_what_was_expected() -> None:
    data = fixture_bytes("invalid/1.6/CentralSystemService/BootNotification.request.missing-chargePointVendor.xml")
    (violation,) = list(iter_violations(data))
    assert violation.expected == "chargePointVendor"
    assert "chargePointModel" in violation.reason


def test_version_is_detected_from_the_body_namespace() -> None:
    for version in ("1.2", "1.5", "1.6"):
        report = validate(fixture_bytes(f"valid/{version}/ChargePointService/Reset.request.xml"))
        assert report.ocpp_version == OcppVersion(version)
        assert report.service is Service.CHARGE_POINT


def test_a_body_of_another_version_is_invalid_when_a_version_is_expected() -> None:
    data = fixture_bytes("valid/1.6/CentralSystemService/Heartbeat.request.xml")
    assert is_valid(data)
    assert not is_valid(data, ocpp_version="1.5")
    (violation,) = list(iter_violations(data, ocpp_version="1.5"))
    assert violation.reason.startswith("OCPP 1.6 body")
    assert (violation.expected, violation.actual) == ("1.5", "1.6")


def test_strict_mode_turns_variants_into_violations() -> None:
    data = fixture_bytes(CXF)
    relaxed = Validator().check(data)
    assert relaxed.valid and len(relaxed.warnings) == 1
    assert relaxed.warnings[0].severity is Severity.WARNING
    assert not Validator(strict=True).check(data).valid
    assert not Validator().check(data, strict=True).valid
    assert not is_valid(data, strict=True)


def test_checks_are_separate_and_named() -> None:
    data = fixture_bytes("invalid/1.6/transport/cs-BootNotification.request.no-from.xml")
    data = data.replace(b"<o:chargePointModel>", b"<o:chargePointModel>" + b"M" * 30).replace(
        b"<o:chargeBoxIdentity", b"<o:chargeBoxIdentityX"
    ).replace(b"</o:chargeBoxIdentity>", b"</o:chargeBoxIdentityX>")
    checks = {v.check for v in iter_violations(data)}
    assert checks == {Check.HEADERS, Check.BODY}


def test_oversize_and_custom_limits() -> None:
    data = fixture_bytes(VALID)
    assert Validator(max_bytes=len(data)).check(data).valid
    (violation,) = Validator(max_bytes=len(data) - 1).check(data).violations
    assert violation.check is Check.XML and "exceeds the limit" in violation.reason


def test_parsed_elements_are_accepted_too() -> None:
    from lxml import etree

    assert is_valid(etree.fromstring(fixture_bytes(VALID)))


def test_threads_share_one_validator() -> None:
    validator = Validator()
    valid, invalid = fixture_bytes(VALID), fixture_bytes(TOO_LONG)
    failures: list[str] = []

    def work() -> None:
        for _ in range(50):
            if not validator.check(valid).valid or validator.check(invalid).valid:
                failures.append("wrong verdict")

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert failures == []


def test_a_directory_of_schemas_gives_the_same_verdicts(tmp_path: Path, catalog: list[dict]) -> None:
    shutil.copytree(schemas_root() / "ocpp", tmp_path / "mine")
    source = directory_source(tmp_path / "mine")
    assert source.missing() == []
    assert len(source.sha256) == 6
    theirs, ours = Validator(source), Validator("builtin")
    for entry in catalog[::7]:
        data = (FIXTURES / entry["file"]).read_bytes()
        assert theirs.check(data).valid == ours.check(data).valid, entry["file"]


def test_schema_source_errors_are_one_line(tmp_path: Path) -> None:
    with pytest.raises(SchemaSourceError, match="does not exist"):
        load_source(str(tmp_path / "absent"))
    with pytest.raises(SchemaSourceError, match="no OCPP schema"):
        load_source(str(tmp_path))
    (tmp_path / "broken.wsdl").write_text("<definitions")
    with pytest.raises(SchemaSourceError, match="cannot read schema file"):
        load_source(str(tmp_path))


def test_builtin_source_records_hashes() -> None:
    source = load_source("builtin")
    assert set(source.sha256) >= {"ocpp/1.6/CentralSystemService.xsd", "soap/ws-addressing.xsd"}
    assert all(len(h) == 64 for h in source.sha256.values())


def test_a_fault_without_relates_to_is_a_warning_a_response_without_it_a_violation() -> None:
    """WS-Addressing 1.0 Core §3.4: a reply relates to the MessageID of the message it
    answers. A fault can answer a request whose MessageID could not be read (not XML at
    all), so a fault without RelatesTo is only a warning (a violation in strict mode); a
    response always answers a readable request, so there it stays a violation."""
    from ocppcert.soap import Headers
    from ocppcert.soap.faults import FaultSubcode, SoapFault, build_fault

    fault = SoapFault(FaultSubcode.PROTOCOL_ERROR, "unreadable message")
    bare = build_fault(fault, request_headers=None, subcode_namespace="urn://Ocpp/Cs/2015/10/")
    report = Validator().check(bare)
    assert report.kind == "fault" and report.valid
    assert [w.where for w in report.warnings] == ["/Envelope/Header/RelatesTo"]
    assert not Validator(strict=True).check(bare).valid
    related = build_fault(fault, request_headers=Headers(
        message_id="urn:uuid:00000000-0000-4000-8000-000000000001"),
        subcode_namespace="urn://Ocpp/Cs/2015/10/")
    assert Validator().check(related).valid and not Validator().check(related).warnings
    response = fixture_bytes(VALID.replace("request", "response"))
    stripped = re.sub(rb"<(\w+:)?RelatesTo[^>]*>[^<]*</(\w+:)?RelatesTo>", b"", response)
    assert stripped != response
    report = Validator().check(stripped)
    assert not report.valid
    assert any(v.where == "/Envelope/Header/RelatesTo" for v in report.violations)
