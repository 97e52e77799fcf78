"""Mutants of the reference charge point: reset, unlock, meter values, power failure, faults."""

from __future__ import annotations

from typing import Any

from ocppcert.messages import Message, Op
from ocppcert.reference.charge_point.meter import ENERGY
from ocppcert.reference.charge_point.queue import QueuedMessage
from ocppcert.reference.charge_point.station import ConnectorState, ReferenceChargePoint
from ocppcert.reference.charge_point.store import TransactionRow
from tests.mutants.charge_point import ids


def _unlock_answer(station: ReferenceChargePoint, ok: bool) -> Any:
    statuses = station.cp_types.UnlockStatus
    if station.version.value == "1.6":
        return statuses.UNLOCKED if ok else statuses.NOT_SUPPORTED
    return statuses.ACCEPTED if ok else statuses.REJECTED


# -- reset ----------------------------------------------------------------------------------

class ResetIsANoOp(ReferenceChargePoint):
    """Answers a soft Reset Accepted but never restarts."""

    KILLS = ids("014")

    async def _reset(self, kind: str) -> None:
        if kind != "Soft":
            await super()._reset(kind)


class AvailabilityNotPersisted(ReferenceChargePoint):
    """Keeps the availability set by ChangeAvailability in memory only: after a restart
    or a power failure every connector is Operative again."""

    KILLS = ids("013") + ids("014") + ids("034")

    async def on_change_availability(self, request: Any, ctx: Any) -> Any:
        response = await super().on_change_availability(request, ctx)
        if self._valid_connector(request.connector_id, zero=True):
            self.store.set_operative(request.connector_id, True)
        return response


class SoftResetStopsAfterRestart(ReferenceChargePoint):
    """Restarts at once on a soft reset and reports the transaction it ended only after
    the new boot."""

    KILLS = ids("016")

    async def _reset(self, kind: str) -> None:
        await self.reboot(f"{kind}Reset")


class ResetStopReasonReboot(ReferenceChargePoint):
    """Gives transactions ended by a Reset the stop reason Reboot."""

    KILLS = ids("015", ("1.6",)) + ids("016", ("1.6",))

    def _stop_transaction(self, c: ConnectorState, reason: str | None,
                          id_tag: str | None) -> None:
        if reason in ("HardReset", "SoftReset"):
            reason = "Reboot"
        super()._stop_transaction(c, reason, id_tag)


class HardResetLosesTransaction(ReferenceChargePoint):
    """Forgets the running transaction on a hard reset: its StopTransaction never comes."""

    KILLS = ids("015")

    async def reboot(self, reason: str | None = "Reboot") -> None:
        if reason == "HardReset" and self.powered:
            for c in self.connectors.values():
                if c.tx is not None:
                    self.store.stop_transaction(c.tx.local_id, self.clock.now(),
                                                c.meter.register(), None)
                    c.tx = None
        await super().reboot(reason)


# -- unlock ---------------------------------------------------------------------------------

class UnlockRefusedOnSockets(ReferenceChargePoint):
    """Answers every UnlockConnector as if its cable were fixed, though its sockets lock."""

    KILLS = ids("017_1") + ids("018_1") + ids("030")

    async def on_unlock(self, request: Any, ctx: Any) -> Any:
        return ctx.respond(status=_unlock_answer(self, ok=False))


class UnlocksFixedCable(ReferenceChargePoint):
    """Claims to have unlocked its fixed cable."""

    KILLS = ids("017_2") + ids("018_2")

    async def on_unlock(self, request: Any, ctx: Any) -> Any:
        if self.traits.fixed_cable and self._valid_connector(request.connector_id, zero=False):
            return ctx.respond(status=_unlock_answer(self, ok=True))
        return await super().on_unlock(request, ctx)


class UnlockLeavesTransactionRunning(ReferenceChargePoint):
    """Unlocks a socket without ending the transaction running on it."""

    KILLS = ids("018_1")

    def _unlock_stop(self, c: ConnectorState) -> None:
        pass


class UnlockStopReasonRemote(ReferenceChargePoint):
    """Ends a transaction stopped by UnlockConnector with reason Remote."""

    KILLS = ids("018_1", ("1.6",))

    def _unlock_stop(self, c: ConnectorState) -> None:
        if c.tx is not None:
            self._stop_transaction(c, "Remote", None)


