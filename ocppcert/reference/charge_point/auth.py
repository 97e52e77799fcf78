"""Local authorisation of the reference charge point: the local list and the cache, in SQLite.

What each OCPP version asks of a charge point (in our own words):

OCPP 1.6 (§3.5 Local Authorization & Offline Behavior, §5.4 ClearCache, §5.10
GetLocalListVersion, §5.15 SendLocalList, §9 configuration keys) has two separate stores:

- The *Local Authorization List* is owned by the Central System: only SendLocalList changes it
  (a Full update replaces it, a Differential one adds, updates, or deletes the entries that come
  without an IdTagInfo). It has a version: GetLocalListVersion answers that version, 0 when the
  list is empty and -1 when the charge point has no local list. ``LocalAuthListEnabled`` turns it
  on and off; ``LocalAuthListMaxLength`` caps its size and ``SendLocalListMaxLength`` the number
  of entries in one SendLocalList.req. A Differential update must carry a version above the
  current one, else the answer is VersionMismatch; a Full update may carry any version.
- The *Authorization Cache* is kept by the charge point on its own: it stores the latest
  IdTagInfo it got in Authorize/StartTransaction/StopTransaction confirmations (valid or not),
  never for identifiers that are in the local list, marks entries Expired when their expiryDate
  passes, evicts entries that are not valid first and then the oldest when it is full, and
  survives a reboot. ``AuthorizationCacheEnabled`` turns it on and off; ClearCache empties it.
- The list has priority over the cache when both know an identifier.

OCPP 1.5 (§3.x local authorisation, §5.x SendLocalList/GetLocalListVersion/ClearCache) has one
*local authorisation list* that doubles as the cache: the Central System synchronises it with
SendLocalList, and the charge point also updates it from Authorize/Start/Stop confirmations,
storing ConcurrentTx as Accepted. SendLocalList.req/.conf carry an optional ``hash`` whose
computation the 1.5 specification leaves undefined, and the answer may be HashError.

OCPP 1.2 has no SendLocalList and no GetLocalListVersion, only ClearCache: the charge point keeps
an authorisation cache but no Central-System-managed list.

Decisions where the specifications leave room (documented, and tested):

- 1.2: the local list does not exist: ``list_enabled`` is always False, ``list_version()`` is -1
  (the 1.5/1.6 convention for "no local list") and ``apply_send_local_list`` answers NotSupported.
  The cache works as in 1.5 (ConcurrentTx stored as Accepted).
- 1.5 "one structure": physically the CS-synchronised entries and the learned entries live in two
  tables, but they behave as one list: the most recent word about an identifier wins (a learned
  IdTagInfo overrides the synchronised entry; a SendLocalList entry for an identifier drops what
  was learned about it; a Full update replaces everything, learned entries included), and
  ``lookup`` reports the source as ``"list"``. ClearCache removes what was learned from
  confirmations and keeps the synchronised entries and their version, so that
  GetLocalListVersion stays truthful. The 1.5 hash covers the synchronised entries.
- The 1.5 hash is :func:`local_list_hash`: SHA-1, hex (40 characters, fits string[64]), over the
  entries sorted by idTag, one line each ``idTag|status|expiryDate|parentIdTag`` (expiryDate in
  UTC as ``YYYY-MM-DDTHH:MM:SS[.ffffff]Z``, absent values as the empty string), lines joined
  with a newline. If the Central System sent a hash and ours after applying the update differs,
  the answer is HashError and the update is not kept.
- An empty list reports version 0 whatever version the last update carried (1.6 §5.10: 0 means
  empty). A Differential update is compared with the version we report.
- idTags are compared case-insensitively (IdToken is a case-insensitive string).
- A SendLocalList that repeats an idTag, a Full entry without IdTagInfo, a negative version or an
  unknown updateType is answered Failed.
- ClearCache answers Rejected only when the charge point is built without a cache
  (``cache_supported=False``); a disabled cache can still be emptied.
- 1.6: an identifier that is in the local list is never cached, even while the list is disabled
  (the list keeps its entries while disabled); a SendLocalList that puts an identifier in the
  list drops its cache entry.

Every change is one SQLite transaction (a savepoint, so it nests in a caller's transaction): it
happens completely or not at all, and it is on disk before the method returns.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum
from typing import Any

from ocppcert.reference.db import atomic
from ocppcert.versions import OcppVersion

__all__ = [
    "IdTagInfo",
    "LocalAuthorization",
    "local_list_hash",
    "VALID_STATUSES",
]

ACCEPTED = "Accepted"
EXPIRED = "Expired"
CONCURRENT_TX = "ConcurrentTx"
AUTHORIZATION_STATUSES = ("Accepted", "Blocked", "Expired", "Invalid", "ConcurrentTx")
#: Statuses that authorise a start (ConcurrentTx is valid for the identifier, busy elsewhere).
VALID_STATUSES = frozenset({ACCEPTED, CONCURRENT_TX})

FULL = "Full"
DIFFERENTIAL = "Differential"

# SendLocalList.conf statuses (1.5 adds HashError).
S_ACCEPTED = "Accepted"
S_FAILED = "Failed"
S_NOT_SUPPORTED = "NotSupported"
S_VERSION_MISMATCH = "VersionMismatch"
S_HASH_ERROR = "HashError"

SOURCE_LIST = "list"
SOURCE_CACHE = "cache"


def _value(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def _utc(value: dt.datetime) -> dt.datetime:
    """Aware UTC; a naive datetime is taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc)


