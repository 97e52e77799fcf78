"""Steps the Central-System cases share: the harness charge point's side of a session
(StatusNotification, Authorize, StartTransaction, MeterValues, StopTransaction) in the
case's version, receiving a command from the Central System and checking its addressing
and fields, and the checks on what the Central System answers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ocppcert.messages import Op
from ocppcert.roles.charge_point import Received
from ocppcert.verdicts import CaseFailed
from ocppcert.versions import OcppVersion

TAG = "OCPPCERT-TAG-1"
TAG_2 = "OCPPCERT-TAG-2"
CONNECTOR = 1
ENERGY = "Energy.Active.Import.Register"
WAIT = 30  # s: a command the operator asked for must arrive within this
QUIET = 3  # s: observed to see that something does NOT happen

# What a connector reports at each stage of a session: 1.6 has the detailed states,
# 1.2 and 1.5 only Available / Occupied.
_STAGES = {
    "idle": ("Available", "Available"),
    "preparing": ("Preparing", "Occupied"),
    "charging": ("Charging", "Occupied"),
    "finishing": ("Finishing", "Occupied"),
    "faulted": ("Faulted", "Faulted"),
    "unavailable": ("Unavailable", "Unavailable"),
}


def moment(seconds_ago: float = 0) -> str:
    """A UTC timestamp ``seconds_ago`` before now, as sent on the wire."""
    when = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=seconds_ago)
    return when.replace(microsecond=0).isoformat()


def _evidence(cp: Any) -> tuple[int, ...]:
    return (cp.recorder.last_seq,)


async def status(cp: Any, version: OcppVersion, stage: str, *, connector: int = CONNECTOR,
                 error_code: str = "NoError", seconds_ago: float = 0) -> None:
    """StatusNotification for ``connector`` at ``stage`` of a session."""
    v16, older = _STAGES[stage]
    fields: dict[str, Any] = {"connectorId": connector,
                              "status": v16 if version is OcppVersion.V16 else older,
                              "errorCode": error_code}
    if version is not OcppVersion.V12:
        fields["timestamp"] = moment(seconds_ago)
    await cp.send(Op.STATUS_NOTIFICATION, **fields)


def reading(version: OcppVersion, wh: int, *, seconds_ago: float = 0,
            context: str | None = None) -> dict[str, Any]:
    """One energy-register reading as a MeterValue of ``version`` (OCPP-J fields)."""
    when = moment(seconds_ago)
    if version is OcppVersion.V16:
        sample: dict[str, Any] = {"value": str(wh), "measurand": ENERGY, "unit": "Wh"}
        if context:
            sample["context"] = context
        return {"timestamp": when, "sampledValue": [sample]}
    if version is OcppVersion.V15:
        value: dict[str, Any] = {"(text)": str(wh), "measurand": ENERGY, "unit": "Wh"}
        if context:
            value["context"] = context
        return {"timestamp": when, "value": [value]}
    return {"timestamp": when, "value": wh}


async def require_status(cp: Any, what: str, reply: Any, wanted: str = "Accepted") -> None:
    """``reply``'s idTagInfo must carry ``wanted``."""
    got = reply.id_tag_info.status.value
    if got != wanted:
        raise CaseFailed(f"{what} answered idTagInfo status {got}, not {wanted}",
                         evidence=_evidence(cp))


async def authorize(cp: Any, tag: str = TAG, wanted: str = "Accepted") -> Any:
    reply = await cp.send(Op.AUTHORIZE, idTag=tag)
    await require_status(cp, f"Authorize of {tag}", reply, wanted)
    return reply


async def start(cp: Any, *, tag: str = TAG, connector: int = CONNECTOR,
                meter_start: int = 1000, seconds_ago: float = 0) -> int:
    """StartTransaction that the Central System must accept; its transactionId."""
    reply = await cp.send(Op.START_TRANSACTION, connectorId=connector, idTag=tag,
                          meterStart=meter_start, timestamp=moment(seconds_ago))
    await require_status(cp, f"StartTransaction of {tag} on connector {connector}", reply)
    if reply.transaction_id is None:
        raise CaseFailed("StartTransaction answered without a transactionId",
                         evidence=_evidence(cp))
    return reply.transaction_id


