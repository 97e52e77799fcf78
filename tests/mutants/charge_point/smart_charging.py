"""Mutants of the reference charge point: smart charging (OCPP 1.6 §3.13, §5.5, §5.7, §5.16).

Defects in how profiles add up live in the station's ``ChargingProfiles``; such a mutant
gives its station a subclass of it (:func:`_use`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from ocppcert.reference.charge_point.smart_charging import (
    ACCEPTED,
    MAX_PROFILE,
    TX_DEFAULT,
    TX_PROFILE,
    UNKNOWN,
    ChargingProfiles,
    InstalledProfile,
    _as_profile,
    _Limit,
    _profile_limit,
    _value,
)
from ocppcert.reference.charge_point.station import ReferenceChargePoint
from tests.mutants.charge_point import ids


def v16(*numbers: str) -> tuple[str, ...]:
    return tuple(i for number in numbers for i in ids(number, ("1.6",)))


def _use(station: ReferenceChargePoint, profiles_class: type[ChargingProfiles]) -> None:
    if station.charging is not None:
        station.charging.__class__ = profiles_class


# -- SetChargingProfile --------------------------------------------------------------------------

class _DropsTxDefault(ChargingProfiles):
    def set_profile(self, connector_id: int, profile: Any, *,
                    transaction_id: int | None) -> str:
        if _value(_as_profile(profile).charging_profile_purpose) == TX_DEFAULT:
            return ACCEPTED
        return super().set_profile(connector_id, profile, transaction_id=transaction_id)


class IgnoresTxDefaultProfile(ReferenceChargePoint):
    """Answers Accepted to a TxDefaultProfile but never installs it."""

    KILLS = v16("056", "082", "072")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        _use(self, _DropsTxDefault)


class DefaultProfileFromNextTransaction(ReferenceChargePoint):
    """A TxDefaultProfile set during a transaction only takes effect after it ends."""

    KILLS = v16("082")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._deferred: list[tuple[int, Any]] = []

    async def on_set_charging_profile(self, request: Any, ctx: Any) -> Any:
        profile = request.cs_charging_profiles
        busy = any(c.tx is not None and request.connector_id in (0, c.id)
                   for c in self.connectors.values())
        if busy and profile.charging_profile_purpose.value == TX_DEFAULT:
            self._deferred.append((request.connector_id, profile))
            return ctx.respond(status=self.cp_types.ChargingProfileStatus.ACCEPTED)
        return await super().on_set_charging_profile(request, ctx)

    def _stop_transaction(self, c: Any, reason: str | None, id_tag: str | None) -> None:
        super()._stop_transaction(c, reason, id_tag)
        if self.charging is not None:
            for connector_id, profile in self._deferred:
                self.charging.set_profile(connector_id, profile, transaction_id=None)
        self._deferred.clear()


class AcceptsTxProfileWithoutTransaction(ReferenceChargePoint):
    """Keeps a TxProfile for a connector without a transaction instead of rejecting it."""

    KILLS = v16("058_1")

    async def on_set_charging_profile(self, request: Any, ctx: Any) -> Any:
        profile = request.cs_charging_profiles
        c = self.connectors.get(request.connector_id)
        if (self.charging is not None and c is not None and c.tx is None
                and profile.charging_profile_purpose.value == TX_PROFILE):
            status = self.charging.set_profile(request.connector_id, profile,
                                               transaction_id=profile.transaction_id or 0)
            return ctx.respond(status=self.cp_types.ChargingProfileStatus(status))
        return await super().on_set_charging_profile(request, ctx)


class IgnoresTxProfileTransactionId(ReferenceChargePoint):
    """Applies a TxProfile to the connector's transaction whatever transactionId it names."""

    KILLS = v16("058_2")

    async def on_set_charging_profile(self, request: Any, ctx: Any) -> Any:
        profile = request.cs_charging_profiles
        if profile.charging_profile_purpose.value == TX_PROFILE:
            profile.transaction_id = None
        return await super().on_set_charging_profile(request, ctx)


class _KeepsTxProfiles(ChargingProfiles):
    def transaction_ended(self, transaction_id: int) -> None:
        return None


class KeepsTxProfileAfterTransaction(ReferenceChargePoint):
    """Does not delete a TxProfile when its transaction ends."""

    KILLS = v16("057")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        _use(self, _KeepsTxProfiles)


class LimitsOnlyOnPaper(ReferenceChargePoint):
    """Reports its profiles in the composite schedule but always offers full power."""

    KILLS = v16("056", "057", "082", "059")

    def _offered_w(self, c: Any) -> float:
        return float(self.traits.max_current_a * self.traits.voltage * self.traits.phases)


# -- how profiles add up ---------------------------------------------------------------------

class _NoChargePointCap(ChargingProfiles):
    def _relevant(self, profiles: Iterable[InstalledProfile], connector_id: int,
                  transaction_id: int | None) -> list[InstalledProfile]:
        found = super()._relevant(profiles, connector_id, transaction_id)
        if connector_id == 0:
            return found
        return [item for item in found if item.purpose != MAX_PROFILE]