def _format_utc(value: dt.datetime) -> str:
    return _utc(value).replace(tzinfo=None).isoformat() + "Z"


def _parse_utc(text: str | None) -> dt.datetime | None:
    if text is None:
        return None
    return _utc(dt.datetime.fromisoformat(text))


@dataclass(frozen=True)
class IdTagInfo:
    """The version-neutral authorisation data of one idTag (OCPP IdTagInfo, all versions).

    ``status`` is one of Accepted, Blocked, Expired, Invalid, ConcurrentTx; an enum member of the
    generated message classes is accepted and stored as its value.
    """

    status: str
    expiry_date: dt.datetime | None = None
    parent_id_tag: str | None = None

    def __post_init__(self) -> None:
        status = _value(self.status)
        if status not in AUTHORIZATION_STATUSES:
            raise ValueError(f"unknown authorisation status {status!r}")
        object.__setattr__(self, "status", status)
        if self.expiry_date is not None:
            object.__setattr__(self, "expiry_date", _utc(self.expiry_date))

    @classmethod
    def from_message(cls, info: Any) -> IdTagInfo:
        """From any generated ``IdTagInfo`` (1.2, 1.5 or 1.6, either service) or one of ours."""
        if isinstance(info, IdTagInfo):
            return info
        return cls(
            status=_value(info.status),
            expiry_date=getattr(info, "expiry_date", None),
            parent_id_tag=getattr(info, "parent_id_tag", None),
        )

    def to_message(self, message_class: type) -> Any:
        """Build the generated ``IdTagInfo`` class of the wanted version and service."""
        return message_class(
            status=self.status, expiry_date=self.expiry_date, parent_id_tag=self.parent_id_tag
        )

    @property
    def valid(self) -> bool:
        return self.status in VALID_STATUSES

    def expired_at(self, now: dt.datetime) -> bool:
        return self.expiry_date is not None and self.expiry_date <= _utc(now)

    def as_of(self, now: dt.datetime) -> IdTagInfo:
        """This entry as it stands at ``now``: status Expired once expiryDate has passed."""
        if self.status != EXPIRED and self.expired_at(now):
            return IdTagInfo(EXPIRED, self.expiry_date, self.parent_id_tag)
        return self


def _canonical_line(id_tag: str, info: IdTagInfo) -> str:
    expiry = _format_utc(info.expiry_date) if info.expiry_date is not None else ""
    return f"{id_tag}|{info.status}|{expiry}|{info.parent_id_tag or ''}"


