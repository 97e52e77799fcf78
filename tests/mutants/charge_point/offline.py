"""Mutants of the reference charge point: offline behaviour and the transaction queue."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from ocppcert.messages import Kind, Op, message_class
from ocppcert.reference.charge_point.queue import QueuedMessage, TransactionQueue
from ocppcert.reference.charge_point.station import (
    AuthResult,
    IdInfo,
    ReferenceChargePoint,
    Unreachable,
)
from ocppcert.versions import Service
from tests.mutants.charge_point import ids, own_ids

TRANSACTION_OPS = (Op.START_TRANSACTION, Op.STOP_TRANSACTION, Op.METER_VALUES)


class _ReorderedQueue(TransactionQueue):
    """The persistent queue, handing out its head by ``first`` instead of first-in."""

    @staticmethod
    def first(items: list[QueuedMessage]) -> QueuedMessage:
        return items[0]

    def head(self) -> QueuedMessage | None:
        items = self.items()
        return self.first(items) if items else None


def _reordered(key: Callable[[QueuedMessage], Any]) -> type[_ReorderedQueue]:
    return type("Queue", (_ReorderedQueue,),
                {"first": staticmethod(lambda items: min(items, key=key))})


class _WithQueue(ReferenceChargePoint):
    QUEUE: type[TransactionQueue] = TransactionQueue

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.queue = self.QUEUE(self.db)


class ForgetsUndeliveredTransactionMessages(ReferenceChargePoint):
    """Discards a transaction message it cannot deliver for want of a connection."""

    KILLS = ids("036", ("1.6",)) + ids("037_1") + ids("038") + ids("039")

    async def send(self, request: Any, *, before_accept: bool = False) -> Any:
        try:
            return await super().send(request, before_accept=before_accept)
        except Unreachable:
            head = self.queue.head()
            if request.OP in TRANSACTION_OPS and head is not None and head.op is request.OP:
                self.queue.remove(head.seq)
            raise


class StampsDeliveryTime(ReferenceChargePoint):
    """Stamps each queued message with the time it is delivered, not the time it arose."""

    KILLS = (ids("036", ("1.6",)) + own_ids("OFFLINE_001_CS") + own_ids("OFFLINE_002_CS", ("1.6",))
             + own_ids("OFFLINE_006_CS"))

    def _materialize(self, item: QueuedMessage) -> Any:
        request = super()._materialize(item)
        if request is None:
            return None
        stamp = self.clock.now()
        if item.op is Op.METER_VALUES:
            for value in getattr(request, "meter_value", None) or request.values:
                value.timestamp = stamp
        else:
            request.timestamp = stamp
        return request


class DeliversNewestFirst(_WithQueue):
    """Delivers its queue newest message first."""

    KILLS = ids("036", ("1.6",)) + own_ids("OFFLINE_001_CS")
    QUEUE = _reordered(lambda m: -m.seq)


class FlushesOneTransactionAtATime(_WithQueue):
    """Delivers all queued messages of one transaction before those of the next."""

    KILLS = own_ids("OFFLINE_001_CS")
    QUEUE = _reordered(lambda m: (m.tx_local or 0, m.seq))


class MeterValuesQueuedLast(_WithQueue):
    """Delivers queued MeterValues only after every queued Start- and StopTransaction."""

    KILLS = own_ids("OFFLINE_002_CS", ("1.6",))
    QUEUE = _reordered(lambda m: (m.op is Op.METER_VALUES, m.seq))


class StartTransactionsJumpTheQueue(_WithQueue):
    """Delivers a queued StartTransaction ahead of older queued messages."""

    KILLS = own_ids("OFFLINE_003_CS")
    QUEUE = _reordered(lambda m: (m.op is not Op.START_TRANSACTION, m.seq))


class DropsMeterValuesWhileOffline(ReferenceChargePoint):
    """Treats periodic MeterValues as disposable: none is kept while the Central System is
    unreachable."""

    KILLS = ids("036", ("1.6",)) + own_ids("OFFLINE_002_CS", ("1.6",))

    def _queue_meter_values(self, c: Any, values: list[Any], context: str,
                            when: dt.datetime | None = None) -> None:
        if self.reachable:
            super()._queue_meter_values(c, values, context, when)


class RefusesOfflineStart(ReferenceChargePoint):
    """Refuses every idTag while the Central System is unreachable, whatever its local list,
    cache or AllowOfflineTxForUnknownId say."""

    KILLS = ids("037_1") + ids("037_2", ("1.6",)) + ids("037_3", ("1.6",)) + ids("039")

    async def authorize(self, id_tag: str) -> AuthResult:
        result = await super().authorize(id_tag)
        if result.source != "cs":
            return AuthResult(False, result.info, result.source)
        return result


class IgnoresStartTransactionStatus(ReferenceChargePoint):
    """Goes on charging whatever idTagInfo status the StartTransaction.conf carries."""

    KILLS = ids("037_2", ("1.6",)) + ids("037_3", ("1.6",))

    def _start_confirmed(self, tx_local: int | None, transaction_id: int, info: IdInfo) -> None:
        super()._start_confirmed(tx_local, transaction_id, IdInfo("Accepted"))


class AlwaysStopsInvalidTransactions(ReferenceChargePoint):
    """Stops a transaction whose StartTransaction.conf is not Accepted even with
    StopTransactionOnInvalidId=false."""

    KILLS = ids("037_2", ("1.6",))

    def _start_confirmed(self, tx_local: int | None, transaction_id: int, info: IdInfo) -> None:
        super()._start_confirmed(tx_local, transaction_id, info)
        if info.status == "Accepted":
            return
        for c in self.connectors.values():
            if c.tx is not None and c.tx.local_id == tx_local:
                self._stop_transaction(c, "DeAuthorized", None)


class _SnapshotQueue(TransactionQueue):
    """Fills in the transactionId when a message is queued: -1 if it is not known yet."""

    station: ReferenceChargePoint | None = None

    def push(self, op: Op, payload: dict[str, Any], *, tx_local: int | None = None) -> int:
        station = self.station
        if station is not None and op is not Op.START_TRANSACTION and tx_local is not None:
            cls = message_class(station.version, Service.CENTRAL_SYSTEM, op, Kind.REQUEST)
            if any(info.xml_name == "transactionId" for _, info in cls.wire_fields()):
                known = station.store.transaction_id(tx_local)
                payload = {**payload, "transactionId": known if known is not None else -1}
        return super().push(op, payload, tx_local=tx_local)


class SendsPlaceholderTransactionId(ReferenceChargePoint):
    """Sends -1 as the transactionId of messages queued before its StartTransaction was
    answered."""

    KILLS = own_ids("OFFLINE_004_CS") + ids("039")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        queue = _SnapshotQueue(self.db)
        queue.station = self
        self.queue = queue

    def _materialize(self, item: QueuedMessage) -> Any:
        if "transactionId" in item.payload:
            cls = message_class(self.version, Service.CENTRAL_SYSTEM, item.op, Kind.REQUEST)
            return cls.from_json(item.payload)
        return super()._materialize(item)


class RetriesTransactionMessagesForever(ReferenceChargePoint):
    """Ignores TransactionMessageAttempts: retries a message the Central System cannot
    process without end."""

    KILLS = own_ids("OFFLINE_005_CS", ("1.6",))

    def _attempts(self) -> tuple[int, int]:
        return 1_000_000, super()._attempts()[1]


class NeverRetriesTransactionMessages(ReferenceChargePoint):
    """Skips a transaction message after the first fault, ignoring TransactionMessageAttempts."""

    KILLS = own_ids("OFFLINE_005_CS", ("1.6",))

    def _attempts(self) -> tuple[int, int]:
        return 1, super()._attempts()[1]


class RetriesTransactionMessagesAtOnce(ReferenceChargePoint):
    """Retries a faulted transaction message at once, ignoring TransactionMessageRetryInterval."""

    KILLS = own_ids("OFFLINE_005_CS", ("1.6",))

    def _attempts(self) -> tuple[int, int]:
        return super()._attempts()[0], 0


class LosesQueueOnReboot(ReferenceChargePoint):
    """Keeps its transaction queue in memory only: a reboot loses what was not delivered."""

    KILLS = own_ids("OFFLINE_006_CS")

    def power_up(self) -> None:
        if not self.powered:
            for item in self.queue.items():
                self.queue.remove(item.seq)
        super().power_up()
