"""Mutants of the reference Central System: offline delivery and concurrency."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ocppcert.reference.central_system import ReferenceCentralSystem
from ocppcert.reference.central_system.store import parse_stored_time
from ocppcert.soap.faults import FaultSubcode, SoapFault
from tests.mutants.central_system import ids, own_ids


class FaultsUnknownStop(ReferenceCentralSystem):
    """Answers a StopTransaction for a transaction it does not know with a SOAP fault."""

    KILLS = own_ids("OFFLINE_001_CSMS")

    async def stop_transaction(self, request: Any, ctx: Any) -> Any:
        if self.store.transaction_row(request.transaction_id) is None:
            raise SoapFault(FaultSubcode.PROTOCOL_ERROR, "unknown transaction")
        return await super().stop_transaction(request, ctx)


class DuplicatesResentStart(ReferenceCentralSystem):
    """Opens a new transaction for every StartTransaction, resends included."""

    KILLS = own_ids("OFFLINE_002_CSMS")

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.store.find_start = lambda *args, **kwargs: None


class TransactionIdPerChargePoint(ReferenceCentralSystem):
    """Numbers transactions per charge point, so two charge points get the same ids."""

    KILLS = own_ids("CONCURRENCY_001_CSMS")

    async def start_transaction(self, request: Any, ctx: Any) -> Any:
        answer = await super().start_transaction(request, ctx)
        answer.transaction_id = request.connector_id
        return answer


class StaleStartsInvalid(ReferenceCentralSystem):
    """Answers Invalid to a StartTransaction whose timestamp is more than an hour old."""

    KILLS = own_ids("OFFLINE_003_CSMS")

    async def start_transaction(self, request: Any, ctx: Any) -> Any:
        answer = await super().start_transaction(request, ctx)
        if self.now() - request.timestamp > dt.timedelta(hours=1):
            answer.id_tag_info.status = type(answer.id_tag_info.status)("Invalid")
        return answer


_SKEW = dt.timedelta(minutes=5)
_LATE = dt.timedelta(minutes=1)
_STALE = dt.timedelta(hours=1)


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _status(info: Any) -> str:
    status = info.status
    return str(getattr(status, "value", status))


class _AnswersStopWithoutApplying(ReferenceCentralSystem):
    """Base of the mutants below that answer some StopTransactions but keep the
    transaction ongoing (not itself a mutant: no KILLS)."""

    def _ignored_stop(self, request: Any, ctx: Any) -> Any:
        self._admit_charge_point(ctx)
        if not request.id_tag:
            return self._answer(ctx, {})
        return self._answer(ctx, {"idTagInfo": self.authorization(request.id_tag,
                                                                  concurrency=False)})


class ClockSkewGuard(ReferenceCentralSystem):
    """Answers Invalid to a StartTransaction whose timestamp is over five minutes off its
    own clock, taking it for a charge point with a wrong clock."""

    KILLS = ids("037_1")

    async def start_transaction(self, request: Any, ctx: Any) -> Any:
        answer = await super().start_transaction(request, ctx)
        if abs(self.now() - _aware(request.timestamp)) > _SKEW:
            return self._answer(ctx, {"transactionId": answer.transaction_id,
                                      "idTagInfo": {"status": "Invalid"}})
        return answer


class TrustsOfflineStarts(ReferenceCentralSystem):
    """Answers Accepted to any StartTransaction stamped over a minute ago, trusting the
    charge point's offline authorisation instead of checking the idTag."""

    KILLS = ids("037_3")

    async def start_transaction(self, request: Any, ctx: Any) -> Any:
        answer = await super().start_transaction(request, ctx)
        if self.now() - _aware(request.timestamp) > _LATE:
            return self._answer(ctx, {"transactionId": answer.transaction_id,
                                      "idTagInfo": {"status": "Accepted"}})
        return answer


