"""Steps the command cases share: receiving a command from the Central System and checking
its addressing, and the harness charge point's side of a session in the case's version."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ocppcert.messages import Op
from ocppcert.roles.charge_point import Received
from ocppcert.verdicts import CaseFailed
from ocppcert.versions import OcppVersion

TAG = "OCPPCERT-CMD-1"
TAG_2 = "OCPPCERT-CMD-2"
CONNECTOR = 1
WAIT = 30
QUIET = 3

# What a connector reports: 1.6 has the detailed states, 1.2 and 1.5 only Occupied.
_STAGES = {
    "idle": ("Available", "Available"),
    "preparing": ("Preparing", "Occupied"),
    "charging": ("Charging", "Occupied"),
    "finishing": ("Finishing", "Occupied"),
    "unavailable": ("Unavailable", "Unavailable"),
}


def moment() -> str:
    """Now, in UTC, as sent on the wire."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


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


async def status(cp: Any, version: OcppVersion, stage: str, *,
                 connector: int = CONNECTOR) -> None:
    """StatusNotification for ``connector`` at ``stage``."""
    v16, older = _STAGES[stage]
    fields: dict[str, Any] = {"connectorId": connector,
                              "status": v16 if version is OcppVersion.V16 else older,
                              "errorCode": "NoError"}
    if version is not OcppVersion.V12:
        fields["timestamp"] = moment()
    await cp.send(Op.STATUS_NOTIFICATION, **fields)


async def start(cp: Any, *, tag: str = TAG, connector: int = CONNECTOR,
                meter_start: int = 1000) -> int:
    """StartTransaction the Central System must accept with a transactionId."""
    reply = await cp.send(Op.START_TRANSACTION, connectorId=connector, idTag=tag,
                          meterStart=meter_start, timestamp=moment())
    got = reply.id_tag_info.status.value
    if got != "Accepted":
        raise CaseFailed(f"StartTransaction of {tag} on connector {connector} answered "
                         f"idTagInfo status {got}, not Accepted",
                         evidence=(cp.recorder.last_seq,))
    if reply.transaction_id is None:
        raise CaseFailed("StartTransaction answered without a transactionId",
                         evidence=(cp.recorder.last_seq,))
    return reply.transaction_id


async def stop(cp: Any, version: OcppVersion, transaction_id: int, *, tag: str = TAG,
               reason: str | None = None, meter_stop: int = 2000) -> None:
    """StopTransaction of ``transaction_id``; the Central System must answer it, and an
    idTagInfo in its answer must not refuse the idTag that started it."""
    fields: dict[str, Any] = {"transactionId": transaction_id, "idTag": tag,
                              "meterStop": meter_stop, "timestamp": moment()}
    if reason is not None and version is OcppVersion.V16:
        fields["reason"] = reason
    reply = await cp.send(Op.STOP_TRANSACTION, **fields)
    info = getattr(reply, "id_tag_info", None)
    if info is not None and info.status.value != "Accepted":
        raise CaseFailed(f"StopTransaction of transaction {transaction_id} answered idTagInfo "
                         f"status {info.status.value}, not Accepted",
                         evidence=(cp.recorder.last_seq,))


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
