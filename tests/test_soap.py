"""Envelopes and faults: built the way OCPP-S §3-4 describes, read back faithfully."""

from __future__ import annotations

import pytest
from lxml import etree

from ocppcert import ns
from ocppcert.messages.v15 import central_system as cs15
from ocppcert.messages.v16 import central_system as cs16
from ocppcert.messages.v16 import charge_point as cp16
from ocppcert.schema import check
from ocppcert.soap import (
    EnvelopeError,
    FaultCode,
    FaultSubcode,
    Headers,
    SoapFault,
    build_envelope,
    build_fault,
    new_message_id,
    parse_envelope,
)

from .conftest import fixture_bytes

CS_URL = "http://127.0.0.1:8180/"
CP_URL = "http://127.0.0.1:8181/"


def _request_headers(action: str = "/BootNotification") -> Headers:
    return Headers.request(action, charge_box_identity="CP-7", to=CS_URL, from_address=CP_URL,
                           message_id_factory=lambda: "urn:uuid:00000000-0000-4000-8000-000000000001")


def test_request_round_trip_keeps_every_header_and_the_body() -> None:
    body = cs16.BootNotificationRequest(charge_point_vendor="Acme", charge_point_model="X1")
    data = build_envelope(_request_headers(), body)
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    env = parse_envelope(data)
    assert env.headers.action == "/BootNotification"
    assert env.headers.message_id == "urn:uuid:00000000-0000-4000-8000-000000000001"
    assert env.headers.charge_box_identity == "CP-7"
    assert env.headers.charge_box_identity_namespace == ns.CS_2015_10
    assert env.headers.from_address == CP_URL
    assert env.headers.reply_to == ns.WSA_ANONYMOUS
    assert env.headers.to == CS_URL
    assert env.headers.relates_to is None
    assert env.message() == body
    assert check(data).valid


def test_must_understand_on_identity_and_action() -> None:
    root = etree.fromstring(build_envelope(_request_headers(), cs16.HeartbeatRequest()))
    mu = f"{{{ns.SOAP12}}}mustUnderstand"
    header = root.find(f"{{{ns.SOAP12}}}Header")
    assert header.find(f"{{{ns.CS_2015_10}}}chargeBoxIdentity").get(mu) == "true"
    assert header.find(f"{{{ns.WSA}}}Action").get(mu) == "true"


def test_reply_headers_relate_to_the_request() -> None:
    request = _request_headers()
    reply = request.reply("/BootNotificationResponse")
    assert reply.relates_to == request.message_id
    assert reply.message_id and reply.message_id != request.message_id
    assert reply.charge_box_identity is None and reply.from_address is None


def test_message_ids_are_urn_uuids_and_unique() -> None:
    ids = {new_message_id() for _ in range(100)}
    assert len(ids) == 100
    assert all(i.startswith("urn:uuid:") and len(i) == 45 for i in ids)


def test_header_name_is_case_insensitive() -> None:
    env = parse_envelope(fixture_bytes("valid/1.6/transport/cs-BootNotification.request.header-name-case.xml"))
    assert env.headers.charge_box_identity == "CP-0001"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b'<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body/></e:Envelope>', "SOAP 1.1"),
        (b'<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"/>', "no Body"),
        (b'<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body/></e:Envelope>', "empty"),
        (b"<notsoap/>", "not a SOAP 1.2 Envelope"),
        (b"<a", "not well-formed"),
    ],
)
def test_parse_envelope_refuses_what_is_not_a_soap12_message(data: bytes, reason: str) -> None:
    with pytest.raises(EnvelopeError, match=reason):
        parse_envelope(data)


@pytest.mark.parametrize("subcode", list(FaultSubcode))
def test_fault_round_trip_for_every_ocpp_subcode(subcode: FaultSubcode) -> None:
    request = _request_headers()
    data = build_fault(SoapFault(subcode, "because"), request_headers=request, subcode_namespace=ns.CS_2015_10)
    env = parse_envelope(data)
    assert env.is_fault
    assert env.headers.relates_to == request.message_id
    assert env.headers.action == ns.WSA_FAULT_ACTION
    fault = SoapFault.from_element(env.payload)
    assert fault.subcode is subcode
    assert fault.subcode_namespace == ns.CS_2015_10
    assert fault.reason == "because"
    expected_code = FaultCode.RECEIVER if subcode in (FaultSubcode.INTERNAL_ERROR, FaultSubcode.NOT_SUPPORTED) else FaultCode.SENDER
    assert fault.code is expected_code
    report = check(data)
    assert report.valid, report.violations
    assert report.kind == "fault"


def test_any_subcode_is_accepted_when_reading() -> None:
    # OCPP errata: clients SHALL accept any subcode.
    fault = SoapFault("UrlMismatch", "moved", code="Sender")
    env = parse_envelope(build_fault(fault, subcode_namespace=ns.CS_2012_06))
    read = SoapFault.from_element(env.payload)
    assert read.subcode == "UrlMismatch"
    assert read.code is FaultCode.SENDER
    report = check(build_fault(fault, request_headers=_request_headers(), subcode_namespace=ns.CS_2012_06))
    assert report.valid
    assert [w.reason for w in report.warnings] == ["fault subcode 'UrlMismatch' is not one of OCPP's"]


def test_fault_reader_is_lenient_with_odd_faults() -> None:
    fault_xml = (
        b'<s:Fault xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Code><s:Value>s:Bogus</s:Value>'
        b"</s:Code></s:Fault>"
    )
    fault = SoapFault.from_element(etree.fromstring(fault_xml))
    assert fault.code is FaultCode.RECEIVER and fault.subcode is None and fault.reason == ""


def test_chargebox_identity_goes_in_the_service_namespace_of_the_body() -> None:
    data = build_envelope(
        Headers.request("/Reset", charge_box_identity="CP-7", to=CP_URL, from_address=CS_URL),
        cp16.ResetRequest(type=cp16.ResetType.SOFT),
    )
    assert parse_envelope(data).headers.charge_box_identity_namespace == ns.CP_2015_10
    data15 = build_envelope(_request_headers("/Heartbeat"), cs15.HeartbeatRequest())
    assert parse_envelope(data15).headers.charge_box_identity_namespace == ns.CS_2012_06
