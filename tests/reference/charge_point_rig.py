"""Test double of a Central System for the reference charge point's tests (no tests here).

``FakeCentralSystem`` is a real Endpoint serving the CentralSystemService on loopback: it
answers and records every request the station sends, its answers are configurable
(boot status sequence, idTag statuses, faults to inject), and it sends ChargePointService
commands to the station. Waits are bounded and event-driven.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from ocppcert.messages import Kind, Message, Op, message_class
from ocppcert.reference.charge_point.station import ChargePointTraits, ReferenceChargePoint
from ocppcert.reference.db import connect
from ocppcert.roles.endpoint import CallContext, Endpoint, handles
from ocppcert.soap import FaultSubcode, SoapFault
from ocppcert.transport.recorder import Direction
from ocppcert.versions import OcppVersion, Service

VERSIONS = [OcppVersion.V12, OcppVersion.V15, OcppVersion.V16]
TX_MESSAGES = (Op.START_TRANSACTION, Op.STOP_TRANSACTION, Op.METER_VALUES)


@dataclass
class Received:
    op: Op
    message: Any
    time: dt.datetime
    from_address: str | None


class FakeCentralSystem(Endpoint):
    SERVICE = Service.CENTRAL_SYSTEM

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.received: list[Received] = []
        self.boot_answers: list[tuple[str, int]] = []  # (status, interval), then accept
        self.boot_interval = 60
        self.tags: dict[str, str] = {}  # idTag -> status; unknown tags: Accepted
        self.parents: dict[str, str] = {}
        self.start_status: dict[str, str] = {}  # idTag -> status in StartTransaction.conf
        self.next_transaction_id = 1000
        self.assigned: list[int] = []  # transactionIds handed out, in order
        self.faults: dict[Op, int] = {}  # fault the next N requests of this op
        self.station_url: str | None = None
        self._tick = asyncio.Event()

    # -- recording and waiting ------------------------------------------------------------
    def _note(self, op: Op, message: Any, ctx: CallContext) -> None:
        if ctx.from_address:
            self.station_url = ctx.from_address
        self.received.append(Received(op, message, dt.datetime.now(dt.UTC), ctx.from_address))
        self._tick.set()
        self._tick = asyncio.Event()
        pending = self.faults.get(op, 0)
        if pending:
            self.faults[op] = pending - 1
            raise SoapFault(FaultSubcode.INTERNAL_ERROR, f"injected failure of {op.value}")

    def of(self, *ops: Op) -> list[Any]:
        return [r.message for r in self.received if r.op in ops]

    def ops(self) -> list[Op]:
        return [r.op for r in self.received]

    async def wait(self, predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
        async with asyncio.timeout(timeout):
            while not (result := predicate()):
                await self._tick.wait()
            return result

    async def wait_op(self, op: Op, count: int = 1, timeout: float = 5.0,
                      where: Callable[[Any], bool] = lambda m: True) -> list[Any]:
        return await self.wait(
            lambda: (found if len(found := [m for m in self.of(op) if where(m)]) >= count
                     else None), timeout)

    def mark(self) -> int:
        return len(self.received)

    def since(self, mark: int, *ops: Op) -> list[Received]:
        return [r for r in self.received[mark:] if not ops or r.op in ops]

    # -- commands to the station --------------------------------------------------------
    async def command(self, station: ReferenceChargePoint, op: Op, **fields: Any) -> Any:
        cls = message_class(station.version, Service.CHARGE_POINT, op, Kind.REQUEST)
        return await self.call(station.url, cls(**fields),
                               charge_box_identity=station.identity, timeout=5.0)

    # -- CentralSystemService --------------------------------------------------------------
    def _info(self, ctx: CallContext, id_tag: str, status: str | None = None) -> Any:
        module = _module(ctx.version)
        status = status or self.tags.get(id_tag, "Accepted")
        return module.IdTagInfo(status=module.AuthorizationStatus(status),
                                parent_id_tag=self.parents.get(id_tag))

    @handles(Op.BOOT_NOTIFICATION)
    async def boot(self, request: Message, ctx: CallContext) -> Message:
        self._note(Op.BOOT_NOTIFICATION, request, ctx)
        status, interval = (self.boot_answers.pop(0) if self.boot_answers
                            else ("Accepted", self.boot_interval))
        now = dt.datetime.now(dt.UTC)
        if ctx.version is OcppVersion.V16:
            return ctx.respond(status=status, current_time=now, interval=interval)
        return ctx.respond(status=status, current_time=now, heartbeat_interval=interval)

    @handles(Op.AUTHORIZE)
    async def authorize(self, request: Any, ctx: CallContext) -> Message:
        self._note(Op.AUTHORIZE, request, ctx)
        return ctx.respond(id_tag_info=self._info(ctx, request.id_tag))

    @handles(Op.START_TRANSACTION)
    async def start_transaction(self, request: Any, ctx: CallContext) -> Message:
        self._note(Op.START_TRANSACTION, request, ctx)
        self.next_transaction_id += 1
        self.assigned.append(self.next_transaction_id)
        status = self.start_status.get(request.id_tag)
        return ctx.respond(transaction_id=self.next_transaction_id,
                           id_tag_info=self._info(ctx, request.id_tag, status))

    @handles(Op.STOP_TRANSACTION)
    async def stop_transaction(self, request: Any, ctx: CallContext) -> Message:
        self._note(Op.STOP_TRANSACTION, request, ctx)
        info = self._info(ctx, request.id_tag) if request.id_tag else None
        return ctx.respond(id_tag_info=info)

    @handles(Op.HEARTBEAT)
    async def heartbeat(self, request: Any, ctx: CallContext) -> Message:
        self._note(Op.HEARTBEAT, request, ctx)
        return ctx.respond(current_time=dt.datetime.now(dt.UTC))

    @handles(Op.METER_VALUES, Op.STATUS_NOTIFICATION, Op.FIRMWARE_STATUS_NOTIFICATION,
             Op.DIAGNOSTICS_STATUS_NOTIFICATION)
    async def notification(self, request: Any, ctx: CallContext) -> Message:
        self._note(ctx.op, request, ctx)
        return ctx.respond()

    @handles(Op.DATA_TRANSFER)
    async def data_transfer(self, request: Any, ctx: CallContext) -> Message:
        self._note(Op.DATA_TRANSFER, request, ctx)
        return ctx.respond(status="Accepted", data=request.data)


def _module(version: OcppVersion) -> Any:
    import importlib

    return importlib.import_module(
        f"ocppcert.messages.v{version.value.replace('.', '')}.central_system")


FAST = dict(time_scale=0.02, reconnect_interval=0.05, boot_retry_interval=10,
            energy_time_factor=3600.0, power_tick=0.05)


def fast_traits(**changes: Any) -> ChargePointTraits:
    config = {"HeartbeatInterval": "900", "MeterValueSampleInterval": "0"}
    config.update(changes.pop("config", {}))
    return ChargePointTraits(**{**FAST, **changes, "config": config})


class Rig:
    """A station and a Central System double on loopback, torn down together."""

    def __init__(self, tmp_path: Any) -> None:
        self.tmp_path = tmp_path
        self.cs: FakeCentralSystem | None = None
        self.stations: list[ReferenceChargePoint] = []
        self.dbs: list[Any] = []

    async def central_system(self) -> FakeCentralSystem:
        if self.cs is None:
            self.cs = FakeCentralSystem()
            await self.cs.start()
        return self.cs

    async def station(self, version: OcppVersion | str = OcppVersion.V16, *,
                      db_name: str = "cp.sqlite3", identity: str = "CP-1", start: bool = True,
                      **traits: Any) -> ReferenceChargePoint:
        cs = await self.central_system()
        db = connect(self.tmp_path / db_name)
        self.dbs.append(db)
        station = ReferenceChargePoint(central_system_url=cs.url, identity=identity,
                                       version=version, db=db, traits=fast_traits(**traits))
        self.stations.append(station)
        if start:
            await station.start()
        return station

    async def booted(self, version: OcppVersion | str = OcppVersion.V16, **traits: Any
                     ) -> tuple[ReferenceChargePoint, FakeCentralSystem]:
        """A station whose boot was accepted and whose initial statuses were delivered."""
        station = await self.station(version, **traits)
        cs = self.cs
        assert cs is not None
        n = station.traits.connectors + 1
        await cs.wait_op(Op.STATUS_NOTIFICATION, count=n)
        await station.wait_until(lambda: all(c.reported is not None
                                             for c in station.connectors.values()), timeout=5)
        return station, cs

    def invalid_messages(self) -> list[str]:
        """Every message the station sent (requests to the CS, answers to its commands)
        that failed validation: there must be none."""
        bad = []
        for station in self.stations:
            for record in station.recorder.records:
                if record.direction is Direction.OUT and record.valid is False:
                    bad.append(f"{record.operation} {record.kind}: {record.violations}")
        return bad

    async def close(self) -> None:
        for station in self.stations:
            await station.stop()
        if self.cs is not None:
            await self.cs.stop()
        for db in self.dbs:
            db.close()
        assert self.invalid_messages() == []


@pytest.fixture(name="rig")
async def rig_fixture(tmp_path):
    r = Rig(tmp_path)
    try:
        yield r
    finally:
        await r.close()


def status_values(cs: FakeCentralSystem, connector_id: int, mark: int = 0) -> list[str]:
    return [r.message.status.value for r in cs.since(mark, Op.STATUS_NOTIFICATION)
            if r.message.connector_id == connector_id]
