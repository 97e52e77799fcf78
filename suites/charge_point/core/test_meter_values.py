"""MeterValues during a transaction: sampled at an interval, or aligned to the clock."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ocppcert.catalog import case
from ocppcert.messages import Op
from ocppcert.roles.central_system import CentralSystemHarness, Received
from ocppcert.verdicts import CaseFailed
from ocppcert.versions import OcppVersion

from .power_steps import (
    Charging,
    after,
    all_of,
    expect_stop,
    on_connector,
    start_charging,
    value,
)

ENERGY = "Energy.Active.Import.Register"
# What the cases ask for: the energy register and the active power, known to 1.5 and 1.6.
WANTED = (ENERGY, "Power.Active.Import")
PHASES = ("L1", "L2", "L3", "N", "L1-N", "L2-N", "L3-N", "L1-L2", "L2-L3", "L3-L1")
SAMPLES = 3  # OCTT watches three intervals
SAMPLE_INTERVAL = 2  # s, MeterValueSampleInterval
ALIGNED_INTERVAL = 2  # s, ClockAlignedDataInterval (divides a minute: aligned in any zone)
GAP_TOLERANCE = 1.0  # s: scheduling slack allowed between two samples
ALIGN_TOLERANCE = 0.25  # s: how far from the clock boundary an aligned timestamp may be


@dataclass(frozen=True)
class Reading:
    measurand: str
    phase: str | None
    context: str | None  # None: the version has no context (1.2) or it was left out
    location: str | None
    value: str


@dataclass(frozen=True)
class Sample:
    """One MeterValue element: a timestamp and its readings, with the message it came in."""

    timestamp: dt.datetime
    readings: tuple[Reading, ...]
    received: Received


def samples_of(received: Received, version: OcppVersion) -> list[Sample]:
    """The MeterValue elements of a MeterValues request in a version-neutral shape (an
    absent measurand is the energy register, the default of 1.5 and 1.6)."""
    message = received.message
    out = []
    if version is OcppVersion.V16:
        for mv in message.meter_value:
            readings = tuple(Reading(value(sv.measurand) or ENERGY, value(sv.phase),
                                     value(sv.context), value(sv.location), sv.value)
                             for sv in mv.sampled_value)
            out.append(Sample(mv.timestamp, readings, received))
    elif version is OcppVersion.V15:
        for mv in message.values:
            readings = tuple(Reading(value(v.measurand) or ENERGY, None, value(v.context),
                                     value(v.location), v.text) for v in mv.value)
            out.append(Sample(mv.timestamp, readings, received))
    else:
        for mv in message.values:  # 1.2: the energy register only, as an integer
            out.append(Sample(mv.timestamp, (Reading(ENERGY, None, None, None, str(mv.value)),),
                              received))
    return out


def covers(readings: tuple[Reading, ...], item: str) -> bool:
    """Whether a configured measurand (1.6: possibly with a phase suffix) is reported."""
    if any(r.measurand == item for r in readings):
        return True
    base, _, phase = item.rpartition(".")
    return phase in PHASES and any(r.measurand == base and r.phase == phase for r in readings)


async def set_key(cs: CentralSystemHarness, key: str, setting: str) -> None:
    reply = await cs.command(Op.CHANGE_CONFIGURATION, key=key, value=setting)
    if reply.status.value != "Accepted":
        raise CaseFailed(f"ChangeConfiguration {key}={setting} answered {reply.status.value}")


async def measurands(cs: CentralSystemHarness, key: str, version: OcppVersion) -> list[str]:
    """Ask for the energy register and active power in ``key``; a charge point that does
    not take them keeps its own list, read back with GetConfiguration (empty: the energy
    register). 1.2 has no such key: the energy register."""
    if version is OcppVersion.V12:
        return [ENERGY]
    reply = await cs.command(Op.CHANGE_CONFIGURATION, key=key, value=",".join(WANTED))
    if reply.status.value == "Accepted":
        return list(WANTED)
    read = await cs.command(Op.GET_CONFIGURATION, key=[key])
    found = [k.value for k in read.configuration_key if k.key == key]
    if not found:
        raise CaseFailed(f"{key} is not reported by GetConfiguration")
    items = [m.strip() for m in (found[0] or "").split(",") if m.strip()]
    return items or [ENERGY]


async def collect(cs: CentralSystemHarness, charging: Charging, version: OcppVersion,
                  interval: float) -> list[Sample]:
    """The next MeterValue elements of the charging connector stamped after the
    transaction started, at least ``SAMPLES`` of them."""
    started = charging.start.message.timestamp

    def in_transaction(message) -> bool:
        stamps = ([mv.timestamp for mv in message.meter_value] if version is OcppVersion.V16
                  else [mv.timestamp for mv in message.values])
        return bool(stamps) and min(stamps) > started

    collected: list[Sample] = []
    while len(collected) < SAMPLES:
        received = await cs.expect(
            Op.METER_VALUES, timeout=interval * 2 + 10,
            where=all_of(after(cs, charging.start), on_connector(charging.connector),
                         in_transaction),
            what=f"MeterValues for connector {charging.connector} every {interval:g} s")
        collected.extend(samples_of(received, version))
    return collected


def check_readings(samples: list[Sample], wanted: list[str], context: str,
                   version: OcppVersion) -> None:
    """Every configured measurand in each sample, the expected context, no EV location
    except for SoC, and an energy register that never goes down."""
    last_energy: float | None = None
    for sample in samples:
        evidence = (sample.received.seq,)
        missing = [m for m in wanted if not covers(sample.readings, m)]
        if missing:
            raise CaseFailed(f"a MeterValue at {sample.timestamp.isoformat()} lacks the "
                             f"configured measurand(s) {', '.join(missing)}", evidence=evidence)
        for reading in sample.readings:
            if version is not OcppVersion.V12 and (reading.context or "Sample.Periodic") != context:
                raise CaseFailed(f"{reading.measurand} has context {reading.context}; expected "
                                 f"{context}", evidence=evidence)
            if reading.location == "EV" and reading.measurand != "SoC":
                raise CaseFailed(f"{reading.measurand} is given with location EV; only SoC "
                                 "is measured in the EV", evidence=evidence)
            if reading.measurand == ENERGY and reading.phase is None:
                try:
                    energy = float(reading.value)
                except ValueError:
                    raise CaseFailed(f"the energy register reads {reading.value!r}, not a "
                                     "number", evidence=evidence) from None
                if last_energy is not None and energy < last_energy:
                    raise CaseFailed(f"the energy register went down from {last_energy:g} to "
                                     f"{energy:g} during the transaction", evidence=evidence)
                last_energy = energy


def check_transaction_id(samples: list[Sample], charging: Charging, version: OcppVersion, *,
                         required: bool) -> None:
    """1.5 and 1.6 MeterValues name the transaction they belong to."""
    if version is OcppVersion.V12:
        return
    for sample in samples:
        got = sample.received.message.transaction_id
        if got is None and not required:
            continue
        if got != charging.transaction_id:
            raise CaseFailed(f"MeterValues of the transaction carry transactionId {got}; "
                             f"expected {charging.transaction_id}",
                             evidence=(sample.received.seq,))


def check_gaps(samples: list[Sample], interval: float, tolerance: float, key: str) -> None:
    for earlier, later in zip(samples, samples[1:], strict=False):
        gap = (later.timestamp - earlier.timestamp).total_seconds()
        if abs(gap - interval) > tolerance:
            raise CaseFailed(f"MeterValue timestamps {gap:.2f} s apart with {key}={interval:g}",
                             evidence=(earlier.received.seq, later.received.seq))


async def stop_charging(cs: CentralSystemHarness, charge_point, charging: Charging,
                        version: OcppVersion) -> None:
    await charge_point.present_id_tag(charging.id_tag, charging.connector)
    await expect_stop(cs, charging, reason=None, version=version,
                      what="StopTransaction when the driver presents the idTag again")


@case(octt="TC_070_CS", title="Sampled Meter Values", sut="charge-point", profile="Core",
      spec={"1.6": "OCPP 1.6 §4.7 (MeterValues), §9.1 (MeterValueSampleInterval)",
            "1.5": "OCPP 1.5 §4.7 (MeterValues), §6.9 (MeterValueSampleInterval)",
            "1.2": "OCPP 1.2 §4 MeterValues, §5 ChangeConfiguration (MeterValueSampleInterval)"})
async def test_sampled_meter_values(cs, charge_point, case_version):
    """During a transaction the charge point samples its meter every
    MeterValueSampleInterval seconds counted from the transaction's start and sends each
    sample in MeterValues for the connector: in 1.5/1.6 with the transactionId, context
    Sample.Periodic and every measurand of MeterValuesSampledData (the energy register
    if that list is empty); in 1.2 the energy register."""
    await set_key(cs, "MeterValueSampleInterval", str(SAMPLE_INTERVAL))
    if case_version is not OcppVersion.V12:
        await set_key(cs, "ClockAlignedDataInterval", "0")
    wanted = await measurands(cs, "MeterValuesSampledData", case_version)
    charging = await start_charging(cs, charge_point, case_version)
    samples = await collect(cs, charging, case_version, SAMPLE_INTERVAL)
    check_transaction_id(samples, charging, case_version, required=True)
    check_readings(samples, wanted, "Sample.Periodic", case_version)
    first = (samples[0].timestamp - charging.start.message.timestamp).total_seconds()
    if first > SAMPLE_INTERVAL + GAP_TOLERANCE:
        raise CaseFailed(f"the first sample came {first:.2f} s after the transaction started; "
                         f"MeterValueSampleInterval is {SAMPLE_INTERVAL}",
                         evidence=(charging.start.seq, samples[0].received.seq))
    check_gaps(samples, SAMPLE_INTERVAL, GAP_TOLERANCE, "MeterValueSampleInterval")
    await stop_charging(cs, charge_point, charging, case_version)


@case(octt="TC_071_CS", title="Clock-aligned Meter Values", sut="charge-point", profile="Core",
      versions=("1.6", "1.5"),
      spec={"1.6": "OCPP 1.6 §4.7 (MeterValues), §9.1 (ClockAlignedDataInterval)",
            "1.5": "OCPP 1.5 §4.7 (MeterValues), §6.9 (ClockAlignedDataInterval)"})
async def test_clock_aligned_meter_values(cs, charge_point, case_version):
    """With ClockAlignedDataInterval set, the charge point reads its meter at every whole
    multiple of that interval counted from midnight, and sends the reading stamped with
    that clock-aligned time, context Sample.Clock, with every measurand of
    MeterValuesAlignedData. Sampled values are off (MeterValueSampleInterval 0)."""
    await set_key(cs, "MeterValueSampleInterval", "0")
    await set_key(cs, "ClockAlignedDataInterval", str(ALIGNED_INTERVAL))
    wanted = await measurands(cs, "MeterValuesAlignedData", case_version)
    charging = await start_charging(cs, charge_point, case_version)
    samples = await collect(cs, charging, case_version, ALIGNED_INTERVAL)
    check_transaction_id(samples, charging, case_version, required=False)
    check_readings(samples, wanted, "Sample.Clock", case_version)
    for sample in samples:
        stamp = sample.timestamp
        since_midnight = (stamp - stamp.replace(hour=0, minute=0, second=0, microsecond=0)
                          ).total_seconds()
        offset = since_midnight % ALIGNED_INTERVAL
        if min(offset, ALIGNED_INTERVAL - offset) > ALIGN_TOLERANCE:
            raise CaseFailed(f"MeterValue timestamp {stamp.isoformat()} is not a multiple of "
                             f"ClockAlignedDataInterval={ALIGNED_INTERVAL} s",
                             evidence=(sample.received.seq,))
    check_gaps(samples, ALIGNED_INTERVAL, 2 * ALIGN_TOLERANCE, "ClockAlignedDataInterval")
    await set_key(cs, "ClockAlignedDataInterval", "0")
    await stop_charging(cs, charge_point, charging, case_version)
