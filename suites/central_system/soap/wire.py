"""What the Central-System SOAP cases share: hand-built requests (right or wrong on
purpose), the Sender fault they must earn, and the check that the SUT still serves."""

from __future__ import annotations

import re

from ocppcert.messages import Op
from ocppcert.roles.endpoint import payload_of
from ocppcert.soap import Headers
from ocppcert.soap.envelope import envelope_element, serialize
from ocppcert.soap.faults import FaultCode, SoapFault
from ocppcert.verdicts import CaseFailed

_MODEL = re.compile(rb"<(\w+:)?chargePointModel>OCPPCERT-MODEL</(\w+:)?chargePointModel>")


def harness_headers(cp, action: str) -> Headers:
    """The headers of a well-addressed request of the harness charge point."""
    return Headers.request(action, charge_box_identity=cp.identity, to=cp.central_system_url,
                           from_address=cp.url)


def request_bytes(cp, op: Op, headers: Headers | None = None, **fields) -> bytes:
    """A request of the case's version as bytes (with ``headers``, or well addressed)."""
    request = cp.request(op, **fields)
    headers = headers or harness_headers(cp, request.action)
    return serialize(envelope_element(headers, request.to_element()))


def without_model(cp) -> tuple[bytes, Headers]:
    """A well-addressed BootNotification whose body lacks the mandatory chargePointModel
    (schema-invalid on purpose), and its headers."""
    headers = harness_headers(cp, cp.request(Op.BOOT_NOTIFICATION, chargePointVendor="X",
                                             chargePointModel="Y").action)
    data = request_bytes(cp, Op.BOOT_NOTIFICATION, headers, chargePointVendor="OCPPCERT",
                         chargePointModel="OCPPCERT-MODEL")
    stripped = _MODEL.sub(b"", data)
    assert stripped != data, "the harness could not remove chargePointModel"
    return stripped, headers


async def sender_fault(cp, data: bytes, what: str, *, subcodes=None) -> tuple[SoapFault, int]:
    """Send ``data`` (wrong on purpose) and require a SOAP 1.2 Sender fault (with one of
    ``subcodes`` if given); the fault and the reply's record number."""
    reply, report, record = await cp.send_raw(cp.central_system_url, data, malformed=True)
    evidence = (record.seq,)
    if report.kind != "fault" or report.root is None:
        raise CaseFailed(f"{what} got HTTP {reply.status} ({reply.content_type!r}) and a "
                         f"{report.kind or 'non-SOAP body'}, not a SOAP 1.2 Sender fault",
                         evidence=evidence)
    fault = SoapFault.from_element(payload_of(report))
    if fault.code is not FaultCode.SENDER:
        raise CaseFailed(f"{what} got a fault with code {fault.code.value}"
                         f"/{getattr(fault.subcode, 'value', fault.subcode)}, not Sender "
                         "(the fault is the sender's)", evidence=evidence)
    if subcodes and fault.subcode not in subcodes:
        names = " or ".join(s.value for s in subcodes)
        raise CaseFailed(f"{what} got a Sender fault with subcode "
                         f"{getattr(fault.subcode, 'value', fault.subcode)!r}, not {names}",
                         evidence=evidence)
    return fault, record.seq


async def still_serving(cp, after: str) -> None:
    """After bad input, a well-formed Heartbeat is answered normally."""
    done = await cp.exchange(cp.central_system_url, cp.request(Op.HEARTBEAT),
                             identity=cp.identity)
    if done.report.kind != "response":
        raise CaseFailed(f"after {after} a Heartbeat got HTTP {done.reply.status} and a "
                         f"{done.report.kind or 'non-SOAP body'}", evidence=(done.record.seq,))
