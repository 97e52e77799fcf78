"""Steps the reservation cases share: reserving, and waiting for the statuses it brings."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from ocppcert.messages import Op
from ocppcert.verdicts import CaseFailed
from ocppcert.versions import OcppVersion

OWNER_TAG = "RSV-OWNER"  # the idTag a reservation is made for
STRANGER_TAG = "RSV-STRANGER"  # an Accepted idTag the reservation is not for
MEMBER_TAG = "RSV-MEMBER"  # another idTag, with the reservation's parentIdTag
GROUP_TAG = "RSV-GROUP"  # the parentIdTag of a reservation
RESERVATION_ID = 4601
LONG_EXPIRY = 600  # s: reservations that must outlive the case
MUST_ARRIVE = 10.0  # s: bound for a message the charge point owes us
QUIET = 1.0  # s: how long a refused reservation must leave the connector unreserved
RUNNING = {OcppVersion.V16: ("Charging", "SuspendedEV", "SuspendedEVSE"),
           OcppVersion.V15: ("Occupied",)}


def mark(cs: Any) -> int:
    """The wire-record number before the next step: what the step causes comes after it."""
    return cs.recorder.last_seq


def expiry_in(seconds: float) -> dt.datetime:
    when = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds)
    return when.replace(microsecond=0)


async def expect_status(cs: Any, connector: int, statuses: tuple[str, ...] | str, *,
                        after: int, timeout: float = MUST_ARRIVE, what: str | None = None) -> Any:
    """The first StatusNotification of ``connector`` with one of ``statuses`` recorded after
    wire record ``after`` (an earlier one, e.g. from the boot, does not count)."""
    wanted = (statuses,) if isinstance(statuses, str) else statuses
    what = what or f"StatusNotification {'/'.join(wanted)} for connector {connector}"
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        try:
            received = await cs.expect(
                Op.STATUS_NOTIFICATION, timeout=max(0.0, deadline - loop.time()),
                where=lambda m: m.connector_id == connector and m.status.value in wanted)
        except CaseFailed:
            raise CaseFailed(f"the charge point did not send {what} within {timeout:g} s"
                             ) from None
        if received.seq > after:
            return received


async def reserve_now(cs: Any, connector: int, *, id_tag: str = OWNER_TAG,
                      parent_id_tag: str | None = None, reservation_id: int = RESERVATION_ID,
                      expiry: dt.datetime | None = None) -> str:
    """Send ReserveNow (expiring at ``expiry``, else in LONG_EXPIRY s); the status the
    charge point answered."""
    expiry = expiry or expiry_in(LONG_EXPIRY)
    fields: dict[str, Any] = {"connectorId": connector, "expiryDate": expiry.isoformat(),
                              "idTag": id_tag, "reservationId": reservation_id}
    if parent_id_tag is not None:
        fields["parentIdTag"] = parent_id_tag
    reply = await cs.command(Op.RESERVE_NOW, **fields)
    return reply.status.value


async def reserve_connector(cs: Any, connector: int, **fields: Any) -> Any:
    """ReserveNow that must be Accepted, then the connector's StatusNotification Reserved."""
    before = mark(cs)
    status = await reserve_now(cs, connector, **fields)
    if status != "Accepted":
        raise CaseFailed(f"ReserveNow of the Available connector {connector} was answered "
                         f"{status}, not Accepted")
    return await expect_status(cs, connector, "Reserved", after=before,
                               what=f"StatusNotification Reserved for connector {connector} "
                                    "after its reservation was Accepted")


async def refused(cs: Any, connector: int, expected: str, why: str) -> None:
    """ReserveNow that must be answered ``expected`` and leave nothing reserved."""
    status = await reserve_now(cs, connector)
    if status != expected:
        raise CaseFailed(f"ReserveNow of connector {connector} ({why}) was answered {status}; "
                         f"expected {expected}")
    await cs.expect_none(Op.STATUS_NOTIFICATION, during=QUIET,
                         where=lambda m: m.status.value == "Reserved",
                         why=f"with status Reserved after ReserveNow was answered {status}")


async def change_availability(cs: Any, connectors: range | list[int], kind: str) -> None:
    for connector in connectors:
        reply = await cs.command(Op.CHANGE_AVAILABILITY, connectorId=connector, type=kind)
        if reply.status.value != "Accepted":
            raise CaseFailed(f"ChangeAvailability {kind} of the idle connector {connector} was "
                             f"answered {reply.status.value}, not Accepted")


async def only_connector_one(cs: Any, pics: Any) -> None:
    """Every connector but 1 made Inoperative, so that an idTag has one place to go (OCTT:
    SetConnectorUnavailable for all unused connectors)."""
    await change_availability(cs, range(2, pics.connectors + 1), "Inoperative")


async def expect_reserved_start(cs: Any, connector: int, id_tag: str, reservation_id: int,
                                case_version: OcppVersion, *, after: int) -> Any:
    """StartTransaction on ``connector`` for ``id_tag`` naming the reservation it used, then
    the connector's status of a running transaction."""
    start = await cs.expect(Op.START_TRANSACTION, timeout=MUST_ARRIVE,
                            where=lambda m: m.connector_id == connector,
                            what=f"StartTransaction on connector {connector} for {id_tag}")
    message = start.message
    if message.id_tag != id_tag:
        raise CaseFailed(f"StartTransaction on connector {connector} names idTag "
                         f"{message.id_tag!r}; the transaction was started by {id_tag!r}",
                         evidence=(start.seq,))
    if message.reservation_id != reservation_id:
        raise CaseFailed(f"StartTransaction on the reserved connector {connector} carries "
                         f"reservationId {message.reservation_id}; the reservation used was "
                         f"{reservation_id}", evidence=(start.seq,))
    await expect_status(cs, connector, RUNNING[case_version], after=after,
                        what=f"StatusNotification {'/'.join(RUNNING[case_version])} for "
                             f"connector {connector} once its transaction started")
    return start
