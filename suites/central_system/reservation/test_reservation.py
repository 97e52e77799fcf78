"""Reservation: the Central System reserves a connector (or the whole charge point) for an
idTag with ReserveNow, cancels it with CancelReservation, copes with every answer, and
accepts the transaction that uses the reservation."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ocppcert.catalog import case
from ocppcert.messages import Op
from ocppcert.verdicts import CaseFailed
from ocppcert.versions import OcppVersion

from ..steps import (
    CONNECTOR,
    QUIET,
    TAG,
    TAG_2,
    expect_command,
    moment,
    no_repeat,
    require_field,
    start,
    status,
    still_served,
)

VERSIONS = ("1.6", "1.5")
RESERVATION_ID = 4711
PARENT = "OCPPCERT-PARENT"
RESERVE_SPEC = {"1.6": "OCPP 1.6 §5.13, §4.8", "1.5": "OCPP 1.5 §5.11, §4.8"}
CANCEL_SPEC = {"1.6": "OCPP 1.6 §5.13, §5.1", "1.5": "OCPP 1.5 §5.11, §5.1"}


def _expiry(seconds: int) -> dt.datetime:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds)).replace(microsecond=0)


async def reserve(central_system: Any, cp: Any, why: str, *, connector: int = CONNECTOR,
                  parent: str | None = None, lasting: int = 3600) -> Any:
    """Have the Central System send ReserveNow(TAG, ``connector``) and check every field is
    the one its operator asked for."""
    expiry = _expiry(lasting)
    fields: dict[str, Any] = {"connectorId": connector, "expiryDate": expiry.isoformat(),
                              "idTag": TAG, "reservationId": RESERVATION_ID}
    if parent is not None:
        fields["parentIdTag"] = parent
    await central_system.trigger(cp.identity, Op.RESERVE_NOW, **fields)
    received = await expect_command(cp, Op.RESERVE_NOW, why)
    message = received.message
    require_field(received, "connectorId", message.connector_id, connector)
    require_field(received, "idTag", message.id_tag, TAG)
    require_field(received, "reservationId", message.reservation_id, RESERVATION_ID)
    require_field(received, "parentIdTag", message.parent_id_tag, parent)
    got = message.expiry_date
    if got is None or abs((got - expiry).total_seconds()) > 1:
        raise CaseFailed(f"ReserveNow carries expiryDate {got}, not {expiry.isoformat()} as "
                         "its operator asked", evidence=(received.seq,))
    return received


async def start_reserved(cp: Any, *, tag: str = TAG, connector: int = CONNECTOR) -> int:
    """StartTransaction naming the reservation; the Central System must accept it."""
    reply = await cp.send(Op.START_TRANSACTION, connectorId=connector, idTag=tag,
                          meterStart=1000, timestamp=moment(), reservationId=RESERVATION_ID)
    got = reply.id_tag_info.status.value
    if got != "Accepted" or reply.transaction_id is None:
        raise CaseFailed(f"StartTransaction of {tag} with reservationId {RESERVATION_ID} "
                         f"answered idTagInfo status {got}, transactionId "
                         f"{reply.transaction_id}; the reserved idTag must be Accepted",
                         evidence=(cp.recorder.last_seq,))
    return reply.transaction_id


async def reserved(cp: Any, version: OcppVersion, connector: int = CONNECTOR) -> None:
    await cp.send(Op.STATUS_NOTIFICATION, connectorId=connector, status="Reserved",
                  errorCode="NoError", timestamp=moment())


@case(octt="TC_046_CSMS", title="Reservation of a Connector - Transaction",
      sut="central-system", profile="Reservation", versions=VERSIONS, spec=RESERVE_SPEC)
async def test_reserve_connector(central_system, cp, case_version):
    """The Central System reserves connector 1 for an idTag: its ReserveNow carries the
    connector, idTag, reservationId and expiryDate its operator chose. When the driver then
    arrives, the StartTransaction naming that reservationId is accepted with a
    transactionId."""
    await central_system.add_id_tag(TAG)
    await cp.boot_accepted()
    await status(cp, case_version, "idle")
    await reserve(central_system, cp, "reservation of connector 1")
    await reserved(cp, case_version)
    await status(cp, case_version, "preparing")
    await start_reserved(cp)
    await status(cp, case_version, "charging")


@case(octt="TC_049_CSMS", title="Reservation of a Charge Point - Transaction",
      sut="central-system", profile="Reservation", versions=VERSIONS, spec=RESERVE_SPEC)
async def test_reserve_charge_point(central_system, cp, case_version):
    """A reservation for the charge point as a whole is a ReserveNow for connector 0; the
    Central System sends exactly that, and accepts the StartTransaction on connector 1
    that uses the reservation."""
    await central_system.add_id_tag(TAG)
    await cp.boot_accepted()
    await status(cp, case_version, "idle")
    await reserve(central_system, cp, "reservation of the whole charge point", connector=0)
    await status(cp, case_version, "preparing")
    await start_reserved(cp)
    await status(cp, case_version, "charging")


@case(octt="TC_047_CSMS", title="Reservation of a Connector - Expire",
      sut="central-system", profile="Reservation", versions=VERSIONS, spec=RESERVE_SPEC)
async def test_reservation_expires(central_system, cp, case_version):
    """A reservation ends by itself at its expiryDate: the charge point makes the connector
    available again. The Central System leaves that to the charge point: it does not
    renew the reservation with another ReserveNow, and another idTag may then start a
    transaction on the connector without any reservationId."""
    await central_system.add_id_tag(TAG)
    await central_system.add_id_tag(TAG_2)
    await cp.boot_accepted()
    await status(cp, case_version, "idle")
    await reserve(central_system, cp, "short reservation", lasting=2)
    await reserved(cp, case_version)
    await cp.expect_none(Op.CANCEL_RESERVATION, during=QUIET,
                         why="for a reservation the charge point still held")
    await status(cp, case_version, "idle")
    await no_repeat(cp, Op.RESERVE_NOW, "Accepted and then expired")
    await status(cp, case_version, "preparing")
    await start(cp, tag=TAG_2)
    await status(cp, case_version, "charging")


async def refused(central_system: Any, cp: Any, version: OcppVersion, answer: str) -> None:
    """ReserveNow answered ``answer``; it must not come again, and the charge point is
    still served."""
    await central_system.add_id_tag(TAG)
    await cp.boot_accepted()
    await status(cp, version, "idle")
    cp.answer(Op.RESERVE_NOW, status=answer)
    await reserve(central_system, cp, f"reservation to be answered {answer}")
    await no_repeat(cp, Op.RESERVE_NOW, answer)
    await still_served(cp)


@case(octt="TC_048_1_CSMS", title="Reservation of a Connector - Faulted",
      sut="central-system", profile="Reservation", versions=VERSIONS, spec=RESERVE_SPEC)
async def test_reserve_faulted(central_system, cp, case_version):
    """The charge point answers the reservation Faulted (the connector is broken). That
    answer is final: the Central System does not send the ReserveNow again and keeps
    serving the charge point."""
    await refused(central_system, cp, case_version, "Faulted")


@case(octt="TC_048_2_CSMS", title="Reservation of a Connector - Occupied",
      sut="central-system", profile="Reservation", versions=VERSIONS, spec=RESERVE_SPEC)
async def test_reserve_occupied(central_system, cp, case_version):
    """The charge point answers the reservation Occupied (the connector is in use). That
    answer is final: the Central System does not send the ReserveNow again and keeps
    serving the charge point."""
    await refused(central_system, cp, case_version, "Occupied")


@case(octt="TC_048_3_CSMS", title="Reservation of a Connector - Unavailable",
      sut="central-system", profile="Reservation", versions=VERSIONS, spec=RESERVE_SPEC)
async def test_reserve_unavailable(central_system, cp, case_version):
    """The charge point answers the reservation Unavailable (the connector is out of
    service). That answer is final: the Central System does not send the ReserveNow again
    and keeps serving the charge point."""
    await refused(central_system, cp, case_version, "Unavailable")


@case(octt="TC_048_4_CSMS", title="Reservation of a Connector - Rejected",
      sut="central-system", profile="Reservation", versions=VERSIONS, spec=RESERVE_SPEC)
async def test_reserve_rejected(central_system, cp, case_version):
    """The charge point rejects the reservation (it is configured not to accept any).
    That answer is final: the Central System does not send the ReserveNow again and keeps
    serving the charge point."""
    await refused(central_system, cp, case_version, "Rejected")


async def cancel(central_system: Any, cp: Any, why: str) -> Any:
    await central_system.trigger(cp.identity, Op.CANCEL_RESERVATION,
                                 reservationId=RESERVATION_ID)
    received = await expect_command(cp, Op.CANCEL_RESERVATION, why)
    require_field(received, "reservationId", received.message.reservation_id,
                  RESERVATION_ID)
    return received


@case(octt="TC_051_CSMS", title="Cancel Reservation", sut="central-system",
      profile="Reservation", versions=VERSIONS, spec=CANCEL_SPEC)
async def test_cancel_reservation(central_system, cp, case_version):
    """The Central System cancels a reservation it made: CancelReservation names the
    reservationId of that ReserveNow, and the connector is then available again."""
    await central_system.add_id_tag(TAG)
    await cp.boot_accepted()
    await status(cp, case_version, "idle")
    await reserve(central_system, cp, "reservation to be cancelled")
    await reserved(cp, case_version)
    await cancel(central_system, cp, "cancel of the reservation")
    await status(cp, case_version, "idle")
    await still_served(cp)


@case(octt="TC_052_CSMS", title="Cancel Reservation - Rejected", sut="central-system",
      profile="Reservation", versions=VERSIONS, spec=CANCEL_SPEC)
async def test_cancel_reservation_rejected(central_system, cp, case_version):
    """The charge point rejects the cancellation (it has no such reservation). The answer
    is final: the Central System does not send CancelReservation again and keeps serving
    the charge point."""
    await central_system.add_id_tag(TAG)
    await cp.boot_accepted()
    await status(cp, case_version, "idle")
    cp.answer(Op.CANCEL_RESERVATION, status="Rejected")
    await cancel(central_system, cp, "cancel to be rejected")
    await no_repeat(cp, Op.CANCEL_RESERVATION, "Rejected")
    await still_served(cp)


@case(octt="TC_053_CSMS", title="Use a reserved Connector with parentIdTag",
      sut="central-system", profile="Reservation", versions=VERSIONS,
      spec={"1.6": "OCPP 1.6 §5.13, §4.2, §4.8", "1.5": "OCPP 1.5 §5.11, §4.1, §4.8"})
async def test_reserved_with_parent(central_system, cp, case_version):
    """A reservation made with a parentIdTag may be used by any idTag of that group: the
    ReserveNow carries the parentIdTag its operator chose, Authorize of another idTag of
    the group reports that parentIdTag, and its StartTransaction with the reservationId is
    accepted."""
    await central_system.add_id_tag(TAG, parent_id_tag=PARENT)
    await central_system.add_id_tag(TAG_2, parent_id_tag=PARENT)
    await cp.boot_accepted()
    await status(cp, case_version, "idle")
    await reserve(central_system, cp, "reservation for a group", parent=PARENT)
    await reserved(cp, case_version)
    auth = await cp.send(Op.AUTHORIZE, idTag=TAG_2)
    info = auth.id_tag_info
    if info.status.value != "Accepted" or info.parent_id_tag != PARENT:
        raise CaseFailed(f"Authorize of {TAG_2} answered status {info.status.value}, "
                         f"parentIdTag {info.parent_id_tag!r}; wanted Accepted and {PARENT!r}",
                         evidence=(cp.recorder.last_seq,))
    await status(cp, case_version, "preparing")
    await start_reserved(cp, tag=TAG_2)
    await status(cp, case_version, "charging")
