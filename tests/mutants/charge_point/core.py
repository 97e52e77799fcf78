"""Mutants of the reference charge point: boot, configuration, rejections, SOAP headers."""

from __future__ import annotations

from typing import Any

from ocppcert.reference.charge_point.station import ReferenceChargePoint
from tests.mutants.charge_point import ids, own_ids


class IgnoresBootInterval(ReferenceChargePoint):
    """Retries a Rejected BootNotification at once instead of after the interval."""

    KILLS = ids("001")

    @staticmethod
    def _interval_of(response: Any) -> Any:
        status = getattr(response.status, "value", str(response.status))
        if status != "Accepted":
            return 0.1
        return ReferenceChargePoint._interval_of(response)


class NoStatusForConnectorZero(ReferenceChargePoint):
    """Reports every connector after boot, but not connector 0."""

    KILLS = ids("001")

    def _emit_status(self, connector_id: int, **kwargs: Any) -> None:
        if connector_id != 0:
            super()._emit_status(connector_id, **kwargs)


class AnswersEveryIdentity(ReferenceChargePoint):
    """Carries out requests addressed to any chargeBoxIdentity."""

    KILLS = own_ids("SOAP_001_CS")

    def _admit(self, report: Any, info: Any, record: Any) -> Any:
        own, self.identity = self.identity, None
        try:
            return super()._admit(report, info, record)
        finally:
            self.identity = own


class GetConfigurationIgnoresKeys(ReferenceChargePoint):
    """Answers GetConfiguration with every key, whatever was asked."""

    KILLS = ids("019", ("1.6", "1.5"))

    async def on_get_configuration(self, request: Any, ctx: Any) -> Any:
        request.key.clear()
        return await super().on_get_configuration(request, ctx)


class AcceptsUnknownKeys(ReferenceChargePoint):
    """Answers Accepted to a key it does not have."""

    KILLS = ids("040_1")

    async def on_change_configuration(self, request: Any, ctx: Any) -> Any:
        if self.config.find(request.key) is None:
            return ctx.respond(status=self.cp_types.ConfigurationStatus("Accepted"))
        return await super().on_change_configuration(request, ctx)


class AcceptsInvalidValues(ReferenceChargePoint):
    """Stores any value for a known key without checking it."""

    KILLS = ids("040_2")

    async def on_change_configuration(self, request: Any, ctx: Any) -> Any:
        definition = self.config.find(request.key)
        if definition is not None and not definition.readonly:
            self.config._store(definition, request.value)
            return ctx.respond(status=self.cp_types.ConfigurationStatus("Accepted"))
        return await super().on_change_configuration(request, ctx)


class ChangeConfigurationWithoutEffect(ReferenceChargePoint):
    """Answers Accepted but keeps the old value."""

    KILLS = ids("021")

    async def on_change_configuration(self, request: Any, ctx: Any) -> Any:
        return ctx.respond(status=self.cp_types.ConfigurationStatus("Accepted"))


class AcceptsAnyRemoteStop(ReferenceChargePoint):
    """Answers Accepted to a RemoteStopTransaction for a transaction it does not have."""

    KILLS = ids("028")

    async def on_remote_stop(self, request: Any, ctx: Any) -> Any:
        return ctx.respond(status=self.cp_types.RemoteStartStopStatus("Accepted"))


class UnlocksAnyConnector(ReferenceChargePoint):
    """Reports success for UnlockConnector whatever the connector number."""

    KILLS = ids("031")

    async def on_unlock(self, request: Any, ctx: Any) -> Any:
        status = "Unlocked" if self.version.value == "1.6" else "Accepted"
        return ctx.respond(status=self.cp_types.UnlockStatus(status))
