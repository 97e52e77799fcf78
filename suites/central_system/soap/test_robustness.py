"""SOAP transport robustness of the Central System: faults for bad input, content type,
answers in the request's version (OCPP-S 1.6 §3-4, OCPP 1.5 §8)."""

from __future__ import annotations

from ocppcert.catalog import case
from ocppcert.messages import Op
from ocppcert.transport.http import SOAP12_MEDIA_TYPE, media_type
from ocppcert.verdicts import CaseFailed

from .wire import sender_fault, still_serving, without_model

SPEC = {"1.6": "OCPP-S 1.6 §3, §4", "1.5": "OCPP 1.5 §8", "1.2": "OCPP 1.2 §8"}


@case(own="SOAP_003_CSMS", title="A SOAP fault for a schema-invalid request",
      sut="central-system", profile="SOAP", spec=SPEC)
async def test_schema_invalid_fault(central_system, cp, case_version):
    """A request that breaks the message schema (a BootNotification without its mandatory
    chargePointModel) cannot be processed; the Central System answers it with a SOAP 1.2
    Sender fault, not with a plain-text HTTP error page nor with a normal response."""
    await sender_fault(cp, without_model(cp)[0], "a BootNotification without model")


@case(own="SOAP_004_CSMS", title="The Central System keeps serving after bad input",
      sut="central-system", profile="SOAP", spec=SPEC)
async def test_serves_after_bad_input(central_system, cp, case_version):
    """Bad input must not take the Central System down: after a schema-invalid request, a
    well-formed Heartbeat from the same charge point is answered normally."""
    await cp.send_raw(cp.central_system_url, without_model(cp)[0], malformed=True)
    await still_serving(cp, "bad input")


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