class StopBeforeStartArrival(_AnswersStopWithoutApplying):
    """Checks a stop's timestamp against the moment the StartTransaction arrived, not its
    timestamp: a queued stop stamped earlier is answered but not applied."""

    KILLS = ids("039")

    async def stop_transaction(self, request: Any, ctx: Any) -> Any:
        tx = self.store.transaction_row(request.transaction_id)
        if tx is not None and tx["ongoing"]:
            arrived = parse_stored_time(tx["start_received"])
            if arrived is not None and _aware(request.timestamp) < arrived:
                return self._ignored_stop(request, ctx)
        return await super().stop_transaction(request, ctx)


class StopNeedsMeterValues(_AnswersStopWithoutApplying):
    """Takes a transaction it has no MeterValues for as one still starting: its
    StopTransaction is answered but not applied."""

    KILLS = own_ids("OFFLINE_004_CSMS")

    async def stop_transaction(self, request: Any, ctx: Any) -> Any:
        tx = self.store.transaction_row(request.transaction_id)
        if tx is not None and tx["ongoing"]:
            metered = [v for v in self.store.meter_values(transaction_id=tx["id"])
                       if v["source"] == "MeterValues"]
            if not metered:
                return self._ignored_stop(request, ctx)
        return await super().stop_transaction(request, ctx)


class RefusesStaleReadings(ReferenceCentralSystem):
    """Answers MeterValues carrying a reading over an hour old with a SOAP fault."""

    KILLS = own_ids("OFFLINE_005_CSMS")

    async def meter_values(self, request: Any, ctx: Any) -> Any:
        readings = getattr(request, "meter_value", None)
        if readings is None:
            readings = request.values
        if any(self.now() - _aware(r.timestamp) > _STALE for r in readings):
            raise SoapFault(FaultSubcode.PROTOCOL_ERROR, "meter values too old")
        return await super().meter_values(request, ctx)


class RefusesValuesAfterStop(ReferenceCentralSystem):
    """Answers MeterValues it cannot link to an ongoing transaction with a SOAP fault."""

    KILLS = own_ids("OFFLINE_006_CSMS")

    async def meter_values(self, request: Any, ctx: Any) -> Any:
        transaction_id = getattr(request, "transaction_id", None)
        if transaction_id is not None:
            tx = self.store.transaction_row(transaction_id)
            linked = tx is not None and tx["ongoing"]
        else:
            linked = bool(self.store.ongoing_on_connector(ctx.charge_box_identity,
                                                          request.connector_id))
        if not linked:
            raise SoapFault(FaultSubcode.PROTOCOL_ERROR, "no ongoing transaction")
        return await super().meter_values(request, ctx)


class ConcurrencyPerChargePoint(ReferenceCentralSystem):
    """Looks for the idTag's other transactions only at the asking charge point, so a tag
    charging elsewhere is Accepted, not ConcurrentTx."""

    KILLS = own_ids("CONCURRENCY_002_CSMS")

    def _busy_here(self, id_tag: str, identity: str, connector: int | None = None) -> bool:
        return any(t["identity"] == identity and t["connector_id"] != connector
                   for t in self.store.ongoing_for_tag(id_tag))

    async def authorize(self, request: Any, ctx: Any) -> Any:
        answer = await super().authorize(request, ctx)
        if (_status(answer.id_tag_info) == "ConcurrentTx"
                and not self._busy_here(request.id_tag, ctx.charge_box_identity)):
            info = self.authorization(request.id_tag, concurrency=False)
            return self._answer(ctx, {"idTagInfo": info})
        return answer

    async def start_transaction(self, request: Any, ctx: Any) -> Any:
        busy = self._busy_here(request.id_tag, ctx.charge_box_identity, request.connector_id)
        answer = await super().start_transaction(request, ctx)
        if _status(answer.id_tag_info) == "ConcurrentTx" and not busy:
            info = self.authorization(request.id_tag, concurrency=False)
            return self._answer(ctx, {"transactionId": answer.transaction_id,
                                      "idTagInfo": info})
        return answer
