"""Reserving one connector: using the reservation, its expiry, and the refusals."""

from __future__ import annotations

from ocppcert.catalog import case
from ocppcert.messages import Op
from ocppcert.pics import no_profile, profile
from ocppcert.verdicts import CaseFailed
from ocppcert.versions import OcppVersion

from ._steps import (
    GROUP_TAG,
    MEMBER_TAG,
    MUST_ARRIVE,
    OWNER_TAG,
    RESERVATION_ID,
    STRANGER_TAG,
    change_availability,
    expect_reserved_start,
    expect_status,
    expiry_in,
    mark,
    only_connector_one,
    refused,
    reserve_connector,
)

RESERVATION = (profile("Reservation"),)
NO_AUTHORIZE_WINDOW = 2.0  # s: how long we watch for an Authorize that must not come
EXPIRES_IN = 5  # s: the expiryDate of the reservation left to expire
EARLY = 1.0  # s: clock tolerance before the expiryDate


@case(octt="TC_046_1_CS", title="Reservation of a Connector - Local start transaction",
      sut="charge-point", profile="Reservation", versions=("1.6", "1.5"),
      spec={"1.6": "OCPP 1.6 §5.13, §4.8, §4.9", "1.5": "OCPP 1.5 §5.11, §4.8, §4.9"},
      requires=RESERVATION)
async def test_reserved_connector_started_locally(cs, charge_point, case_version, pics):
    """An Accepted reservation turns the connector Reserved. From then on the connector
    refuses every idTag except the reservation's own (or one sharing its parentIdTag, and
    this reservation names none): a stranger's idTag is refused without asking the Central
    System. The reservation's idTag may charge there, and the StartTransaction names the
    reservationId it used."""
    await only_connector_one(cs, pics)
    await reserve_connector(cs, 1)

    await charge_point.present_id_tag(STRANGER_TAG, 1)
    await cs.expect_none(Op.AUTHORIZE, during=NO_AUTHORIZE_WINDOW,
                         where=lambda m: m.id_tag == STRANGER_TAG,
                         why=f"for {STRANGER_TAG} at connector 1, reserved for {OWNER_TAG} "
                             "with no parentIdTag: nothing can make the stranger eligible")

    before = mark(cs)
    await charge_point.present_id_tag(OWNER_TAG, 1)
    if case_version is OcppVersion.V16:
        await expect_status(cs, 1, "Preparing", after=before,
                            what="StatusNotification Preparing for connector 1 once the "
                                 "reservation's idTag was presented")
    await charge_point.plug_in(1)
    await expect_reserved_start(cs, 1, OWNER_TAG, RESERVATION_ID, case_version, after=before)


@case(octt="TC_046_2_CS", title="Reservation of a Connector - Remote start transaction",
      sut="charge-point", profile="Reservation", versions=("1.6", "1.5"),
      spec={"1.6": "OCPP 1.6 §5.13, §5.11, §4.8", "1.5": "OCPP 1.5 §5.11, §5.9, §4.8"},
      requires=RESERVATION)
async def test_reserved_connector_started_remotely(cs, charge_point, case_version):
    """A RemoteStartTransaction for the reservation's idTag on the reserved connector is
    Accepted; the transaction starts once the cable is in, and its StartTransaction names the
    reservation's idTag and reservationId."""
    await reserve_connector(cs, 1)
    before = mark(cs)
    reply = await cs.command(Op.REMOTE_START_TRANSACTION, idTag=OWNER_TAG, connectorId=1)
    if reply.status.value != "Accepted":
        raise CaseFailed(f"RemoteStartTransaction for {OWNER_TAG} on connector 1, reserved for "
                         f"that very idTag, was answered {reply.status.value}")
    await charge_point.plug_in(1)
    await expect_reserved_start(cs, 1, OWNER_TAG, RESERVATION_ID, case_version, after=before)


@case(octt="TC_047_CS", title="Reservation of a Connector - Expire", sut="charge-point",
      profile="Reservation", versions=("1.6", "1.5"),
      spec={"1.6": "OCPP 1.6 §5.13, §4.9", "1.5": "OCPP 1.5 §5.11, §4.9"},
      requires=RESERVATION)
async def test_reservation_expires(cs, charge_point, case_version, pics):
    """A reservation ends at its expiryDate: the connector is then reported Available, and
    anyone may use it; a transaction started there afterwards names no reservation."""
    await only_connector_one(cs, pics)
    expiry = expiry_in(EXPIRES_IN)
    reserved = await reserve_connector(cs, 1, expiry=expiry)
    available = await expect_status(
        cs, 1, "Available", after=reserved.seq, timeout=EXPIRES_IN + MUST_ARRIVE,
        what=f"StatusNotification Available for connector 1 once its reservation expired "
             f"({expiry.isoformat()})")
    early = (expiry - available.at).total_seconds()
    if early > EARLY:
        raise CaseFailed(f"connector 1 was reported Available {early:.1f} s before its "
                         "reservation's expiryDate", evidence=(reserved.seq, available.seq))

    await charge_point.present_id_tag(STRANGER_TAG, 1)
    await charge_point.plug_in(1)
    start = await cs.expect(Op.START_TRANSACTION, timeout=MUST_ARRIVE,
                            where=lambda m: m.connector_id == 1,
                            what=f"StartTransaction for {STRANGER_TAG} on connector 1, whose "
                                 "reservation had expired")
    if start.message.id_tag != STRANGER_TAG or start.message.reservation_id is not None:
        raise CaseFailed(f"StartTransaction after the expiry names idTag "
                         f"{start.message.id_tag!r} and reservationId "
                         f"{start.message.reservation_id}; expected {STRANGER_TAG!r} and none",
                         evidence=(start.seq,))