def local_list_hash(entries: Iterable[tuple[str, IdTagInfo | Any | None]]) -> str:
    """The OCPP 1.5 SendLocalList hash of a local list, as this project defines it.

    OCPP 1.5 §5.x SendLocalList has an optional ``hash`` but does not say how to compute it.
    Ours: SHA-1 in lower-case hex over the entries sorted by idTag, one line per entry,
    ``idTag|status|expiryDate|parentIdTag`` (expiryDate in UTC, ``...Z``; absent fields empty),
    lines joined by ``\\n``. Entries without IdTagInfo (deletions) are not list content and are
    skipped. The order in which entries are given does not matter.
    """
    lines = sorted(
        _canonical_line(id_tag, IdTagInfo.from_message(info))
        for id_tag, info in entries
        if info is not None
    )
    return hashlib.sha1("\n".join(lines).encode("utf-8")).hexdigest()


_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS auth_settings (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS auth_list (
        id_tag TEXT PRIMARY KEY COLLATE NOCASE,
        status TEXT NOT NULL,
        expiry_date TEXT,
        parent_id_tag TEXT
    )""",
    """CREATE TABLE IF NOT EXISTS auth_cache (
        id_tag TEXT PRIMARY KEY COLLATE NOCASE,
        status TEXT NOT NULL,
        expiry_date TEXT,
        parent_id_tag TEXT,
        seq INTEGER NOT NULL
    )""",
)


def _row_info(row: sqlite3.Row | tuple[Any, ...]) -> IdTagInfo:
    return IdTagInfo(row[1], _parse_utc(row[2]), row[3])


class LocalAuthorization:
    """The charge point's local authorisation list and authorisation cache for one OCPP version.

    ``list_max_length`` is LocalAuthListMaxLength, ``send_list_max_length`` is
    SendLocalListMaxLength, ``cache_max_length`` the cache capacity. ``list_supported`` /
    ``cache_supported`` False model a charge point without that feature (GetLocalListVersion -1,
    SendLocalList NotSupported / ClearCache Rejected, and the matching ``*_enabled`` stay False).
    """

    def __init__(
        self,
        db: sqlite3.Connection,
        version: OcppVersion | str,
        *,
        list_max_length: int = 1000,
        send_list_max_length: int = 100,
        cache_max_length: int = 1000,
        list_supported: bool = True,
        cache_supported: bool = True,
    ) -> None:
        self.db = db
        self.version = OcppVersion(version)
        self.list_max_length = list_max_length
        self.send_list_max_length = send_list_max_length
        self.cache_max_length = cache_max_length
        # OCPP 1.2 has no local list operations at all.
        self.list_supported = list_supported and self.version is not OcppVersion.V12
        self.cache_supported = cache_supported
        self._lock = threading.RLock()
        # The memory holding the list can fail (full, worn out): while it does, writing the
        # list raises the error SQLite raises on a full disk (a physical condition that an
        # operator provokes for OCTT TC_043_3; it is not persisted).
        self.storage_failing = False
        with self._transaction():
            for statement in _SCHEMA:
                self.db.execute(statement)
            for name in ("list_enabled", "cache_enabled"):
                self.db.execute(
                    "INSERT OR IGNORE INTO auth_settings (name, value) VALUES (?, '1')", (name,)
                )
            self.db.execute(
                "INSERT OR IGNORE INTO auth_settings (name, value) VALUES ('list_version', '0')"
            )

    # -- plumbing ------------------------------------------------------------------------------

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """One atomic change: a savepoint (a transaction of its own, or nested in the caller's)."""
        with self._lock, atomic(self.db):
            yield

    def _setting(self, name: str) -> str:
        row = self.db.execute("SELECT value FROM auth_settings WHERE name = ?", (name,)).fetchone()
        return row[0]

    def _set_setting(self, name: str, value: str) -> None:
        with self._transaction():
            self.db.execute(
                "INSERT OR REPLACE INTO auth_settings (name, value) VALUES (?, ?)", (name, value)
            )

    @property
    def _is_15(self) -> bool:
        return self.version is OcppVersion.V15

    # -- configuration -------------------------------------------------------------------------

    @property
    def list_enabled(self) -> bool:
        """LocalAuthListEnabled (1.6 §9.2); persisted. Always False without a local list."""
        return self.list_supported and self._setting("list_enabled") == "1"

    @list_enabled.setter
    def list_enabled(self, value: bool) -> None:
        self._set_setting("list_enabled", "1" if value else "0")

    @property
    def cache_enabled(self) -> bool:
        """AuthorizationCacheEnabled (1.6 §9.1); persisted. Always False without a cache."""
        return self.cache_supported and self._setting("cache_enabled") == "1"

    @cache_enabled.setter
    def cache_enabled(self, value: bool) -> None:
        self._set_setting("cache_enabled", "1" if value else "0")

    # -- reading -------------------------------------------------------------------------------

    def _list_row(self, id_tag: str) -> sqlite3.Row | None:
        return self.db.execute(
            "SELECT id_tag, status, expiry_date, parent_id_tag FROM auth_list WHERE id_tag = ?",
            (id_tag,),
        ).fetchone()

    def _cache_row(self, id_tag: str) -> sqlite3.Row | None:
        return self.db.execute(
            "SELECT id_tag, status, expiry_date, parent_id_tag FROM auth_cache WHERE id_tag = ?",
            (id_tag,),
        ).fetchone()

    def lookup(self, id_tag: str, now: dt.datetime) -> tuple[IdTagInfo | None, str | None]:
        """What the charge point knows locally about ``id_tag`` at ``now``.

        Returns ``(info, source)`` with source ``"list"`` or ``"cache"``, or ``(None, None)``.
        The list has priority over the cache (1.6 §3.5); a disabled list or cache is not
        consulted; an entry whose expiryDate has passed comes back with status Expired (and in
        the cache it is marked Expired, 1.6 §3.5.1). In 1.5 the list and what was learned are
        one structure: the most recent word wins and the source is always ``"list"``.
        """
        with self._lock:
            if self._is_15:
                if self.cache_enabled:
                    row = self._cache_row(id_tag)
                    if row is not None:
                        return _row_info(row).as_of(now), SOURCE_LIST
                if self.list_enabled:
                    row = self._list_row(id_tag)
                    if row is not None:
                        return _row_info(row).as_of(now), SOURCE_LIST
                return None, None
            if self.list_enabled:
                row = self._list_row(id_tag)
                if row is not None:
                    return _row_info(row).as_of(now), SOURCE_LIST
            if self.cache_enabled:
                row = self._cache_row(id_tag)
                if row is not None:
                    stored = _row_info(row)
                    info = stored.as_of(now)
                    if info is not stored:
                        with self._transaction():
                            self.db.execute(
                                "UPDATE auth_cache SET status = ? WHERE id_tag = ?",
                                (EXPIRED, id_tag),
                            )
                    return info, SOURCE_CACHE
            return None, None

    def in_list(self, id_tag: str) -> bool:
        """Whether ``id_tag`` has an entry in the local list (enabled or not)."""
        with self._lock:
            return self.list_supported and self._list_row(id_tag) is not None

    def is_conflict(self, id_tag: str, info: IdTagInfo | Any, now: dt.datetime) -> bool:
        """1.6 §3.5.3: the Central System's answer contradicts a valid local-list entry.

        True when the (enabled) list holds ``id_tag`` and the list and ``info`` disagree on
        whether it is valid; the station then reports a LocalListConflict StatusNotification.
        """
        if self._is_15 or not self.list_enabled:
            return False
        with self._lock:
            row = self._list_row(id_tag)
        if row is None:
            return False
        listed = _row_info(row).as_of(now)
        return listed.valid != IdTagInfo.from_message(info).as_of(now).valid

    def list_entries(self) -> list[tuple[str, IdTagInfo]]:
        """The local list content (CS-synchronised entries), sorted by idTag."""
        with self._lock:
            rows = self.db.execute(
                "SELECT id_tag, status, expiry_date, parent_id_tag FROM auth_list ORDER BY id_tag"
            ).fetchall()
        return [(row[0], _row_info(row)) for row in rows]

    def cache_entries(self) -> list[tuple[str, IdTagInfo]]:
        """The cache content (learned from confirmations), oldest first."""
        with self._lock:
            rows = self.db.execute(
                "SELECT id_tag, status, expiry_date, parent_id_tag FROM auth_cache ORDER BY seq"
            ).fetchall()
        return [(row[0], _row_info(row)) for row in rows]

    # -- the cache -----------------------------------------------------------------------------

    def remember(
        self, id_tag: str, info: IdTagInfo | Any, *, now: dt.datetime | None = None
    ) -> None:
        """Store the IdTagInfo of an Authorize/StartTransaction/StopTransaction confirmation.

        1.6 §3.5.1: no-op when the cache is disabled, and identifiers in the local list are not
        cached; when the cache is full, an entry that is not valid (by status, or expired at
        ``now``, default the current time) goes first, otherwise the least recently updated one.
        1.5 (and 1.2): the list doubles as the cache; ConcurrentTx is stored as Accepted.
        """
        info = IdTagInfo.from_message(info)
        now = _utc(now) if now is not None else dt.datetime.now(dt.timezone.utc)
        if self.version is not OcppVersion.V16 and info.status == CONCURRENT_TX:
            info = IdTagInfo(ACCEPTED, info.expiry_date, info.parent_id_tag)
        with self._lock:
            if not self.cache_enabled:
                return
            if self.version is OcppVersion.V16 and self._list_row(id_tag) is not None:
                return
            with self._transaction():
                existing = self._cache_row(id_tag) is not None
                if not existing and self.cache_max_length <= 0:
                    return
                if not existing:
                    count = self.db.execute("SELECT COUNT(*) FROM auth_cache").fetchone()[0]
                    while count >= self.cache_max_length:
                        self._evict_one(now)
                        count -= 1
                seq = self.db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM auth_cache").fetchone()
                self.db.execute(
                    "INSERT OR REPLACE INTO auth_cache "
                    "(id_tag, status, expiry_date, parent_id_tag, seq) VALUES (?, ?, ?, ?, ?)",
                    (
                        id_tag,
                        info.status,
                        _format_utc(info.expiry_date) if info.expiry_date else None,
                        info.parent_id_tag,
                        seq[0],
                    ),
                )

    def _evict_one(self, now: dt.datetime) -> None:
        rows = self.db.execute(
            "SELECT id_tag, status, expiry_date, parent_id_tag FROM auth_cache ORDER BY seq"
        ).fetchall()
        victim = next(
            (row[0] for row in rows if not _row_info(row).as_of(now).valid),
            rows[0][0] if rows else None,
        )
        if victim is not None:
            self.db.execute("DELETE FROM auth_cache WHERE id_tag = ?", (victim,))

    def clear_cache(self) -> bool:
        """ClearCache (1.6 §5.4, 1.5, 1.2): empty the cache; True = Accepted, False = Rejected.

        In 1.5 this removes what was learned from confirmations; the entries the Central System
        synchronised, and their version, stay.
        """
        if not self.cache_supported:
            return False
        with self._transaction():
            self.db.execute("DELETE FROM auth_cache")
        return True

    # -- the local list ------------------------------------------------------------------------

    def list_version(self) -> int:
        """GetLocalListVersion (1.6 §5.10, 1.5): -1 without (or with a disabled) list, 0 empty."""
        if not self.list_enabled:
            return -1
        with self._lock:
            return self._current_version()

    def _current_version(self) -> int:
        count = self.db.execute("SELECT COUNT(*) FROM auth_list").fetchone()[0]
        if count == 0:
            return 0
        return int(self._setting("list_version"))

    def list_hash(self) -> str | None:
        """1.5: the hash of the synchronised list (see :func:`local_list_hash`); else None."""
        if not self._is_15 or not self.list_supported:
            return None
        return local_list_hash(self.list_entries())

    def apply_send_local_list(
        self,
        update_type: str | Any,
        list_version: int,
        entries: list[tuple[str, IdTagInfo | Any | None]],
        list_hash: str | None = None,
    ) -> tuple[str, str | None]:
        """SendLocalList (1.6 §5.15, 1.5): apply an update; returns ``(status, hash)``.

        ``status`` is Accepted, Failed, NotSupported, VersionMismatch or (1.5 only) HashError;
        ``hash`` is, in 1.5, the hash of the list the charge point holds after the call (None
        otherwise, and None with NotSupported). Rules:

        - no list, or a disabled one → NotSupported;
        - a repeated idTag, a Full entry without IdTagInfo, a negative version, or an unknown
          updateType → Failed;
        - Differential with a version not above the current one → VersionMismatch;
        - more entries than SendLocalListMaxLength, or a resulting list longer than
          LocalAuthListMaxLength → Failed;
        - the list cannot be stored (a storage error, e.g. ``storage_failing``) → Failed;
        - Full replaces the list (any version); Differential adds/updates the entries with an
          IdTagInfo and deletes those without; an empty Differential changes nothing but the
          version;
        - 1.5: if a hash was sent and ours after the update differs → HashError.

        All of it happens in one transaction: on any answer but Accepted nothing changes.
        """
        update_type = _value(update_type)
        if not self.list_enabled:
            return S_NOT_SUPPORTED, None
        with self._lock:
            status = self._check_update(update_type, list_version, entries)
            if status is not None:
                return status, self.list_hash()
            normalised = [
                (id_tag, None if info is None else IdTagInfo.from_message(info))
                for id_tag, info in entries
            ]
            try:
                with self._transaction():
                    self._apply(update_type, list_version, normalised)
                    count = self.db.execute("SELECT COUNT(*) FROM auth_list").fetchone()[0]
                    if count > self.list_max_length:
                        raise _Refused(S_FAILED)
                    ours = self.list_hash()
                    if self._is_15 and list_hash is not None and ours != list_hash:
                        raise _Refused(S_HASH_ERROR)
            except _Refused as refused:
                return refused.status, self.list_hash()
            except sqlite3.Error:
                # The list could not be stored: nothing changed (the transaction rolled back).
                return S_FAILED, self.list_hash()
            return S_ACCEPTED, ours

    def _check_update(
        self, update_type: str, list_version: int, entries: list[tuple[str, Any]]
    ) -> str | None:
        if update_type not in (FULL, DIFFERENTIAL) or list_version < 0:
            return S_FAILED
        seen: set[str] = set()
        for id_tag, info in entries:
            key = id_tag.lower()
            if key in seen:
                return S_FAILED
            seen.add(key)
            if info is None and update_type == FULL:
                return S_FAILED
        if update_type == DIFFERENTIAL and list_version <= self._current_version():
            return S_VERSION_MISMATCH
        if len(entries) > self.send_list_max_length:
            return S_FAILED
        return None

    def _apply(
        self, update_type: str, list_version: int, entries: list[tuple[str, IdTagInfo | None]]
    ) -> None:
        if self.storage_failing:
            raise sqlite3.OperationalError("database or disk is full")
        if update_type == FULL:
            self.db.execute("DELETE FROM auth_list")
            if self._is_15:
                # One structure in 1.5: a full replacement also drops what was learned.
                self.db.execute("DELETE FROM auth_cache")
        for id_tag, info in entries:
            self.db.execute("DELETE FROM auth_list WHERE id_tag = ?", (id_tag,))
            if self._is_15 or info is not None:
                # 1.6 §3.5.1: identifiers in the list are not kept in the cache. 1.5: the
                # Central System's newer word replaces what the one list had learned.
                self.db.execute("DELETE FROM auth_cache WHERE id_tag = ?", (id_tag,))
            if info is None:
                continue
            self.db.execute(
                "INSERT INTO auth_list (id_tag, status, expiry_date, parent_id_tag) "
                "VALUES (?, ?, ?, ?)",
                (
                    id_tag,
                    info.status,
                    _format_utc(info.expiry_date) if info.expiry_date else None,
                    info.parent_id_tag,
                ),
            )
        self.db.execute(
            "INSERT OR REPLACE INTO auth_settings (name, value) VALUES ('list_version', ?)",
            (str(list_version),),
        )


class _Refused(Exception):
    """Aborts the update transaction with a SendLocalList status."""

    def __init__(self, status: str) -> None:
        super().__init__(status)
        self.status = status
