"""Configuration keys of the reference charge point, per OCPP version, kept in SQLite.

What the specifications say about the standard keys:

- OCPP 1.2 (§5.3 ChangeConfiguration) names a handful of keys (HeartBeatInterval,
  ConnectionTimeOut, ProximityContactRetries, ProximityLockRetries, ResetRetries,
  BlinkRepeat, LightIntensity, ChargePointId, MeterValueSampleInterval). 1.2 has no
  GetConfiguration: the Central System can only change keys.
- OCPP 1.5 (§6.9) adds the metering keys (ClockAlignedDataInterval, MeterValuesSampledData,
  MeterValuesAlignedData, StopTxnSampledData, StopTxnAlignedData) and GetConfiguration
  (§5.7), which reports each key with its ``readonly`` flag; the charge point decides
  which keys are read-only.
- OCPP 1.6 (§9) groups keys by feature profile, says which are required, read-only (R) or
  read-write (RW); an optional boolean key that is present means the feature exists
  (§9 introduction). Keys are CiString: matched case-insensitively.

ChangeConfiguration answers (1.6 §5.3, §6.10): Accepted (applied), Rejected (read-only
key, or a value the key does not take), NotSupported (unknown key), RebootRequired (the
change takes effect after a reboot; 1.6 only). GetConfiguration (1.6 §5.8) answers the
known keys with ``readonly`` and value and lists the others under unknownKey; 1.6 bounds
the number of requested keys with GetConfigurationMaxKeys.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ocppcert.versions import OcppVersion

INT, BOOL, CSL, STRING = "int", "bool", "csl", "string"

# Measurands this station's simulated meter can supply (per version, a subset of the
# version's Measurand enumeration).
SUPPORTED_MEASURANDS: dict[OcppVersion, tuple[str, ...]] = {
    OcppVersion.V12: ("Energy.Active.Import.Register",),
    OcppVersion.V15: (
        "Energy.Active.Import.Register", "Energy.Active.Import.Interval",
        "Power.Active.Import", "Current.Import", "Voltage", "Temperature",
    ),
    OcppVersion.V16: (
        "Energy.Active.Import.Register", "Energy.Active.Import.Interval",
        "Power.Active.Import", "Power.Offered", "Current.Import", "Current.Offered",
        "Voltage", "Frequency", "Temperature", "SoC",
    ),
}
PHASES = ("L1", "L2", "L3", "N", "L1-N", "L2-N", "L3-N", "L1-L2", "L2-L3", "L3-L1")
PHASE_ROTATIONS = ("NotApplicable", "Unknown", "RST", "RTS", "SRT", "STR", "TRS", "TSR")
FEATURE_PROFILES = ("Core", "FirmwareManagement", "LocalAuthListManagement", "Reservation",
                    "SmartCharging", "RemoteTrigger")


@dataclass(frozen=True, slots=True)
class KeyDef:
    """One configuration key as this station implements it.

    ``name`` is the wire spelling in this version; ``canonical`` the name the station's
    code uses (the 1.6 spelling, e.g. HeartbeatInterval for 1.5's HeartBeatInterval).
    """

    name: str
    type: str
    readonly: bool
    default: str
    profile: str = "Core"
    canonical: str = ""
    minimum: int | None = 0
    maximum: int | None = None
    items: tuple[str, ...] | None = None  # allowed CSL items (None: any)
    max_items_key: str | None = None  # canonical key bounding the CSL length
    reboot_required: bool = False

    @property
    def key(self) -> str:
        return self.canonical or self.name


@dataclass(frozen=True, slots=True)
class ConfigTraits:
    """The parts of the station's make-up that shape its key table."""

    connectors: int = 2
    feature_profiles: tuple[str, ...] = FEATURE_PROFILES
    authorization_cache: bool = True  # AuthorizationCacheEnabled present (1.6)
    unknown_offline_authorization: bool = True  # AllowOfflineTxForUnknownId present (1.6)
    reserve_connector_zero: bool = True
    fixed_cable: bool = False
    local_list_max_length: int = 1000
    send_local_list_max_length: int = 100
    max_stack_level: int = 10
    max_periods: int = 24
    max_profiles: int = 20
    get_configuration_max_keys: int = 50
    defaults: dict[str, str] = field(default_factory=dict)  # canonical name -> initial value


def _measurand_items(version: OcppVersion) -> tuple[str, ...]:
    base = SUPPORTED_MEASURANDS[version]
    if version is not OcppVersion.V16:
        return base
    # 1.6 §9.1: a measurand may carry a phase suffix, e.g. Voltage.L1.
    with_phase = tuple(f"{m}.{p}" for m in ("Current.Import", "Voltage", "Power.Active.Import",
                                             "Current.Offered") for p in PHASES)
    return base + with_phase


def key_table(version: OcppVersion, traits: ConfigTraits) -> list[KeyDef]:
    """The keys this station has in ``version``, in the order GetConfiguration lists them."""
    version = OcppVersion(version)
    if version is OcppVersion.V16:
        return _keys_16(traits)
    measurands = _measurand_items(version)
    keys = [
        KeyDef("HeartBeatInterval", INT, False, "900", canonical="HeartbeatInterval"),
        KeyDef("ConnectionTimeOut", INT, False, "60"),
        KeyDef("ProximityContactRetries", INT, False, "3"),
        KeyDef("ProximityLockRetries", INT, False, "3"),
        KeyDef("ResetRetries", INT, False, "1"),
        KeyDef("BlinkRepeat", INT, False, "3"),
        KeyDef("LightIntensity", INT, False, "100", maximum=100),
        KeyDef("ChargePointId", STRING, True, ""),
        KeyDef("MeterValueSampleInterval", INT, False, "60"),
    ]
    if version is OcppVersion.V15:
        keys += [
            KeyDef("ClockAlignedDataInterval", INT, False, "0"),
            KeyDef("MeterValuesSampledData", CSL, False, "Energy.Active.Import.Register",
                   items=measurands),
            KeyDef("MeterValuesAlignedData", CSL, False, "Energy.Active.Import.Register",
                   items=measurands),
            KeyDef("StopTxnSampledData", CSL, False, "", items=measurands),
            KeyDef("StopTxnAlignedData", CSL, False, "", items=measurands),
        ]
    return keys


def _keys_16(t: ConfigTraits) -> list[KeyDef]:
    measurands = _measurand_items(OcppVersion.V16)
    n = t.connectors
    rotation = ",".join(f"{i}.Unknown" for i in range(n + 1))
    keys = []
    if t.unknown_offline_authorization:
        keys.append(KeyDef("AllowOfflineTxForUnknownId", BOOL, False, "false"))
    if t.authorization_cache:
        keys.append(KeyDef("AuthorizationCacheEnabled", BOOL, False, "true"))
    keys += [
        KeyDef("AuthorizeRemoteTxRequests", BOOL, False, "false"),
        KeyDef("BlinkRepeat", INT, False, "3"),
        KeyDef("ClockAlignedDataInterval", INT, False, "0"),
        KeyDef("ConnectionTimeOut", INT, False, "60"),
        KeyDef("ConnectorPhaseRotation", CSL, False, rotation,
               max_items_key="ConnectorPhaseRotationMaxLength"),
        KeyDef("ConnectorPhaseRotationMaxLength", INT, True, str(n + 1)),
        KeyDef("GetConfigurationMaxKeys", INT, True, str(t.get_configuration_max_keys)),
        KeyDef("HeartbeatInterval", INT, False, "900"),
        KeyDef("LightIntensity", INT, False, "100", maximum=100),
        KeyDef("LocalAuthorizeOffline", BOOL, False, "true"),
        KeyDef("LocalPreAuthorize", BOOL, False, "false"),
        KeyDef("MaxEnergyOnInvalidId", INT, False, "0"),
        KeyDef("MessageTimeout", INT, False, "30", minimum=1),
        KeyDef("MeterValuesAlignedData", CSL, False, "Energy.Active.Import.Register",
               items=measurands, max_items_key="MeterValuesAlignedDataMaxLength"),
        KeyDef("MeterValuesAlignedDataMaxLength", INT, True, "8"),
        KeyDef("MeterValuesSampledData", CSL, False, "Energy.Active.Import.Register",
               items=measurands, max_items_key="MeterValuesSampledDataMaxLength"),
        KeyDef("MeterValuesSampledDataMaxLength", INT, True, "8"),
        KeyDef("MeterValueSampleInterval", INT, False, "60"),
        KeyDef("NumberOfConnectors", INT, True, str(n)),
        KeyDef("ResetRetries", INT, False, "1"),
        KeyDef("StopTransactionOnEVSideDisconnect", BOOL, False, "true"),
        KeyDef("StopTransactionOnInvalidId", BOOL, False, "true"),
        KeyDef("StopTxnAlignedData", CSL, False, "", items=measurands,
               max_items_key="StopTxnAlignedDataMaxLength"),
        KeyDef("StopTxnAlignedDataMaxLength", INT, True, "8"),
        KeyDef("StopTxnSampledData", CSL, False, "", items=measurands,
               max_items_key="StopTxnSampledDataMaxLength"),
        KeyDef("StopTxnSampledDataMaxLength", INT, True, "8"),
        KeyDef("SupportedFeatureProfiles", CSL, True, ",".join(t.feature_profiles),
               items=FEATURE_PROFILES, max_items_key="SupportedFeatureProfilesMaxLength"),
        KeyDef("SupportedFeatureProfilesMaxLength", INT, True, str(len(FEATURE_PROFILES))),
        KeyDef("TransactionMessageAttempts", INT, False, "3"),
        KeyDef("TransactionMessageRetryInterval", INT, False, "60"),
        # Errata v4.0: read-only (and false) on a charge point with a fixed cable.
        KeyDef("UnlockConnectorOnEVSideDisconnect", BOOL, t.fixed_cable,
               "false" if t.fixed_cable else "true"),
    ]
    profiles = set(t.feature_profiles)
    if "FirmwareManagement" in profiles:
        keys.append(KeyDef("SupportedFileTransferProtocols", CSL, True, "HTTP",
                           profile="FirmwareManagement",
                           items=("FTP", "FTPS", "HTTP", "HTTPS")))
    if "LocalAuthListManagement" in profiles:
        keys += [
            KeyDef("LocalAuthListEnabled", BOOL, False, "true",
                   profile="LocalAuthListManagement"),
            KeyDef("LocalAuthListMaxLength", INT, True, str(t.local_list_max_length),
                   profile="LocalAuthListManagement"),
            KeyDef("SendLocalListMaxLength", INT, True, str(t.send_local_list_max_length),
                   profile="LocalAuthListManagement"),
        ]
    if "Reservation" in profiles:
        keys.append(KeyDef("ReserveConnectorZeroSupported", BOOL, True,
                           "true" if t.reserve_connector_zero else "false",
                           profile="Reservation"))
    if "SmartCharging" in profiles:
        keys += [
            KeyDef("ChargeProfileMaxStackLevel", INT, True, str(t.max_stack_level),
                   profile="SmartCharging"),
            KeyDef("ChargingScheduleAllowedChargingRateUnit", CSL, True, "Current,Power",
                   profile="SmartCharging", items=("Current", "Power")),
            KeyDef("ChargingScheduleMaxPeriods", INT, True, str(t.max_periods),
                   profile="SmartCharging"),
            KeyDef("MaxChargingProfilesInstalled", INT, True, str(t.max_profiles),
                   profile="SmartCharging"),
        ]
    return keys


class ConfigError(ValueError):
    """A value the key does not take, or a key that does not exist."""


def parse_bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    raise ConfigError(f"{value!r} is not a boolean (true/false)")


def split_csl(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


class Configuration:
    """The station's keys: definitions, current values (SQLite), validation, listeners.

    A value set by ChangeConfiguration (or locally) is committed before the answer goes
    out, so it survives a reboot or a kill -9.
    """

    def __init__(self, db: sqlite3.Connection, version: OcppVersion | str,
                 traits: ConfigTraits | None = None, *, identity: str = "") -> None:
        self.db = db
        self.version = OcppVersion(version)
        self.traits = traits or ConfigTraits()
        self.defs = key_table(self.version, self.traits)
        self._by_lower = {d.name.lower(): d for d in self.defs}
        self._by_canonical = {d.key: d for d in self.defs}
        self.listeners: list[Callable[[str, str], None]] = []
        db.execute("CREATE TABLE IF NOT EXISTS cp_config (key TEXT PRIMARY KEY, value TEXT)")
        rows = db.execute("SELECT key, value FROM cp_config")
        stored = {row["key"]: row["value"] for row in rows}
        self._values: dict[str, str] = {}
        for d in self.defs:
            value = d.default
            if d.key == "ChargePointId":
                value = identity
            value = self.traits.defaults.get(d.key, value)
            # Read-only keys describe the station's make-up: they come from its traits,
            # except where a value was stored locally (control API).
            self._values[d.key] = stored.get(d.key, value)

    # -- lookup ---------------------------------------------------------------------------
    def find(self, name: str) -> KeyDef | None:
        """The key called ``name`` on the wire (CiString: case-insensitive)."""
        return self._by_lower.get(name.strip().lower())

    def has(self, canonical: str) -> bool:
        return canonical in self._by_canonical

    def definition(self, canonical: str) -> KeyDef | None:
        return self._by_canonical.get(canonical)

    def get(self, canonical: str, default: str | None = None) -> str | None:
        return self._values.get(canonical, default)

    def get_int(self, canonical: str, default: int = 0) -> int:
        value = self._values.get(canonical)
        try:
            return int(value) if value not in (None, "") else default
        except ValueError:
            return default

    def get_bool(self, canonical: str, default: bool = False) -> bool:
        value = self._values.get(canonical)
        if value is None:
            return default
        try:
            return parse_bool(value)
        except ConfigError:
            return default

    def get_list(self, canonical: str) -> list[str]:
        return split_csl(self._values.get(canonical) or "")

    def items(self) -> list[tuple[KeyDef, str]]:
        return [(d, self._values[d.key]) for d in self.defs]

    # -- validation and change ------------------------------------------------------------
    def validate(self, d: KeyDef, value: str) -> str:
        """The normalised value, or ConfigError saying why ``d`` does not take it."""
        if d.type == INT:
            text = value.strip()
            if not text.lstrip("-").isdigit():
                raise ConfigError(f"{d.name}: {value!r} is not an integer")
            number = int(text)
            if d.minimum is not None and number < d.minimum:
                raise ConfigError(f"{d.name}: {number} is below {d.minimum}")
            if d.maximum is not None and number > d.maximum:
                raise ConfigError(f"{d.name}: {number} is above {d.maximum}")
            return str(number)
        if d.type == BOOL:
            return "true" if parse_bool(value) else "false"
        if d.type == CSL:
            items = split_csl(value)
            if d.key == "ConnectorPhaseRotation":
                for item in items:
                    connector, _, rotation = item.partition(".")
                    if (not connector.isdigit() or int(connector) > self.traits.connectors
                            or rotation not in PHASE_ROTATIONS):
                        raise ConfigError(f"{d.name}: {item!r} is not <connector>.<rotation>")
            elif d.items is not None:
                bad = [i for i in items if i not in d.items]
                if bad:
                    raise ConfigError(f"{d.name}: not supported here: {', '.join(bad)}")
            if len(set(items)) != len(items):
                raise ConfigError(f"{d.name}: repeated entries")
            if d.max_items_key is not None:
                limit = self.get_int(d.max_items_key, len(items))
                if len(items) > limit:
                    raise ConfigError(f"{d.name}: {len(items)} entries, at most {limit}")
            return ",".join(items)
        return value

    def change(self, name: str, value: str) -> str:
        """ChangeConfiguration: the status value to answer (version-appropriate)."""
        d = self.find(name)
        if d is None:
            return "NotSupported"
        if d.readonly:
            return "Rejected"
        try:
            normalised = self.validate(d, value)
        except ConfigError:
            return "Rejected"
        self._store(d, normalised)
        if d.reboot_required and self.version is OcppVersion.V16:
            return "RebootRequired"
        return "Accepted"

    def set_local(self, name: str, value: str) -> KeyDef:
        """Set a key from the station's own console (control API): read-only keys too,
        except NumberOfConnectors, which follows the hardware. Raises ConfigError."""
        d = self.find(name)
        if d is None:
            raise ConfigError(f"no key {name!r} in OCPP {self.version.value}")
        if d.key == "NumberOfConnectors":
            raise ConfigError("NumberOfConnectors follows the hardware (--connectors)")
        self._store(d, self.validate(d, value))
        return d

    def _store(self, d: KeyDef, value: str) -> None:
        self.db.execute("INSERT INTO cp_config (key, value) VALUES (?, ?) "
                        "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (d.key, value))
        self._values[d.key] = value
        for listener in list(self.listeners):
            listener(d.key, value)

    def get_configuration(self, keys: Iterable[str]) -> tuple[list[tuple[KeyDef, str]], list[str]]:
        """GetConfiguration: (known keys with values, unknown names). No keys → all."""
        keys = list(keys)
        if not keys:
            return self.items(), []
        known, unknown = [], []
        for name in keys:
            d = self.find(name)
            if d is None:
                unknown.append(name)
            elif all(k is not d for k, _ in known):
                known.append((d, self._values[d.key]))
        return known, unknown


__all__ = [
    "BOOL", "CSL", "ConfigError", "ConfigTraits", "Configuration", "FEATURE_PROFILES", "INT",
    "KeyDef", "STRING", "SUPPORTED_MEASURANDS", "key_table", "parse_bool", "split_csl",
]