class IgnoresChargePointMaxProfile(ReferenceChargePoint):
    """Installs a ChargePointMaxProfile but does not cap its connectors with it."""

    KILLS = v16("066")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        _use(self, _NoChargePointCap)


class _LowestOfAll(ChargingProfiles):
    def _winner(self, profiles: Iterable[InstalledProfile], connector_id: int,
                when: dt.datetime, transaction_id: int | None,
                relative_start: dt.datetime) -> _Limit | None:
        limits = [value for item in self._relevant(profiles, connector_id, transaction_id)
                  if (value := _profile_limit(item.profile, when, relative_start)) is not None]
        return min(limits, key=lambda v: v.watts(self.voltage)) if limits else None


class LowestLimitWins(ReferenceChargePoint):
    """Applies the lowest limit of all profiles, so a TxProfile cannot raise the default."""

    KILLS = v16("066", "072")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        _use(self, _LowestOfAll)


class _LowestStackFirst(ChargingProfiles):
    def _winner(self, profiles: Iterable[InstalledProfile], connector_id: int,
                when: dt.datetime, transaction_id: int | None,
                relative_start: dt.datetime) -> _Limit | None:
        best: dict[str, tuple[int, _Limit]] = {}
        for item in self._relevant(profiles, connector_id, transaction_id):
            value = _profile_limit(item.profile, when, relative_start)
            if value is None:
                continue
            if item.purpose not in best or item.stack_level < best[item.purpose][0]:
                best[item.purpose] = (item.stack_level, value)
        chosen = best.get(TX_PROFILE) or best.get(TX_DEFAULT)
        candidates = [entry[1] for entry in (chosen, best.get(MAX_PROFILE)) if entry]
        return min(candidates, key=lambda v: v.watts(self.voltage)) if candidates else None


class LowestStackLevelWins(ReferenceChargePoint):
    """Lets the profile with the lowest stackLevel prevail instead of the highest."""

    KILLS = v16("072", "067")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        _use(self, _LowestStackFirst)


class _OneSlotPerPurpose(ChargingProfiles):
    def set_profile(self, connector_id: int, profile: Any, *,
                    transaction_id: int | None) -> str:
        status = super().set_profile(connector_id, profile, transaction_id=transaction_id)
        if status == ACCEPTED:
            new = _as_profile(profile)
            with self._transaction():
                self.db.execute(
                    "DELETE FROM sc_profiles WHERE connector_id = ? AND purpose = ? "
                    "AND profile_id <> ?",
                    (connector_id, _value(new.charging_profile_purpose),
                     new.charging_profile_id))
        return status


class ReplacesProfileOfSamePurpose(ReferenceChargePoint):
    """A new profile replaces the connector's profile of that purpose whatever its stackLevel."""

    KILLS = v16("072", "067")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        _use(self, _OneSlotPerPurpose)


# -- ClearChargingProfile --------------------------------------------------------------------

class _AnyCriterion(ChargingProfiles):
    def clear(self, *, profile_id: int | None = None, connector_id: int | None = None,
              purpose: Any = None, stack_level: int | None = None) -> str:
        criteria = {"connector_id": connector_id, "purpose": purpose, "stack_level": stack_level}
        given = {name: value for name, value in criteria.items() if value is not None}
        if profile_id is not None or len(given) < 2:
            return super().clear(profile_id=profile_id, connector_id=connector_id,
                                 purpose=purpose, stack_level=stack_level)
        outcomes = [super(_AnyCriterion, self).clear(**{name: value})
                    for name, value in given.items()]
        return ACCEPTED if ACCEPTED in outcomes else UNKNOWN


class ClearMatchesAnyCriterion(ReferenceChargePoint):
    """Clears every profile matching any one ClearChargingProfile criterion, not all of them."""

    KILLS = v16("067")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        _use(self, _AnyCriterion)


class ClearByIdWithoutRemoving(ReferenceChargePoint):
    """Answers Accepted to ClearChargingProfile of an installed id but keeps the profile."""

    KILLS = v16("067")

    async def on_clear_charging_profile(self, request: Any, ctx: Any) -> Any:
        if request.id is not None and self.charging is not None:
            known = any(item.profile_id == request.id for item in self.charging.installed())
            statuses = self.cp_types.ClearChargingProfileStatus
            return ctx.respond(status=statuses.ACCEPTED if known else statuses.UNKNOWN)
        return await super().on_clear_charging_profile(request, ctx)


# -- RemoteStartTransaction with a profile -----------------------------------------------------

class IgnoresRemoteStartProfile(ReferenceChargePoint):
    """Starts the transaction of a RemoteStartTransaction but drops its charging profile."""

    KILLS = v16("059")

    async def _remote_start(self, c: Any, id_tag: str, profile: Any) -> None:
        await super()._remote_start(c, id_tag, None)


class AcceptsAnyRemoteStartProfile(ReferenceChargePoint):
    """Accepts a RemoteStartTransaction whatever its profile's purpose (and drops the profile)."""

    KILLS = v16("060")

    async def on_remote_start(self, request: Any, ctx: Any) -> Any:
        profile = getattr(request, "charging_profile", None)
        if profile is not None and profile.charging_profile_purpose.value != TX_PROFILE:
            request.charging_profile = None
        return await super().on_remote_start(request, ctx)
