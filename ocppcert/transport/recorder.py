"""The wire record: every message sent or received, with its validation verdict.

It is the evidence of a certification report, and what a harness waits on: waits are
bounded and event-driven (an asyncio.Condition), never a sleep.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from ocppcert.checks import CheckLog
from ocppcert.schema.validator import MessageReport


class Direction(str, Enum):
    IN = "in"  # received by the endpoint that owns the recorder
    OUT = "out"  # sent by it

    def __str__(self) -> str:
        return self.value


@dataclass(slots=True)
class WireRecord:
    seq: int
    time: dt.datetime
    direction: Direction
    data: bytes
    peer: str | None  # the URL called, or the remote address of an inbound request
    http_status: int | None = None
    ocpp_version: str | None = None
    service: str | None = None
    operation: str | None = None
    kind: str | None = None  # request | response | fault
    message_id: str | None = None
    relates_to: str | None = None
    charge_box_identity: str | None = None
    valid: bool | None = None
    violations: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    note: str | None = None  # e.g. "refused: offline", "transport error: ..."
    content_type: str | None = None  # the HTTP Content-Type it travelled with, where known

    @classmethod
    def from_report(
        cls, seq: int, direction: Direction, data: bytes, peer: str | None,
        report: MessageReport | None, **extra: Any,
    ) -> WireRecord:
        record = cls(seq, dt.datetime.now(dt.UTC), direction, data, peer, **extra)
        if report is not None:
            headers = report.header_values or {}
            record.ocpp_version = report.ocpp_version.value if report.ocpp_version else None
            record.service = report.service.value if report.service else None
            record.operation = report.operation
            record.kind = report.kind
            record.message_id = headers.get("message_id")
            record.relates_to = headers.get("relates_to")
            record.charge_box_identity = headers.get("charge_box_identity")
            record.valid = report.valid
            record.violations = [v.as_dict() for v in report.violations]
            record.warnings = [w.as_dict() for w in report.warnings]
        return record

    def as_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "time": self.time.isoformat(),
            "direction": self.direction.value,
            "peer": self.peer,
            "http_status": self.http_status,
            "ocpp_version": self.ocpp_version,
            "service": self.service,
            "operation": self.operation,
            "kind": self.kind,
            "message_id": self.message_id,
            "relates_to": self.relates_to,
            "charge_box_identity": self.charge_box_identity,
            "valid": self.valid,
            "violations": self.violations,
            "warnings": self.warnings,
            "note": self.note,
            "content_type": self.content_type,
            "xml": self.data.decode("utf-8", "replace"),
        }


class WireRecorder:
    """Keeps the most recent ``capacity`` records (all, if None) and wakes waiters.

    ``listeners`` are called synchronously with each new record (e.g. to log a line or
    to store it in SQLite); a listener must not block. ``checks``: the checks recorded
    next to these messages (ocppcert.checks), bounded too.
    """

    def __init__(self, capacity: int | None = None) -> None:
        self._records: deque[WireRecord] = deque(maxlen=capacity)
        self._seq = itertools.count(1)
        self._condition: asyncio.Condition | None = None
        self.listeners: list[Callable[[WireRecord], None]] = []
        self.checks = CheckLog()

    def __len__(self) -> int:
        return len(self._records)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(list(self._records))

    @property
    def records(self) -> list[WireRecord]:
        return list(self._records)

    @property
    def last_seq(self) -> int:
        return self._records[-1].seq if self._records else 0

    def since(self, seq: int) -> list[WireRecord]:
        """The records after ``seq``, oldest first (scanning back from the newest)."""
        found = []
        for entry in reversed(self._records):
            if entry.seq <= seq:
                break
            found.append(entry)
        return found[::-1]

    def record(
        self, direction: Direction, data: bytes, peer: str | None,
        report: MessageReport | None, **extra: Any,
    ) -> WireRecord:
        entry = WireRecord.from_report(next(self._seq), direction, data, peer, report, **extra)
        self._records.append(entry)
        for listener in self.listeners:
            listener(entry)
        self._notify()
        return entry

    def _notify(self) -> None:
        condition = self._condition
        if condition is None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        loop.create_task(self._wake(condition))

    @staticmethod
    async def _wake(condition: asyncio.Condition) -> None:
        async with condition:
            condition.notify_all()

    async def wait_for(
        self,
        predicate: Callable[[WireRecord], bool],
        *,
        timeout: float,
        after: int = 0,
    ) -> WireRecord:
        """The first record with ``seq > after`` that satisfies ``predicate``.

        Raises TimeoutError after ``timeout`` seconds.
        """
        if self._condition is None:
            self._condition = asyncio.Condition()
        condition = self._condition

        def find() -> WireRecord | None:
            for entry in self._records:
                if entry.seq > after and predicate(entry):
                    return entry
            return None

        async with asyncio.timeout(timeout):
            async with condition:
                while (found := find()) is None:
                    await condition.wait()
                return found


def log_line(record: WireRecord) -> str:
    """One line per message for the servers' logs."""
    arrow = "<-" if record.direction is Direction.IN else "->"
    what = " ".join(p for p in (record.ocpp_version, record.operation, record.kind) if p)
    verdict = "" if record.valid in (None, True) else f"  INVALID: {record.violations[0]['reason']}"
    status = f" HTTP {record.http_status}" if record.http_status else ""
    who = f" [{record.charge_box_identity}]" if record.charge_box_identity else ""
    note = f"  ({record.note})" if record.note else ""
    return (f"{record.time:%H:%M:%S.%f}"[:-3] + f" {arrow} {record.peer or '-'}{who} "
            f"{what or 'unidentified'}{status}{verdict}{note}")
