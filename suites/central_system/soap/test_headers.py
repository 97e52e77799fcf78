"""SOAP transport requirements on the Central System's side (OCPP-S 1.6 §3-4, OCPP 1.5 §8)."""

from __future__ import annotations

from ocppcert.catalog import case
from ocppcert.messages import Kind, Op, message_class
from ocppcert.soap import FaultSubcode, Headers
from ocppcert.verdicts import CaseFailed
from ocppcert.versions import Service

SPEC = {"1.6": "OCPP-S 1.6 §3, §4", "1.5": "OCPP 1.5 §8", "1.2": "OCPP 1.2 §8"}


@case(own="SOAP_001_CSMS", title="Responses carry Action, MessageID and RelatesTo",
      sut="central-system", profile="SOAP", spec=SPEC)
async def test_response_addressing(central_system, cp, case_version):
    """Each response of the Central System carries wsa:Action equal to the operation's
    response action (…/OpResponse), a wsa:MessageID of its own, and wsa:RelatesTo equal
    to the MessageID of the request it answers."""
    await cp.boot_accepted()
    for op in (Op.HEARTBEAT, Op.AUTHORIZE):
        request = cp.request(op, idTag="OCPPCERT-ANY") if op is Op.AUTHORIZE else cp.request(op)
        done = await cp.exchange(cp.central_system_url, request, identity=cp.identity)
        got = done.headers or Headers()
        evidence = (done.record.seq,)
        if done.report.kind != "response":
            raise CaseFailed(f"{op.value} got HTTP {done.reply.status} and a "
                             f"{done.report.kind or 'non-SOAP body'}", evidence=evidence)
        if got.action != request.action + "Response":
            raise CaseFailed(f"{op.value} answered with wsa:Action {got.action!r}, not "
                             f"{request.action + 'Response'!r}", evidence=evidence)
        if not got.message_id:
            raise CaseFailed(f"the {op.value} response has no wsa:MessageID", evidence=evidence)
        if got.relates_to != done.sent.message_id:
            raise CaseFailed(f"the {op.value} response's wsa:RelatesTo is {got.relates_to!r}, "
                             f"the request's MessageID {done.sent.message_id!r}",
                             evidence=evidence)


@case(own="SOAP_002_CSMS", title="A SOAP fault for an unknown operation",
      sut="central-system", profile="SOAP", spec=SPEC)
async def test_unknown_operation_fault(central_system, cp, case_version):
    """A request for an operation the Central System's service does not have is answered
    with a SOAP 1.2 fault (subcode NotSupported, or ProtocolError), not with a plain-text
    HTTP error, so that the charge point can tell what went wrong."""
    await cp.boot_accepted()
    # ClearCache is an operation of the charge point's service, not of the Central
    # System's: a well-formed request of the version that the SUT has no operation for.
    request = message_class(case_version, Service.CHARGE_POINT, Op.CLEAR_CACHE, Kind.REQUEST)()
    done = await cp.exchange(cp.central_system_url, request, identity=cp.identity)
    fault = done.fault
    if fault is None:
        raise CaseFailed(f"an unknown operation got HTTP {done.reply.status} and a "
                         f"{done.report.kind or 'non-SOAP body'}, not a SOAP fault",
                         evidence=(done.record.seq,))
    allowed = (FaultSubcode.NOT_SUPPORTED, FaultSubcode.PROTOCOL_ERROR)
    if fault.subcode not in allowed:
        raise CaseFailed(f"the fault's subcode is {fault.subcode!r}, not NotSupported or "
                         "ProtocolError", evidence=(done.record.seq,))