@case(octt="TC_048_1_CS", title="Reservation of a Connector - Faulted", sut="charge-point",
      profile="Reservation", versions=("1.6", "1.5"),
      spec={"1.6": "OCPP 1.6 §5.13", "1.5": "OCPP 1.5 §5.11"}, requires=RESERVATION)
async def test_reserve_faulted_connector(cs, charge_point, case_version):
    """A faulted connector cannot be reserved: ReserveNow is answered Faulted and the
    connector does not become Reserved."""
    before = mark(cs)
    await charge_point.fault(1)
    await expect_status(cs, 1, "Faulted", after=before)
    await refused(cs, 1, "Faulted", "the connector is Faulted")


@case(octt="TC_048_2_CS", title="Reservation of a Connector - Occupied", sut="charge-point",
      profile="Reservation", versions=("1.6", "1.5"),
      spec={"1.6": "OCPP 1.6 §5.13", "1.5": "OCPP 1.5 §5.11"}, requires=RESERVATION)
async def test_reserve_occupied_connector(cs, charge_point, case_version):
    """A connector in use (here: a cable plugged in) cannot be reserved: ReserveNow is
    answered Occupied and the connector does not become Reserved."""
    before = mark(cs)
    await charge_point.plug_in(1)
    in_use = "Preparing" if case_version is OcppVersion.V16 else "Occupied"
    await expect_status(cs, 1, in_use, after=before)
    await refused(cs, 1, "Occupied", f"a cable is plugged in, status {in_use}")


@case(octt="TC_048_3_CS", title="Reservation of a Connector - Unavailable", sut="charge-point",
      profile="Reservation", versions=("1.6", "1.5"),
      spec={"1.6": "OCPP 1.6 §5.13, §5.2", "1.5": "OCPP 1.5 §5.11, §5.2"},
      requires=RESERVATION)
async def test_reserve_unavailable_connector(cs, charge_point, case_version):
    """A connector made Inoperative cannot be reserved: ReserveNow is answered Unavailable
    and the connector does not become Reserved."""
    before = mark(cs)
    await change_availability(cs, [1], "Inoperative")
    await expect_status(cs, 1, "Unavailable", after=before)
    await refused(cs, 1, "Unavailable", "the connector is Inoperative")


@case(octt="TC_048_4_CS", title="Reservation of a Connector - Rejected", sut="charge-point",
      profile="Reservation", versions=("1.6", "1.5"),
      spec={"1.6": "OCPP 1.6 §5.13, §3.3", "1.5": "OCPP 1.5 §5.11"},
      requires=(no_profile("Reservation"),))
async def test_reserve_without_reservation_support(cs, charge_point, case_version):
    """A charge point that does not take reservations (1.6: without the Reservation
    profile) answers ReserveNow Rejected, even for an Available connector, and reserves
    nothing."""
    await refused(cs, 1, "Rejected", "the charge point does not take reservations")


@case(octt="TC_053_CS", title="Use a reserved Connector with parentIdTag", sut="charge-point",
      profile="Reservation", versions=("1.6", "1.5"),
      spec={"1.6": "OCPP 1.6 §5.13, §4.1, §4.8", "1.5": "OCPP 1.5 §5.11, §4.1, §4.8"},
      requires=RESERVATION)
async def test_reserved_connector_used_through_parent_id_tag(cs, charge_point, case_version,
                                                             pics):
    """A reservation that names a parentIdTag may also be used by any other idTag with that
    parentIdTag. The charge point learns the presented idTag's parent from the Authorize
    answer (its local list and cache are empty), lets it charge on the reserved connector,
    and its StartTransaction names the reservationId."""
    await only_connector_one(cs, pics)
    await reserve_connector(cs, 1, parent_id_tag=GROUP_TAG)
    cs.answer(Op.AUTHORIZE, idTagInfo={"status": "Accepted", "parentIdTag": GROUP_TAG})
    before = mark(cs)
    await charge_point.present_id_tag(MEMBER_TAG, 1)
    await cs.expect(Op.AUTHORIZE, timeout=MUST_ARRIVE, where=lambda m: m.id_tag == MEMBER_TAG,
                    what=f"Authorize for {MEMBER_TAG}, whose parentIdTag the charge point "
                         "cannot know otherwise")
    await charge_point.plug_in(1)
    await expect_reserved_start(cs, 1, MEMBER_TAG, RESERVATION_ID, case_version, after=before)
