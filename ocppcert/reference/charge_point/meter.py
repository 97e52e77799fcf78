"""The simulated energy meter of each connector and MeterValue building per version.

The meter integrates power over (monotonic) time while energy flows. Readings are turned
into each version's shape:

- OCPP 1.2: ``values`` = MeterValue(timestamp, value), the value an integer Wh register.
- OCPP 1.5: ``values`` = MeterValue(timestamp, value*), each value a text with optional
  attributes context, format, measurand, location, unit (1.5 units: Wh, W, Amp, Volt...).
- OCPP 1.6: ``meterValue`` = MeterValue(timestamp, sampledValue*), each sampledValue with
  value and optional context, format, measurand, phase, location, unit (1.6 §7.31, §7.45).

Measurand lists come from MeterValuesSampledData / MeterValuesAlignedData /
StopTxnSampledData / StopTxnAlignedData; a 1.6 entry may carry a phase suffix
(``Voltage.L1``).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from decimal import Decimal
from types import ModuleType
from typing import Any

from ocppcert.versions import OcppVersion

ENERGY = "Energy.Active.Import.Register"
_PHASED = ("Current.Import", "Voltage", "Power.Active.Import", "Current.Offered")


@dataclass(slots=True)
class Meter:
    """One connector's meter: a Wh register that grows at ``power_w`` while flowing."""

    wh: float = 0.0
    power_w: float = 0.0
    offered_w: float = 0.0
    time_factor: float = 1.0  # simulated seconds per real second
    _since: float = field(default_factory=time.monotonic)
    _interval_marks: dict[str, float] = field(default_factory=dict)

    def advance(self) -> float:
        now = time.monotonic()
        self.wh += self.power_w * (now - self._since) * self.time_factor / 3600.0
        self._since = now
        return self.wh

    def set_power(self, power_w: float, offered_w: float | None = None) -> None:
        self.advance()
        self.power_w = max(0.0, power_w)
        if offered_w is not None:
            self.offered_w = offered_w

    def register(self) -> int:
        return int(self.advance())

    def interval_energy(self, series: str) -> int:
        """Energy since the last call for this series (Energy.Active.Import.Interval)."""
        current = self.advance()
        previous = self._interval_marks.get(series, current)
        self._interval_marks[series] = current
        return int(current - previous)


@dataclass(frozen=True, slots=True)
class Electrical:
    voltage: int = 230
    phases: int = 3
    battery_wh: int = 60_000


def split_measurand(item: str) -> tuple[str, str | None]:
    """``Voltage.L1`` → (Voltage, L1); ``Energy.Active.Import.Register`` → (itself, None)."""
    for base in _PHASED:
        if item.startswith(base + "."):
            return base, item[len(base) + 1:]
    return item, None


def readings(meter: Meter, measurands: list[str], electrical: Electrical, *, series: str,
             energy_at_start: int | None = None) -> list[tuple[str, str | None, str, str]]:
    """(measurand, phase, value, unit) per configured measurand, units in 1.6 spelling."""
    out = []
    for item in measurands:
        measurand, phase = split_measurand(item)
        per_phase = phase is not None and phase.startswith("L") and "-" not in phase
        power = meter.power_w / electrical.phases if per_phase else meter.power_w
        current = meter.power_w / (electrical.voltage * electrical.phases)
        if measurand == ENERGY:
            out.append((measurand, phase, str(meter.register()), "Wh"))
        elif measurand == "Energy.Active.Import.Interval":
            out.append((measurand, phase, str(meter.interval_energy(series)), "Wh"))
        elif measurand == "Power.Active.Import":
            out.append((measurand, phase, f"{power:.1f}", "W"))
        elif measurand == "Power.Offered":
            out.append((measurand, phase, f"{meter.offered_w:.1f}", "W"))
        elif measurand == "Current.Import":
            out.append((measurand, phase, f"{current:.2f}", "A"))
        elif measurand == "Current.Offered":
            offered = meter.offered_w / (electrical.voltage * electrical.phases)
            out.append((measurand, phase, f"{offered:.2f}", "A"))
        elif measurand == "Voltage":
            volts = electrical.voltage * (1.732 if phase and "-" in phase and "N" not in phase
                                          else 1.0)
            out.append((measurand, phase, f"{volts:.1f}", "V"))
        elif measurand == "Frequency":
            out.append((measurand, phase, "50.0", "Hz"))
        elif measurand == "Temperature":
            out.append((measurand, phase, "25.0", "Celsius"))
        elif measurand == "SoC":
            delivered = meter.register() - (energy_at_start or 0)
            soc = min(100, 20 + int(delivered * 100 / electrical.battery_wh))
            out.append((measurand, phase, str(soc), "Percent"))
    return out


_UNITS_15 = {"Wh": "Wh", "W": "W", "A": "Amp", "V": "Volt", "Celsius": "Celsius"}


def meter_value(version: OcppVersion, types: ModuleType, when: dt.datetime,
                values: list[tuple[str, str | None, str, str]], context: str | None) -> Any:
    """One MeterValue of ``version`` (``types`` = its CentralSystemService module)."""
    version = OcppVersion(version)
    if version is OcppVersion.V12:
        energy = next((v for m, _, v, _ in values if m == ENERGY), "0")
        return types.MeterValue(timestamp=when, value=int(Decimal(energy)))
    if version is OcppVersion.V15:
        items = []
        for measurand, _phase, value, unit in values:
            items.append(types.MeterValueValue(
                text=value,
                context=types.ReadingContext(context) if context else None,
                measurand=types.Measurand(measurand),
                unit=types.UnitOfMeasure(_UNITS_15[unit]) if unit in _UNITS_15 else None,
            ))
        return types.MeterValue(timestamp=when, value=items)
    sampled = []
    for measurand, phase, value, unit in values:
        sampled.append(types.SampledValue(
            value=value,
            context=types.ReadingContext(context) if context else None,
            measurand=types.Measurand(measurand),
            phase=types.Phase(phase) if phase else None,
            location=types.Location.OUTLET if measurand != "Temperature" else types.Location.BODY,
            unit=types.UnitOfMeasure(unit) if unit != "Hz" else None,
        ))
    return types.MeterValue(timestamp=when, sampled_value=sampled)


__all__ = ["ENERGY", "Electrical", "Meter", "meter_value", "readings", "split_measurand"]