async def meter_values(cp: Any, version: OcppVersion, transaction_id: int, wh: int, *,
                       connector: int = CONNECTOR) -> None:
    """A periodic energy reading of the transaction (1.2 names the connector only)."""
    fields: dict[str, Any] = {"connectorId": connector}
    if version is OcppVersion.V12:
        fields["values"] = [reading(version, wh)]
    else:
        fields["transactionId"] = transaction_id
        key = "meterValue" if version is OcppVersion.V16 else "values"
        fields[key] = [reading(version, wh, context="Sample.Periodic")]
    await cp.send(Op.METER_VALUES, **fields)


async def stop(cp: Any, version: OcppVersion, transaction_id: int, *, tag: str | None = TAG,
               meter_stop: int = 5000, reason: str | None = None,
               seconds_ago: float = 0) -> Any:
    """StopTransaction with the transaction's end reading in transactionData (1.5, 1.6)
    and ``reason`` (1.6 only); when an idTag is given, its idTagInfo must be Accepted."""
    fields: dict[str, Any] = {"transactionId": transaction_id, "meterStop": meter_stop,
                              "timestamp": moment(seconds_ago)}
    if tag is not None:
        fields["idTag"] = tag
    end = reading(version, meter_stop, seconds_ago=seconds_ago, context="Transaction.End")
    if version is OcppVersion.V16:
        fields["transactionData"] = [end]
        if reason is not None:
            fields["reason"] = reason
    elif version is OcppVersion.V15:
        fields["transactionData"] = [{"values": [end]}]
    reply = await cp.send(Op.STOP_TRANSACTION, **fields)
    if tag is not None and reply.id_tag_info is not None:
        await require_status(cp, f"StopTransaction of transaction {transaction_id}", reply)
    return reply


async def require_tag_free(cp: Any, tag: str, why: str) -> None:
    """After its transaction ended, ``tag`` is no longer in a transaction: Authorize is
    Accepted again, not ConcurrentTx."""
    reply = await cp.send(Op.AUTHORIZE, idTag=tag)
    got = reply.id_tag_info.status.value
    if got != "Accepted":
        raise CaseFailed(f"after {why}, Authorize of {tag} is answered {got}, not Accepted: "
                         "the Central System still counts the transaction as ongoing",
                         evidence=_evidence(cp))


async def expect_command(cp: Any, op: Op, why: str) -> Received:
    """The next ``op`` from the Central System; it must name this charge point. (That it
    arrived at all shows it went to the address the charge point gave in wsa:From.)"""
    received = await cp.expect(op, timeout=WAIT, what=f"{op.value} ({why})")
    if received.ctx.charge_box_identity != cp.identity:
        raise CaseFailed(f"{op.value} names chargeBoxIdentity "
                         f"{received.ctx.charge_box_identity!r}, not {cp.identity!r}",
                         evidence=(received.seq,))
    return received


def require_field(received: Received, name: str, got: Any, wanted: Any) -> None:
    """A field of the received command must carry the value the operator asked for."""
    if got != wanted:
        raise CaseFailed(f"{received.op.value} carries {name} {got!r}, not {wanted!r} as its "
                         "operator asked", evidence=(received.seq,))


async def no_repeat(cp: Any, op: Op, answer: str) -> None:
    """The refused command is not sent again: the answer was final."""
    await cp.expect_none(op, during=QUIET,
                         why=f"again although the charge point had answered it {answer}")


async def still_served(cp: Any) -> None:
    """The Central System goes on serving the charge point after the command."""
    reply = await cp.send(Op.HEARTBEAT)
    if reply.current_time is None:
        raise CaseFailed("Heartbeat answered without currentTime",
                         evidence=(cp.recorder.last_seq,))
