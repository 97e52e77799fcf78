"""The PICS: what the SUT claims to support, read from a TOML file or derived from the SUT.

A case states its prerequisites as :class:`Requirement` values; each either holds for a
PICS or gives the reason the case does not apply (the case is then NOT_APPLICABLE, with
that reason in the report).

    [sut]
    role = "charge-point"          # or "central-system"
    ocpp_version = "1.6"           # "1.2", "1.5" or "1.6"; cases of other versions do not apply
    vendor = "Acme"
    model = "X1"
    firmware = "4.2"

    [capabilities]
    profiles = ["Core", "FirmwareManagement", "LocalAuthListManagement", "Reservation",
                "SmartCharging", "RemoteTrigger"]
    connectors = 2
    fixed_cable = false
    features = ["authorization_cache", "unknown_offline_authorization", ...]   # FEATURES
    file_transfer_protocols = ["HTTP", "FTP"]   # SupportedFileTransferProtocols
    manual_actions = ["present_id_tag", "plug_in", ...]                        # MANUAL_ACTIONS

    [capabilities.smart_charging]               # the 1.6 §9.4 configuration keys
    max_profiles = 10                           # MaxChargingProfilesInstalled
    max_periods = 24                            # ChargingScheduleMaxPeriods
    max_stack_level = 3                         # ChargeProfileMaxStackLevel
    allowed_rate_units = ["A", "W"]             # ChargingScheduleAllowedChargingRateUnit

Everything is optional: what a file leaves out is assumed supported (every profile, feature
and protocol, no smart-charging limit), so that no case is excluded by accident. Unknown
keys, profiles, features, protocols and actions are refused with a :class:`PicsError`.
Without a file, :mod:`ocppcert.derive` builds a PICS from the SUT's BootNotification and
GetConfiguration, and says which items it derived and which it assumed.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

PROFILES = ("Core", "FirmwareManagement", "LocalAuthListManagement", "Reservation",
            "SmartCharging", "RemoteTrigger")
FEATURES = (
    "authorization_cache",  # 1.6 §3.5.2; AuthorizationCacheEnabled exists
    "unknown_offline_authorization",  # AllowOfflineTxForUnknownId exists
    "reserve_connector_zero",  # ReserveConnectorZeroSupported = true
    "backup_power",  # stops transactions itself before power goes (TC_032_1)
    "local_stop",  # a transaction can be stopped at the station
    "lock_failure",  # a connector lock failure can be provoked
    "local_list_failure",  # SendLocalList can be made to fail (TC_043_3)
)
# Features a station has, as opposed to things its operator (or driver) can make happen.
STATION_FEATURES = ("authorization_cache", "unknown_offline_authorization",
                    "reserve_connector_zero", "backup_power")
# SupportedFileTransferProtocols values (1.6 errata v4.0).
FILE_TRANSFER_PROTOCOLS = ("FTP", "FTPS", "HTTP", "HTTPS")
# What an operator (or a driver, ocppcert.sut.ChargePointSut) can do at the station.
MANUAL_ACTIONS = ("present_id_tag", "plug_in", "unplug", "ev_disconnect", "fault",
                  "clear_fault", "local_stop", "power_cycle", "power_cut", "power_restore",
                  "lock_failure", "local_list_failure", "firmware_image")
ROLES = ("charge-point", "central-system")
VERSIONS = ("1.2", "1.5", "1.6")
# ChargingScheduleAllowedChargingRateUnit says Current / Power; a PICS may say A / W.
RATE_UNITS = {"A": "A", "W": "W", "CURRENT": "A", "POWER": "W"}

_SUT_KEYS = ("role", "ocpp_version", "vendor", "model", "firmware")
_CAPABILITY_KEYS = ("profiles", "connectors", "fixed_cable", "features",
                    "file_transfer_protocols", "manual_actions", "smart_charging")
_SMART_KEYS = ("max_profiles", "max_periods", "max_stack_level", "allowed_rate_units")


class PicsError(ValueError):
    """The PICS file cannot be read; the message says where."""


@dataclass(frozen=True)
class SmartChargingLimits:
    """What a smart-charging station can hold (1.6 §9.4); None: no limit declared."""

    max_profiles: int | None = None  # MaxChargingProfilesInstalled
    max_periods: int | None = None  # ChargingScheduleMaxPeriods
    max_stack_level: int | None = None  # ChargeProfileMaxStackLevel
    allowed_rate_units: frozenset[str] = frozenset({"A", "W"})  # ...AllowedChargingRateUnit

    def allows(self, *, profiles: int = 1, periods: int = 1, stack_level: int = 0) -> bool:
        return all(limit is None or limit >= needed for limit, needed in (
            (self.max_profiles, profiles), (self.max_periods, periods),
            (self.max_stack_level, stack_level)))

    def as_dict(self) -> dict[str, Any]:
        return {"max_profiles": self.max_profiles, "max_periods": self.max_periods,
                "max_stack_level": self.max_stack_level,
                "allowed_rate_units": sorted(self.allowed_rate_units)}


@dataclass(frozen=True)
class Pics:
    role: str = "charge-point"
    ocpp_version: str | None = None
    vendor: str | None = None
    model: str | None = None
    firmware: str | None = None
    profiles: frozenset[str] = frozenset(PROFILES)
    connectors: int = 2
    fixed_cable: bool = False
    features: frozenset[str] = frozenset(FEATURES)
    manual_actions: frozenset[str] = frozenset()
    file_transfer_protocols: frozenset[str] = frozenset(FILE_TRANSFER_PROTOCOLS)
    smart_charging: SmartChargingLimits = SmartChargingLimits()
    source: str = "default"  # "default", a file path, or where it was derived from
    # A derived PICS: the items read from the SUT, and those it keeps at the default.
    derived: tuple[str, ...] = ()
    assumed: tuple[str, ...] = ()

    @classmethod
    def load(cls, path: str | Path) -> Pics:
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise PicsError(f"cannot read PICS {path}: {exc}") from None
        return cls.from_dict(data, source=str(path))

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, source: str) -> Pics:
        """A PICS from the TOML document ``data``; PicsError names what is wrong."""
        _known(source, "the PICS", data, ("sut", "capabilities"))
        sut = _table(source, "[sut]", data.get("sut", {}))
        caps = _table(source, "[capabilities]", data.get("capabilities", {}))
        _known(source, "[sut]", sut, _SUT_KEYS)
        _known(source, "[capabilities]", caps, _CAPABILITY_KEYS)
        where = f"{source}: [sut]"
        role = sut.get("role", "charge-point")
        if role not in ROLES:
            raise PicsError(f"{where} role = {role!r}: not one of {', '.join(ROLES)}")
        version = sut.get("ocpp_version")
        if version is not None and version not in VERSIONS:
            raise PicsError(f"{where} ocpp_version = {version!r}: not one of "
                            f"{', '.join(VERSIONS)} (a string, in quotes)")
        for key in ("vendor", "model", "firmware"):
            if key in sut and not isinstance(sut[key], str):
                raise PicsError(f"{where} {key} = {sut[key]!r}: not a string")
        where = f"{source}: [capabilities]"
        connectors = caps.get("connectors", 2)
        if isinstance(connectors, bool) or not isinstance(connectors, int) or connectors < 1:
            raise PicsError(f"{where} connectors = {connectors!r}: not a whole number >= 1")
        fixed = caps.get("fixed_cable", False)
        if not isinstance(fixed, bool):
            raise PicsError(f"{where} fixed_cable = {fixed!r}: not true or false")
        protocols = _names(where, "file_transfer_protocols",
                           caps.get("file_transfer_protocols", FILE_TRANSFER_PROTOCOLS),
                           FILE_TRANSFER_PROTOCOLS, upper=True)
        profiles = _names(where, "profiles", caps.get("profiles", PROFILES), PROFILES)
        if "Core" not in profiles:
            raise PicsError(f"{where} profiles: every OCPP station supports Core; list it")
        return cls(
            role=role,
            ocpp_version=version,
            vendor=sut.get("vendor"),
            model=sut.get("model"),
            firmware=sut.get("firmware"),
            profiles=profiles,
            connectors=connectors,
            fixed_cable=fixed,
            features=_names(where, "features", caps.get("features", FEATURES), FEATURES),
            manual_actions=_names(where, "manual_actions", caps.get("manual_actions", ()),
                                  MANUAL_ACTIONS),
            file_transfer_protocols=protocols,
            smart_charging=_smart_charging(source, caps.get("smart_charging", {})),
            source=source,
        )

    def as_dict(self) -> dict[str, object]:
        document: dict[str, object] = {
            "source": self.source,
            "role": self.role,
            "ocpp_version": self.ocpp_version,
            "vendor": self.vendor,
            "model": self.model,
            "firmware": self.firmware,
            "profiles": sorted(self.profiles),
            "connectors": self.connectors,
            "fixed_cable": self.fixed_cable,
            "features": sorted(self.features),
            "file_transfer_protocols": sorted(self.file_transfer_protocols),
            "smart_charging": self.smart_charging.as_dict(),
            "manual_actions": sorted(self.manual_actions),
        }
        if self.derived or self.assumed:
            document["derived"] = list(self.derived)
            document["assumed"] = list(self.assumed)
        return document


def _table(source: str, name: str, value: object) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise PicsError(f"{source}: {name} must be a table, got {value!r}")
    return value


def _known(source: str, where: str, table: dict[str, Any], keys: Iterable[str]) -> None:
    unknown = sorted(set(table) - set(keys))
    if unknown:
        raise PicsError(f"{source}: {where} has unknown key(s) {unknown}; "
                        f"known: {', '.join(keys)}")


def _names(where: str, key: str, value: object, allowed: tuple[str, ...], *,
           upper: bool = False) -> frozenset[str]:
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise PicsError(f"{where} {key} = {value!r}: not a list of names")
    if not all(isinstance(v, str) for v in value):
        raise PicsError(f"{where} {key} = {value!r}: every entry must be a string")
    names = frozenset(v.upper() if upper else v for v in value)
    unknown = sorted(names - set(allowed))
    if unknown:
        raise PicsError(f"{where} {key}: unknown {_plural(key)} {unknown}; "
                        f"known: {', '.join(allowed)}")
    return names


def _plural(key: str) -> str:
    return {"profiles": "profile(s)", "features": "feature(s)",
            "file_transfer_protocols": "protocol(s)",
            "manual_actions": "action(s)"}.get(key, "name(s)")


def _smart_charging(source: str, value: object) -> SmartChargingLimits:
    table = _table(source, "[capabilities.smart_charging]", value)
    where = f"{source}: [capabilities.smart_charging]"
    _known(source, "[capabilities.smart_charging]", table, _SMART_KEYS)
    numbers: dict[str, int | None] = {}
    for key, least in (("max_profiles", 1), ("max_periods", 1), ("max_stack_level", 0)):
        number = table.get(key)
        if number is not None and (isinstance(number, bool) or not isinstance(number, int)
                                   or number < least):
            raise PicsError(f"{where} {key} = {number!r}: not a whole number >= {least}")
        numbers[key] = number
    units = table.get("allowed_rate_units", ["A", "W"])
    if isinstance(units, str) or not isinstance(units, list | tuple) or not units:
        raise PicsError(f"{where} allowed_rate_units = {units!r}: not a list of A and/or W")
    wrong = [u for u in units if not isinstance(u, str) or u.strip().upper() not in RATE_UNITS]
    if wrong:
        raise PicsError(f"{where} allowed_rate_units: unknown unit(s) {wrong}; known: A (or "
                        f"Current), W (or Power)")
    return SmartChargingLimits(
        allowed_rate_units=frozenset(RATE_UNITS[u.strip().upper()] for u in units), **numbers)


@dataclass(frozen=True)
class Requirement:
    """One prerequisite of a case: ``holds(pics)``; ``describe`` says it in words.

    ``fit`` turns a PICS into the nearest one for which the requirement holds: the bundled
    reference charge point can be built to any PICS, so for each case it is built to one
    the case applies to (see :meth:`Pics.fitting`).
    """

    describe: str
    holds: Callable[[Pics], bool] = field(compare=False)
    fit: Callable[[Pics], Pics] = field(compare=False)

    def __str__(self) -> str:
        return self.describe


def fitting(base: Pics, requirements: Iterable[Requirement]) -> Pics:
    """``base`` changed just enough that every requirement holds; ValueError if they
    contradict each other."""
    fitted = base
    wanted = tuple(requirements)
    for requirement in wanted:
        fitted = requirement.fit(fitted)
    broken = [str(r) for r in wanted if not r.holds(fitted)]
    if broken:
        raise ValueError(f"contradictory requirements: {broken}")
    return replace(fitted, source=f"{base.source}, fitted to the case") if fitted != base else base


def profile(name: str) -> Requirement:
    return Requirement(f"supports the {name} profile", lambda p: name in p.profiles,
                       lambda p: replace(p, profiles=p.profiles | {name}))


def no_profile(name: str) -> Requirement:
    return Requirement(f"does not support the {name} profile", lambda p: name not in p.profiles,
                       lambda p: replace(p, profiles=p.profiles - {name}))


def feature(name: str) -> Requirement:
    if name not in FEATURES:
        raise ValueError(f"unknown feature {name!r}")
    return Requirement(f"has {name.replace('_', ' ')}", lambda p: name in p.features,
                       lambda p: replace(p, features=p.features | {name}))


def no_feature(name: str) -> Requirement:
    if name not in FEATURES:
        raise ValueError(f"unknown feature {name!r}")
    return Requirement(f"lacks {name.replace('_', ' ')}", lambda p: name not in p.features,
                       lambda p: replace(p, features=p.features - {name}))


def fixed_cable(value: bool) -> Requirement:
    return Requirement("has a fixed cable" if value else "has no fixed cable",
                       lambda p: p.fixed_cable is value, lambda p: replace(p, fixed_cable=value))


def connectors(at_least: int) -> Requirement:
    return Requirement(f"has at least {at_least} connectors", lambda p: p.connectors >= at_least,
                       lambda p: replace(p, connectors=max(p.connectors, at_least)))


def file_transfer(protocol: str) -> Requirement:
    """The SUT transfers files (firmware, diagnostics) over ``protocol``
    (SupportedFileTransferProtocols)."""
    name = protocol.upper()
    if name not in FILE_TRANSFER_PROTOCOLS:
        raise ValueError(f"unknown file transfer protocol {protocol!r}")
    return Requirement(f"transfers files over {name}",
                       lambda p: name in p.file_transfer_protocols,
                       lambda p: replace(p, file_transfer_protocols=(
                           p.file_transfer_protocols | {name})))


def smart_charging_capacity(*, profiles: int = 1, periods: int = 1,
                            stack_level: int = 0) -> Requirement:
    """The SUT holds ``profiles`` charging profiles of ``periods`` periods up to
    ``stack_level`` (MaxChargingProfilesInstalled, ChargingScheduleMaxPeriods,
    ChargeProfileMaxStackLevel)."""
    def fit(p: Pics) -> Pics:
        limits = p.smart_charging

        def raised(limit: int | None, needed: int) -> int | None:
            return None if limit is None else max(limit, needed)

        return replace(p, smart_charging=replace(
            limits, max_profiles=raised(limits.max_profiles, profiles),
            max_periods=raised(limits.max_periods, periods),
            max_stack_level=raised(limits.max_stack_level, stack_level)))

    return Requirement(
        f"holds {profiles} charging profile(s) of {periods} period(s) up to stack level "
        f"{stack_level}",
        lambda p: p.smart_charging.allows(profiles=profiles, periods=periods,
                                          stack_level=stack_level), fit)
