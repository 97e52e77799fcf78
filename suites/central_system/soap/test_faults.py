"""SOAP faults of the Central System for requests it cannot process (OCPP-S 1.6 §4,
OCPP 1.5 §8.2; SOAP 1.2 Part 1 §5.4; WS-Addressing 1.0 Core §3.4)."""

from __future__ import annotations

from ocppcert import ns
from ocppcert.catalog import case
from ocppcert.messages import Op
from ocppcert.roles.endpoint import payload_of
from ocppcert.soap import FaultSubcode
from ocppcert.soap.envelope import as_soap11, envelope_element, serialize
from ocppcert.soap.faults import FaultCode, SoapFault
from ocppcert.transport.http import TransportError
from ocppcert.transport.recorder import Direction, WireRecord
from ocppcert.verdicts import CaseFailed, HarnessError
from ocppcert.xml import XmlRejected, parse

from .wire import harness_headers, request_bytes, sender_fault, still_serving, without_model

SPEC = {"1.6": "OCPP-S 1.6 §3, §4", "1.5": "OCPP 1.5 §8", "1.2": "OCPP 1.2 §8"}
SOAP11_CONTENT_TYPE = "text/xml; charset=utf-8"


@case(own="SOAP_008_CSMS", title="A Sender fault for a request without chargeBoxIdentity",
      sut="central-system", profile="SOAP",
      spec={"1.6": "OCPP-S 1.6 §3 (chargeBoxIdentity), §4",
            "1.5": "OCPP 1.5 §8.1, §8.2", "1.2": "OCPP 1.2 §8"})
async def test_no_charge_box_identity(central_system, cp, case_version):
    """Every request of a charge point carries its identity in the chargeBoxIdentity header:
    without it the Central System cannot tell whose request it is, so it must not process
    it but answer a SOAP 1.2 Sender fault (ProtocolError: the message does not comply;
    IdentityMismatch or SecurityError name the same refusal)."""
    headers = harness_headers(cp, cp.request(Op.HEARTBEAT).action).with_(charge_box_identity=None)
    await sender_fault(cp, request_bytes(cp, Op.HEARTBEAT, headers), "a Heartbeat without "
                     "chargeBoxIdentity", subcodes=(FaultSubcode.PROTOCOL_ERROR,
                                                    FaultSubcode.IDENTITY_MISMATCH,
                                                    FaultSubcode.SECURITY_ERROR))


@case(own="SOAP_009_CSMS", title="A Sender fault for a body that is not XML",
      sut="central-system", profile="SOAP", spec=SPEC)
async def test_not_xml(central_system, cp, case_version):
    """A request body that is not XML at all cannot be processed; the Central System answers
    with a SOAP 1.2 fault whose code is Sender (the fault lies with the message) and whose
    subcode is ProtocolError, and keeps serving. The fault cannot relate to a MessageID it
    could not read, so no RelatesTo is required on it (WS-Addressing 1.0 Core §3.4)."""
    data = b"this is not XML: BootNotification please"
    await sender_fault(cp, data, "a request body that is not XML",
                     subcodes=(FaultSubcode.PROTOCOL_ERROR,))
    await still_serving(cp, "a request that was not XML")


@case(own="SOAP_010_CSMS", title="A Sender fault for an over-long chargePointVendor",
      sut="central-system", profile="SOAP", versions=("1.6", "1.5"),
      spec={"1.6": "OCPP 1.6 §4.2, §6.3 (chargePointVendor: CiString20Type); OCPP-S 1.6 §4",
            "1.5": "OCPP 1.5 §4.2, §8.2; schema type ChargePointVendor (maxLength 20)"})
