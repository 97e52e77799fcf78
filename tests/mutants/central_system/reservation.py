"""Mutants of the reference Central System: reservations (ReserveNow, CancelReservation)
and the transactions that use them."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from ocppcert.messages import Message, Op
from ocppcert.reference.central_system import ReferenceCentralSystem
from tests.mutants.central_system import ids

V = ("1.6", "1.5")


def _changed(op: Any, fields: Any, wanted: Op) -> bool:
    return Op(op) is wanted and fields is not None


class ReservationExpiryLocalTime(ReferenceCentralSystem):
    """Writes ReserveNow's expiryDate in local time (UTC+1) but labels it UTC."""

    KILLS = (ids("046", V) + ids("047", V) + ids("049", V) + ids("051", V) + ids("053", V)
             + ids("048_1", V) + ids("048_2", V) + ids("048_3", V) + ids("048_4", V))

    def build_request(self, identity: str, op: Any, fields: Any = None) -> Message:
        if _changed(op, fields, Op.RESERVE_NOW):
            expiry = dt.datetime.fromisoformat(str(fields["expiryDate"]).replace("Z", "+00:00"))
            fields = {**fields, "expiryDate": (expiry + dt.timedelta(hours=1)).isoformat()}
        return super().build_request(identity, op, fields)


class RefusesReservedStarts(ReferenceCentralSystem):
    """Answers Invalid to a StartTransaction that names a reservationId it does not track."""

    KILLS = ids("046", V) + ids("049", V) + ids("053", V)

    async def start_transaction(self, request: Any, ctx: Any) -> Message:
        response = await super().start_transaction(request, ctx)
        if getattr(request, "reservation_id", None) is not None:
            return self._answer(ctx, {"transactionId": response.transaction_id,
                                      "idTagInfo": {"status": "Invalid"}})
        return response


class ReservesFirstConnector(ReferenceCentralSystem):
    """Sends a reservation of the whole charge point (connector 0) for connector 1."""

    KILLS = ids("049", V)

    def build_request(self, identity: str, op: Any, fields: Any = None) -> Message:
        if _changed(op, fields, Op.RESERVE_NOW) and int(fields.get("connectorId", 1)) == 0:
            fields = {**fields, "connectorId": 1}
        return super().build_request(identity, op, fields)


class ReservationDropsParent(ReferenceCentralSystem):
    """Leaves the operator's parentIdTag out of ReserveNow."""

    KILLS = ids("053", V)

    def build_request(self, identity: str, op: Any, fields: Any = None) -> Message:
        if _changed(op, fields, Op.RESERVE_NOW):
            fields = {k: v for k, v in fields.items() if k != "parentIdTag"}
        return super().build_request(identity, op, fields)


class CancelsZeroBased(ReferenceCentralSystem):
    """Numbers reservations from 0 in CancelReservation (sends reservationId - 1)."""

    KILLS = ids("051", V) + ids("052", V)

    def build_request(self, identity: str, op: Any, fields: Any = None) -> Message:
        if _changed(op, fields, Op.CANCEL_RESERVATION):
            fields = {**fields, "reservationId": int(fields["reservationId"]) - 1}
        return super().build_request(identity, op, fields)


class RetriesRefusedReservations(ReferenceCentralSystem):
    """Sends ReserveNow or CancelReservation again whenever the charge point refuses it."""

    KILLS = (ids("048_1", V) + ids("048_2", V) + ids("048_3", V) + ids("048_4", V)
             + ids("052", V))

    async def command(self, identity: str, request: Any, **kwargs: Any) -> Message:
        response = await super().command(identity, request, **kwargs)
        status = getattr(getattr(response, "status", None), "value", None)
        if (isinstance(request, Message)
                and request.OP in (Op.RESERVE_NOW, Op.CANCEL_RESERVATION)
                and status != "Accepted"):
            return await super().command(identity, request, **kwargs)
        return response


class RenewsExpiredReservations(ReferenceCentralSystem):
    """Reserves a connector again when it reports Available after an accepted reservation."""

    KILLS = ids("047", V)

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._held: dict[tuple[str, int], Message] = {}
        self._renewals: set[asyncio.Task[Any]] = set()

    async def command(self, identity: str, request: Any, **kwargs: Any) -> Message:
        response = await super().command(identity, request, **kwargs)
        status = getattr(getattr(response, "status", None), "value", None)
        if (isinstance(request, Message) and request.OP is Op.RESERVE_NOW
                and status == "Accepted"):
            self._held[(identity, request.connector_id)] = request
        return response

    async def status_notification(self, request: Any, ctx: Any) -> Message:
        response = await super().status_notification(request, ctx)
        key = (ctx.charge_box_identity, request.connector_id)
        held = self._held.pop(key, None) if request.status.value == "Available" else None
        if held is not None:
            task = asyncio.ensure_future(self.command(ctx.charge_box_identity, held))
            self._renewals.add(task)
            task.add_done_callback(self._renewals.discard)
        return response
