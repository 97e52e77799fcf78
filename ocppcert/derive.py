"""What the harness learns about the SUT from the SUT itself, when no PICS file says it.

- :func:`derive_pics` (pure): a PICS from a charge point's BootNotification fields and
  GetConfiguration keys. Items it could read are listed in ``Pics.derived``; items it could
  not keep the permissive default (every profile, feature, protocol; no limit) and are
  listed in ``Pics.assumed``, so that the report says which is which.
- :func:`derive_from_sut` (async): reads those from a charge point through the harness
  playing its Central System, once, with bounded waits.
- :func:`sut_identity`: vendor, model, serial and firmware for the report, from the first
  BootNotification the SUT sent in the run, else from the PICS, with where they came from.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from ocppcert.messages import Op, operations
from ocppcert.pics import FEATURES, FILE_TRANSFER_PROTOCOLS, PROFILES, Pics, SmartChargingLimits
from ocppcert.transport import Direction, WireRecord
from ocppcert.versions import OcppVersion, Service
from ocppcert.xml import XmlRejected, parse

SOURCE = "derived from BootNotification and GetConfiguration"
CONFIGURATION_TIMEOUT = 30.0  # s for the GetConfiguration exchange

# Optional boolean keys whose presence means the feature exists (1.6 §9).
_PRESENCE_FEATURES = {"authorization_cache": "AuthorizationCacheEnabled",
                      "unknown_offline_authorization": "AllowOfflineTxForUnknownId"}
_SMART_KEYS = {"max_profiles": "MaxChargingProfilesInstalled",
               "max_periods": "ChargingScheduleMaxPeriods",
               "max_stack_level": "ChargeProfileMaxStackLevel"}
_UNIT_KEY = "ChargingScheduleAllowedChargingRateUnit"
_UNITS = {"CURRENT": "A", "POWER": "W", "A": "A", "W": "W"}
# Things no configuration key tells: an operator or a PICS must say them.
_NEVER_DERIVED = ("fixed_cable", "backup_power", "local_stop", "lock_failure",
                  "local_list_failure")


def boot_fields(envelope: bytes) -> dict[str, str]:
    """The fields of the BootNotification request in ``envelope`` (SOAP), by local name;
    empty if it cannot be read."""
    try:
        root = parse(envelope)
    except XmlRejected:
        return {}
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.rpartition("}")[2] == "Body":
            request = next((c for c in element if isinstance(c.tag, str)), None)
            if request is None:
                return {}
            return {child.tag.rpartition("}")[2]: (child.text or "").strip()
                    for child in request if isinstance(child.tag, str)}
    return {}


def identity_of(fields: Mapping[str, str]) -> dict[str, str | None]:
    """vendor, model, serial, firmware from BootNotification fields (None where absent)."""
    def pick(*names: str) -> str | None:
        return next((fields[n] for n in names if fields.get(n)), None)

    return {"vendor": pick("chargePointVendor"), "model": pick("chargePointModel"),
            "serial": pick("chargePointSerialNumber", "chargeBoxSerialNumber"),
            "firmware": pick("firmwareVersion")}


def _csl(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _whole(value: str | None, least: int) -> int | None:
    text = (value or "").strip()
    return int(text) if text.isdigit() and int(text) >= least else None


def derive_pics(boot_request_fields: Mapping[str, str] | None,
                configuration: Mapping[str, str | None] | None,
                version: OcppVersion | str | None) -> Pics:
    """The PICS of a charge point that sent ``boot_request_fields`` (None or empty: no
    BootNotification seen) and reported ``configuration`` (key -> value; None: not read)
    in OCPP ``version``.

    In 1.6 an absent optional key means an absent feature (§9: "optional boolean key
    present = feature supported"); in 1.5 and 1.2 the keys are not standard, so an
    absent key proves nothing and the item is assumed.
    """
    boot = dict(boot_request_fields or {})
    version = OcppVersion(version).value if version else None
    conf = None if configuration is None else dict(configuration)
    derived: list[str] = []
    assumed: list[str] = []
    values: dict[str, Any] = {}

    identity = identity_of(boot)
    for item in ("vendor", "model", "firmware"):
        values[item] = identity[item]
        (derived if identity[item] else assumed).append(item)
    if version and (boot or conf is not None):
        values["ocpp_version"] = version
        derived.append(f"ocpp_version ({'BootNotification' if boot else 'GetConfiguration'} "
                       f"in OCPP {version})")
    else:
        assumed.append("ocpp_version")

    known = conf or {}
    absent_is_no = conf is not None and version == "1.6"

    profiles = [p for p in _csl(known.get("SupportedFeatureProfiles")) if p in PROFILES]
    if "SupportedFeatureProfiles" in known:
        values["profiles"] = frozenset(profiles) | {"Core"}
        derived.append(f"profiles (SupportedFeatureProfiles = "
                       f"{known.get('SupportedFeatureProfiles') or ''})")
    else:
        assumed.append("profiles")

    connectors = _whole(known.get("NumberOfConnectors"), 1)
    if connectors is not None:
        values["connectors"] = connectors
        derived.append(f"connectors (NumberOfConnectors = {connectors})")
    else:
        assumed.append("connectors")

    features = set(FEATURES)
    for name, key in _PRESENCE_FEATURES.items():
        if key in known:
            derived.append(f"{name} ({key} present)")
        elif absent_is_no:
            features.discard(name)
            derived.append(f"no {name} ({key} absent)")
        else:
            assumed.append(name)
    zero = "ReserveConnectorZeroSupported"
    if zero in known or absent_is_no:
        supported = (known.get(zero) or "").strip().lower() == "true"
        if not supported:
            features.discard("reserve_connector_zero")
        shown = f"{zero} = {known[zero]}" if zero in known else f"{zero} absent"
        derived.append(f"{'' if supported else 'no '}reserve_connector_zero ({shown})")
    else:
        assumed.append("reserve_connector_zero")
    values["features"] = frozenset(features)
    assumed.extend(_NEVER_DERIVED)

    protocols_key = "SupportedFileTransferProtocols"
    protocols = {p.upper() for p in _csl(known.get(protocols_key))} & set(
        FILE_TRANSFER_PROTOCOLS)
    if protocols_key in known:
        values["file_transfer_protocols"] = frozenset(protocols)
        derived.append(f"file_transfer_protocols ({protocols_key} = "
                       f"{known.get(protocols_key) or ''})")
    else:
        assumed.append("file_transfer_protocols")

    limits: dict[str, Any] = {}
    for name, key in _SMART_KEYS.items():
        number = _whole(known.get(key), 0 if name == "max_stack_level" else 1)
        if number is not None:
            limits[name] = number
            derived.append(f"smart_charging.{name} ({key} = {number})")
        else:
            assumed.append(f"smart_charging.{name}")
    units = {_UNITS[u.upper()] for u in _csl(known.get(_UNIT_KEY)) if u.upper() in _UNITS}
    if units:
        limits["allowed_rate_units"] = frozenset(units)
        derived.append(f"smart_charging.allowed_rate_units ({_UNIT_KEY} = {known[_UNIT_KEY]})")
    else:
        assumed.append("smart_charging.allowed_rate_units")
    values["smart_charging"] = SmartChargingLimits(**limits)

    read = [name for name, done in (("BootNotification", bool(boot)),
                                    ("GetConfiguration", conf is not None)) if done]
    if len(read) == 2:
        source = SOURCE
    elif read == ["BootNotification"]:
        source = "derived from BootNotification (GetConfiguration not read)"
    elif read:
        source = "derived from GetConfiguration (no BootNotification seen)"
    else:
        source = "nothing derived (no BootNotification seen, GetConfiguration not read)"
    return Pics(role="charge-point", source=source, derived=tuple(derived),
                assumed=tuple(assumed), **values)


def last_boot(records: Iterable[WireRecord]) -> WireRecord | None:
    """The latest BootNotification request a charge point sent among ``records``."""
    found = None
    for record in records:
        if _is_boot(record):
            found = record
    return found


def _is_boot(record: WireRecord) -> bool:
    return (record.direction is Direction.IN and record.operation == "BootNotification"
            and record.kind == "request" and bool(record.data))


async def derive_from_sut(cs: Any, version: OcppVersion, *,
                          timeout: float = CONFIGURATION_TIMEOUT
                          ) -> tuple[Pics, list[WireRecord]]:
    """The charge point's PICS as the harness ``cs`` (a CentralSystemHarness that knows the
    SUT's address and identity) can derive it: the latest BootNotification it received and
    one GetConfiguration for all keys, in the OCPP version the SUT booted with (else
    ``version``). Returns the PICS and the wire records it was derived from. Never raises
    for a SUT that does not answer: the PICS then says what was not read, and why."""
    boot = last_boot(cs.recorder.records)
    fields = boot_fields(boot.data) if boot is not None else {}
    spoken = version
    if boot is not None and boot.ocpp_version in {v.value for v in OcppVersion}:
        spoken = OcppVersion(boot.ocpp_version)
    evidence = [boot] if boot is not None else []
    configuration: dict[str, str | None] | None = None
    problem = None
    if Op.GET_CONFIGURATION not in operations(spoken, Service.CHARGE_POINT):
        problem = f"OCPP {spoken.value} has no GetConfiguration"
    else:
        mark = cs.recorder.last_seq
        previous = cs.version
        cs.version = spoken
        try:
            reply = await asyncio.wait_for(
                cs.command(Op.GET_CONFIGURATION, timeout=timeout), timeout + 5)
            configuration = {item.key: item.value
                             for item in (getattr(reply, "configuration_key", None) or ())}
        except Exception as exc:  # noqa: BLE001 - any failure leaves the keys assumed
            problem = f"GetConfiguration failed: {exc or type(exc).__name__}"
        finally:
            cs.version = previous
        evidence += [r for r in cs.recorder.records if r.seq > mark]
    pics = derive_pics(fields, configuration, spoken)
    if problem:
        pics = replace(pics, source=f"{pics.source}; {problem}")
    return pics, evidence


def sut_identity(records: Iterable[Any], pics: Pics | None, *, role: str | list[str],
                 url: str | None = None, before: Iterable[WireRecord] = ()
                 ) -> tuple[dict[str, str | None], str]:
    """(identity {vendor, model, serial, firmware}, where it came from) for the report.

    A charge point SUT: the first BootNotification request among ``before`` (records seen
    before the first case, e.g. at its start-up) and then the cases' messages (``records``:
    objects with ``id`` and ``messages``). Otherwise (or for a Central System SUT) the
    PICS's vendor, model and firmware; else "unknown".
    """
    roles = {role} if isinstance(role, str) else set(role)
    if "charge-point" in roles:
        for record in before:
            if _is_boot(record):
                fields = identity_of(boot_fields(record.data))
                if any(fields.values()):
                    return fields, (f"BootNotification #{record.seq}, sent by the SUT before "
                                    "the first case")
        for case in records:
            for record in getattr(case, "messages", ()):
                if _is_boot(record):
                    fields = identity_of(boot_fields(record.data))
                    if any(fields.values()):
                        return fields, f"BootNotification #{record.seq} of case {case.id}"
    if pics is not None and any((pics.vendor, pics.model, pics.firmware)):
        identity = {"vendor": pics.vendor, "model": pics.model, "serial": None,
                    "firmware": pics.firmware}
        where = f"PICS ({pics.source})"
        if roles == {"central-system"} and url:
            where += f"; the Central System at {url}"
        return identity, where
    return {"vendor": None, "model": None, "serial": None, "firmware": None}, "unknown"


def first_boot(records: Iterable[WireRecord]) -> WireRecord | None:
    """The first BootNotification request a charge point sent among ``records``."""
    return next((r for r in records if _is_boot(r)), None)