async def test_vendor_too_long(central_system, cp, case_version):
    """chargePointVendor is at most 20 characters long. A BootNotification with 21 breaks
    the schema: the Central System must not register it but answer a SOAP 1.2 Sender
    fault (ProtocolError)."""
    vendor = "V" * 21
    data = request_bytes(cp, Op.BOOT_NOTIFICATION, chargePointVendor="OCPPCERT",
                  chargePointModel="OCPPCERT-MODEL")
    long = data.replace(b">OCPPCERT<", b">" + vendor.encode() + b"<")
    assert long != data, "the harness could not lengthen chargePointVendor"
    await sender_fault(cp, long, f"a BootNotification with a {len(vendor)}-character "
                     "chargePointVendor", subcodes=(FaultSubcode.PROTOCOL_ERROR,))


def _soap11(data: bytes) -> bytes:
    """The same request in a SOAP 1.1 envelope."""
    return serialize(as_soap11(parse(data)))


async def _post_soap11(cp, data: bytes, action: str) -> tuple[int, bytes, WireRecord]:
    """POST a SOAP 1.1 message as SOAP 1.1 travels (text/xml, SOAPAction) and record both
    directions; a SOAP 1.1 answer is recorded unjudged (the case judges it)."""
    url = cp.central_system_url
    cp.recorder.record(Direction.OUT, data, url, None, note="deliberately SOAP 1.1",
                       content_type=SOAP11_CONTENT_TYPE)
    try:
        reply = await cp.client.post(url, data, content_type=SOAP11_CONTENT_TYPE,
                                     headers={"SOAPAction": f'"{action}"'}, timeout=30)
    except TransportError as exc:
        cp.recorder.record(Direction.IN, b"", url, None, note=f"transport error: {exc}")
        raise HarnessError(f"the SOAP 1.1 request could not be delivered: {exc}") from None
    try:
        root = parse(reply.body) if reply.body else None
    except XmlRejected:
        root = None
    if root is not None and root.tag == f"{{{ns.SOAP11}}}Envelope":
        report, note = None, "a SOAP 1.1 answer to a SOAP 1.1 request: judged by the case"
    else:
        report = cp.validator.check(reply.body)
        # A SOAP 1.2 node cannot read the MessageID of a SOAP 1.1 envelope: its fault has
        # nothing to relate to (WS-Addressing 1.0 Core §3.4).
        relates_to = "/Envelope/Header/RelatesTo"
        report.violations = [v for v in report.violations if v.where != relates_to]
        report.warnings = [v for v in report.warnings if v.where != relates_to]
        note = "no wsa:RelatesTo expected: a SOAP 1.1 request's MessageID is not readable"
    record = cp.recorder.record(Direction.IN, reply.body, url, report, http_status=reply.status,
                                note=note, content_type=reply.content_type or None)
    return reply.status, reply.body, record


@case(own="SOAP_011_CSMS", title="A VersionMismatch fault for a SOAP 1.1 envelope",
      sut="central-system", profile="SOAP",
      spec={"1.6": "OCPP-S 1.6 §2 (SOAP 1.2); SOAP 1.2 Part 1 §5.4.7, App. A",
            "1.5": "OCPP 1.5 §8 (SOAP 1.2); SOAP 1.2 Part 1 §5.4.7, App. A",
            "1.2": "OCPP 1.2 §8 (SOAP 1.2); SOAP 1.2 Part 1 §5.4.7, App. A"})
