"""Smart charging of the reference charge point (OCPP 1.6), with profiles kept in SQLite.

What OCPP 1.6 asks (§3.13 Smart Charging, §5.5 ClearChargingProfile, §5.7 GetCompositeSchedule,
§5.16 SetChargingProfile, §7.7-§7.14 the ChargingProfile types, §9.4 keys), in our own words:

- Three purposes. *ChargePointMaxProfile* caps the whole charge point and is only set on
  connector 0. *TxDefaultProfile* is the default for new transactions, on one connector or, set on
  connector 0, on all of them. *TxProfile* governs one running transaction: it is only accepted on
  a connector with an active transaction (and a transactionId in it must be that transaction's),
  and it ends with the transaction.
- Stacking: per purpose, at each instant the valid profile (validFrom/validTo, and a schedule that
  covers that instant) with the highest stackLevel prevails. A TxProfile overrules the
  TxDefaultProfile. The ChargePointMaxProfile limits the result.
- Kinds: *Absolute* periods count from startSchedule; *Recurring* ones restart every day or week
  from startSchedule; *Relative* ones count from the start of the transaction.
- A profile with the chargingProfileId of an installed one replaces it; so does one with the same
  purpose and stackLevel on the same connector.
- ChargeProfileMaxStackLevel, ChargingScheduleMaxPeriods, ChargingScheduleAllowedChargingRateUnit
  and MaxChargingProfilesInstalled bound what SetChargingProfile accepts.
- ClearChargingProfile clears one profile by id, or every profile matching all of the given
  connectorId/purpose/stackLevel criteria (none given: all); nothing matched answers Unknown.
- GetCompositeSchedule reports the limits that will apply on a connector from now on for the
  requested duration; connector 0 reports the charge point as a whole.

Decisions where the specification leaves room (documented and tested):

- Period starts: the first startPeriod must be 0 and they must increase strictly; limits are not
  negative; numberPhases is 1..3; a Recurring profile needs recurrencyKind and startSchedule;
  validFrom must precede validTo; a transactionId is only allowed in a TxProfile; a Relative
  ChargePointMaxProfile (there is no transaction to be relative to) is Rejected. Anything else
  that breaks a rule is Rejected; ``set_profile`` never answers NotSupported itself (a station
  without the Smart Charging profile answers that before asking us).
- An Absolute profile without startSchedule counts from the transaction start, like a Relative one
  (§7.13: "if absent the schedule will be relative to start of charging"). Without a transaction,
  Relative schedules count from the moment asked about (the composite's start): the composite of
  an idle connector shows what a transaction starting now would get.
- Recurring schedules repeat both ways in time from startSchedule (the time of day/week is what
  matters); validFrom/validTo bound them. Times are UTC; daylight saving is not modelled.
- Two TxDefaultProfiles with the same stackLevel, one on the connector and one on connector 0:
  the connector's own prevails.
- The composite is per instant min(TxProfile-or-TxDefaultProfile limit, ChargePointMaxProfile
  limit). Connector 0 reports the ChargePointMaxProfile limits. Where no profile applies, the
  charge point's hardware limit (``max_current`` amperes on ``phases`` phases) fills the gap, so
  the schedule covers the whole duration. ``limit_at`` does not fill gaps: it returns None there.
- Unit conversion assumes ``voltage`` volts (default 230) per phase: W = A × voltage × phases,
  phases being the period's numberPhases or 3 (§7.13's default). Converted limits are rounded
  down to 0.1 (never above the profile's limit). Without a requested unit, the composite uses the
  unit of the first limit that applies.
- Composite periods start at ``now`` truncated to the second; startPeriod offsets are whole
  seconds; a change at a fractional second shows from the next whole second; adjacent periods
  with the same limit and numberPhases are merged.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from enum import Enum
from typing import Any

from ocppcert.messages.base import MessageDecodeError
from ocppcert.messages.v16.charge_point import (
    ChargingProfile,
    ChargingProfileKindType,
    ChargingProfilePurposeType,
    ChargingRateUnitType,
    ChargingSchedule,
    ChargingSchedulePeriod,
    RecurrencyKindType,
)
from ocppcert.reference.db import atomic

__all__ = ["ChargingProfiles", "InstalledProfile", "DEFAULT_VOLTAGE"]

ACCEPTED = "Accepted"
REJECTED = "Rejected"
NOT_SUPPORTED = "NotSupported"
UNKNOWN = "Unknown"

MAX_PROFILE = ChargingProfilePurposeType.CHARGE_POINT_MAX_PROFILE.value
TX_DEFAULT = ChargingProfilePurposeType.TXDEFAULT_PROFILE.value
TX_PROFILE = ChargingProfilePurposeType.TXPROFILE.value

ABSOLUTE = ChargingProfileKindType.ABSOLUTE.value
RECURRING = ChargingProfileKindType.RECURRING.value
RELATIVE = ChargingProfileKindType.RELATIVE.value

AMPERE = ChargingRateUnitType.A.value
WATT = ChargingRateUnitType.W.value
#: ChargingScheduleAllowedChargingRateUnit values (§9.4) and the units they stand for.
UNIT_KEYS = {"Current": AMPERE, "Power": WATT}

DEFAULT_VOLTAGE = Decimal(230)
DEFAULT_PHASES = 3  # §7.13 numberPhases: absent means 3
RECURRENCE = {
    RecurrencyKindType.DAILY.value: dt.timedelta(days=1),
    RecurrencyKindType.WEEKLY.value: dt.timedelta(days=7),
}
_TENTH = Decimal("0.1")


def _value(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def _utc(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc)


@dataclass(frozen=True)
class _Limit:
    """One limit from one schedule period (or the hardware), in its own unit."""

    limit: Decimal
    unit: str
    phases: int | None  # the period's numberPhases; None = not given (3)

    def watts(self, voltage: Decimal) -> Decimal:
        return self.convert(WATT, voltage)

    def convert(self, unit: str, voltage: Decimal) -> Decimal:
        if unit == self.unit:
            return self.limit
        factor = voltage * (self.phases or DEFAULT_PHASES)
        return self.limit * factor if unit == WATT else self.limit / factor


@dataclass(frozen=True)
class InstalledProfile:
    profile_id: int
    connector_id: int
    purpose: str
    stack_level: int
    transaction_id: int | None
    profile: ChargingProfile


_SCHEMA = """CREATE TABLE IF NOT EXISTS sc_profiles (
    profile_id INTEGER PRIMARY KEY,
    connector_id INTEGER NOT NULL,
    purpose TEXT NOT NULL,
    stack_level INTEGER NOT NULL,
    transaction_id INTEGER,
    profile TEXT NOT NULL
)"""


class ChargingProfiles:
    """The charging profiles installed on one charge point, and what they add up to.

    ``max_stack_level`` is ChargeProfileMaxStackLevel, ``max_periods`` ChargingScheduleMaxPeriods,
    ``allowed_units`` ChargingScheduleAllowedChargingRateUnit ("Current"/"Power", or "A"/"W"),
    ``max_installed`` MaxChargingProfilesInstalled. ``voltage``, ``phases`` and ``max_current``
    describe the hardware (unit conversion and the composite's gap filler).
    """

    def __init__(
        self,
        db: sqlite3.Connection,
        *,
        connectors: int,
        max_stack_level: int = 10,
        max_periods: int = 24,
        allowed_units: tuple[str, ...] = ("Current", "Power"),
        max_installed: int = 20,
        voltage: Decimal | int = DEFAULT_VOLTAGE,
        phases: int = DEFAULT_PHASES,
        max_current: Decimal | int = Decimal(32),
    ) -> None:
        self.db = db
        self.connectors = connectors
        self.max_stack_level = max_stack_level
        self.max_periods = max_periods
        self.allowed_units = frozenset(UNIT_KEYS.get(u, u) for u in allowed_units)
        self.max_installed = max_installed
        self.voltage = Decimal(voltage)
        self.phases = phases
        self.max_current = Decimal(max_current)
        self._lock = threading.RLock()
        with self._transaction():
            self.db.execute(_SCHEMA)

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """One atomic change: a savepoint (a transaction of its own, or nested in the caller's)."""
        with self._lock, atomic(self.db):
            yield

    # -- reading -------------------------------------------------------------------------------

    def installed(self) -> list[InstalledProfile]:
        """Every installed profile, by chargingProfileId."""
        with self._lock:
            rows = self.db.execute(
                "SELECT profile_id, connector_id, purpose, stack_level, transaction_id, profile "
                "FROM sc_profiles ORDER BY profile_id"
            ).fetchall()
        return [
            InstalledProfile(
                row[0], row[1], row[2], row[3], row[4],
                ChargingProfile.from_json(json.loads(row[5])),
            )
            for row in rows
        ]

    # -- SetChargingProfile --------------------------------------------------------------------

    def set_profile(
        self, connector_id: int, profile: ChargingProfile | Any, *, transaction_id: int | None
    ) -> str:
        """SetChargingProfile (§5.16): install ``profile`` on ``connector_id``.

        ``transaction_id`` is the transaction active on that connector (None: none). Returns
        Accepted or Rejected (see the module docstring for every rule).
        """
        try:
            profile = _as_profile(profile)
        except (MessageDecodeError, TypeError, ValueError):
            return REJECTED
        if self._reject_reason(connector_id, profile, transaction_id) is not None:
            return REJECTED
        purpose = _value(profile.charging_profile_purpose)
        stored_tx = transaction_id if purpose == TX_PROFILE else None
        replaced = (
            "profile_id = ? OR (purpose = ? AND stack_level = ? AND connector_id = ?)"
        )
        keys = (profile.charging_profile_id, purpose, profile.stack_level, connector_id)
        with self._transaction():
            total = self.db.execute("SELECT COUNT(*) FROM sc_profiles").fetchone()[0]
            gone = self.db.execute(
                f"SELECT COUNT(*) FROM sc_profiles WHERE {replaced}", keys
            ).fetchone()[0]
            if total - gone + 1 > self.max_installed:
                return REJECTED
            self.db.execute(f"DELETE FROM sc_profiles WHERE {replaced}", keys)
            self.db.execute(
                "INSERT INTO sc_profiles "
                "(profile_id, connector_id, purpose, stack_level, transaction_id, profile) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (
                    profile.charging_profile_id, connector_id, purpose, profile.stack_level,
                    stored_tx, json.dumps(profile.to_json()),
                ),
            )
        return ACCEPTED

    def _reject_reason(
        self, connector_id: int, profile: ChargingProfile, transaction_id: int | None
    ) -> str | None:
        """Why SetChargingProfile must answer Rejected, or None when it may be installed."""
        purpose = _value(profile.charging_profile_purpose)
        kind = _value(profile.charging_profile_kind)
        schedule = profile.charging_schedule
        if not 0 <= connector_id <= self.connectors:
            return "unknown connector"
        if purpose == MAX_PROFILE:
            if connector_id != 0:
                return "ChargePointMaxProfile only on connector 0"
            if kind == RELATIVE:
                return "a ChargePointMaxProfile cannot be relative to a transaction"
        if purpose == TX_PROFILE:
            if connector_id == 0:
                return "TxProfile needs a connector"
            if transaction_id is None:
                return "TxProfile without an active transaction"
            if profile.transaction_id is not None and profile.transaction_id != transaction_id:
                return "TxProfile for another transaction"
        elif profile.transaction_id is not None:
            return "transactionId is only valid in a TxProfile"
        if not 0 <= profile.stack_level <= self.max_stack_level:
            return "stackLevel out of range"
        if _value(schedule.charging_rate_unit) not in self.allowed_units:
            return "chargingRateUnit not allowed"
        periods = schedule.charging_schedule_period
        if not 1 <= len(periods) <= self.max_periods:
            return "too many (or no) periods"
        if periods[0].start_period != 0:
            return "the first period must start at 0"
        starts = [period.start_period for period in periods]
        if any(later <= earlier for earlier, later in zip(starts, starts[1:], strict=False)):
            return "periods must start in increasing order"
        for period in periods:
            if period.limit < 0:
                return "negative limit"
            if period.number_phases is not None and not 1 <= period.number_phases <= 3:
                return "numberPhases out of range"
        if schedule.duration is not None and schedule.duration < 0:
            return "negative duration"
        if schedule.min_charging_rate is not None and schedule.min_charging_rate < 0:
            return "negative minChargingRate"
        if kind == RECURRING and (
            profile.recurrency_kind is None or schedule.start_schedule is None
        ):
            return "Recurring needs recurrencyKind and startSchedule"
        if (
            profile.valid_from is not None
            and profile.valid_to is not None
            and _utc(profile.valid_to) <= _utc(profile.valid_from)
        ):
            return "validTo before validFrom"
        return None

    # -- ClearChargingProfile / end of transaction ---------------------------------------------

    def clear(
        self,
        *,
        profile_id: int | None = None,
        connector_id: int | None = None,
        purpose: str | Any | None = None,
        stack_level: int | None = None,
    ) -> str:
        """ClearChargingProfile (§5.5): by id, else by all given criteria; Accepted or Unknown."""
        if profile_id is not None:
            where, args = "profile_id = ?", [profile_id]
        else:
            clauses, args = [], []
            for column, value in (
                ("connector_id", connector_id),
                ("purpose", _value(purpose)),
                ("stack_level", stack_level),
            ):
                if value is not None:
                    clauses.append(f"{column} = ?")
                    args.append(value)
            where = " AND ".join(clauses) or "1"
        with self._transaction():
            removed = self.db.execute(f"DELETE FROM sc_profiles WHERE {where}", args).rowcount
        return ACCEPTED if removed else UNKNOWN

    def transaction_ended(self, transaction_id: int) -> None:
        """A TxProfile ends with its transaction (§3.13.1): delete those of ``transaction_id``."""
        with self._transaction():
            self.db.execute(
                "DELETE FROM sc_profiles WHERE purpose = ? AND transaction_id = ?",
                (TX_PROFILE, transaction_id),
            )

    # -- evaluation ----------------------------------------------------------------------------

    def limit_at(
        self,
        connector_id: int,
        when: dt.datetime,
        *,
        transaction_id: int | None = None,
        transaction_start: dt.datetime | None = None,
    ) -> tuple[Decimal, str] | None:
        """The limit in force on ``connector_id`` at ``when``, in the prevailing profile's unit.

        None for an unknown connector or when no profile applies (no hardware gap filling).
        """
        if not 0 <= connector_id <= self.connectors:
            return None
        when = _utc(when)
        start = _utc(transaction_start) if transaction_start is not None else when
        winner = self._winner(self.installed(), connector_id, when, transaction_id, start)
        if winner is None:
            return None
        return winner.limit, winner.unit

    def composite_schedule(
        self,
        connector_id: int,
        duration: int,
        unit: str | Any | None,
        now: dt.datetime,
        *,
        transaction_id: int | None = None,
        transaction_start: dt.datetime | None = None,
    ) -> ChargingSchedule | None:
        """GetCompositeSchedule (§5.7): the limits from ``now`` for ``duration`` seconds.

        None (the station answers Rejected) for an unknown connector, a duration not above 0 or
        a unit other than A/W. ``startSchedule`` is ``now`` (whole seconds).
        """
        unit = _value(unit)
        if not 0 <= connector_id <= self.connectors or duration <= 0:
            return None
        if unit is not None and unit not in (AMPERE, WATT):
            return None
        now = _utc(now).replace(microsecond=0)
        end = now + dt.timedelta(seconds=duration)
        start = _utc(transaction_start) if transaction_start is not None else now
        profiles = self._relevant(self.installed(), connector_id, transaction_id)
        offsets = {0}
        for item in profiles:
            for moment in _breakpoints(item.profile, now, end, start):
                if now < moment < end:
                    offsets.add(math.ceil((moment - now).total_seconds()))
        winners = [
            (offset, self._winner(profiles, connector_id,
                                  now + dt.timedelta(seconds=offset), transaction_id, start))
            for offset in sorted(o for o in offsets if o < duration)
        ]
        if unit is None:
            unit = next((w.unit for _, w in winners if w is not None), None)
            if unit is None:
                unit = AMPERE if AMPERE in self.allowed_units or not self.allowed_units else WATT
        hardware = _Limit(self.max_current, AMPERE, None if self.phases == 3 else self.phases)
        periods: list[ChargingSchedulePeriod] = []
        for offset, winner in winners:
            chosen = winner or hardware
            limit = chosen.convert(unit, self.voltage)
            if chosen.unit != unit:
                limit = limit.quantize(_TENTH, rounding=ROUND_FLOOR)
            last = periods[-1] if periods else None
            if last is not None and (last.limit, last.number_phases) == (limit, chosen.phases):
                continue
            periods.append(
                ChargingSchedulePeriod(
                    start_period=offset, limit=limit, number_phases=chosen.phases
                )
            )
        return ChargingSchedule(
            duration=duration,
            start_schedule=now,
            charging_rate_unit=ChargingRateUnitType(unit),
            charging_schedule_period=periods,
        )

    def _relevant(
        self, profiles: Iterable[InstalledProfile], connector_id: int, transaction_id: int | None
    ) -> list[InstalledProfile]:
        """The profiles that bear on ``connector_id`` (0: the charge point as a whole)."""
        out = []
        for item in profiles:
            if item.purpose == MAX_PROFILE:
                out.append(item)
            elif connector_id == 0:
                continue
            elif item.purpose == TX_DEFAULT and item.connector_id in (0, connector_id):
                out.append(item)
            elif (
                item.purpose == TX_PROFILE
                and item.connector_id == connector_id
                and (transaction_id is None or item.transaction_id == transaction_id)
            ):
                out.append(item)
        return out

    def _winner(
        self,
        profiles: Iterable[InstalledProfile],
        connector_id: int,
        when: dt.datetime,
        transaction_id: int | None,
        relative_start: dt.datetime,
    ) -> _Limit | None:
        """The limit at ``when``: min(transaction level, ChargePointMaxProfile), None if none."""
        best: dict[str, tuple[tuple[int, int], _Limit]] = {}
        for item in self._relevant(profiles, connector_id, transaction_id):
            value = _profile_limit(item.profile, when, relative_start)
            if value is None:
                continue
            rank = (item.stack_level, 1 if item.connector_id == connector_id else 0)
            if item.purpose not in best or rank > best[item.purpose][0]:
                best[item.purpose] = (rank, value)
        tx_level = best.get(TX_PROFILE) or best.get(TX_DEFAULT)
        candidates = [entry[1] for entry in (tx_level, best.get(MAX_PROFILE)) if entry]
        if not candidates:
            return None
        return min(candidates, key=lambda value: value.watts(self.voltage))


def _as_profile(profile: Any) -> ChargingProfile:
    """The 1.6 ChargingProfile class, from that class, a similar one, or its JSON dict."""
    if isinstance(profile, ChargingProfile):
        return profile
    if isinstance(profile, dict):
        return ChargingProfile.from_json(profile)
    return ChargingProfile.from_json(profile.to_json())


def _anchor(
    profile: ChargingProfile, when: dt.datetime, relative_start: dt.datetime
) -> dt.datetime:
    """Where the schedule's startPeriod offsets count from, for the occurrence covering ``when``."""
    kind = _value(profile.charging_profile_kind)
    start = profile.charging_schedule.start_schedule
    if kind == RECURRING and start is not None and profile.recurrency_kind is not None:
        every = RECURRENCE[_value(profile.recurrency_kind)]
        start = _utc(start)
        return start + ((when - start) // every) * every
    if kind == ABSOLUTE and start is not None:
        return _utc(start)
    return relative_start


def _profile_limit(
    profile: ChargingProfile, when: dt.datetime, relative_start: dt.datetime
) -> _Limit | None:
    """The limit ``profile`` sets at ``when``, or None where it does not apply."""
    if profile.valid_from is not None and when < _utc(profile.valid_from):
        return None
    if profile.valid_to is not None and when >= _utc(profile.valid_to):
        return None
    schedule = profile.charging_schedule
    offset = (when - _anchor(profile, when, relative_start)).total_seconds()
    if offset < 0 or (schedule.duration is not None and offset >= schedule.duration):
        return None
    current = None
    for period in schedule.charging_schedule_period:
        if period.start_period <= offset:
            current = period
        else:
            break
    if current is None:
        return None
    unit = _value(schedule.charging_rate_unit)
    return _Limit(Decimal(current.limit), unit, current.number_phases)


def _breakpoints(
    profile: ChargingProfile, begin: dt.datetime, end: dt.datetime, relative_start: dt.datetime
) -> Iterator[dt.datetime]:
    """Every instant in or near [begin, end) at which ``profile``'s limit may change."""
    if profile.valid_from is not None:
        yield _utc(profile.valid_from)
    if profile.valid_to is not None:
        yield _utc(profile.valid_to)
    schedule = profile.charging_schedule
    kind = _value(profile.charging_profile_kind)
    if kind == RECURRING and schedule.start_schedule is not None and profile.recurrency_kind:
        every = RECURRENCE[_value(profile.recurrency_kind)]
        start = _utc(schedule.start_schedule)
        first = (begin - start) // every - 1
        last = (end - start) // every + 1
        anchors = [start + k * every for k in range(first, last + 1)]
    else:
        anchors = [_anchor(profile, begin, relative_start)]
    for anchor in anchors:
        for period in schedule.charging_schedule_period:
            yield anchor + dt.timedelta(seconds=period.start_period)
        if schedule.duration is not None:
            yield anchor + dt.timedelta(seconds=schedule.duration)
