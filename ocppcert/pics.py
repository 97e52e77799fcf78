"""The PICS: what the SUT claims to support, read from a TOML file.

A case states its prerequisites as :class:`Requirement` values; each either holds for a
PICS or gives the reason the case does not apply.

    [sut]
    role = "charge-point"          # or "central-system"
    ocpp_version = "1.6"
    vendor = "Acme"
    model = "X1"
    firmware = "4.2"

    [capabilities]
    profiles = ["Core", "FirmwareManagement", "LocalAuthListManagement", "Reservation",
                "SmartCharging", "RemoteTrigger"]
    connectors = 2
    fixed_cable = false
    features = ["authorization_cache", "unknown_offline_authorization", ...]
    manual_actions = ["present_id_tag", "plug_in", ...]
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

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


class PicsError(ValueError):
    """The PICS file cannot be read; the message says where."""


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
    source: str = "default"  # "default", a file path, or "derived from the SUT"

    @classmethod
    def load(cls, path: str | Path) -> Pics:
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise PicsError(f"cannot read PICS {path}: {exc}") from None
        sut, caps = data.get("sut", {}), data.get("capabilities", {})
        unknown_profiles = set(caps.get("profiles", ())) - set(PROFILES)
        if unknown_profiles:
            raise PicsError(f"{path}: unknown profile(s) {sorted(unknown_profiles)}")
        unknown_features = set(caps.get("features", ())) - set(FEATURES)
        if unknown_features:
            raise PicsError(f"{path}: unknown feature(s) {sorted(unknown_features)}")
        return cls(
            role=sut.get("role", "charge-point"),
            ocpp_version=sut.get("ocpp_version"),
            vendor=sut.get("vendor"),
            model=sut.get("model"),
            firmware=sut.get("firmware"),
            profiles=frozenset(caps.get("profiles", PROFILES)),
            connectors=int(caps.get("connectors", 2)),
            fixed_cable=bool(caps.get("fixed_cable", False)),
            features=frozenset(caps.get("features", FEATURES)),
            manual_actions=frozenset(caps.get("manual_actions", ())),
            source=str(path),
        )

    def as_dict(self) -> dict[str, object]:
        return {
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
            "manual_actions": sorted(self.manual_actions),
        }


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
