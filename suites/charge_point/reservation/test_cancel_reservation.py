"""CancelReservation: ending a reservation, and refusing an unknown one."""

from __future__ import annotations

from ocppcert.catalog import case
from ocppcert.messages import Op
from ocppcert.pics import profile
from ocppcert.verdicts import CaseFailed

from ._steps import RESERVATION_ID, expect_status, reserve_connector

RESERVATION = (profile("Reservation"),)
SPEC = {"1.6": "OCPP 1.6 §5.1, §5.13", "1.5": "OCPP 1.5 §5.1, §5.11"}


@case(octt="TC_051_CS", title="Cancel Reservation", sut="charge-point", profile="Reservation",
      versions=("1.6", "1.5"), spec=SPEC, requires=RESERVATION)
async def test_cancel_reservation(cs, charge_point, case_version):
    """CancelReservation of an existing reservation is answered Accepted and ends it: the
    reserved connector is reported Available again."""
    reserved = await reserve_connector(cs, 1)
    reply = await cs.command(Op.CANCEL_RESERVATION, reservationId=RESERVATION_ID)
    if reply.status.value != "Accepted":
        raise CaseFailed(f"CancelReservation of reservation {RESERVATION_ID}, just Accepted on "
                         f"connector 1, was answered {reply.status.value}")
    await expect_status(cs, 1, "Available", after=reserved.seq,
                        what="StatusNotification Available for connector 1 once its "
                             "reservation was cancelled")


@case(octt="TC_052_CS", title="Cancel Reservation - Rejected", sut="charge-point",
      profile="Reservation", versions=("1.6", "1.5"), spec=SPEC, requires=RESERVATION)
async def test_cancel_unknown_reservation(cs, charge_point, case_version):
    """CancelReservation naming a reservationId the charge point does not have is answered
    Rejected, and no reservation is cancelled: the reservation that does exist still holds
    (its own cancellation is then Accepted)."""
    await reserve_connector(cs, 1)
    unknown = RESERVATION_ID + 1
    reply = await cs.command(Op.CANCEL_RESERVATION, reservationId=unknown)
    if reply.status.value != "Rejected":
        raise CaseFailed(f"CancelReservation of the unknown reservation {unknown} was answered "
                         f"{reply.status.value}; the only reservation is {RESERVATION_ID}")
    reply = await cs.command(Op.CANCEL_RESERVATION, reservationId=RESERVATION_ID)
    if reply.status.value != "Accepted":
        raise CaseFailed(f"after the rejected CancelReservation of {unknown}, the cancellation "
                         f"of the real reservation {RESERVATION_ID} was answered "
                         f"{reply.status.value}: the reservation had not survived")