class FixedCableUnlockEndsTransaction(ReferenceChargePoint):
    """Refuses to unlock its fixed cable but ends the transaction on it all the same."""

    KILLS = ids("018_2")

    async def on_unlock(self, request: Any, ctx: Any) -> Any:
        c = self.connectors.get(request.connector_id)
        if self.traits.fixed_cable and c is not None and c.tx is not None:
            self._after_reply(ctx, lambda: self._stop_transaction(c, "UnlockCommand", None))
        return await super().on_unlock(request, ctx)


class IgnoresLockFailure(ReferenceChargePoint):
    """Reports a connector unlocked even when its lock failed to open."""

    KILLS = ids("030")

    async def on_unlock(self, request: Any, ctx: Any) -> Any:
        c = self.connectors.get(request.connector_id)
        if c is None or not c.lock_failure:
            return await super().on_unlock(request, ctx)
        c.lock_failure = False
        try:
            return await super().on_unlock(request, ctx)
        finally:
            c.lock_failure = True


# -- meter values ---------------------------------------------------------------------------

class SampledValuesOnConnectorZero(ReferenceChargePoint):
    """Sends a transaction's sampled meter values for connector 0 (the main meter)
    instead of the transaction's connector."""

    KILLS = ids("070")

    def _meter_values_request(self, connector_id: int, transaction_id: int | None,
                              values: list[Any], context: str | None,
                              when: Any = None) -> Message:
        if context == "Sample.Periodic":
            connector_id = 0
        return super()._meter_values_request(connector_id, transaction_id, values, context,
                                             when)


class SampledValuesWithoutTransactionId(ReferenceChargePoint):
    """Leaves the transactionId out of the MeterValues it samples during a transaction."""

    KILLS = ids("070", ("1.6", "1.5"))

    def _materialize(self, item: QueuedMessage) -> Message | None:
        request = super()._materialize(item)
        if request is not None and item.op is Op.METER_VALUES:
            request.transaction_id = None  # type: ignore[attr-defined]
        return request


class IgnoresMeasurandSettings(ReferenceChargePoint):
    """Reports the energy register alone, whatever MeterValuesSampledData and
    MeterValuesAlignedData list."""

    KILLS = ids("070", ("1.6", "1.5")) + ids("071", ("1.6", "1.5"))

    def _values(self, c: ConnectorState, key: str, *, series: str) -> list[Any]:
        return [v for v in super()._values(c, key, series=series) if v[0] == ENERGY]


class ClockValuesLabelledPeriodic(ReferenceChargePoint):
    """Labels clock-aligned meter values Sample.Periodic."""

    KILLS = ids("071", ("1.6", "1.5"))

    def _meter_value(self, values: list[Any], context: str | None, when: Any = None) -> Any:
        if context == "Sample.Clock":
            context = "Sample.Periodic"
        return super()._meter_value(values, context, when)


# -- power failure ----------------------------------------------------------------------------

class BackupPowerUnused(ReferenceChargePoint):
    """Has backup power but goes down without closing its transactions; it reports them
    only once the power is back."""

    KILLS = ids("032_1")

    async def power_cut(self) -> None:
        self.power_down()


class ForgetsInterruptedTransactions(ReferenceChargePoint):
    """Never reports the transactions a power failure cut off."""

    KILLS = ids("032_2")

    def _close_interrupted(self, row: TransactionRow) -> None:
        self.store.stop_transaction(row.local_id, row.last_time, row.last_meter, None)


class PowerLossReportedAsReboot(ReferenceChargePoint):
    """Gives transactions ended by a power failure the stop reason Reboot."""

    KILLS = ids("032_1", ("1.6",)) + ids("032_2", ("1.6",))

    def _queue_stop(self, tx: Any, *, reason: str | None, **kwargs: Any) -> None:
        super()._queue_stop(tx, reason="Reboot" if reason == "PowerLoss" else reason, **kwargs)


# -- faults -----------------------------------------------------------------------------------

class FaultWithoutErrorCode(ReferenceChargePoint):
    """Reports a faulted connector with errorCode NoError."""

    KILLS = ids("041")

    def _compute_status(self, c: ConnectorState) -> tuple[str, str]:
        status, error = super()._compute_status(c)
        return (status, "NoError") if status == "Faulted" else (status, error)


class FaultNeverClears(ReferenceChargePoint):
    """Keeps a connector Faulted after its fault is gone."""

    KILLS = ids("041")

    def set_fault(self, connector_id: int, error_code: str | None,
                  info: str | None = None) -> dict[str, Any]:
        if error_code is None:
            return {"connector": connector_id, "status": self.status_of(connector_id)[0]}
        return super().set_fault(connector_id, error_code, info)
