"""The reference charge point: one station speaking one OCPP version (1.2, 1.5 or 1.6).

It serves its ChargePointService (the Central System's commands) through the shared
:class:`~ocppcert.roles.endpoint.Endpoint` and calls the Central System with wsa:From =
its own URL. Its behaviour follows the specification of its version; the sections are
cited where each rule is implemented. The physical side (idTags presented, cables,
faults, power, network) is driven through methods that the control API exposes.

Life cycle (a "power cycle"): :meth:`power_up` loads the durable state from SQLite and
boots; :meth:`power_down` drops everything held in memory and cancels every timer.
Reset, reboot, firmware installation and power cuts are built from these two.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import importlib
import logging
import sqlite3
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from typing import Any

from ocppcert.messages import Kind, Message, MessageDecodeError, Op, message_class
from ocppcert.reference.charge_point.auth import LocalAuthorization
from ocppcert.reference.charge_point.clock import Clock
from ocppcert.reference.charge_point.config import (
    FEATURE_PROFILES,
    ConfigTraits,
    Configuration,
)
from ocppcert.reference.charge_point.meter import Electrical, Meter, meter_value, readings
from ocppcert.reference.charge_point.queue import QueuedMessage, TransactionQueue
from ocppcert.reference.charge_point.smart_charging import ChargingProfiles
from ocppcert.reference.charge_point.store import Reservation, StationStore, TransactionRow
from ocppcert.reference.charge_point.transfer import (
    TransferError,
    download,
    firmware_version,
    upload,
)
from ocppcert.reference.db import atomic
from ocppcert.roles.endpoint import CallContext, Endpoint, ProtocolViolation, RemoteFault, handles
from ocppcert.soap import FaultSubcode, SoapFault
from ocppcert.transport.http import TransportError
from ocppcert.transport.recorder import Direction, WireRecorder, log_line
from ocppcert.versions import OcppVersion, Service

log = logging.getLogger(__name__)

V12, V15, V16 = OcppVersion.V12, OcppVersion.V15, OcppVersion.V16
CS = Service.CENTRAL_SYSTEM


@dataclass(frozen=True)
class ChargePointTraits:
    """What kind of station this is: hardware, identity, supported features, timings.

    ``time_scale`` multiplies every protocol-defined duration (HeartbeatInterval,
    MeterValueSampleInterval, ConnectionTimeOut, retry intervals...) into real seconds, so
    a test can keep spec-valid integer keys and still run fast (0.1 → "1 s" takes 0.1 s).
    Absolute times (reservation expiry, retrieveDate) are never scaled.
    """

    connectors: int = 2
    vendor: str = "ocppcert"
    model: str = "ReferenceCP"
    serial_number: str | None = "OCPPCERT-0001"
    charge_box_serial_number: str | None = None
    firmware_version: str = "1.0.0"
    meter_type: str | None = "ocppcert-sim"
    meter_serial_number: str | None = None
    iccid: str | None = None
    imsi: str | None = None
    fixed_cable: bool = False
    backup_power: bool = False
    feature_profiles: tuple[str, ...] = FEATURE_PROFILES
    authorization_cache: bool = True
    unknown_offline_authorization: bool = True
    reserve_connector_zero: bool = True
    max_current_a: float = 16.0
    voltage: int = 230
    phases: int = 3
    energy_time_factor: float = 1.0
    time_scale: float = 1.0
    reconnect_interval: float = 5.0  # real seconds between tries while the CS is unreachable
    boot_retry_interval: int = 60  # protocol seconds, when the CS names no interval
    power_tick: float = 1.0  # real seconds between smart-charging limit re-evaluations
    call_timeout: float = 30.0  # real seconds (1.6: MessageTimeout overrides)
    # Versions without the keys: 1.2/1.5 have no TransactionMessageAttempts/RetryInterval,
    # StopTransactionOnInvalidId or AuthorizeRemoteTxRequests.
    transaction_message_attempts: int = 3
    transaction_message_retry_interval: int = 60
    stop_on_invalid_id: bool = True
    authorize_remote_start: bool = False
    data_transfer_vendor: str = "ocppcert"
    list_max_length: int = 1000
    send_list_max_length: int = 100
    max_stack_level: int = 10
    max_periods: int = 24
    max_profiles: int = 20
    config: dict[str, str] = field(default_factory=dict)  # initial key values (canonical)

    def config_traits(self) -> ConfigTraits:
        return ConfigTraits(
            connectors=self.connectors, feature_profiles=self.feature_profiles,
            authorization_cache=self.authorization_cache,
            unknown_offline_authorization=self.unknown_offline_authorization,
            reserve_connector_zero=self.reserve_connector_zero, fixed_cable=self.fixed_cable,
            local_list_max_length=self.list_max_length,
            send_local_list_max_length=self.send_list_max_length,
            max_stack_level=self.max_stack_level, max_periods=self.max_periods,
            max_profiles=self.max_profiles, defaults=dict(self.config),
        )


class BootState(str, Enum):
    OFF = "Off"  # powered down
    BOOTING = "Booting"  # BootNotification not answered yet
    PENDING = "Pending"
    REJECTED = "Rejected"
    ACCEPTED = "Accepted"

    def __str__(self) -> str:
        return self.value


class Unreachable(Exception):
    """The request was not delivered: offline, not booted, or no (usable) reply."""


class DeliveryFailed(Exception):
    """The Central System got the request but did not process it (a fault, a bad reply)."""


@dataclass(frozen=True, slots=True)
class IdInfo:
    """Version-neutral idTagInfo, shaped like ``auth.IdTagInfo``."""

    status: str
    expiry_date: dt.datetime | None = None
    parent_id_tag: str | None = None


@dataclass(slots=True)
class AuthResult:
    accepted: bool
    info: Any  # auth.IdTagInfo | IdInfo | None
    source: str  # "cs" | "list" | "cache" | "unknown-offline" | "none"

    @property
    def parent_id_tag(self) -> str | None:
        return getattr(self.info, "parent_id_tag", None)


@dataclass(slots=True)
class Pending:
    """An authorisation waiting for its cable (ConnectionTimeOut runs meanwhile)."""

    id_tag: str
    parent_id_tag: str | None
    reservation_id: int | None = None
    remote: bool = False
    profile: Any = None  # 1.6 ChargingProfile from RemoteStartTransaction
    timer: asyncio.Task[None] | None = None


@dataclass(slots=True)
class Txn:
    local_id: int
    connector_id: int
    id_tag: str
    parent_id_tag: str | None
    start_time: dt.datetime
    meter_start: int
    reservation_id: int | None = None
    transaction_id: int | None = None
    stop_samples: list[Any] = field(default_factory=list)
    deauthorized: bool = False
    energy_cap: int | None = None  # MaxEnergyOnInvalidId reached at this register
    profile: Any = None
    sampler: asyncio.Task[None] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"local_id": self.local_id, "transaction_id": self.transaction_id,
                "connector_id": self.connector_id, "id_tag": self.id_tag,
                "parent_id_tag": self.parent_id_tag, "start_time": self.start_time.isoformat(),
                "meter_start": self.meter_start, "reservation_id": self.reservation_id,
                "deauthorized": self.deauthorized}


@dataclass(slots=True)
class ConnectorState:
    id: int
    operative: bool = True
    plugged: bool = False  # cable in the station's socket (or, fixed cable: in the EV)
    ev_connected: bool = False  # cable in the EV
    ev_suspended: bool = False
    evse_suspended: bool = False
    fault: str | None = None
    fault_info: str | None = None
    lock_failure: bool = False
    locked: bool = False  # the station-side cable lock is closed (never with a fixed cable)
    lock_owner: str | None = None  # idTag that may open a lock left closed (1.6 §4.10)
    finishing: bool = False
    pending: Pending | None = None
    tx: Txn | None = None
    meter: Meter = field(default_factory=Meter)
    status: tuple[str, str] | None = None  # (status, errorCode) last computed
    reported: tuple[str, str] | None = None  # last delivered to the Central System


def _convert_info(message_info: Any) -> IdInfo:
    return IdInfo(status=getattr(message_info.status, "value", str(message_info.status)),
                  expiry_date=message_info.expiry_date,
                  parent_id_tag=message_info.parent_id_tag)


def _same_tag(a: str | None, b: str | None) -> bool:
    """IdToken is a CiString in 1.6 (case-insensitive); compare the same way everywhere."""
    return a is not None and b is not None and a.casefold() == b.casefold()


class ReferenceChargePoint(Endpoint):
    """The reference charge point. See the module docstring and docs/control-charge-point.md.

    ``auth`` (a ``LocalAuthorization``) and ``charging`` (a ``ChargingProfiles``) are
    created from ``db`` unless given (a test or a mutant may pass its own).
    """

    SERVICE = Service.CHARGE_POINT

    def __init__(
        self,
        *,
        central_system_url: str,
        identity: str = "CP-0001",
        version: OcppVersion | str = OcppVersion.V16,
        db: sqlite3.Connection,
        traits: ChargePointTraits | None = None,
        clock: Clock | None = None,
        auth: Any = None,
        charging: Any = None,
        host: str = "127.0.0.1",
        port: int = 0,
        advertise: str | None = None,
        recorder: WireRecorder | None = None,
    ) -> None:
        self.version = OcppVersion(version)
        self.traits = traits or ChargePointTraits()
        super().__init__(versions=(self.version,), identity=identity, host=host, port=port,
                         advertise=advertise, recorder=recorder,
                         call_timeout=self.traits.call_timeout)
        self.central_system_url = central_system_url
        self.db = db
        self.clock = clock or Clock()
        self.types = importlib.import_module(
            f"ocppcert.messages.v{self.version.value.replace('.', '')}.central_system")
        self.cp_types = importlib.import_module(
            f"ocppcert.messages.v{self.version.value.replace('.', '')}.charge_point")
        self.config = Configuration(db, self.version, self.traits.config_traits(),
                                    identity=identity)
        self.config.listeners.append(self._config_changed)
        self.store = StationStore(db, self.traits.connectors)
        self.queue = TransactionQueue(db)
        if auth is None:
            auth = LocalAuthorization(
                db, self.version, list_max_length=self.traits.list_max_length,
                send_list_max_length=self.traits.send_list_max_length,
                list_supported=self.supports("LocalAuthListManagement"),
                cache_supported=self.version is not V16 or self.traits.authorization_cache)
        self.auth = auth
        if charging is None and self.version is V16 and self.supports("SmartCharging"):
            units = tuple(self.config.get_list("ChargingScheduleAllowedChargingRateUnit"))
            charging = ChargingProfiles(
                db, connectors=self.traits.connectors, max_stack_level=self.traits.max_stack_level,
                max_periods=self.traits.max_periods, allowed_units=units or ("Current", "Power"),
                max_installed=self.traits.max_profiles, voltage=self.traits.voltage,
                phases=self.traits.phases, max_current=Decimal(str(self.traits.max_current_a)))
        self.charging = charging
        self._apply_auth_switches()
        self.electrical = Electrical(voltage=self.traits.voltage, phases=self.traits.phases)
        # runtime state (rebuilt by power_up)
        self.powered = False
        self.link_up = True  # the network switch of the control API
        self.reachable = True  # last outcome of talking to the Central System
        self.boot_state = BootState.OFF
        self.boot_attempts = 0
        self.cp_operative = True
        self.cp_fault: str | None = None
        self.cp_fault_info: str | None = None
        self.connectors: dict[int, ConnectorState] = {}
        self.reservations: dict[int, Reservation] = {}
        self.firmware_status = "Idle"
        self.diagnostics_status = "Idle"
        self.last_exchange = 0.0
        self.dropped: list[dict[str, Any]] = []  # queued messages given up on (1.6 §3.7.1)
        self._powered_tasks: set[asyncio.Task[Any]] = set()
        self._dying: list[asyncio.Task[Any]] = []  # cancelled at power-down, not yet unwound
        self._system_tasks: set[asyncio.Task[Any]] = set()
        self._tick = asyncio.Event()
        self._queue_wake = asyncio.Event()
        self._heartbeat_wake = asyncio.Event()
        self._aligned_wake = asyncio.Event()
        self._link_wake = asyncio.Event()
        self._sampling_wake = asyncio.Event()
        self._status_queue: asyncio.Queue[dict[str, Any]] | None = None
        self._reservation_timers: dict[int, asyncio.Task[None]] = {}
        self.clock.on_change(self._aligned_wake.set)  # re-aim clock-aligned sampling
        self._boot_task: asyncio.Task[Any] | None = None
        self._zero_status: tuple[str, str] | None = None
        self._zero_reported: tuple[str, str] | None = None

    # =====================================================================================
    # life cycle
    # =====================================================================================
    async def start(self, *, power: bool = True) -> str:
        """Open the SOAP endpoint and (unless ``power`` is False) switch on and boot."""
        url = await super().start()
        if power:
            self.power_up()
        return url

    async def stop(self) -> None:
        self.power_down()
        for task in list(self._system_tasks):
            task.cancel()
        await asyncio.gather(*self._system_tasks, return_exceptions=True)
        await super().stop()

    def supports(self, profile: str) -> bool:
        """1.6 feature profiles (§3.3); 1.2/1.5 have none, so everything they define is in,
        except that a 1.5 station may be built without a local list (1.5 §5.8: it answers
        GetLocalListVersion -1 and SendLocalList NotSupported)."""
        if self.version is V15 and profile == "LocalAuthListManagement":
            return profile in self.traits.feature_profiles
        return self.version is not V16 or profile in self.traits.feature_profiles

    @property
    def firmware(self) -> str:
        return self.store.get_state("firmware_version") or self.traits.firmware_version

    def power_up(self) -> None:
        """Switch on: rebuild the station from SQLite and boot (OCPP 1.6 §4.2)."""
        if self.powered:
            return
        self.powered = True
        self.boot_state = BootState.BOOTING
        self.boot_attempts = 0
        self.reachable = True
        self.firmware_status = "Idle"
        self.diagnostics_status = "Idle"
        self.server.open = self.link_up
        self._status_queue = asyncio.Queue()
        rows = self.store.connector_rows()
        self.cp_operative = bool(rows[0]["operative"]) if 0 in rows else True
        self.cp_fault = self.cp_fault_info = None
        self.connectors = {}
        for connector_id in range(1, self.traits.connectors + 1):
            row = rows.get(connector_id)
            c = ConnectorState(connector_id)
            if row is not None:
                c.operative = bool(row["operative"])
                c.plugged = c.ev_connected = bool(row["plugged"])
                c.meter = Meter(wh=float(row["meter_wh"]),
                                time_factor=self.traits.energy_time_factor)
            else:
                c.meter = Meter(time_factor=self.traits.energy_time_factor)
            self.connectors[connector_id] = c
        # A transaction still "running" in SQLite was cut off by a power loss (or a kill
        # -9): 1.6 §4.10 / §5.14 — report it stopped, reason PowerLoss, with the last
        # known meter reading, once the Central System has accepted the boot (the queue
        # only flows after that).
        for row in self.store.running_transactions():
            self._close_interrupted(row)
            if row.connector_id in self.connectors:
                c = self.connectors[row.connector_id]
                c.finishing = c.plugged
        self.reservations = {}
        now = self.clock.now()
        for r in self.store.reservations():
            if r.expiry <= now:
                self.store.delete_reservation(r.reservation_id)
            else:
                self.reservations[r.reservation_id] = r
                self._arm_reservation(r)
        for c in self.connectors.values():
            c.status = self._compute_status(c)
        self._zero_status, self._zero_reported = self._status_of_zero(), None
        self._boot_task = self._spawn(self._boot_loop(), name="boot")
        self._spawn(self._status_sender(), name="status")
        self._spawn(self._queue_loop(), name="queue")
        self._spawn(self._heartbeat_loop(), name="heartbeat")
        self._spawn(self._aligned_loop(), name="aligned")
        self._spawn(self._power_loop(), name="power")
        self._notify()

    def power_down(self) -> None:
        """Switch off: cancel every timer and task, forget everything not in SQLite."""
        if not self.powered:
            return
        for c in self.connectors.values():
            self.store.set_meter(c.id, c.meter.advance())
            if c.tx is not None:
                self.store.transaction_progress(c.tx.local_id, c.meter.register(),
                                                self.clock.now())
        self.powered = False
        self.server.open = False
        self.boot_state = BootState.OFF
        for task in list(self._powered_tasks):
            task.cancel()
        self._dying = list(self._powered_tasks)
        self._powered_tasks.clear()
        self._reservation_timers.clear()
        self._status_queue = None
        self._notify()

    def _close_interrupted(self, row: TransactionRow) -> None:
        reason = "PowerLoss" if self.version is V16 else None
        tx = Txn(row.local_id, row.connector_id, row.id_tag, row.parent_id_tag, row.start_time,
                 row.meter_start, row.reservation_id, row.transaction_id)
        self._queue_stop(tx, meter_stop=row.last_meter, when=row.last_time, reason=reason,
                         id_tag=None)
        if row.transaction_id is not None and self.charging is not None:
            self.charging.transaction_ended(row.transaction_id)

    async def power_cut(self) -> None:
        """Lose power. With backup power the station first closes its transactions
        (1.6 §4.10 reason PowerLoss) and, still on backup power, delivers their
        StopTransactions before it goes down (OCTT TC_032_1); without, it just dies
        (TC_032_2)."""
        if not self.powered:
            return
        if self.traits.backup_power:
            await self._close_before_going_down("PowerLoss")
        self.power_down()

    async def _close_before_going_down(self, reason: str) -> None:
        """Stop every running transaction with ``reason``, then give the queue a bounded
        chance (MessageTimeout) to deliver the StopTransactions, and the statuses that
        follow, before the station goes down (soft reset, backup power)."""
        closing = {c.tx.local_id for c in self.connectors.values() if c.tx is not None}
        for c in self.connectors.values():
            if c.tx is not None:
                self._stop_transaction(c, reason, None)
        if not closing:
            return

        def delivered() -> bool:
            if not self.can_send() or not self.reachable:
                return True  # nobody to tell now: the queue keeps them for after the boot
            return (not any(item.tx_local in closing for item in self.queue.items())
                    and all(c.reported == c.status for c in self.connectors.values()))

        try:
            await self.wait_until(delivered, timeout=self._message_timeout())
        except TimeoutError:
            log.info("going down with transaction messages still queued")

    async def reboot(self, reason: str | None = "Reboot") -> None:
        """Restart: close running transactions with ``reason`` (if powered), then boot again."""
        if self.powered:
            for c in self.connectors.values():
                if c.tx is not None:
                    self._stop_transaction(c, reason, None)
            self.power_down()
        # the cancelled tasks unwind before the new generation starts
        current = asyncio.current_task()
        dying, self._dying = [t for t in self._dying if t is not current], []
        await asyncio.gather(*dying, return_exceptions=True)
        self.power_up()

    def go_offline(self) -> None:
        """Lose the network: the SOAP endpoint refuses (503) and nothing is sent."""
        self.link_up = False
        self.server.open = False
        self._notify()

    def go_online(self) -> None:
        self.link_up = True
        self.server.open = self.powered
        self._link_wake.set()
        self._queue_wake.set()
        if self.powered and self.boot_state is BootState.ACCEPTED:
            self._reconcile_statuses()
        self._notify()

    # =====================================================================================
    # tasks, waiting, notification
    # =====================================================================================
    def _spawn(self, coro: Coroutine[Any, Any, Any], *, powered: bool = True,
               name: str | None = None) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(self._guard(coro), name=name)
        bucket = self._powered_tasks if powered else self._system_tasks
        bucket.add(task)
        task.add_done_callback(bucket.discard)
        task.add_done_callback(lambda _: coro.close())  # cancelled before it ever ran
        return task

    @staticmethod
    async def _guard(coro: Awaitable[Any]) -> Any:
        try:
            return await coro
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("charge point task failed")
            return None

    def _notify(self) -> None:
        """Wake everything waiting in :meth:`wait_until` (state changed)."""
        self._tick.set()
        self._tick = asyncio.Event()

    async def wait_until(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:
        """Bounded, event-driven wait for a condition on the station's state."""
        async with asyncio.timeout(timeout):
            while not predicate():
                await self._tick.wait()

    def _after_reply(self, ctx: CallContext, action: Callable[[], Any], *,
                     powered: bool = True) -> None:
        """Run ``action`` once the response to ``ctx``'s request has been handed to HTTP
        (commands answered "Accepted" act after answering, as the 1.6 sequences show)."""
        message_id = ctx.headers.message_id
        after = self.recorder.last_seq - 1 if ctx.record is None else ctx.record.seq

        async def run() -> None:
            try:
                await self.wait_for(lambda r: r.direction is Direction.OUT
                                    and r.relates_to == message_id, timeout=5.0, after=after)
            except TimeoutError:
                pass
            result = action()
            if asyncio.iscoroutine(result):
                await result

        self._spawn(run(), powered=powered)

    def scaled(self, seconds: float) -> float:
        return max(0.0, seconds * self.traits.time_scale)

    async def _wait_event(self, event: asyncio.Event, timeout: float | None) -> None:
        try:
            if timeout is None:
                await event.wait()
            else:
                await asyncio.wait_for(event.wait(), timeout=timeout)
        except TimeoutError:
            pass

    # =====================================================================================
    # talking to the Central System
    # =====================================================================================
    def request(self, op: Op, **fields: Any) -> Message:
        return message_class(self.version, CS, op, Kind.REQUEST)(**fields)

    def _message_timeout(self) -> float:
        if self.version is V16 and self.config.has("MessageTimeout"):
            return float(self.config.get_int("MessageTimeout", int(self.traits.call_timeout)))
        return self.traits.call_timeout

    async def send(self, request: Message, *, before_accept: bool = False) -> Message:
        """Call the Central System. Raises Unreachable (not sent, or no usable reply) or
        DeliveryFailed (a SOAP fault or an invalid reply: the CS could not process it).

        OCPP 1.5 §4.2 / 1.6 §4.2: nothing but BootNotification before the boot is
        Accepted (``before_accept`` lets BootNotification and, in 1.6 Pending, messages
        the CS asked for with TriggerMessage through).
        """
        if not self.powered:
            raise Unreachable("powered off")
        if not self.link_up:
            raise Unreachable("offline")
        if self.boot_state is not BootState.ACCEPTED and not before_accept:
            raise Unreachable(f"boot {self.boot_state.value}")
        try:
            response = await self.call(self.central_system_url, request,
                                       charge_box_identity=self.identity or "",
                                       timeout=self._message_timeout())
        except TransportError as exc:
            self._set_reachable(False)
            raise Unreachable(str(exc)) from None
        except RemoteFault as exc:
            self._set_reachable(True)
            raise DeliveryFailed(str(exc)) from None
        except ProtocolViolation as exc:
            if exc.report is None or exc.report.kind is None:
                # an HTTP error without a SOAP answer (e.g. 503): nobody processed it
                self._set_reachable(False)
                raise Unreachable(exc.reason) from None
            self._set_reachable(True)
            raise DeliveryFailed(exc.reason) from None
        self._set_reachable(True)
        self.last_exchange = asyncio.get_running_loop().time()
        return response

    def _set_reachable(self, reachable: bool) -> None:
        if reachable == self.reachable:
            return
        self.reachable = reachable
        if reachable:
            self._queue_wake.set()
            if self.boot_state is BootState.ACCEPTED:
                self._reconcile_statuses()
        self._notify()

    def can_send(self) -> bool:
        return self.powered and self.link_up and self.boot_state is BootState.ACCEPTED

    # -- boot --------------------------------------------------------------------------
    def boot_request(self) -> Message:
        t = self.traits
        return self.request(
            Op.BOOT_NOTIFICATION, charge_point_vendor=t.vendor, charge_point_model=t.model,
            charge_point_serial_number=t.serial_number,
            charge_box_serial_number=t.charge_box_serial_number,
            firmware_version=self.firmware, iccid=t.iccid, imsi=t.imsi,
            meter_type=t.meter_type, meter_serial_number=t.meter_serial_number,
        )

    async def _boot_loop(self) -> None:
        """BootNotification until Accepted (1.6 §4.2, 1.5 §4.2): after Rejected or Pending
        wait the interval the CS gave and try again; meanwhile send nothing else."""
        while True:
            self.boot_attempts += 1
            try:
                response = await self.send(self.boot_request(), before_accept=True)
            except Unreachable:
                self._link_wake.clear()
                await self._wait_event(self._link_wake, self.traits.reconnect_interval)
                continue
            except DeliveryFailed:
                # bounded-poll: protocol timer, the boot retry interval (1.6 §4.2)
                await asyncio.sleep(self.scaled(self.traits.boot_retry_interval))  # bounded-poll
                continue
            if self._boot_answered(response):
                return
            interval = self._interval_of(response) or self.traits.boot_retry_interval
            # bounded-poll: protocol timer, the interval of a Rejected/Pending boot (1.6 §4.2)
            await asyncio.sleep(self.scaled(interval))  # bounded-poll

    @staticmethod
    def _interval_of(response: Any) -> int | None:
        value = getattr(response, "interval", None)
        if value is None:
            value = getattr(response, "heartbeat_interval", None)
        return value

    def _boot_answered(self, response: Any) -> bool:
        status = getattr(response.status, "value", str(response.status))
        interval = self._interval_of(response)
        if status == "Accepted":
            if interval and interval > 0:
                # 1.6 §4.2: the interval of an Accepted boot is the heartbeat interval.
                heartbeat = self.config.definition("HeartbeatInterval")
                if heartbeat is not None:
                    self.config.set_local(heartbeat.name, str(interval))
            first = self.boot_state is not BootState.ACCEPTED
            self.boot_state = BootState.ACCEPTED
            if first:
                self._on_accepted()
            self._notify()
            return True
        self.boot_state = BootState.PENDING if status == "Pending" else BootState.REJECTED
        if self._boot_task is None or self._boot_task.done():
            # a triggered BootNotification was not accepted: boot again after the interval
            self._boot_task = self._spawn(self._boot_again(self._interval_of(response)),
                                          name="boot")
        self._notify()
        return False

    async def _boot_again(self, interval: int | None) -> None:
        # bounded-poll: protocol timer, the interval of a Rejected/Pending boot (1.6 §4.2)
        delay = self.scaled(interval or self.traits.boot_retry_interval)
        await asyncio.sleep(delay)  # bounded-poll
        await self._boot_loop()

    def _on_accepted(self) -> None:
        """After an Accepted boot: every connector's status (1.6 §4.2 / TC_001), heartbeats,
        the transaction queue, and the Installed notification of a new firmware."""
        self.last_exchange = asyncio.get_running_loop().time()
        for connector_id in [0, *self.connectors]:
            self._emit_status(connector_id, force=True)
        self._queue_wake.set()
        self._heartbeat_wake.set()
        self._aligned_wake.set()
        if self.store.get_state("firmware_installed_pending"):
            self.store.set_state("firmware_installed_pending", None)
            self._spawn(self._firmware_status("Installed"))

    # -- heartbeat ---------------------------------------------------------------------
    async def _heartbeat_loop(self) -> None:
        """Heartbeat after HeartbeatInterval seconds without a CP→CS exchange (1.6 §4.6,
        §9.1.10; 1.5 HeartBeatInterval); 0 switches heartbeats off."""
        loop = asyncio.get_running_loop()
        while True:
            self._heartbeat_wake.clear()
            interval = self.scaled(self.config.get_int("HeartbeatInterval", 0))
            if self.boot_state is not BootState.ACCEPTED or interval <= 0:
                await self._heartbeat_wake.wait()
                continue
            delay = self.last_exchange + interval - loop.time()
            if delay > 0:
                await self._wait_event(self._heartbeat_wake, delay)
                continue
            try:
                await self.send(self.request(Op.HEARTBEAT))
            except (Unreachable, DeliveryFailed):
                self.last_exchange = loop.time()

    # =====================================================================================
    # status notifications
    # =====================================================================================
    def _compute_status(self, c: ConnectorState) -> tuple[str, str]:
        """A connector's status in this version's vocabulary (1.6 §4.9 / §7.7, 1.5 §7.6,
        1.2: Available/Occupied/Faulted/Unavailable) and its errorCode."""
        fault = c.fault or self.cp_fault
        if fault is not None:
            return "Faulted", fault
        tx = c.tx
        operative = c.operative and self.cp_operative
        if tx is None and not operative:
            return "Unavailable", "NoError"
        reserved = tx is None and c.pending is None and any(
            r.connector_id == c.id for r in self.reservations.values())
        if self.version is V16:
            if tx is not None:
                if not c.ev_connected or c.ev_suspended:
                    return "SuspendedEV", "NoError"
                if self._evse_suspended(c):
                    return "SuspendedEVSE", "NoError"
                return "Charging", "NoError"
            if reserved:
                return "Reserved", "NoError"
            if c.plugged and c.finishing:
                return "Finishing", "NoError"
            if c.plugged or c.pending is not None:
                return "Preparing", "NoError"
            return "Available", "NoError"
        if tx is not None or c.plugged:
            return "Occupied", "NoError"
        if reserved and self.version is V15:
            return "Reserved", "NoError"
        return "Available", "NoError"

    def _status_of_zero(self) -> tuple[str, str]:
        """Connector 0, the main controller: Available, Unavailable or Faulted."""
        if self.cp_fault is not None:
            return "Faulted", self.cp_fault
        if not self.cp_operative:
            return "Unavailable", "NoError"
        return "Available", "NoError"

    def status_of(self, connector_id: int) -> tuple[str, str]:
        if connector_id == 0:
            return self._status_of_zero()
        return self._compute_status(self.connectors[connector_id])

    def refresh(self) -> None:
        """Recompute every status; a change becomes a StatusNotification (1.6 §4.9)."""
        if not self.powered:
            return
        for c in self.connectors.values():
            self._update_power(c)
            status = self._compute_status(c)
            if status != c.status:
                c.status = status
                self._emit_status(c.id)
        zero = self._status_of_zero()
        if zero != self._zero_status:
            self._zero_status = zero
            self._emit_status(0)
        self._notify()

    def _emit_status(self, connector_id: int, *, force: bool = False,
                     error_code: str | None = None, info: str | None = None) -> None:
        if self._status_queue is None:
            return
        status, error = self.status_of(connector_id)
        if connector_id == 0:
            self._zero_status = (status, error)
        else:
            self.connectors[connector_id].status = (status, error)
        if self.boot_state is not BootState.ACCEPTED and not force:
            return
        if error_code is None and connector_id != 0:
            c = self.connectors[connector_id]
            info = info or c.fault_info
        elif error_code is None:
            info = info or self.cp_fault_info
        self._status_queue.put_nowait({
            "connector_id": connector_id, "status": status,
            "error_code": error_code or error, "info": info, "timestamp": self.clock.now(),
        })

    def _reconcile_statuses(self) -> None:
        """Back in touch: report each status that changed while notifications were lost."""
        for connector_id in [0, *self.connectors]:
            current = self.status_of(connector_id)
            reported = (self._zero_reported if connector_id == 0
                        else self.connectors[connector_id].reported)
            if current != reported:
                self._emit_status(connector_id)

    async def _status_sender(self) -> None:
        """StatusNotifications in order of change. They are not transaction-related
        (1.6 §3.7): they may overtake the queue, and while the CS is unreachable they are
        dropped; the current status is reported once it is reachable again."""
        queue = self._status_queue
        assert queue is not None
        while True:
            event = await queue.get()
            fields: dict[str, Any] = {
                "connector_id": event["connector_id"],
                "status": self.types.ChargePointStatus(event["status"]),
                "error_code": self.types.ChargePointErrorCode(event["error_code"]),
            }
            if self.version is not V12:
                fields["timestamp"] = event["timestamp"]
                if event["info"]:
                    fields["info"] = event["info"][:50]
            try:
                await self.send(self.request(Op.STATUS_NOTIFICATION, **fields))
            except (Unreachable, DeliveryFailed):
                continue
            delivered = (event["status"], event["error_code"])
            if event["connector_id"] == 0:
                self._zero_reported = delivered
            elif event["connector_id"] in self.connectors:
                self.connectors[event["connector_id"]].reported = delivered
            self._notify()

    # =====================================================================================
    # the transaction queue
    # =====================================================================================
    def _attempts(self) -> tuple[int, int]:
        """(TransactionMessageAttempts, TransactionMessageRetryInterval), 1.6 §9.1."""
        if self.version is V16:
            return (max(1, self.config.get_int("TransactionMessageAttempts", 3)),
                    self.config.get_int("TransactionMessageRetryInterval", 60))
        return (max(1, self.traits.transaction_message_attempts),
                self.traits.transaction_message_retry_interval)

    def _materialize(self, item: QueuedMessage) -> Message | None:
        """The request to send for a queued item, with the real transactionId put in.
        None if that id is not known (its StartTransaction was never accepted for
        delivery): a placeholder must never go on the wire."""
        cls = message_class(self.version, CS, item.op, Kind.REQUEST)
        payload = dict(item.payload)
        if item.op is not Op.START_TRANSACTION and item.tx_local is not None:
            wants_id = any(info.xml_name == "transactionId" for _, info in cls.wire_fields())
            if wants_id:
                transaction_id = self.store.transaction_id(item.tx_local)
                if transaction_id is None:
                    return None
                payload["transactionId"] = transaction_id
        try:
            return cls.from_json(payload)
        except MessageDecodeError:
            log.exception("queued %s does not decode", item.op.value)
            return None

    async def _queue_loop(self) -> None:
        """Deliver the queue head-first; 1.6 §3.7.1: when the CS fails to process a
        message, retry after TransactionMessageRetryInterval × attempts so far, and give
        up after TransactionMessageAttempts tries. Connectivity losses are not attempts:
        the queue just waits."""
        while True:
            self._queue_wake.clear()
            item = self.queue.head()
            if item is None or not self.can_send():
                await self._queue_wake.wait()
                continue
            request = self._materialize(item)
            if request is None:
                self._drop(item, "its transaction has no transactionId (StartTransaction "
                           "was never delivered)")
                continue
            try:
                response = await self.send(request)
            except Unreachable:
                await self._wait_event(self._queue_wake, self.traits.reconnect_interval)
                continue
            except DeliveryFailed as exc:
                attempts = self.queue.record_failure(item.seq)
                limit, interval = self._attempts()
                if attempts >= limit:
                    self._drop(item, f"not processed after {attempts} attempt(s): {exc}")
                    continue
                self._notify()
                # bounded-poll: protocol timer, TransactionMessageRetryInterval × attempts (§3.7.1)
                await asyncio.sleep(self.scaled(interval * attempts))  # bounded-poll
                continue
            self._delivered(item, request, response)

    def _drop(self, item: QueuedMessage, why: str) -> None:
        log.warning("dropping queued %s #%d: %s", item.op.value, item.seq, why)
        self.queue.remove(item.seq)
        self.dropped.append({**item.as_dict(), "why": why})
        self._notify()

    def _delivered(self, item: QueuedMessage, request: Message, response: Any) -> None:
        """Process a transaction message's response and forget the message, atomically."""
        if item.op is Op.START_TRANSACTION:
            transaction_id = response.transaction_id
            with atomic(self.db):
                if item.tx_local is not None:
                    self.store.set_transaction_id(item.tx_local, transaction_id)
                self.queue.remove(item.seq)
            info = _convert_info(response.id_tag_info)
            self._remember(request.id_tag, info)  # type: ignore[attr-defined]
            self._start_confirmed(item.tx_local, transaction_id, info)
        else:
            self.queue.remove(item.seq)
            if item.op is Op.STOP_TRANSACTION:
                id_tag = getattr(request, "id_tag", None)
                info = getattr(response, "id_tag_info", None)
                if id_tag and info is not None:
                    self._remember(id_tag, _convert_info(info))
                if self.charging is not None:
                    self.charging.transaction_ended(request.transaction_id)  # type: ignore[attr-defined]
        self._notify()

    def _start_confirmed(self, tx_local: int | None, transaction_id: int, info: IdInfo) -> None:
        """StartTransaction.conf arrived (1.6 §4.8): learn the transactionId; if the idTag
        is not Accepted and the transaction still runs, StopTransactionOnInvalidId decides
        between stopping (reason DeAuthorized) and only stopping energy delivery."""
        tx = next((c.tx for c in self.connectors.values()
                   if c.tx is not None and c.tx.local_id == tx_local), None)
        if tx is None:
            return
        tx.transaction_id = transaction_id
        c = self.connectors[tx.connector_id]
        if tx.profile is not None and self.charging is not None:
            self.charging.set_profile(tx.connector_id, tx.profile, transaction_id=transaction_id)
            tx.profile = None
        if info.status != "Accepted":
            stop = (self.config.get_bool("StopTransactionOnInvalidId", True)
                    if self.version is V16 else self.traits.stop_on_invalid_id)
            if stop:
                self._stop_transaction(c, "DeAuthorized", None)
                return
            tx.deauthorized = True
            cap = self.config.get_int("MaxEnergyOnInvalidId", 0)
            tx.energy_cap = c.meter.register() + cap
        self.refresh()

    def _remember(self, id_tag: str, info: IdInfo) -> None:
        """Authorize/Start/Stop confirmations feed the cache (1.6 §3.5.1; 1.5: the list).
        1.6 §3.5.2: one that contradicts the local list (the spec's example is a
        StartTransaction.conf) is reported: StatusNotification connector 0, LocalListConflict."""
        try:
            if self.version is V16 and self.auth.is_conflict(id_tag, info, self.clock.now()):
                self._emit_status(0, error_code="LocalListConflict",
                                  info=f"{id_tag}: list and Central System disagree")
        except Exception:
            log.exception("local list conflict check failed")
        try:
            self.auth.remember(id_tag, info, now=self.clock.now())
        except Exception:
            log.exception("authorisation cache update failed")

    # =====================================================================================
    # metering
    # =====================================================================================
    def _evse_suspended(self, c: ConnectorState) -> bool:
        tx = c.tx
        if tx is None:
            return False
        if c.evse_suspended or c.fault or self.cp_fault:
            return True
        if tx.deauthorized and (tx.energy_cap is None or c.meter.register() >= tx.energy_cap):
            return True
        return self._offered_w(c) <= 0

    def _offered_w(self, c: ConnectorState) -> float:
        maximum = self.traits.max_current_a * self.traits.voltage * self.traits.phases
        if self.charging is None:
            return maximum
        tx = c.tx
        try:
            limit = self.charging.limit_at(
                c.id, self.clock.now(),
                transaction_id=tx.transaction_id if tx else None,
                transaction_start=tx.start_time if tx else None)
        except Exception:
            log.exception("charging limit lookup failed")
            return maximum
        if limit is None:
            return maximum
        value, unit = limit
        watts = float(value)
        if unit != "W":
            watts *= self.traits.voltage * self.traits.phases
        return max(0.0, min(maximum, watts))

    def _update_power(self, c: ConnectorState) -> None:
        tx = c.tx
        offered = self._offered_w(c)
        flowing = (tx is not None and c.plugged and c.ev_connected and not c.ev_suspended
                   and not self._evse_suspended(c))
        c.meter.set_power(offered if flowing else 0.0, offered)

    async def _power_loop(self) -> None:
        """Re-evaluate smart-charging limits while energy may flow (periods change)."""
        while True:
            # bounded-poll: the simulated meter's tick (a physical process, not a wait for a
            # message): limits follow schedule periods within one tick
            await asyncio.sleep(max(0.05, self.traits.power_tick))  # bounded-poll
            if self.charging is not None and any(c.tx for c in self.connectors.values()):
                self.refresh()

    def _values(self, c: ConnectorState, key: str, *, series: str) -> list[Any]:
        measurands = self.config.get_list(key)
        if self.version is V12 and key == "MeterValuesSampledData":
            measurands = ["Energy.Active.Import.Register"]
        if not measurands:
            return []
        start = c.tx.meter_start if c.tx else None
        return readings(c.meter, measurands, self.electrical, series=series,
                        energy_at_start=start)

    def _meter_value(self, values: list[Any], context: str | None,
                     when: dt.datetime | None = None) -> Any:
        if self.version is V12:
            context = None
        return meter_value(self.version, self.types, when or self.clock.now(), values, context)

    def _meter_values_request(self, connector_id: int, transaction_id: int | None,
                              values: list[Any], context: str | None,
                              when: dt.datetime | None = None) -> Message:
        mv = self._meter_value(values, context, when)
        if self.version is V16:
            return self.request(Op.METER_VALUES, connector_id=connector_id,
                                transaction_id=transaction_id, meter_value=[mv])
        if self.version is V15:
            return self.request(Op.METER_VALUES, connector_id=connector_id,
                                transaction_id=transaction_id, values=[mv])
        return self.request(Op.METER_VALUES, connector_id=connector_id, values=[mv])

    def _queue_meter_values(self, c: ConnectorState, values: list[Any], context: str,
                            when: dt.datetime | None = None) -> None:
        tx = c.tx
        assert tx is not None
        request = self._meter_values_request(c.id, 0, values, context, when)
        payload = request.to_json()
        payload.pop("transactionId", None)  # substituted when sent (see _materialize)
        with atomic(self.db):
            self.queue.push(Op.METER_VALUES, payload, tx_local=tx.local_id)
            self.store.transaction_progress(tx.local_id, c.meter.register(), self.clock.now())
            self.store.set_meter(c.id, c.meter.advance())
        self._queue_wake.set()
        self._notify()

    async def _sampler(self, c: ConnectorState, tx: Txn) -> None:
        """Sampled meter values every MeterValueSampleInterval seconds counted from the
        transaction's start (1.6 §3.16.1, §9.1.18; 1.5 §6.9), MeterValuesSampledData
        measurands, context Sample.Periodic; StopTxnSampledData ones kept for the
        StopTransaction's transactionData."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        ticks = 0
        while c.tx is tx:
            interval = self.scaled(self.config.get_int("MeterValueSampleInterval", 0))
            if interval <= 0:
                self._sampling_wake.clear()
                await self._sampling_wake.wait()
                started, ticks = loop.time(), 0
                continue
            ticks += 1
            delay = started + ticks * interval - loop.time()
            if delay > 0:
                # bounded-poll: protocol timer, MeterValueSampleInterval (1.6 §9.1)
                await asyncio.sleep(delay)  # bounded-poll
            if c.tx is not tx:
                return
            self._update_power(c)
            values = self._values(c, "MeterValuesSampledData", series="sampled")
            if values:
                self._queue_meter_values(c, values, "Sample.Periodic")
            else:
                self.store.transaction_progress(tx.local_id, c.meter.register(), self.clock.now())
            stop_values = self._values(c, "StopTxnSampledData", series="stop-sampled")
            if stop_values and self.version is not V12:
                tx.stop_samples.append(self._meter_value(stop_values, "Sample.Periodic"))

    async def _aligned_loop(self) -> None:
        """Clock-aligned meter values at every multiple of ClockAlignedDataInterval since
        midnight (1.6 §3.16.2, §9.1.5; 1.5 §6.9), context Sample.Clock, timestamped with
        that boundary: transaction-related (queued) on a connector with a transaction,
        plain MeterValues otherwise."""
        while True:
            self._aligned_wake.clear()
            interval = self.scaled(self.config.get_int("ClockAlignedDataInterval", 0))
            if interval <= 0 or self.boot_state is not BootState.ACCEPTED:
                await self._aligned_wake.wait()
                continue
            now = self.clock.now()
            midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
            elapsed = (now - midnight).total_seconds()
            boundary = midnight + dt.timedelta(seconds=(int(elapsed / interval) + 1) * interval)
            try:
                await asyncio.wait_for(self._aligned_wake.wait(),
                                       timeout=(boundary - now).total_seconds())
                continue  # the interval or the clock changed: re-aim
            except TimeoutError:
                pass
            when = boundary.replace(microsecond=boundary.microsecond // 1000 * 1000)
            for c in self.connectors.values():
                self._update_power(c)
                values = self._values(c, "MeterValuesAlignedData", series="aligned")
                if c.tx is not None:
                    if values:
                        self._queue_meter_values(c, values, "Sample.Clock", when)
                    stop_values = self._values(c, "StopTxnAlignedData", series="stop-aligned")
                    if stop_values and self.version is not V12:
                        c.tx.stop_samples.append(
                            self._meter_value(stop_values, "Sample.Clock", when))
                elif values and self.version is not V12:
                    request = self._meter_values_request(c.id, None, values, "Sample.Clock",
                                                         when)
                    self._spawn(self._send_quietly(request))

    async def _send_quietly(self, request: Message, *, before_accept: bool = False) -> Any:
        try:
            return await self.send(request, before_accept=before_accept)
        except (Unreachable, DeliveryFailed) as exc:
            log.info("%s not delivered: %s", request.OP.value, exc)
            return None

    # =====================================================================================
    # authorisation
    # =====================================================================================
    async def authorize(self, id_tag: str) -> AuthResult:
        """Decide whether ``id_tag`` may charge.

        Online: Authorize.req (1.6 §4.1), unless LocalPreAuthorize and the id is locally
        valid (1.6 §3.5.4); the answer goes to the cache (§3.5.2). Offline (§3.5, §9.1):
        a locally Accepted id is allowed when LocalAuthorizeOffline; a locally known but
        not-Accepted id is refused; an unknown id is allowed only when
        AllowOfflineTxForUnknownId. OCPP 1.5 (§3.2) authorises offline from its local
        list (which doubles as cache); 1.2 from its cache.
        """
        now = self.clock.now()
        try:
            local, source = self.auth.lookup(id_tag, now)
        except Exception:
            log.exception("local authorisation lookup failed")
            local, source = None, None
        if self.can_send():
            if (self.version is V16 and local is not None and local.status == "Accepted"
                    and self.config.get_bool("LocalPreAuthorize", False)):
                return AuthResult(True, local, source or "cache")
            try:
                response = await self.send(self.request(Op.AUTHORIZE, id_tag=id_tag))
            except (Unreachable, DeliveryFailed):
                pass
            else:
                info = _convert_info(response.id_tag_info)  # type: ignore[attr-defined]
                self._remember(id_tag, info)
                return AuthResult(info.status == "Accepted", info, "cs")
        if local is not None:
            if local.status != "Accepted":
                return AuthResult(False, local, source or "cache")
            if self.version is V16 and not self.config.get_bool("LocalAuthorizeOffline", True):
                return AuthResult(False, local, source or "cache")
            return AuthResult(True, local, source or "cache")
        if self.version is V16 and self.config.get_bool("AllowOfflineTxForUnknownId", False):
            return AuthResult(True, IdInfo("Accepted"), "unknown-offline")
        return AuthResult(False, None, "none")

    def _reservation_for(self, c: ConnectorState, id_tag: str,
                         parent: str | None) -> tuple[bool, int | None]:
        """May ``id_tag`` use connector ``c`` given the reservations (1.6 §5.13)?
        → (allowed, reservationId to report)."""
        def matches(r: Reservation) -> bool:
            return _same_tag(r.id_tag, id_tag) or (
                r.parent_id_tag is not None and _same_tag(r.parent_id_tag, parent))

        own = [r for r in self.reservations.values() if r.connector_id == c.id]
        if own:
            r = own[0]
            return (True, r.reservation_id) if matches(r) else (False, None)
        whole = [r for r in self.reservations.values() if r.connector_id == 0]
        for r in whole:
            if matches(r):
                return True, r.reservation_id
        if whole:
            # 1.6 §5.13: with connector 0 reserved, keep one free connector per reservation
            others = [x for x in self.connectors.values() if x is not c and self._is_free(x)]
            if len(others) < len(whole):
                return False, None
        return True, None

    def _is_free(self, c: ConnectorState) -> bool:
        return (c.tx is None and c.pending is None and not c.plugged and c.fault is None
                and self.cp_fault is None and c.operative and self.cp_operative
                and not any(r.connector_id == c.id for r in self.reservations.values()))

    def _usable(self, c: ConnectorState) -> bool:
        return (c.tx is None and c.fault is None and self.cp_fault is None and c.operative
                and self.cp_operative)

    # =====================================================================================
    # the physical side (driven by the control API)
    # =====================================================================================
    def connector(self, connector_id: int) -> ConnectorState:
        try:
            return self.connectors[connector_id]
        except KeyError:
            raise ValueError(f"no connector {connector_id} "
                             f"(this station has 1..{self.traits.connectors})") from None

    async def present_id_tag(self, id_tag: str, connector_id: int | None = None
                             ) -> dict[str, Any]:
        """An idTag is presented at the reader.

        If it started a running transaction, that transaction stops (reason Local) without
        an Authorize (1.6 §3.5.x / §4.10). If its parentIdTag matches the parentIdTag of
        a running transaction, that one stops too (1.6 §4.10; OCTT TC_069). Otherwise
        it is authorised and, once a cable is in, a transaction starts.
        """
        if not self.powered:
            raise ValueError("the charge point is powered off")
        candidates = ([self.connector(connector_id)] if connector_id is not None
                      else list(self.connectors.values()))
        for c in candidates:
            if c.tx is None and c.locked and _same_tag(c.lock_owner, id_tag):
                c.locked, c.lock_owner = False, None  # 1.6 §4.10: its user is back
                return {"result": "unlocked", "connector": c.id}
        for c in candidates:
            if c.tx is not None and _same_tag(c.tx.id_tag, id_tag):
                self._stop_transaction(c, "Local", id_tag)
                return {"result": "stopped", "connector": c.id, "reason": "Local"}
        result: AuthResult | None = None
        if any(c.tx is not None and c.tx.parent_id_tag for c in candidates):
            result = await self.authorize(id_tag)
            for c in candidates:
                if (result.accepted and c.tx is not None and c.tx.parent_id_tag
                        and _same_tag(c.tx.parent_id_tag, result.parent_id_tag)):
                    self._stop_transaction(c, "Local", id_tag)
                    return {"result": "stopped", "connector": c.id, "reason": "Local"}
        target = self._pick_connector(connector_id, id_tag)
        if target is None:
            return {"result": "rejected", "why": "no connector is free"}
        if not self._usable(target):
            return {"result": "rejected", "why": f"connector {target.id} is not usable",
                    "connector": target.id}
        if result is None:
            if (not self._reservation_for(target, id_tag, None)[0]
                    and not any(r.parent_id_tag for r in self.reservations.values())):
                # 1.6 §5.13: only the reservation's idTag may use it, and with no parentIdTag
                # to match there is nothing to ask the Central System (OCTT TC_046_1 step 5)
                return {"result": "rejected", "why": f"connector {target.id} is reserved",
                        "connector": target.id}
            result = await self.authorize(id_tag)
        status = getattr(result.info, "status", None)
        if not result.accepted:
            return {"result": "rejected", "status": status, "source": result.source}
        return self._authorized(target, id_tag, result, remote=False, profile=None)

    def _pick_connector(self, connector_id: int | None, id_tag: str) -> ConnectorState | None:
        if connector_id is not None:
            return self.connector(connector_id)
        usable = [c for c in self.connectors.values() if self._usable(c)]
        for c in usable:
            if c.plugged and c.pending is None:
                return c
        for c in usable:
            if c.pending is None and self._reservation_for(c, id_tag, None)[0]:
                return c
        return usable[0] if usable else None

    def _authorized(self, c: ConnectorState, id_tag: str, result: AuthResult, *, remote: bool,
                    profile: Any) -> dict[str, Any]:
        if not self.powered:
            return {"result": "rejected", "why": "powered off"}
        if not self._usable(c):
            return {"result": "rejected", "why": f"connector {c.id} is not usable",
                    "connector": c.id}
        allowed, reservation_id = self._reservation_for(c, id_tag, result.parent_id_tag)
        if not allowed:
            return {"result": "rejected", "why": f"connector {c.id} is reserved",
                    "connector": c.id}
        if c.pending is not None and c.pending.timer is not None:
            c.pending.timer.cancel()
        c.pending = Pending(id_tag, result.parent_id_tag, reservation_id, remote, profile)
        if c.plugged and c.ev_connected:
            if not self._start_transaction(c):
                return {"result": "faulted", "connector": c.id, "error_code": c.fault}
            return {"result": "started", "connector": c.id}
        c.pending.timer = self._spawn(self._connection_timeout(c, c.pending))
        self.refresh()
        return {"result": "authorized", "connector": c.id}

    async def _connection_timeout(self, c: ConnectorState, pending: Pending) -> None:
        """ConnectionTimeOut (1.6 §9.1.8, 1.5 §6.9): no cable in time → the pending
        authorisation lapses and the connector returns to its previous state."""
        # bounded-poll: protocol timer, ConnectionTimeOut (1.6 §9.1.7)
        timeout = self.scaled(self.config.get_int("ConnectionTimeOut", 60))
        await asyncio.sleep(timeout)  # bounded-poll
        if c.pending is pending:
            c.pending = None
            self.refresh()

    def plug_in(self, connector_id: int) -> dict[str, Any]:
        """A cable goes in (both ends)."""
        c = self._powered_connector(connector_id)
        c.plugged = True
        c.ev_connected = True
        c.ev_suspended = False
        self.store.set_plugged(c.id, True)
        if c.tx is None and c.pending is not None and self._usable(c):
            if c.pending.timer is not None:
                c.pending.timer.cancel()
            self._start_transaction(c)
        else:
            self.refresh()
        return {"connector": c.id, "status": self.status_of(c.id)[0]}

    def ev_disconnect(self, connector_id: int) -> dict[str, Any]:
        """The cable is pulled out at the EV side. 1.6 §9.1 StopTransactionOnEVSideDisconnect:
        true → stop (reason EVDisconnected), then UnlockConnectorOnEVSideDisconnect says
        whether the station's lock opens; false → the transaction goes on (SuspendedEV)
        until the EV is back. 1.2/1.5 have no such keys: the transaction stops.
        A lock left closed stays so until its user presents the idTag again or the
        Central System unlocks the connector (1.6 §4.10)."""
        c = self._powered_connector(connector_id)
        c.ev_connected = False
        keep_locked = c.locked and not self._unlocks_on_ev_side_disconnect()
        owner = c.tx.id_tag if c.tx is not None else c.lock_owner
        result: dict[str, Any] = {"connector": c.id}
        if c.tx is not None and self._stops_on_ev_side_disconnect():
            self._stop_transaction(c, "EVDisconnected", None)
            result.update(result="stopped", reason="EVDisconnected")
        c.locked, c.lock_owner = keep_locked, owner if keep_locked else None
        self.refresh()
        result.setdefault("status", self.status_of(c.id)[0])
        return result

    def _stops_on_ev_side_disconnect(self) -> bool:
        """1.6 StopTransactionOnEVSideDisconnect; 1.2/1.5 have no such key and stop."""
        if self.version is V16:
            return self.config.get_bool("StopTransactionOnEVSideDisconnect", True)
        return True

    def _unlocks_on_ev_side_disconnect(self) -> bool:
        """1.6 UnlockConnectorOnEVSideDisconnect; 1.2/1.5 have no such key and unlock."""
        if self.version is V16:
            return self.config.get_bool("UnlockConnectorOnEVSideDisconnect", True)
        return True

    def unplug(self, connector_id: int) -> dict[str, Any]:
        """The cable is removed altogether (an EV-side disconnect first, if charging).
        While the station's lock holds it, only the EV side comes out."""
        c = self._powered_connector(connector_id)
        result: dict[str, Any] = {"connector": c.id}
        if c.tx is not None and c.ev_connected:
            result.update(self.ev_disconnect(connector_id))
        if c.locked:
            result.update(result="locked", status=self.status_of(c.id)[0])
            return result
        c.plugged = False
        c.ev_connected = False
        c.finishing = False
        self.store.set_plugged(c.id, False)
        self.refresh()
        result["status"] = self.status_of(c.id)[0]
        return result

    def suspend(self, connector_id: int, *, ev: bool, suspended: bool) -> dict[str, Any]:
        c = self._powered_connector(connector_id)
        if ev:
            c.ev_suspended = suspended
        else:
            c.evse_suspended = suspended
        self.refresh()
        return {"connector": c.id, "status": self.status_of(c.id)[0]}

    def set_fault(self, connector_id: int, error_code: str | None, info: str | None = None
                  ) -> dict[str, Any]:
        """A fault appears (error_code) or clears (None) on a connector or, 0, the whole
        station; errorCode must be one of this version's ChargePointErrorCode values."""
        if error_code is not None:
            valid = {e.value for e in self.types.ChargePointErrorCode} - {"NoError"}
            if error_code not in valid:
                raise ValueError(f"errorCode {error_code!r} is not one of OCPP "
                                 f"{self.version.value}'s: {', '.join(sorted(valid))}")
        if not self.powered:
            raise ValueError("the charge point is powered off")
        if connector_id == 0:
            self.cp_fault, self.cp_fault_info = error_code, info
        else:
            c = self.connector(connector_id)
            c.fault, c.fault_info = error_code, info
        self.refresh()
        return {"connector": connector_id, "status": self.status_of(connector_id)[0]}

    def set_lock_failure(self, connector_id: int, failing: bool) -> dict[str, Any]:
        c = self.connector(connector_id)
        c.lock_failure = failing
        return {"connector": c.id, "lock_failure": failing}

    def set_list_storage_failure(self, failing: bool) -> dict[str, Any]:
        """The memory that holds the local list fails (full, worn out) or works again:
        while it fails, SendLocalList cannot be stored and is answered Failed (OCTT
        TC_043_3)."""
        if not hasattr(self.auth, "storage_failing"):
            raise ValueError("this station's local authorisation store cannot fail")
        self.auth.storage_failing = failing
        return {"list_storage_failure": failing}

    def local_stop(self, connector_id: int, reason: str = "Local") -> dict[str, Any]:
        """Stop a transaction from the station itself (stop button, emergency stop...)."""
        c = self._powered_connector(connector_id)
        if c.tx is None:
            raise ValueError(f"no transaction on connector {c.id}")
        valid = ({e.value for e in self.types.Reason} if self.version is V16 else {reason})
        if reason not in valid:
            raise ValueError(f"reason {reason!r} is not one of {', '.join(sorted(valid))}")
        self._stop_transaction(c, reason, None)
        return {"connector": c.id, "result": "stopped", "reason": reason}

    def _powered_connector(self, connector_id: int) -> ConnectorState:
        if not self.powered:
            raise ValueError("the charge point is powered off")
        return self.connector(connector_id)

    # =====================================================================================
    # starting and stopping
    # =====================================================================================
    def _start_transaction(self, c: ConnectorState) -> bool:
        """Cable in and idTag authorised: StartTransaction goes into the queue (1.6 §4.8),
        committed together with the transaction's record."""
        pending = c.pending
        assert pending is not None
        c.pending = None
        if c.lock_failure and not self.traits.fixed_cable:
            # the cable cannot be locked: no transaction; the connector reports
            # Faulted / ConnectorLockFailure (OCTT TC_024)
            c.fault, c.fault_info = "ConnectorLockFailure", "the cable could not be locked"
            self.refresh()
            return False
        now = self.clock.now()
        meter_start = c.meter.register()
        fields: dict[str, Any] = {"connector_id": c.id, "id_tag": pending.id_tag,
                                  "timestamp": now, "meter_start": meter_start}
        if self.version is not V12 and pending.reservation_id is not None:
            fields["reservation_id"] = pending.reservation_id
        payload = self.request(Op.START_TRANSACTION, **fields).to_json()
        with atomic(self.db):
            local_id = self.store.start_transaction(c.id, pending.id_tag, pending.parent_id_tag,
                                                    pending.reservation_id, now, meter_start)
            self.queue.push(Op.START_TRANSACTION, payload, tx_local=local_id)
            if pending.reservation_id is not None:
                self.store.delete_reservation(pending.reservation_id)
        if pending.reservation_id is not None:
            self._forget_reservation(pending.reservation_id)
        tx = Txn(local_id, c.id, pending.id_tag, pending.parent_id_tag, now, meter_start,
                 pending.reservation_id, profile=pending.profile)
        c.tx = tx
        c.finishing = False
        c.ev_suspended = False
        c.locked = not self.traits.fixed_cable  # held in the socket while it runs
        begin = self._values(c, "StopTxnSampledData", series="stop-sampled")
        if begin and self.version is not V12:
            tx.stop_samples.append(self._meter_value(begin, "Transaction.Begin"))
        tx.sampler = self._spawn(self._sampler(c, tx))
        self._queue_wake.set()
        self.refresh()
        return True

    def _stop_transaction(self, c: ConnectorState, reason: str | None,
                          id_tag: str | None) -> None:
        """End the transaction locally and queue StopTransaction (1.6 §4.10): meterStop,
        timestamp, reason (1.6 only), idTag when one was presented, transactionData
        per StopTxnSampledData / StopTxnAlignedData (1.5, 1.6)."""
        tx = c.tx
        assert tx is not None
        end = self._values(c, "StopTxnSampledData", series="stop-sampled")
        if end and self.version is not V12:
            tx.stop_samples.append(self._meter_value(end, "Transaction.End"))
        c.tx = None
        c.locked, c.lock_owner = False, None  # 1.6 §4.10: the normal end unlocks the cable
        if tx.sampler is not None:
            tx.sampler.cancel()
        c.finishing = c.plugged
        self._queue_stop(tx, meter_stop=c.meter.register(), when=self.clock.now(),
                         reason=reason if self.version is V16 else None, id_tag=id_tag,
                         meter_wh=c.meter.advance())
        if tx.transaction_id is not None and self.charging is not None:
            self.charging.transaction_ended(tx.transaction_id)
        self.refresh()

    def _queue_stop(self, tx: Txn, *, meter_stop: int, when: dt.datetime, reason: str | None,
                    id_tag: str | None, meter_wh: float | None = None) -> None:
        fields: dict[str, Any] = {"transaction_id": 0, "id_tag": id_tag, "timestamp": when,
                                  "meter_stop": meter_stop}
        if self.version is V16:
            fields["reason"] = self.types.Reason(reason) if reason else None
            fields["transaction_data"] = list(tx.stop_samples)
        elif self.version is V15 and tx.stop_samples:
            fields["transaction_data"] = [self.types.TransactionData(values=list(tx.stop_samples))]
        payload = self.request(Op.STOP_TRANSACTION, **fields).to_json()
        payload.pop("transactionId", None)  # substituted when sent (see _materialize)
        with atomic(self.db):
            self.store.stop_transaction(tx.local_id, when, meter_stop, reason)
            self.queue.push(Op.STOP_TRANSACTION, payload, tx_local=tx.local_id)
            if meter_wh is not None:
                self.store.set_meter(tx.connector_id, meter_wh)
        self._queue_wake.set()
        self._notify()

    def find_transaction(self, transaction_id: int) -> ConnectorState | None:
        for c in self.connectors.values():
            if c.tx is not None and c.tx.transaction_id == transaction_id:
                return c
        return None

    # =====================================================================================
    # reservations
    # =====================================================================================
    def _arm_reservation(self, r: Reservation) -> None:
        old = self._reservation_timers.pop(r.reservation_id, None)
        if old is not None:
            old.cancel()
        self._reservation_timers[r.reservation_id] = self._spawn(self._expire(r))

    async def _expire(self, r: Reservation) -> None:
        """A reservation ends at its expiryDate (1.6 §5.13); the connector is free again."""
        await self.clock.sleep_until(r.expiry)
        if self.reservations.get(r.reservation_id) is r:
            self.store.delete_reservation(r.reservation_id)
            self.reservations.pop(r.reservation_id, None)
            self._reservation_timers.pop(r.reservation_id, None)
            self.refresh()

    def _forget_reservation(self, reservation_id: int) -> None:
        self.reservations.pop(reservation_id, None)
        timer = self._reservation_timers.pop(reservation_id, None)
        if timer is not None and timer is not asyncio.current_task():
            timer.cancel()

    # =====================================================================================
    # configuration effects
    # =====================================================================================
    def _apply_auth_switches(self) -> None:
        if self.version is not V16:
            return
        if self.config.has("LocalAuthListEnabled"):
            self.auth.list_enabled = self.config.get_bool("LocalAuthListEnabled", True)
        elif hasattr(self.auth, "list_enabled"):
            self.auth.list_enabled = False
        if self.config.has("AuthorizationCacheEnabled"):
            self.auth.cache_enabled = self.config.get_bool("AuthorizationCacheEnabled", True)
        elif hasattr(self.auth, "cache_enabled"):
            self.auth.cache_enabled = False

    def _config_changed(self, key: str, value: str) -> None:
        if key in ("LocalAuthListEnabled", "AuthorizationCacheEnabled"):
            self._apply_auth_switches()
        elif key == "HeartbeatInterval":
            self._heartbeat_wake.set()
        elif key == "ClockAlignedDataInterval":
            self._aligned_wake.set()
        elif key == "MeterValueSampleInterval":
            self._sampling_wake.set()
        self._notify()

    # =====================================================================================
    # ChargePointService (the Central System's commands)
    # =====================================================================================
    def _valid_connector(self, connector_id: int | None, *, zero: bool) -> bool:
        if connector_id is None:
            return False
        low = 0 if zero else 1
        return low <= connector_id <= self.traits.connectors

    @handles(Op.RESET)
    async def on_reset(self, request: Any, ctx: CallContext) -> Message:
        """Reset (1.6 §5.14, 1.5 §5.13, 1.2 §5.9): answer Accepted, then reboot. Soft:
        running transactions are stopped gracefully first and their StopTransactions
        sent before the restart (1.6 reason SoftReset). Hard: the restart comes at once;
        the transactions it cut off (1.6 reason HardReset) are reported after the new
        BootNotification is accepted."""
        kind = request.type.value
        self._after_reply(ctx, lambda: self._reset(kind), powered=False)
        return ctx.respond(status=self.cp_types.ResetStatus.ACCEPTED)

    async def _reset(self, kind: str) -> None:
        if kind == "Soft" and self.powered:
            await self._close_before_going_down("SoftReset")
            if not self.powered:
                return  # the power went meanwhile: nothing left to restart
        await self.reboot(f"{kind}Reset")

    @handles(Op.UNLOCK_CONNECTOR)
    async def on_unlock(self, request: Any, ctx: CallContext) -> Message:
        """UnlockConnector (1.6 §5.18, §6.54): a running transaction on the connector is
        stopped first (reason UnlockCommand). 1.6 answers Unlocked / UnlockFailed /
        NotSupported (fixed cable, or no such connector: OCTT TC_017_2, TC_031); 1.2/1.5
        answer Accepted / Rejected."""
        statuses = self.cp_types.UnlockStatus
        v16 = self.version is V16
        if not self._valid_connector(request.connector_id, zero=False) or self.traits.fixed_cable:
            return ctx.respond(status=statuses.NOT_SUPPORTED if v16 else statuses.REJECTED)
        c = self.connectors[request.connector_id]
        if c.tx is not None:
            self._after_reply(ctx, lambda: self._unlock_stop(c))
        if c.lock_failure:
            return ctx.respond(status=statuses.UNLOCK_FAILED if v16 else statuses.REJECTED)
        c.locked, c.lock_owner = False, None
        return ctx.respond(status=statuses.UNLOCKED if v16 else statuses.ACCEPTED)

    def _unlock_stop(self, c: ConnectorState) -> None:
        if c.tx is not None:
            self._stop_transaction(c, "UnlockCommand", None)

    @handles(Op.CHANGE_AVAILABILITY)
    async def on_change_availability(self, request: Any, ctx: CallContext) -> Message:
        """ChangeAvailability (1.6 §5.2): connector 0 = the whole station; Scheduled when
        a transaction runs (the change applies when it ends); already in that state →
        Accepted; the setting persists across reboots."""
        statuses = self.cp_types.AvailabilityStatus
        connector_id = request.connector_id
        if not self._valid_connector(connector_id, zero=True):
            return ctx.respond(status=statuses.REJECTED)
        operative = request.type.value == "Operative"
        with atomic(self.db):
            self.store.set_operative(connector_id, operative)
        if connector_id == 0:
            self.cp_operative = operative
            busy = any(c.tx is not None for c in self.connectors.values())
        else:
            c = self.connectors[connector_id]
            c.operative = operative
            busy = c.tx is not None
        self.refresh()
        scheduled = busy and not operative
        return ctx.respond(status=statuses.SCHEDULED if scheduled else statuses.ACCEPTED)

    @handles(Op.CHANGE_CONFIGURATION)
    async def on_change_configuration(self, request: Any, ctx: CallContext) -> Message:
        status = self.config.change(request.key, request.value)
        return ctx.respond(status=self.cp_types.ConfigurationStatus(status))

    @handles(Op.GET_CONFIGURATION)
    async def on_get_configuration(self, request: Any, ctx: CallContext) -> Message:
        """GetConfiguration (1.6 §5.8, 1.5 §5.7): requested keys (all if none) with
        readonly flag; unknown ones in unknownKey. 1.6: more keys than
        GetConfigurationMaxKeys is refused with a ProtocolError fault."""
        keys = list(request.key)
        if self.version is V16:
            limit = self.config.get_int("GetConfigurationMaxKeys", 0)
            if limit and len(keys) > limit:
                raise SoapFault(FaultSubcode.PROTOCOL_ERROR,
                                f"{len(keys)} keys requested; GetConfigurationMaxKeys is {limit}")
        known, unknown = self.config.get_configuration(keys)
        values = [self.cp_types.KeyValue(key=d.name, readonly=d.readonly, value=value)
                  for d, value in known]
        return ctx.respond(configuration_key=values, unknown_key=unknown)

    @handles(Op.CLEAR_CACHE)
    async def on_clear_cache(self, request: Any, ctx: CallContext) -> Message:
        """ClearCache (1.6 §5.4): empty the authorisation cache; Rejected if there is none
        (or it is disabled)."""
        ok = bool(self.auth.clear_cache())
        statuses = self.cp_types.ClearCacheStatus
        return ctx.respond(status=statuses.ACCEPTED if ok else statuses.REJECTED)

    @handles(Op.REMOTE_START_TRANSACTION)
    async def on_remote_start(self, request: Any, ctx: CallContext) -> Message:
        """RemoteStartTransaction (1.6 §5.11): Accepted if the station can try; then, if
        AuthorizeRemoteTxRequests, the idTag is authorised like a local one, and the
        transaction starts once a cable is in (within ConnectionTimeOut). connectorId 0
        is not a connector (OCTT TC_027). A chargingProfile must be a TxProfile; it
        governs the new transaction."""
        statuses = self.cp_types.RemoteStartStopStatus
        rejected = ctx.respond(status=statuses.REJECTED)
        connector_id = request.connector_id
        profile = getattr(request, "charging_profile", None)
        if profile is not None:
            purpose = profile.charging_profile_purpose.value
            if self.charging is None or purpose != "TxProfile" or profile.transaction_id:
                return rejected
        if connector_id is not None:
            if not self._valid_connector(connector_id, zero=False):
                return rejected
            c = self.connectors[connector_id]
        else:
            picked = self._pick_connector(None, request.id_tag)
            if picked is None:
                return rejected
            c = picked
        if not self._usable(c) or c.pending is not None:
            return rejected
        allowed, _ = self._reservation_for(c, request.id_tag, None)
        if not allowed and not any(r.parent_id_tag for r in self.reservations.values()):
            return rejected  # reserved for someone else (a parentIdTag may still match)
        self._after_reply(ctx, lambda: self._remote_start(c, request.id_tag, profile))
        return ctx.respond(status=statuses.ACCEPTED)

    async def _remote_start(self, c: ConnectorState, id_tag: str, profile: Any) -> None:
        authorize = (self.config.get_bool("AuthorizeRemoteTxRequests", False)
                     if self.version is V16 else self.traits.authorize_remote_start)
        if authorize:
            result = await self.authorize(id_tag)
            if not result.accepted:
                return
        else:
            result = AuthResult(True, IdInfo("Accepted"), "cs")
        self._authorized(c, id_tag, result, remote=True, profile=profile)

    @handles(Op.REMOTE_STOP_TRANSACTION)
    async def on_remote_stop(self, request: Any, ctx: CallContext) -> Message:
        """RemoteStopTransaction (1.6 §5.12): Accepted and stop (reason Remote) if the
        transaction runs here; Rejected otherwise (OCTT TC_028)."""
        statuses = self.cp_types.RemoteStartStopStatus
        c = self.find_transaction(request.transaction_id)
        if c is None:
            return ctx.respond(status=statuses.REJECTED)
        tx = c.tx

        def stop() -> None:
            if c.tx is tx and tx is not None:
                self._stop_transaction(c, "Remote", None)

        self._after_reply(ctx, stop)
        return ctx.respond(status=statuses.ACCEPTED)

    @handles(Op.GET_DIAGNOSTICS)
    async def on_get_diagnostics(self, request: Any, ctx: CallContext) -> Message:
        """GetDiagnostics (1.6 §5.9): answer with the file name, then upload it to
        ``location`` (retries × retryInterval) and report DiagnosticsStatusNotification
        (1.6: Uploading, then Uploaded / UploadFailed)."""
        if not self.supports("FirmwareManagement"):
            raise SoapFault(FaultSubcode.NOT_SUPPORTED, "FirmwareManagement is not supported")
        stamp = self.clock.now().strftime("%Y%m%dT%H%M%SZ")
        file_name = f"diagnostics-{self.identity}-{stamp}.txt"
        self._after_reply(ctx, lambda: self._diagnostics(request, file_name))
        return ctx.respond(file_name=file_name)

    def diagnostics_text(self, start: dt.datetime | None, stop: dt.datetime | None) -> bytes:
        lines = [f"ocppcert reference charge point {self.identity}",
                 f"OCPP {self.version.value}, firmware {self.firmware}",
                 f"generated {self.clock.now().isoformat()}", ""]
        for record in self.recorder.records:
            if start is not None and record.time < start:
                continue
            if stop is not None and record.time > stop:
                continue
            lines.append(log_line(record))
        return ("\n".join(lines) + "\n").encode()

    async def _diagnostics(self, request: Any, file_name: str) -> None:
        self.diagnostics_status = "Uploading"
        if self.version is V16:
            await self._diagnostics_status("Uploading")
        data = self.diagnostics_text(request.start_time, request.stop_time)
        tries = 1 + max(0, request.retries or 0)
        for attempt in range(tries):
            try:
                await upload(request.location, file_name, data)
            except TransferError as exc:
                log.info("diagnostics upload failed: %s", exc)
                if attempt + 1 < tries:
                    await asyncio.sleep(self.scaled(request.retry_interval or 0))  # bounded-poll
                continue
            self.diagnostics_status = "Idle"
            await self._diagnostics_status("Uploaded")
            return
        self.diagnostics_status = "Idle"
        await self._diagnostics_status("UploadFailed")

    async def _diagnostics_status(self, status: str, *, triggered: bool = False) -> None:
        request = self.request(Op.DIAGNOSTICS_STATUS_NOTIFICATION,
                               status=self.types.DiagnosticsStatus(status))
        await self._send_quietly(request, before_accept=triggered)

    @handles(Op.UPDATE_FIRMWARE)
    async def on_update_firmware(self, request: Any, ctx: CallContext) -> Message:
        """UpdateFirmware (1.6 §5.19): from retrieveDate on, download (retries ×
        retryInterval), install once no transaction runs, reboot; the new version shows
        in BootNotification, then FirmwareStatusNotification Installed. 1.6 also reports
        Downloading, Downloaded and Installing; failures are DownloadFailed /
        InstallationFailed."""
        if not self.supports("FirmwareManagement"):
            raise SoapFault(FaultSubcode.NOT_SUPPORTED, "FirmwareManagement is not supported")
        self._after_reply(ctx, lambda: self._firmware(request))
        return ctx.respond()

    async def _firmware(self, request: Any) -> None:
        await self.clock.sleep_until(request.retrieve_date)
        tries = 1 + max(0, request.retries or 0)
        image: bytes | None = None
        self.firmware_status = "Downloading"
        if self.version is V16:
            await self._firmware_status("Downloading")
        for attempt in range(tries):
            try:
                image = await download(request.location)
                break
            except TransferError as exc:
                log.info("firmware download failed: %s", exc)
                if attempt + 1 < tries:
                    await asyncio.sleep(self.scaled(request.retry_interval or 0))  # bounded-poll
        if image is None:
            self.firmware_status = "Idle"
            await self._firmware_status("DownloadFailed")
            return
        self.firmware_status = "Downloaded"
        await self._firmware_status("Downloaded")
        await self.wait_until(lambda: all(c.tx is None for c in self.connectors.values()),
                              timeout=7 * 24 * 3600)
        self.firmware_status = "Installing"
        if self.version is V16:
            await self._firmware_status("Installing")
        try:
            new_version = firmware_version(image)
        except TransferError as exc:
            log.info("firmware installation failed: %s", exc)
            self.firmware_status = "Idle"
            await self._firmware_status("InstallationFailed")
            return
        with atomic(self.db):
            self.store.set_state("firmware_version", new_version)
            self.store.set_state("firmware_installed_pending", "1")
        self._spawn(self.reboot("Reboot"), powered=False)

    async def _firmware_status(self, status: str, *, triggered: bool = False) -> None:
        request = self.request(Op.FIRMWARE_STATUS_NOTIFICATION,
                               status=self.types.FirmwareStatus(status))
        await self._send_quietly(request, before_accept=triggered)

    @handles(Op.RESERVE_NOW)
    async def on_reserve_now(self, request: Any, ctx: CallContext) -> Message:
        """ReserveNow (1.6 §5.13, 1.5 §5.12): Faulted / Unavailable / Occupied per the
        connector's state; Rejected when reservations are not supported, or connector 0
        without ReserveConnectorZeroSupported; a known reservationId is replaced."""
        statuses = self.cp_types.ReservationStatus
        if not self._takes_reservations():
            return ctx.respond(status=statuses.REJECTED)
        connector_id = request.connector_id
        if not self._valid_connector(connector_id, zero=True):
            return ctx.respond(status=statuses.REJECTED)
        others = {k: r for k, r in self.reservations.items() if k != request.reservation_id}
        if connector_id == 0:
            zero_ok = (self.config.get_bool("ReserveConnectorZeroSupported", False)
                       if self.version is V16 else self.traits.reserve_connector_zero)
            if not zero_ok:
                return ctx.respond(status=statuses.REJECTED)
            if self.cp_fault is not None:
                return ctx.respond(status=statuses.FAULTED)
            if not self.cp_operative:
                return ctx.respond(status=statuses.UNAVAILABLE)
            free = [c for c in self.connectors.values()
                    if c.tx is None and c.pending is None and not c.plugged and c.fault is None
                    and c.operative and not any(r.connector_id == c.id for r in others.values())]
            if len(free) <= sum(1 for r in others.values() if r.connector_id == 0):
                # no connector left to keep: say why when every connector has the same reason
                if all(c.fault is not None for c in self.connectors.values()):
                    return ctx.respond(status=statuses.FAULTED)
                if not any(c.operative for c in self.connectors.values()):
                    return ctx.respond(status=statuses.UNAVAILABLE)
                return ctx.respond(status=statuses.OCCUPIED)
        else:
            c = self.connectors[connector_id]
            if c.fault is not None or self.cp_fault is not None:
                return ctx.respond(status=statuses.FAULTED)
            if not (c.operative and self.cp_operative):
                return ctx.respond(status=statuses.UNAVAILABLE)
            if (c.tx is not None or c.pending is not None or c.plugged
                    or any(r.connector_id == connector_id for r in others.values())):
                return ctx.respond(status=statuses.OCCUPIED)
        reservation = Reservation(request.reservation_id, connector_id, request.id_tag,
                                  request.parent_id_tag, request.expiry_date)
        with atomic(self.db):
            self.store.put_reservation(reservation)
        self.reservations[reservation.reservation_id] = reservation
        self._arm_reservation(reservation)
        self.refresh()
        return ctx.respond(status=statuses.ACCEPTED)

    def _takes_reservations(self) -> bool:
        """1.6: the Reservation profile (§3.3). 1.5 has no profiles, but a station may still be
        set up without reservations: it answers ReserveNow Rejected (1.5 §5.11)."""
        return "Reservation" in self.traits.feature_profiles

    @handles(Op.CANCEL_RESERVATION)
    async def on_cancel_reservation(self, request: Any, ctx: CallContext) -> Message:
        """CancelReservation (1.6 §5.1): Accepted if the reservation exists, else Rejected."""
        statuses = self.cp_types.CancelReservationStatus
        if request.reservation_id not in self.reservations:
            return ctx.respond(status=statuses.REJECTED)
        with atomic(self.db):
            self.store.delete_reservation(request.reservation_id)
        self._forget_reservation(request.reservation_id)
        self.refresh()
        return ctx.respond(status=statuses.ACCEPTED)

    @handles(Op.DATA_TRANSFER)
    async def on_data_transfer(self, request: Any, ctx: CallContext) -> Message:
        """DataTransfer (1.6 §5.6): UnknownVendorId unless the vendorId is ours; our vendor
        knows messageId "echo" (or none), answered Accepted with the data echoed."""
        statuses = self.cp_types.DataTransferStatus
        if request.vendor_id != self.traits.data_transfer_vendor:
            return ctx.respond(status=statuses.UNKNOWN_VENDOR_ID)
        if request.message_id not in (None, "echo"):
            return ctx.respond(status=statuses.UNKNOWN_MESSAGE_ID)
        return ctx.respond(status=statuses.ACCEPTED, data=request.data)

    @handles(Op.GET_LOCAL_LIST_VERSION)
    async def on_get_local_list_version(self, request: Any, ctx: CallContext) -> Message:
        """GetLocalListVersion (1.6 §5.10): -1 when local lists are not supported."""
        if not self.supports("LocalAuthListManagement"):
            return ctx.respond(list_version=-1)
        return ctx.respond(list_version=int(self.auth.list_version()))

    @handles(Op.SEND_LOCAL_LIST)
    async def on_send_local_list(self, request: Any, ctx: CallContext) -> Message:
        """SendLocalList (1.6 §5.15, 1.5 §5.14): delegated to the local authorisation list."""
        statuses = self.cp_types.UpdateStatus
        if not self.supports("LocalAuthListManagement"):
            return ctx.respond(status=statuses.NOT_SUPPORTED)
        items = (request.local_authorization_list if self.version is V16
                 else request.local_authorisation_list)
        entries = [(item.id_tag, _convert_info(item.id_tag_info)
                    if item.id_tag_info is not None else None) for item in items]
        status, list_hash = self.auth.apply_send_local_list(
            request.update_type.value, request.list_version, entries,
            getattr(request, "hash", None))
        if self.version is V15:
            return ctx.respond(status=statuses(status), hash=list_hash)
        return ctx.respond(status=statuses(status))

    @handles(Op.SET_CHARGING_PROFILE)
    async def on_set_charging_profile(self, request: Any, ctx: CallContext) -> Message:
        """SetChargingProfile (1.6 §5.16): delegated to the charging profiles; a TxProfile
        needs a transaction on the connector (OCTT TC_058). The new limit applies at once."""
        statuses = self.cp_types.ChargingProfileStatus
        if self.charging is None:
            return ctx.respond(status=statuses.NOT_SUPPORTED)
        if not self._valid_connector(request.connector_id, zero=True):
            return ctx.respond(status=statuses.REJECTED)
        c = self.connectors.get(request.connector_id)
        tx = c.tx if c is not None else None
        status = self.charging.set_profile(
            request.connector_id, request.cs_charging_profiles,
            transaction_id=tx.transaction_id if tx is not None else None)
        self.refresh()
        return ctx.respond(status=statuses(status))

    @handles(Op.CLEAR_CHARGING_PROFILE)
    async def on_clear_charging_profile(self, request: Any, ctx: CallContext) -> Message:
        statuses = self.cp_types.ClearChargingProfileStatus
        if self.charging is None:
            return ctx.respond(status=statuses.UNKNOWN)
        purpose = request.charging_profile_purpose
        status = self.charging.clear(profile_id=request.id, connector_id=request.connector_id,
                                     purpose=purpose.value if purpose is not None else None,
                                     stack_level=request.stack_level)
        self.refresh()
        return ctx.respond(status=statuses(status))

    @handles(Op.GET_COMPOSITE_SCHEDULE)
    async def on_get_composite_schedule(self, request: Any, ctx: CallContext) -> Message:
        """GetCompositeSchedule (1.6 §5.7): the schedule from now for ``duration`` s."""
        statuses = self.cp_types.GetCompositeScheduleStatus
        if self.charging is None or not self._valid_connector(request.connector_id, zero=True):
            return ctx.respond(status=statuses.REJECTED)
        now = self.clock.now()
        c = self.connectors.get(request.connector_id)
        tx = c.tx if c is not None else None
        unit = request.charging_rate_unit.value if request.charging_rate_unit else None
        schedule = self.charging.composite_schedule(
            request.connector_id, request.duration, unit, now,
            transaction_id=tx.transaction_id if tx is not None else None,
            transaction_start=tx.start_time if tx is not None else None)
        if schedule is None:
            return ctx.respond(status=statuses.REJECTED)
        start = getattr(schedule, "start_schedule", None) or now
        return ctx.respond(status=statuses.ACCEPTED, connector_id=request.connector_id,
                           schedule_start=start, charging_schedule=schedule)

    @handles(Op.TRIGGER_MESSAGE)
    async def on_trigger_message(self, request: Any, ctx: CallContext) -> Message:
        """TriggerMessage (1.6 §5.17): Accepted, then the requested message is sent (even
        while the boot is Pending, §4.2); Rejected for a connectorId that does not exist."""
        statuses = self.cp_types.TriggerMessageStatus
        if not self.supports("RemoteTrigger"):
            return ctx.respond(status=statuses.NOT_IMPLEMENTED)
        connector_id = request.connector_id
        if connector_id is not None and not self._valid_connector(connector_id, zero=True):
            return ctx.respond(status=statuses.REJECTED)
        what = request.requested_message.value
        self._after_reply(ctx, lambda: self._triggered(what, connector_id))
        return ctx.respond(status=statuses.ACCEPTED)

    async def _triggered(self, what: str, connector_id: int | None) -> None:
        if what == "BootNotification":
            try:
                response = await self.send(self.boot_request(), before_accept=True)
            except (Unreachable, DeliveryFailed):
                return
            self._boot_answered(response)
        elif what == "Heartbeat":
            await self._send_quietly(self.request(Op.HEARTBEAT), before_accept=True)
        elif what == "StatusNotification":
            targets = [connector_id] if connector_id is not None else [0, *self.connectors]
            for target in targets:
                status, error = self.status_of(target)
                fields: dict[str, Any] = {
                    "connector_id": target, "status": self.types.ChargePointStatus(status),
                    "error_code": self.types.ChargePointErrorCode(error),
                    "timestamp": self.clock.now()}
                await self._send_quietly(self.request(Op.STATUS_NOTIFICATION, **fields),
                                         before_accept=True)
        elif what == "MeterValues":
            targets = [connector_id] if connector_id else list(self.connectors)
            for target in targets:
                c = self.connectors[target]
                self._update_power(c)
                values = (self._values(c, "MeterValuesSampledData", series="trigger")
                          or readings(c.meter, ["Energy.Active.Import.Register"],
                                      self.electrical, series="trigger"))
                tx_id = c.tx.transaction_id if c.tx is not None else None
                request = self._meter_values_request(c.id, tx_id, values, "Trigger")
                await self._send_quietly(request, before_accept=True)
        elif what == "DiagnosticsStatusNotification":
            await self._diagnostics_status(self.diagnostics_status, triggered=True)
        elif what == "FirmwareStatusNotification":
            await self._firmware_status(self.firmware_status, triggered=True)

    # =====================================================================================
    # state for the control API
    # =====================================================================================
    def snapshot(self) -> dict[str, Any]:
        connectors = []
        for connector_id in [0, *self.connectors]:
            status, error = self.status_of(connector_id) if self.powered else ("Off", "NoError")
            entry: dict[str, Any] = {"id": connector_id, "status": status, "error_code": error}
            if connector_id == 0:
                entry.update(operative=self.cp_operative, fault=self.cp_fault)
            else:
                c = self.connectors[connector_id]
                entry.update(
                    operative=c.operative, plugged=c.plugged, ev_connected=c.ev_connected,
                    ev_suspended=c.ev_suspended, evse_suspended=c.evse_suspended,
                    fault=c.fault, lock_failure=c.lock_failure, locked=c.locked,
                    pending_id_tag=c.pending.id_tag if c.pending else None,
                    transaction=c.tx.as_dict() if c.tx else None,
                    meter_wh=c.meter.register(), power_w=round(c.meter.power_w, 1))
            connectors.append(entry)
        try:
            list_version = int(self.auth.list_version())
        except Exception:
            list_version = None
        items = self.queue.items()
        return {
            "identity": self.identity, "ocpp_version": self.version.value, "url": self.url,
            "central_system": self.central_system_url, "powered": self.powered,
            "online": self.link_up, "reachable": self.reachable,
            "boot": self.boot_state.value, "boot_attempts": self.boot_attempts,
            "firmware_version": self.firmware, "firmware_status": self.firmware_status,
            "diagnostics_status": self.diagnostics_status,
            "heartbeat_interval": self.config.get_int("HeartbeatInterval", 0),
            "clock": {"now": self.clock.now().isoformat(),
                      "offset_seconds": self.clock.offset.total_seconds()},
            "connectors": connectors,
            "reservations": [r.as_dict() for r in self.reservations.values()],
            "queue": {"length": len(items), "messages": [i.as_dict() for i in items]},
            "dropped": list(self.dropped),
            "local_list_version": list_version,
        }


__all__ = [
    "AuthResult",
    "BootState",
    "ChargePointTraits",
    "ConnectorState",
    "DeliveryFailed",
    "IdInfo",
    "ReferenceChargePoint",
    "Unreachable",
]
