"""Mutants of the reference charge point: the local authorisation list (OCTT 2.17 and our
LOCALLIST cases)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ocppcert.reference.charge_point.auth import (
    S_ACCEPTED,
    S_FAILED,
    S_VERSION_MISMATCH,
    LocalAuthorization,
    _row_info,
)
from ocppcert.reference.charge_point.station import AuthResult, ReferenceChargePoint
from tests.mutants.charge_point import ids, own_ids

BOTH = ("1.6", "1.5")


def _with_auth(station: ReferenceChargePoint, cls: type[LocalAuthorization]) -> None:
    """Give ``station`` a local authorisation store of class ``cls`` over the same data."""
    old = station.auth
    station.auth = cls(old.db, old.version, list_max_length=old.list_max_length,
                       send_list_max_length=old.send_list_max_length,
                       cache_max_length=old.cache_max_length,
                       list_supported=old.list_supported, cache_supported=old.cache_supported)
    station._apply_auth_switches()


class ReportsEmptyListWithoutOne(ReferenceChargePoint):
    """Without a local list, answers GetLocalListVersion 0 (an empty list) instead of -1."""

    KILLS = ids("042_1", BOTH)

    async def on_get_local_list_version(self, request: Any, ctx: Any) -> Any:
        return ctx.respond(list_version=max(0, int(self.auth.list_version())))


class _VersionEvenWhenEmpty(LocalAuthorization):
    def _current_version(self) -> int:
        return int(self._setting("list_version"))


class EmptyListKeepsItsVersion(ReferenceChargePoint):
    """Reports the version of the last update even when that update left the list empty."""

    KILLS = ids("042_2", BOTH)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        _with_auth(self, _VersionEvenWhenEmpty)


class FullUpdatesOnly(ReferenceChargePoint):
    """Answers Failed to every Differential update: it can only replace the whole list."""

    KILLS = ids("043", BOTH) + ids("043_2", BOTH) + own_ids("LOCALLIST_002_CS", BOTH)

    async def on_send_local_list(self, request: Any, ctx: Any) -> Any:
        if request.update_type.value == "Differential":
            return ctx.respond(status=self.cp_types.UpdateStatus("Failed"))
        return await super().on_send_local_list(request, ctx)


class AcceptsListsItCannotUse(ReferenceChargePoint):
    """Without a local list, answers SendLocalList Accepted (and throws the list away)."""

    KILLS = ids("043_1", BOTH)

    async def on_send_local_list(self, request: Any, ctx: Any) -> Any:
        if not self.supports("LocalAuthListManagement"):
            return ctx.respond(status=self.cp_types.UpdateStatus("Accepted"))
        return await super().on_send_local_list(request, ctx)


class _AnyDifferentialVersion(LocalAuthorization):
    def _check_update(self, update_type: str, list_version: int,
                      entries: list[tuple[str, Any]]) -> str | None:
        status = super()._check_update(update_type, list_version, entries)
        return None if status == S_VERSION_MISMATCH else status


class DifferentialVersionUnchecked(ReferenceChargePoint):
    """Applies a Differential update whatever its version, even one it already has."""

    KILLS = ids("043_2", BOTH)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        _with_auth(self, _AnyDifferentialVersion)


class _StorageErrorsIgnored(LocalAuthorization):
    def apply_send_local_list(self, update_type: Any, list_version: int,
                              entries: list[tuple[str, Any]],
                              list_hash: str | None = None) -> tuple[str, str | None]:
        status, ours = super().apply_send_local_list(update_type, list_version, entries,
                                                     list_hash)
        if status == S_FAILED and self.storage_failing:
            return S_ACCEPTED, ours
        return status, ours


class StorageErrorReportedAsAccepted(ReferenceChargePoint):
    """Answers SendLocalList Accepted although the list could not be stored."""

    KILLS = ids("043_3", BOTH)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        _with_auth(self, _StorageErrorsIgnored)


class PreAuthorizeIgnored(ReferenceChargePoint):
    """Asks the Central System (Authorize) for every idTag, whatever LocalPreAuthorize says."""

    KILLS = ids("008", ("1.6",))

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        read = self.config.get_bool

        def get_bool(canonical: str, default: bool = False) -> bool:
            return False if canonical == "LocalPreAuthorize" else read(canonical, default)

        self.config.get_bool = get_bool  # type: ignore[method-assign]


class ListHashIgnored(ReferenceChargePoint):
    """Takes a SendLocalList whatever hash it carries, without checking it (1.5)."""

    KILLS = own_ids("LOCALLIST_001_CS", ("1.5",))

    async def on_send_local_list(self, request: Any, ctx: Any) -> Any:
        if hasattr(request, "hash"):
            request.hash = None
        return await super().on_send_local_list(request, ctx)


class _NoDeletions(LocalAuthorization):
    def _apply(self, update_type: str, list_version: int,
               entries: list[tuple[str, Any]]) -> None:
        super()._apply(update_type, list_version,
                       [(id_tag, info) for id_tag, info in entries if info is not None])


class DifferentialCannotDelete(ReferenceChargePoint):
    """Skips the entries of a Differential update that have no idTagInfo (the deletions)."""

    KILLS = own_ids("LOCALLIST_002_CS", BOTH)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        _with_auth(self, _NoDeletions)


class _CacheFirst(LocalAuthorization):
    def lookup(self, id_tag: str, now: dt.datetime) -> tuple[Any, str | None]:
        with self._lock:
            row = self._cache_row(id_tag) if self.cache_enabled else None
        if row is not None:
            return _row_info(row).as_of(now), "cache"
        return super().lookup(id_tag, now)

    def _apply(self, update_type: str, list_version: int,
               entries: list[tuple[str, Any]]) -> None:
        cached = self.db.execute(
            "SELECT id_tag, status, expiry_date, parent_id_tag, seq FROM auth_cache").fetchall()
        super()._apply(update_type, list_version, entries)
        self.db.executemany(
            "INSERT OR REPLACE INTO auth_cache (id_tag, status, expiry_date, parent_id_tag, seq)"
            " VALUES (?, ?, ?, ?, ?)", [tuple(row) for row in cached])


class CacheOverridesList(ReferenceChargePoint):
    """Looks an idTag up in its authorisation cache before its local list, and keeps the
    cached entries of idTags the Central System puts in the list."""

    KILLS = own_ids("LOCALLIST_003_CS", BOTH)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        _with_auth(self, _CacheFirst)


class NoOfflineAuthorization(ReferenceChargePoint):
    """Refuses every idTag while it cannot reach the Central System."""

    # (LOCALLIST_002/003 fail against it too; each waits its full bound for the
    # StartTransaction that never comes, so only the case about it is named.)
    KILLS = own_ids("LOCALLIST_004_CS", BOTH)

    async def authorize(self, id_tag: str) -> AuthResult:
        result = await super().authorize(id_tag)
        if result.source != "cs" and not self.reachable:
            return AuthResult(False, result.info, result.source)
        return result


class SilentOnListConflict(ReferenceChargePoint):
    """Never reports a LocalListConflict to the Central System."""

    KILLS = own_ids("LOCALLIST_005_CS", ("1.6",))

    def _emit_status(self, connector_id: int, **kwargs: Any) -> None:
        if kwargs.get("error_code") == "LocalListConflict":
            return
        super()._emit_status(connector_id, **kwargs)
