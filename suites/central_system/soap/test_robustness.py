"""SOAP transport robustness of the Central System: faults for bad input, content type,
answers in the request's version (OCPP-S 1.6 §3-4, OCPP 1.5 §8)."""

from __future__ import annotations

import re

from ocppcert.catalog import case
from ocppcert.messages import Op
from ocppcert.roles.endpoint import payload_of
from ocppcert.soap import Headers
from ocppcert.soap.envelope import envelope_element, serialize
from ocppcert.soap.faults import FaultCode, SoapFault
from ocppcert.transport.http import SOAP12_MEDIA_TYPE, media_type
from ocppcert.verdicts import CaseFailed

SPEC = {"1.6": "OCPP-S 1.6 §3, §4", "1.5": "OCPP 1.5 §8", "1.2": "OCPP 1.2 §8"}


async def _expect_sender_fault(cp, data: bytes, what: str) -> None:
    reply, report, record = await cp.send_raw(cp.central_system_url, data, malformed=True)
    if report.kind != "fault" or report.root is None:
        raise CaseFailed(f"{what} got HTTP {reply.status} ({reply.content_type!r}) and a "
                         f"{report.kind or 'non-SOAP body'}, not a SOAP 1.2 fault",
                         evidence=(record.seq,))
    fault = SoapFault.from_element(payload_of(report))
    if fault.code is not FaultCode.SENDER:
        raise CaseFailed(f"{what} got a fault with code {fault.code.value}, not Sender",
                         evidence=(record.seq,))


def _without_model(cp) -> bytes:
    """A BootNotification of the case's version, well addressed, whose body lacks the
    mandatory chargePointModel: schema-invalid on purpose."""
    request = cp.request(Op.BOOT_NOTIFICATION, chargePointVendor="OCPPCERT",
                         chargePointModel="OCPPCERT-MODEL")
    headers = Headers.request(request.action, charge_box_identity=cp.identity,
                              to=cp.central_system_url, from_address=cp.url)
    data = serialize(envelope_element(headers, request.to_element()))
    stripped = re.sub(rb"<(\w+:)?chargePointModel>OCPPCERT-MODEL</(\w+:)?chargePointModel>",
                      b"", data)
    assert stripped != data, "the harness could not remove chargePointModel"
    return stripped


@case(own="SOAP_003_CSMS", title="A SOAP fault for a schema-invalid request",
      sut="central-system", profile="SOAP", spec=SPEC)
async def test_schema_invalid_fault(central_system, cp, case_version):
    """A request that breaks the message schema (a BootNotification without its mandatory
    chargePointModel) cannot be processed; the Central System answers it with a SOAP 1.2
    Sender fault, not with a plain-text HTTP error page nor with a normal response."""
    await _expect_sender_fault(cp, _without_model(cp), "a BootNotification without model")


@case(own="SOAP_004_CSMS", title="The Central System keeps serving after bad input",
      sut="central-system", profile="SOAP", spec=SPEC)
async def test_serves_after_bad_input(central_system, cp, case_version):
    """Bad input must not take the Central System down: after a schema-invalid request, a
    well-formed Heartbeat from the same charge point is answered normally."""
    await cp.send_raw(cp.central_system_url, _without_model(cp), malformed=True)
    request = cp.request(Op.HEARTBEAT)
    done = await cp.exchange(cp.central_system_url, request, identity=cp.identity)
    if done.report.kind != "response":
        raise CaseFailed(f"after bad input a Heartbeat got HTTP {done.reply.status} and a "
                         f"{done.report.kind or 'non-SOAP body'}", evidence=(done.record.seq,))


@case(own="SOAP_005_CSMS", title="Responses carry the SOAP 1.2 content type",
      sut="central-system", profile="SOAP", spec=SPEC)
async def test_response_content_type(central_system, cp, case_version):
    """SOAP 1.2 over HTTP travels as application/soap+xml; the Central System's responses
    use that media type (text/xml is SOAP 1.1's)."""
    await cp.boot_accepted()
    done = await cp.exchange(cp.central_system_url, cp.request(Op.HEARTBEAT),
                             identity=cp.identity)
    got = media_type(done.reply.content_type)
    if got != SOAP12_MEDIA_TYPE:
        raise CaseFailed(f"the Heartbeat response came as {done.reply.content_type!r}, not "
                         f"{SOAP12_MEDIA_TYPE}", evidence=(done.record.seq,))


@case(own="SOAP_006_CSMS", title="Answers come in the request's version",
      sut="central-system", profile="SOAP", spec=SPEC)
async def test_answer_in_request_version(central_system, cp, case_version):
    """The Central System answers each request in the OCPP version (namespace) the request
    was made in: a 1.6 Heartbeat gets a 1.6 HeartbeatResponse, never a 1.5 one."""
    await cp.boot_accepted()
    done = await cp.exchange(cp.central_system_url, cp.request(Op.HEARTBEAT),
                             identity=cp.identity)
    got = done.report.ocpp_version
    if done.report.kind != "response" or got is not case_version:
        raise CaseFailed(f"a {case_version.value} Heartbeat was answered with a "
                         f"{done.report.kind or 'non-SOAP body'} of version "
                         f"{getattr(got, 'value', got)}", evidence=(done.record.seq,))



@case(own="SOAP_007_CSMS", title="Commands reach the charge point's wsa:From, fully addressed",
      sut="central-system", profile="SOAP", spec=SPEC)
async def test_command_addressing(central_system, cp, case_version):
    """The Central System learns the charge point's endpoint from the wsa:From of its
    requests and sends its commands there, with the chargeBoxIdentity header and the
    WS-Addressing headers: Action of the operation, a MessageID, and To = that endpoint."""
    await cp.boot_accepted()
    await central_system.trigger(cp.identity, Op.CLEAR_CACHE)
    received = await cp.expect(Op.CLEAR_CACHE, timeout=30)
    headers = received.ctx.headers
    evidence = (received.seq,)
    if received.ctx.charge_box_identity != cp.identity:
        raise CaseFailed(f"the ClearCache carries chargeBoxIdentity "
                         f"{received.ctx.charge_box_identity!r}, not {cp.identity!r}",
                         evidence=evidence)
    if headers.action != received.message.action:
        raise CaseFailed(f"the ClearCache carries wsa:Action {headers.action!r}, not "
                         f"{received.message.action!r}", evidence=evidence)
    if not headers.message_id:
        raise CaseFailed("the ClearCache has no wsa:MessageID", evidence=evidence)
    if headers.to != cp.url:
        raise CaseFailed(f"the ClearCache's wsa:To is {headers.to!r}, not the charge point's "
                         f"endpoint {cp.url!r} from its wsa:From", evidence=evidence)