async def test_soap11_envelope(central_system, cp, case_version):
    """OCPP speaks SOAP 1.2 only. A SOAP 1.2 node that gets a SOAP 1.1 envelope does not
    process it but answers with a VersionMismatch fault (SOAP 1.2 Appendix A: in SOAP 1.1
    form, with an Upgrade header naming SOAP 1.2; a SOAP 1.2 VersionMismatch fault is
    accepted too), and keeps serving SOAP 1.2 requests."""
    action = cp.request(Op.HEARTBEAT).action
    status, body, record = await _post_soap11(cp, _soap11(request_bytes(cp, Op.HEARTBEAT)), action)
    evidence = (record.seq,)
    what = "a Heartbeat in a SOAP 1.1 envelope"
    try:
        root = parse(body) if body else None
    except XmlRejected:
        root = None
    if root is not None and root.tag == f"{{{ns.SOAP11}}}Envelope":
        code = root.findtext(f"{{{ns.SOAP11}}}Body/{{{ns.SOAP11}}}Fault/faultcode") or ""
        if code.rpartition(":")[2] != "VersionMismatch":
            raise CaseFailed(f"{what} was answered in SOAP 1.1 with "
                             f"{'faultcode ' + code if code else 'no fault'}, not a "
                             "VersionMismatch fault", evidence=evidence)
    else:
        report = cp.validator.check(body)
        if report.kind != "fault":
            raise CaseFailed(f"{what} got HTTP {status} and a "
                             f"{report.kind or 'non-SOAP body'}, not a VersionMismatch fault",
                             evidence=evidence)
        fault = SoapFault.from_element(payload_of(report))
        if fault.code is not FaultCode.VERSION_MISMATCH:
            raise CaseFailed(f"{what} got a fault with code {fault.code.value}, not "
                             "VersionMismatch", evidence=evidence)
    if status != 500:
        raise CaseFailed(f"the VersionMismatch fault came with HTTP {status}, not 500 "
                         "(SOAP 1.2 Part 2 §7.5.2.2)", evidence=evidence)
    await still_serving(cp, "a SOAP 1.1 request")




@case(own="SOAP_015_CSMS", title="A fault relates to the request it answers",
      sut="central-system", profile="SOAP",
      spec={"1.6": "OCPP-S 1.6 §3 (RelatesTo), §4; WS-Addressing 1.0 Core §3.4",
            "1.5": "OCPP 1.5 §8.1, §8.2; WS-Addressing 1.0 Core §3.4",
            "1.2": "OCPP 1.2 §8; WS-Addressing 1.0 Core §3.4"})
async def test_fault_relates_to(central_system, cp, case_version):
    """A fault is the reply to the request it refuses: when that request's MessageID could be
    read, the fault carries wsa:RelatesTo with that MessageID (and a wsa:MessageID of its
    own), so that the charge point can match it to its request."""
    stripped, headers = without_model(cp)
    _, seq = await sender_fault(cp, stripped, "a BootNotification without chargePointModel")
    record = next(r for r in cp.recorder.records if r.seq == seq)
    if record.relates_to != headers.message_id:
        raise CaseFailed(f"the fault's wsa:RelatesTo is {record.relates_to!r}, not the "
                         f"request's MessageID {headers.message_id!r}", evidence=(seq,))
    if not record.message_id or record.message_id == headers.message_id:
        raise CaseFailed(f"the fault's wsa:MessageID is {record.message_id!r}: a fault needs "
                         "a MessageID of its own", evidence=(seq,))


@case(own="SOAP_017_CSMS", title="A Sender fault for a wsa:Action that contradicts the body",
      sut="central-system", profile="SOAP",
      spec={"1.6": "OCPP-S 1.6 §3 (Action), §4", "1.5": "OCPP 1.5 §8.1, §8.2",
            "1.2": "OCPP 1.2 §8"})
async def test_action_contradicts_body(central_system, cp, case_version):
    """wsa:Action names the operation, and the body must be that operation's request. A
    request whose Action says Heartbeat but whose body is an Authorize is not processed
    (the Central System cannot know which was meant): it gets a SOAP 1.2 Sender fault
    (ProtocolError), and the Central System keeps serving."""
    await cp.boot_accepted()
    authorize = cp.request(Op.AUTHORIZE, idTag="OCPPCERT-ANY")
    headers = harness_headers(cp, cp.request(Op.HEARTBEAT).action)
    data = serialize(envelope_element(headers, authorize.to_element()))
    await sender_fault(cp, data, "an Authorize body under wsa:Action "
                     f"{headers.action!r}", subcodes=(FaultSubcode.PROTOCOL_ERROR,))
    await still_serving(cp, "a request whose Action contradicted its body")
