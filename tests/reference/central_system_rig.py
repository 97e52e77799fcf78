"""Shared by the reference Central System's tests: a clock the test sets, and a small
charge-point-role Endpoint that calls the Central System and records every command.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from ocppcert.messages import Kind, Message, Op, message_class, operations
from ocppcert.reference.central_system import ReferenceCentralSystem
from ocppcert.roles import CallContext, Endpoint, handles
from ocppcert.soap import Headers
from ocppcert.versions import OcppVersion, Service

V12, V15, V16 = OcppVersion.V12, OcppVersion.V15, OcppVersion.V16
CS, CP = Service.CENTRAL_SYSTEM, Service.CHARGE_POINT
NOW = dt.datetime(2026, 3, 1, 12, 0, 0, tzinfo=dt.UTC)
_CP_OPS = sorted({op for v in OcppVersion for op in operations(v, CP)}, key=lambda o: o.value)


class FakeClock:
    """A clock the test sets; the Central System reads it for currentTime and expiry."""

    def __init__(self, now: dt.datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


class RecordingChargePoint(Endpoint):
    """Plays a charge point: calls the Central System, answers every ChargePointService
    operation with a valid response, and records each command with its headers.

    ``list_answers``: the statuses to answer SendLocalList with, in order (then
    Accepted); ``list_hash_answer``: the hash to answer with (1.5).
    """

    SERVICE = Service.CHARGE_POINT

    def __init__(self, sample: Any, identity: str = "CP-1", **kw: Any) -> None:
        super().__init__(identity=identity, **kw)
        self.sample = sample
        self.received: list[tuple[Op, Message, Headers]] = []
        self.list_answers: list[str] = []
        self.list_hash_answer: str | None = None
        self.list_version = 0

    @handles(*_CP_OPS)
    async def answer(self, request: Message, ctx: CallContext) -> Message:
        self.received.append((ctx.op, request, ctx.headers))
        if ctx.op is Op.SEND_LOCAL_LIST:
            fields: dict[str, Any] = {
                "status": self.list_answers.pop(0) if self.list_answers else "Accepted"
            }
            if ctx.version is V15 and self.list_hash_answer is not None:
                fields["hash"] = self.list_hash_answer
            return ctx.response_class().from_json(fields)
        if ctx.op is Op.GET_LOCAL_LIST_VERSION:
            return ctx.respond(list_version=self.list_version)
        return self.sample(ctx.response_class(), full=False)

    async def to_cs(self, cs_url: str, version: OcppVersion, op: Op, **fields: Any) -> Any:
        request = message_class(version, CS, op, Kind.REQUEST)(**fields)
        assert self.identity is not None
        return await self.call(cs_url, request, charge_box_identity=self.identity)

    def commands(self, op: Op) -> list[Message]:
        return [request for got, request, _ in self.received if got is op]


def request(version: OcppVersion, op: Op, **fields: Any) -> Message:
    return message_class(version, CS, op, Kind.REQUEST)(**fields)


async def boot(cp: RecordingChargePoint, cs: ReferenceCentralSystem,
               version: OcppVersion = V16) -> Any:
    return await cp.to_cs(cs.url, version, Op.BOOT_NOTIFICATION, charge_point_vendor="Acme",
                          charge_point_model="Volt-1", firmware_version="1.0.3",
                          charge_point_serial_number="SN-7")


async def start(cp: RecordingChargePoint, cs: ReferenceCentralSystem, version: OcppVersion,
                id_tag: str, connector: int = 1, meter: int = 100,
                when: dt.datetime = NOW, **extra: Any) -> Any:
    return await cp.to_cs(cs.url, version, Op.START_TRANSACTION, connector_id=connector,
                          id_tag=id_tag, timestamp=when, meter_start=meter, **extra)


@contextlib.asynccontextmanager
async def running_cs(tmp_path: Path, clock: FakeClock) -> AsyncIterator[ReferenceCentralSystem]:
    """The Central System under test: heartbeat interval 60 s, the test's clock."""
    system = ReferenceCentralSystem(db_path=tmp_path / "cs.sqlite3", heartbeat_interval=60,
                                    clock=clock, call_timeout=10)
    async with system:
        yield system


@contextlib.asynccontextmanager
async def running_cp(sample: Any) -> AsyncIterator[RecordingChargePoint]:
    async with RecordingChargePoint(sample) as point:
        yield point
