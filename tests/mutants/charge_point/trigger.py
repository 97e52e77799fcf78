"""Mutants of the reference charge point: remote trigger (OCPP 1.6 TriggerMessage)."""

from __future__ import annotations

from typing import Any

from ocppcert.reference.charge_point.station import ReferenceChargePoint
from tests.mutants.charge_point import ids


class TriggersNothing(ReferenceChargePoint):
    """Answers TriggerMessage Accepted but never sends the requested message."""

    KILLS = ids("054", ("1.6",))

    async def _triggered(self, what: str, connector_id: int | None) -> None:
        return None


class TriggersBeforeAnswering(ReferenceChargePoint):
    """Sends the requested message first and answers the TriggerMessage afterwards."""

    KILLS = ids("054", ("1.6",))

    async def on_trigger_message(self, request: Any, ctx: Any) -> Any:
        connector_id = request.connector_id
        if connector_id is None or self._valid_connector(connector_id, zero=True):
            await self._triggered(request.requested_message.value, connector_id)
            return ctx.respond(status=self.cp_types.TriggerMessageStatus.ACCEPTED)
        return await super().on_trigger_message(request, ctx)


class StatusTriggerOnlyForChargePoint(ReferenceChargePoint):
    """Answers a StatusNotification trigger without connectorId with connector 0's only."""

    KILLS = ids("054", ("1.6",))

    async def _triggered(self, what: str, connector_id: int | None) -> None:
        if what == "StatusNotification" and connector_id is None:
            connector_id = 0
        await super()._triggered(what, connector_id)


class TriggerIgnoresUnknownConnector(ReferenceChargePoint):
    """Accepts a trigger for a connector it does not have and sends it for every connector."""

    KILLS = ids("055", ("1.6",))

    async def on_trigger_message(self, request: Any, ctx: Any) -> Any:
        connector_id = request.connector_id
        if connector_id is not None and not self._valid_connector(connector_id, zero=True):
            what = request.requested_message.value
            self._after_reply(ctx, lambda: self._triggered(what, None))
            return ctx.respond(status=self.cp_types.TriggerMessageStatus.ACCEPTED)
        return await super().on_trigger_message(request, ctx)
