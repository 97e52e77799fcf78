"""Mutants of the reference charge point: reservations (ReserveNow, CancelReservation)."""

from __future__ import annotations

from typing import Any

from ocppcert.messages import Message, Op
from ocppcert.reference.charge_point.station import ReferenceChargePoint
from ocppcert.reference.charge_point.store import Reservation
from tests.mutants.charge_point import ids

BOTH = ("1.6", "1.5")


def _accept_reservation(station: ReferenceChargePoint, request: Any, ctx: Any) -> Any:
    """Store the reservation and answer Accepted, no questions asked."""
    reservation = Reservation(request.reservation_id, request.connector_id, request.id_tag,
                              request.parent_id_tag, request.expiry_date)
    station.store.put_reservation(reservation)
    station.reservations[reservation.reservation_id] = reservation
    station._arm_reservation(reservation)
    station.refresh()
    return ctx.respond(status=station.cp_types.ReservationStatus("Accepted"))


class StartsWithoutReservationId(ReferenceChargePoint):
    """Uses a reservation but leaves reservationId out of the StartTransaction."""

    KILLS = ids("046_1", BOTH) + ids("046_2", BOTH) + ids("049", BOTH) + ids("053", BOTH)

    def request(self, op: Op, **fields: Any) -> Message:
        if op is Op.START_TRANSACTION:
            fields.pop("reservation_id", None)
        return super().request(op, **fields)


class ReservedConnectorOpenToAll(ReferenceChargePoint):
    """Authorises any idTag at a reserved connector and lets an Accepted one charge there."""

    KILLS = ids("046_1", BOTH)

    def _reservation_for(self, c: Any, id_tag: str, parent: str | None
                         ) -> tuple[bool, int | None]:
        _, reservation_id = super()._reservation_for(c, id_tag, parent)
        return True, reservation_id


class ConnectorZeroReservationNotKept(ReferenceChargePoint):
    """Lets anyone take the last free connector while the charge point (connector 0) is
    reserved for someone else."""

    KILLS = ids("049", BOTH)

    def _reservation_for(self, c: Any, id_tag: str, parent: str | None
                         ) -> tuple[bool, int | None]:
        allowed, reservation_id = super()._reservation_for(c, id_tag, parent)
        if not any(r.connector_id == c.id for r in self.reservations.values()):
            return True, reservation_id
        return allowed, reservation_id


class RemoteStartRefusedOnReservedConnector(ReferenceChargePoint):
    """Rejects RemoteStartTransaction on a reserved connector, even for its own idTag."""

    KILLS = ids("046_2", BOTH)

    async def on_remote_start(self, request: Any, ctx: Any) -> Any:
        if any(r.connector_id == request.connector_id for r in self.reservations.values()):
            return ctx.respond(status=self.cp_types.RemoteStartStopStatus("Rejected"))
        return await super().on_remote_start(request, ctx)


class ReservationsNeverExpire(ReferenceChargePoint):
    """Ignores expiryDate: a reservation lasts until it is used or cancelled."""

    KILLS = ids("047", BOTH)

    def _arm_reservation(self, r: Reservation) -> None:
        pass


class ReservesWhateverTheState(ReferenceChargePoint):
    """Accepts ReserveNow without looking at the state of the connector(s)."""

    KILLS = (ids("048_1", BOTH) + ids("048_2", BOTH) + ids("048_3", BOTH)
             + ids("050_1", BOTH) + ids("050_2", BOTH) + ids("050_3", BOTH))

    async def on_reserve_now(self, request: Any, ctx: Any) -> Any:
        if not self._takes_reservations():
            return await super().on_reserve_now(request, ctx)
        return _accept_reservation(self, request, ctx)


class OccupiedForEveryRefusal(ReferenceChargePoint):
    """Answers Occupied whenever a reservation cannot be made, whatever the reason."""

    KILLS = ids("048_1", BOTH) + ids("048_3", BOTH) + ids("050_1", BOTH) + ids("050_3", BOTH)

    async def on_reserve_now(self, request: Any, ctx: Any) -> Any:
        response = await super().on_reserve_now(request, ctx)
        if response.status.value in ("Faulted", "Unavailable"):
            return ctx.respond(status=self.cp_types.ReservationStatus("Occupied"))
        return response


class ReservesWithoutTheProfile(ReferenceChargePoint):
    """Accepts every ReserveNow although it is not set up for reservations (1.6: the
    Reservation profile is not supported)."""

    KILLS = ids("048_4", BOTH) + ids("050_4", BOTH)

    async def on_reserve_now(self, request: Any, ctx: Any) -> Any:
        if self._takes_reservations():
            return await super().on_reserve_now(request, ctx)
        return _accept_reservation(self, request, ctx)


class CancelWithoutEffect(ReferenceChargePoint):
    """Answers CancelReservation Accepted but keeps the reservation."""

    KILLS = ids("051", BOTH)

    async def on_cancel_reservation(self, request: Any, ctx: Any) -> Any:
        statuses = self.cp_types.CancelReservationStatus
        known = request.reservation_id in self.reservations
        return ctx.respond(status=statuses.ACCEPTED if known else statuses.REJECTED)


class CancelsAnyReservationId(ReferenceChargePoint):
    """Answers Accepted to CancelReservation of a reservationId it does not have."""

    KILLS = ids("052", BOTH)

    async def on_cancel_reservation(self, request: Any, ctx: Any) -> Any:
        await super().on_cancel_reservation(request, ctx)
        return ctx.respond(status=self.cp_types.CancelReservationStatus("Accepted"))


class ReservationIgnoresParentIdTag(ReferenceChargePoint):
    """Lets only the reservation's own idTag use it, never one with its parentIdTag."""

    KILLS = ids("053", BOTH)

    def _reservation_for(self, c: Any, id_tag: str, parent: str | None
                         ) -> tuple[bool, int | None]:
        return super()._reservation_for(c, id_tag, None)
