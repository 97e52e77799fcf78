"""Reserving the charge point as a whole (connectorId 0): keeping a connector, refusals."""

from __future__ import annotations

from ocppcert.catalog import case
from ocppcert.messages import Op
from ocppcert.pics import feature, no_profile, profile
from ocppcert.verdicts import CaseFailed
from ocppcert.versions import OcppVersion

from ._steps import (
    OWNER_TAG,
    RESERVATION_ID,
    STRANGER_TAG,
    change_availability,
    expect_reserved_start,
    expect_status,
    mark,
    only_connector_one,
    refused,
    reserve_now,
)

CONNECTOR_ZERO = (profile("Reservation"), feature("reserve_connector_zero"))
NO_START_WINDOW = 2.0  # s: how long we watch for a StartTransaction that must not come
SPEC = {"1.6": "OCPP 1.6 §5.13", "1.5": "OCPP 1.5 §5.11"}


@case(octt="TC_049_CS", title="Reservation of a Charge Point - Transaction",
      sut="charge-point", profile="Reservation", versions=("1.6", "1.5"),
      spec={"1.6": "OCPP 1.6 §5.13, §4.8; key ReserveConnectorZeroSupported",
            "1.5": "OCPP 1.5 §5.11, §4.8"},
      requires=CONNECTOR_ZERO)
async def test_reserve_charge_point(cs, charge_point, case_version, pics):
    """A reservation of connectorId 0 reserves no particular connector, but the charge point
    must keep one connector free for the reserved idTag as long as the reservation lasts.
    With a single connector left in operation, a stranger's idTag may not charge on it, the
    reservation's idTag may, and its StartTransaction names the reservationId."""
    await only_connector_one(cs, pics)
    status = await reserve_now(cs, 0)
    if status != "Accepted":
        raise CaseFailed(f"ReserveNow of connectorId 0 was answered {status}, not Accepted, "
                         "though the charge point is idle and declares reservations of "
                         "connector 0 (ReserveConnectorZeroSupported)")
    before = mark(cs)
    await charge_point.plug_in(1)
    await charge_point.present_id_tag(STRANGER_TAG, 1)
    await cs.expect_none(Op.START_TRANSACTION, during=NO_START_WINDOW,
                         where=lambda m: m.id_tag == STRANGER_TAG,
                         why=f"for {STRANGER_TAG} on connector 1, the one connector left for "
                             f"the reservation of the charge point by {OWNER_TAG}")
    await charge_point.present_id_tag(OWNER_TAG, 1)
    await expect_reserved_start(cs, 1, OWNER_TAG, RESERVATION_ID, case_version, after=before)


@case(octt="TC_050_1_CS", title="Reservation of a Charge Point - Faulted", sut="charge-point",
      profile="Reservation", versions=("1.6", "1.5"), spec=SPEC, requires=CONNECTOR_ZERO)
async def test_reserve_faulted_charge_point(cs, charge_point, case_version, pics):
    """When every connector is faulted, a reservation of connectorId 0 cannot be made:
    ReserveNow is answered Faulted and nothing becomes Reserved."""
    before = mark(cs)
    for connector in range(1, pics.connectors + 1):
        await charge_point.fault(connector)
    for connector in range(1, pics.connectors + 1):
        await expect_status(cs, connector, "Faulted", after=before)
    await refused(cs, 0, "Faulted", "every connector is Faulted")


@case(octt="TC_050_2_CS", title="Reservation of a Charge Point - Occupied", sut="charge-point",
      profile="Reservation", versions=("1.6", "1.5"), spec=SPEC, requires=CONNECTOR_ZERO)
async def test_reserve_occupied_charge_point(cs, charge_point, case_version, pics):
    """When every connector is in use (here: a cable plugged into each), no connector can be
    kept for a reservation of connectorId 0: ReserveNow is answered Occupied and nothing
    becomes Reserved."""
    in_use = "Preparing" if case_version is OcppVersion.V16 else "Occupied"
    before = mark(cs)
    for connector in range(1, pics.connectors + 1):
        await charge_point.plug_in(connector)
    for connector in range(1, pics.connectors + 1):
        await expect_status(cs, connector, in_use, after=before)
    await refused(cs, 0, "Occupied", f"a cable is plugged into every connector, status {in_use}")


@case(octt="TC_050_3_CS", title="Reservation of a Charge Point - Unavailable",
      sut="charge-point", profile="Reservation", versions=("1.6", "1.5"),
      spec={"1.6": "OCPP 1.6 §5.13, §5.2", "1.5": "OCPP 1.5 §5.11, §5.2"},
      requires=CONNECTOR_ZERO)
async def test_reserve_unavailable_charge_point(cs, charge_point, case_version, pics):
    """When the charge point as a whole is Inoperative, a reservation of connectorId 0
    cannot be made: ReserveNow is answered Unavailable and nothing becomes Reserved."""
    before = mark(cs)
    await change_availability(cs, [0], "Inoperative")
    for connector in range(1, pics.connectors + 1):
        await expect_status(cs, connector, "Unavailable", after=before)
    await refused(cs, 0, "Unavailable", "the charge point is Inoperative")


@case(octt="TC_050_4_CS", title="Reservation of a Charge Point - Rejected", sut="charge-point",
      profile="Reservation", versions=("1.6", "1.5"),
      spec={"1.6": "OCPP 1.6 §5.13, §3.3", "1.5": "OCPP 1.5 §5.11"},
      requires=(no_profile("Reservation"),))
async def test_reserve_charge_point_without_reservation_support(cs, charge_point,
                                                                case_version):
    """A charge point that does not take reservations (1.6: without the Reservation
    profile) answers a ReserveNow of connectorId 0 Rejected and reserves nothing."""
    await refused(cs, 0, "Rejected", "the charge point does not take reservations")
