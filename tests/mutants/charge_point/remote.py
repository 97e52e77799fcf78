"""Mutants of the reference charge point: Pending boot, remote start/stop, DataTransfer."""

from __future__ import annotations

import asyncio
from typing import Any

from ocppcert.reference.charge_point.station import BootState, Pending, ReferenceChargePoint
from ocppcert.soap import FaultSubcode, SoapFault
from tests.mutants.charge_point import ids


class TreatsPendingAsAccepted(ReferenceChargePoint):
    """Takes a Pending boot answer for Accepted: reports statuses at once, never re-boots."""

    KILLS = ids("002", ("1.6",))

    def _boot_answered(self, response: Any) -> bool:
        if getattr(response.status, "value", str(response.status)) == "Pending":
            first = self.boot_state is not BootState.ACCEPTED
            self.boot_state = BootState.ACCEPTED
            if first:
                self._on_accepted()
            self._notify()
            return True
        return super()._boot_answered(response)


class RefusesCommandsUntilAccepted(ReferenceChargePoint):
    """Answers every Central System request with a SecurityError fault until Accepted."""

    KILLS = ids("002", ("1.6",))

    def _admit(self, report: Any, info: Any, record: Any) -> Any:
        admitted = super()._admit(report, info, record)
        if self.boot_state is not BootState.ACCEPTED:
            raise SoapFault(FaultSubcode.SECURITY_ERROR, "not accepted by the Central System yet")
        return admitted


class RemoteStartWaitsForPlugIn(ReferenceChargePoint):
    """Starts a remote transaction only on a plug-in event: a cable already in is ignored."""

    KILLS = ids("010")

    def _authorized(self, c: Any, id_tag: str, result: Any, *, remote: bool,
                    profile: Any) -> dict[str, Any]:
        if not (remote and c.plugged):
            return super()._authorized(c, id_tag, result, remote=remote, profile=profile)
        c.pending = Pending(id_tag, result.parent_id_tag, None, remote, profile)
        c.pending.timer = self._spawn(self._connection_timeout(c, c.pending))
        self.refresh()
        return {"result": "authorized", "connector": c.id}


class RemoteStartNeedsCableFirst(ReferenceChargePoint):
    """Answers Accepted to a remote start without a cable, then forgets it."""

    KILLS = ids("011_1")

    def _authorized(self, c: Any, id_tag: str, result: Any, *, remote: bool,
                    profile: Any) -> dict[str, Any]:
        if remote and not c.plugged:
            return {"result": "rejected", "why": "no cable"}
        return super()._authorized(c, id_tag, result, remote=remote, profile=profile)


class RemoteStartNeverTimesOut(ReferenceChargePoint):
    """Applies ConnectionTimeOut to local authorisations only: a remote start waits for
    its cable forever."""

    KILLS = ids("011_2")

    async def _connection_timeout(self, c: Any, pending: Any) -> None:
        if not pending.remote:
            await super()._connection_timeout(c, pending)
            return
        await asyncio.Event().wait()  # cancelled with everything else at power-down


class RemoteStopReportedAsLocal(ReferenceChargePoint):
    """Stops a transaction on RemoteStopTransaction but gives the reason Local."""

    KILLS = ids("012", ("1.6",))

    def _stop_transaction(self, c: Any, reason: str | None, id_tag: str | None) -> None:
        super()._stop_transaction(c, "Local" if reason == "Remote" else reason, id_tag)


class RemoteStopNotCarriedOut(ReferenceChargePoint):
    """Accepts RemoteStopTransaction for a running transaction and lets it run on."""

    KILLS = ids("012")

    async def on_remote_stop(self, request: Any, ctx: Any) -> Any:
        if self.find_transaction(request.transaction_id) is None:
            return await super().on_remote_stop(request, ctx)
        return ctx.respond(status=self.cp_types.RemoteStartStopStatus("Accepted"))


class AcceptsRemoteStartOnBusyConnector(ReferenceChargePoint):
    """Accepts a RemoteStartTransaction for a connector that already has a transaction."""

    KILLS = ids("026")

    async def on_remote_start(self, request: Any, ctx: Any) -> Any:
        c = self.connectors.get(request.connector_id or 0)
        if c is not None and c.tx is not None:
            return ctx.respond(status=self.cp_types.RemoteStartStopStatus("Accepted"))
        return await super().on_remote_start(request, ctx)


class ConnectorZeroMeansAnyConnector(ReferenceChargePoint):
    """Takes RemoteStartTransaction for connectorId 0 as "any free connector"."""

    KILLS = ids("027")

    async def on_remote_start(self, request: Any, ctx: Any) -> Any:
        if request.connector_id == 0:
            request.connector_id = None
        return await super().on_remote_start(request, ctx)


class AcceptsEveryVendor(ReferenceChargePoint):
    """Answers Accepted to a DataTransfer whatever its vendorId."""

    KILLS = ids("062", ("1.6", "1.5"))

    async def on_data_transfer(self, request: Any, ctx: Any) -> Any:
        return ctx.respond(status=self.cp_types.DataTransferStatus("Accepted"))
