"""Steps the smart-charging cases share (OCPP 1.6 §3.13, §5.5, §5.7, §5.16).

A composite schedule is judged as a limit over time, not as a list of periods: two charge
points may split or merge periods differently and both be right. Each case states the
limits its profiles add up to as :class:`Segment` values in absolute time; the composite's
limit is compared with them second by second, away from the moments where a limit changes
(a charge point may round those to its own second). Absolute times work across clocks: the
charge point places the profiles' absolute times and its composite's scheduleStart on the
same clock, its own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ocppcert.messages import Op
from ocppcert.roles.central_system import Received
from ocppcert.verdicts import CaseFailed, NotApplicable

ID_TAG = "SC-TAG-0001"
CONNECTOR = 1
MAX_TIME_DEVIATION = 10  # s: the charge point's clock against the harness's
BOUNDARY = 2  # s either side of a limit change where the composite is not compared
RELATIVE_BOUNDARY = 4  # s, where a change counts from the transaction's start
LIMIT_TOLERANCE = Decimal("0.1")  # the limit's one decimal of resolution
FOREVER = dt.timedelta(days=3650)
SAMPLE_INTERVAL = 1  # s: MeterValueSampleInterval while a case charges
UNIT_KEY = "ChargingScheduleAllowedChargingRateUnit"


def whole_now() -> dt.datetime:
    """Now (UTC), on a whole second: profile times are sent to the second."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def profile_origin() -> dt.datetime:
    """The startSchedule of a case's Absolute profiles: a whole second, the largest clock
    deviation allowed ago, so that the profiles are in force now on the charge point's clock
    too (as OCTT sets them)."""
    return whole_now() - seconds(MAX_TIME_DEVIATION)


