"""Mutants of the reference charge point: charging sessions and authorisation at the station
(suites/charge_point/core/test_sessions.py, test_authorization.py)."""

from __future__ import annotations

from typing import Any

from ocppcert.reference.charge_point.station import (
    AuthResult,
    ConnectorState,
    Pending,
    ReferenceChargePoint,
)
from tests.mutants.charge_point import ids


def _other_tag(c: ConnectorState | None, id_tag: str) -> bool:
    return c is not None and c.tx is not None and c.tx.id_tag.casefold() != id_tag.casefold()


class PluggedConnectorShowsAvailable(ReferenceChargePoint):
    """Reports a connector with a cable in but no transaction as Available."""

    KILLS = ids("003") + ids("023")

    def _compute_status(self, c: ConnectorState) -> tuple[str, str]:
        status, error = super()._compute_status(c)
        if c.tx is None and c.plugged and status in ("Preparing", "Occupied"):
            return "Available", error
        return status, error


class NeedsIdTagAfterPlugIn(ReferenceChargePoint):
    """Forgets an idTag presented before the cable: only one presented with the cable in
    starts a transaction."""

    KILLS = ids("004_1")

    def plug_in(self, connector_id: int) -> dict[str, Any]:
        c = self.connectors.get(connector_id)
        if c is not None and c.tx is None and c.pending is not None and not c.pending.remote:
            if c.pending.timer is not None:
                c.pending.timer.cancel()
            c.pending = None
        return super().plug_in(connector_id)


class IgnoresConnectionTimeOut(ReferenceChargePoint):
    """Keeps an authorisation waiting for its cable for ever, whatever ConnectionTimeOut."""

    KILLS = ids("004_2")

    async def _connection_timeout(self, c: ConnectorState, pending: Pending) -> None:
        return None


class StopsOnAnyAcceptedIdTag(ReferenceChargePoint):
    """Stops a running transaction when any accepted idTag is presented at its connector."""

    KILLS = ids("068")

    async def present_id_tag(self, id_tag: str, connector_id: int | None = None
                             ) -> dict[str, Any]:
        c = self.connectors.get(connector_id) if connector_id is not None else None
        if c is not None and _other_tag(c, id_tag):
            result = await self.authorize(id_tag)
            if result.accepted:
                self._stop_transaction(c, "Local", id_tag)
                return {"result": "stopped", "connector": c.id, "reason": "Local"}
        return await super().present_id_tag(id_tag, connector_id)


class IgnoresParentIdTag(ReferenceChargePoint):
    """Lets only the idTag that started a transaction stop it; a shared parentIdTag is
    not looked at."""

    KILLS = ids("069")

    async def present_id_tag(self, id_tag: str, connector_id: int | None = None
                             ) -> dict[str, Any]:
        c = self.connectors.get(connector_id) if connector_id is not None else None
        if c is not None and _other_tag(c, id_tag):
            return {"result": "rejected", "why": f"connector {c.id} is busy"}
        return await super().present_id_tag(id_tag, connector_id)


class NeverUnlocksOnEVSideDisconnect(ReferenceChargePoint):
    """Keeps the cable locked after an EV-side disconnect even with
    UnlockConnectorOnEVSideDisconnect true."""

    KILLS = ids("005_1", ("1.6",))

    def _unlocks_on_ev_side_disconnect(self) -> bool:
        return False


class AlwaysUnlocksOnEVSideDisconnect(ReferenceChargePoint):
    """Releases the cable on an EV-side disconnect even with
    UnlockConnectorOnEVSideDisconnect false."""

    KILLS = ids("005_2", ("1.6",))

    def _unlocks_on_ev_side_disconnect(self) -> bool:
        return True


class AlwaysStopsOnEVSideDisconnect(ReferenceChargePoint):
    """Ends the transaction on an EV-side disconnect even with
    StopTransactionOnEVSideDisconnect false."""

    KILLS = ids("005_3", ("1.6",))

    def _stops_on_ev_side_disconnect(self) -> bool:
        return True


class NeverCachesIdTags(ReferenceChargePoint):
    """Does not keep the idTagInfo of Authorize/Start/Stop answers: its cache stays empty."""

    KILLS = ids("007")

    def _remember(self, id_tag: str, info: Any) -> None:
        return None


class ClearCacheKeepsEntries(ReferenceChargePoint):
    """Answers ClearCache Accepted but keeps the cached idTags."""

    KILLS = ids("061")

    async def on_clear_cache(self, request: Any, ctx: Any) -> Any:
        return ctx.respond(status=self.cp_types.ClearCacheStatus.ACCEPTED)


class StartsDespiteInvalidAuthorize(ReferenceChargePoint):
    """Lets an idTag charge whatever status the Authorize answer gave it."""

    KILLS = ids("023")

    async def authorize(self, id_tag: str) -> AuthResult:
        result = await super().authorize(id_tag)
        return AuthResult(True, result.info, result.source)


class StartsThroughAFailedLock(ReferenceChargePoint):
    """Starts the transaction although the cable lock failed."""

    KILLS = ids("024")

    def _start_transaction(self, c: ConnectorState) -> bool:
        failing, c.lock_failure = c.lock_failure, False
        try:
            return super()._start_transaction(c)
        finally:
            c.lock_failure = failing