def iso(moment: dt.datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def seconds(n: float) -> dt.timedelta:
    return dt.timedelta(seconds=n)


# -- what the charge point can hold ----------------------------------------------------------

async def configuration(cs: Any, *keys: str) -> dict[str, str | None]:
    """The values of ``keys`` the charge point reports (absent keys are left out)."""
    reply = await cs.command(Op.GET_CONFIGURATION, key=list(keys))
    return {item.key: item.value for item in reply.configuration_key}


async def require_capacity(cs: Any, *, profiles: int = 1, periods: int = 1,
                           stack_level: int = 0) -> None:
    """NotApplicable unless MaxChargingProfilesInstalled, ChargingScheduleMaxPeriods and
    ChargeProfileMaxStackLevel (§9.4) allow what the case installs."""
    wanted = {"MaxChargingProfilesInstalled": profiles, "ChargingScheduleMaxPeriods": periods,
              "ChargeProfileMaxStackLevel": stack_level}
    values = await configuration(cs, *wanted)
    for key, needed in wanted.items():
        value = values.get(key)
        if value is not None and value.strip().isdigit() and int(value) < needed:
            raise NotApplicable(f"the case needs {key} >= {needed}; the charge point has {value}")


async def rate_unit(cs: Any) -> str:
    """The unit the case's profiles use: A if the charge point takes current limits (§9.4
    ChargingScheduleAllowedChargingRateUnit), else W."""
    raw = (await configuration(cs, UNIT_KEY)).get(UNIT_KEY)
    allowed = {part.strip() for part in (raw or "").split(",") if part.strip()}
    if not allowed or "Current" in allowed:
        return "A"
    if "Power" in allowed:
        return "W"
    raise CaseFailed(f"{UNIT_KEY} is {raw!r}: it names neither Current nor Power")


def amount(unit: str, amperes: int | float | Decimal) -> Decimal:
    """A limit of the case in ``unit``: the amperes as given, or a thousand times as many
    watts (the OCTT convention for a charge point that takes power limits only)."""
    value = Decimal(str(amperes))
    return value if unit == "A" else value * 1000


# -- profiles --------------------------------------------------------------------------------

def charging_profile(profile_id: int, purpose: str, stack_level: int,
                     periods: list[tuple[int, Decimal]], *, unit: str,
                     kind: str = "Absolute", start: dt.datetime | None = None,
                     duration: int | None = None, transaction_id: int | None = None,
                     valid_from: dt.datetime | None = None,
                     valid_to: dt.datetime | None = None) -> dict[str, Any]:
    """A csChargingProfiles / chargingProfile value (OCPP-J field names, §7.8)."""
    schedule: dict[str, Any] = {
        "chargingRateUnit": unit,
        "chargingSchedulePeriod": [{"startPeriod": begin, "limit": float(limit)}
                                   for begin, limit in periods],
    }
    if start is not None:
        schedule["startSchedule"] = iso(start)
    if duration is not None:
        schedule["duration"] = duration
    profile: dict[str, Any] = {
        "chargingProfileId": profile_id, "stackLevel": stack_level,
        "chargingProfilePurpose": purpose, "chargingProfileKind": kind,
        "chargingSchedule": schedule,
    }
    if transaction_id is not None:
        profile["transactionId"] = transaction_id
    if valid_from is not None:
        profile["validFrom"] = iso(valid_from)
    if valid_to is not None:
        profile["validTo"] = iso(valid_to)
    return profile


def answer_evidence(cs: Any, op: Op, after: int) -> tuple[int, ...]:
    """The wire-record number of the charge point's latest answer to ``op`` after ``after``."""
    for record in reversed(cs.recorder.records):
        if record.seq <= after:
            break
        if record.operation == op.value and record.kind in ("response", "fault"):
            return (record.seq,)
    return ()


async def set_profile(cs: Any, connector: int, profile: dict[str, Any], *,
                      expect: str = "Accepted") -> str:
    """SetChargingProfile; the answer must be ``expect``."""
    mark = cs.recorder.last_seq
    reply = await cs.command(Op.SET_CHARGING_PROFILE, connectorId=connector,
                             csChargingProfiles=profile)
    status = reply.status.value
    if status != expect:
        raise CaseFailed(
            f"SetChargingProfile of {profile['chargingProfilePurpose']} "
            f"{profile['chargingProfileId']} (stackLevel {profile['stackLevel']}) on connector "
            f"{connector} answered {status}; expected {expect}",
            evidence=answer_evidence(cs, Op.SET_CHARGING_PROFILE, mark))
    return status


async def clear_profiles(cs: Any, *, expect: str, what: str, **criteria: Any) -> None:
    """ClearChargingProfile with OCPP-J ``criteria``; the answer must be ``expect``."""
    mark = cs.recorder.last_seq
    reply = await cs.command(Op.CLEAR_CHARGING_PROFILE, **criteria)
    if reply.status.value != expect:
        raise CaseFailed(f"ClearChargingProfile {what} answered {reply.status.value}; "
                         f"expected {expect}",
                         evidence=answer_evidence(cs, Op.CLEAR_CHARGING_PROFILE, mark))


# -- composite schedules ---------------------------------------------------------------------

@dataclass(frozen=True)
class Segment:
    """From ``start`` to ``end`` the composite limit must be ``limit``, because ``why``."""

    start: dt.datetime
    end: dt.datetime
    limit: Decimal
    why: str
    boundary: float = BOUNDARY


def _limit_at(periods: list[Any], offset: float) -> Decimal | None:
    current = None
    for period in periods:
        if period.start_period <= offset:
            current = period.limit
        else:
            break
    return current


async def expect_composite(cs: Any, connector: int, duration: int, unit: str,
                           expected: list[Segment], *, when: str) -> None:
    """GetCompositeSchedule (§5.7) for ``duration`` s in ``unit``: Accepted, for this
    connector, starting now, lasting ``duration``, and with the ``expected`` limits."""
    mark = cs.recorder.last_seq
    sent_at = dt.datetime.now(dt.UTC)
    reply = await cs.command(Op.GET_COMPOSITE_SCHEDULE, connectorId=connector,
                             duration=duration, chargingRateUnit=unit)
    evidence = answer_evidence(cs, Op.GET_COMPOSITE_SCHEDULE, mark)

    def failed(reason: str) -> CaseFailed:
        return CaseFailed(f"GetCompositeSchedule of connector {connector} {when}: {reason}",
                          evidence=evidence)

    if reply.status.value != "Accepted":
        raise failed(f"answered {reply.status.value}, not Accepted")
    if reply.connector_id is not None and reply.connector_id != connector:
        raise failed(f"the answer is for connector {reply.connector_id}")
    schedule = reply.charging_schedule
    if schedule is None:
        raise failed("Accepted without a chargingSchedule")
    if schedule.charging_rate_unit.value != unit:
        raise failed(f"the schedule is in {schedule.charging_rate_unit.value}; {unit} was asked")
    if schedule.duration is not None and schedule.duration != duration:
        raise failed(f"the schedule lasts {schedule.duration} s; {duration} s were asked")
    start = reply.schedule_start or schedule.start_schedule or sent_at
    if start.tzinfo is None:
        start = start.replace(tzinfo=dt.UTC)
    skew = abs((start - sent_at).total_seconds())
    if skew > MAX_TIME_DEVIATION:
        raise failed(f"it starts at {iso(start)}, {skew:.0f} s from the time it was asked for "
                     f"({iso(sent_at.replace(microsecond=0))})")
    periods = sorted(schedule.charging_schedule_period, key=lambda p: p.start_period)
    end = start + seconds(duration)
    for segment in expected:
        low = max(segment.start + seconds(segment.boundary), start)
        high = min(segment.end - seconds(segment.boundary), end - seconds(1))
        moment = low
        while moment <= high:
            offset = (moment - start).total_seconds()
            got = _limit_at(periods, offset)
            if got is None or abs(Decimal(got) - segment.limit) > LIMIT_TOLERANCE:
                shown = "no limit" if got is None else f"{got} {unit}"
                raise failed(f"at +{offset:.0f} s ({iso(moment.replace(microsecond=0))}) it "
                             f"shows {shown}; expected {segment.limit} {unit}: {segment.why}")
            moment += seconds(1)


# -- a charging transaction ------------------------------------------------------------------

@dataclass(frozen=True)
class Charging:
    connector: int
    transaction_id: int
    started_at: dt.datetime  # the StartTransaction timestamp, on the charge point's clock
    start: Received


async def meter_offered(cs: Any, unit: str) -> str | None:
    """MeterValueSampleInterval = 1 s (a case that charges waits on its MeterValues), and,
    where the charge point meters it, the offered current (or power) measurand sampled:
    the measurand, or None if the charge point does not take it."""
    mark = cs.recorder.last_seq
    reply = await cs.command(Op.CHANGE_CONFIGURATION, key="MeterValueSampleInterval",
                             value=str(SAMPLE_INTERVAL))
    if reply.status.value != "Accepted":
        raise CaseFailed(f"MeterValueSampleInterval={SAMPLE_INTERVAL} (a required writable "
                         f"key) answered {reply.status.value}",
                         evidence=answer_evidence(cs, Op.CHANGE_CONFIGURATION, mark))
    measurand = "Current.Offered" if unit == "A" else "Power.Offered"
    reply = await cs.command(Op.CHANGE_CONFIGURATION, key="MeterValuesSampledData",
                             value=f"Energy.Active.Import.Register,{measurand}")
    return measurand if reply.status.value == "Accepted" else None


async def start_charging(cs: Any, charge_point: Any, connector: int = CONNECTOR,
                         id_tag: str = ID_TAG) -> Charging:
    """Cable in, idTag presented: a transaction runs, and the charge point has learnt its
    transactionId (its MeterValues carry it). Wants :func:`meter_offered` first."""
    await charge_point.plug_in(connector)
    await charge_point.present_id_tag(id_tag, connector)
    return await charging_started(cs, connector)


async def charging_started(cs: Any, connector: int) -> Charging:
    """The StartTransaction on ``connector``, answered, and a MeterValues with its id."""
    start = await cs.expect(Op.START_TRANSACTION, timeout=30,
                            where=lambda m: m.connector_id == connector,
                            what=f"StartTransaction on connector {connector}")
    transaction_id = start.answer.transaction_id
    await cs.expect(Op.METER_VALUES, timeout=SAMPLE_INTERVAL * 5 + 10,
                    where=lambda m: m.transaction_id == transaction_id,
                    what=f"MeterValues of transaction {transaction_id} "
                         f"(MeterValueSampleInterval={SAMPLE_INTERVAL})")
    started_at = start.message.timestamp
    if started_at.tzinfo is None:
        started_at = started_at.replace(tzinfo=dt.UTC)
    return Charging(connector, transaction_id, started_at, start)


async def stop_charging(cs: Any, charge_point: Any, charging: Charging) -> Received:
    """RemoteStopTransaction, the StopTransaction, and the cable out."""
    reply = await cs.command(Op.REMOTE_STOP_TRANSACTION, transactionId=charging.transaction_id)
    if reply.status.value != "Accepted":
        raise CaseFailed(f"RemoteStopTransaction of the running transaction "
                         f"{charging.transaction_id} answered {reply.status.value}")
    stop = await cs.expect(Op.STOP_TRANSACTION, timeout=30,
                           where=lambda m: m.transaction_id == charging.transaction_id,
                           what=f"StopTransaction of transaction {charging.transaction_id}")
    await charge_point.unplug(charging.connector)
    return stop


def _offered(received: Received, measurand: str) -> list[Decimal]:
    values = []
    for meter_value in received.message.meter_value:
        for sampled in meter_value.sampled_value:
            if sampled.measurand is None or sampled.measurand.value != measurand:
                continue
            value = Decimal(sampled.value)
            if sampled.unit is not None and sampled.unit.value == "kW":
                value *= 1000
            values.append(value)
    return values


async def expect_offered_at_most(cs: Any, charging: Charging, measurand: str | None,
                                 limit: Decimal, unit: str, *, why: str) -> None:
    """Once a limit is in force the charge point offers the EV no more than it: the second
    MeterValues of the transaction from now on (the first may have been sampled before)
    reports ``measurand`` at most ``limit``. Nothing to check if the charge point does not
    meter ``measurand`` (``None``)."""
    if measurand is None:
        return
    for earlier in cs.seen(Op.METER_VALUES):
        earlier.consumed = True

    def of_transaction(m: Any) -> bool:
        return m.transaction_id == charging.transaction_id

    await cs.expect(Op.METER_VALUES, timeout=SAMPLE_INTERVAL * 5 + 10, where=of_transaction,
                    what=f"MeterValues of transaction {charging.transaction_id}")
    sample = await cs.expect(Op.METER_VALUES, timeout=SAMPLE_INTERVAL * 5 + 10,
                             where=of_transaction,
                             what=f"a second MeterValues of transaction {charging.transaction_id}")
    values = _offered(sample, measurand)
    if not values:
        raise CaseFailed(f"MeterValuesSampledData includes {measurand} (Accepted), but the "
                         f"MeterValues do not report it", evidence=(sample.seq,))
    worst = max(values)
    if worst > limit * Decimal("1.01") + LIMIT_TOLERANCE:
        raise CaseFailed(f"{measurand} is {worst} {unit} while {why} limits it to {limit} {unit}",
                         evidence=(sample.seq,))
