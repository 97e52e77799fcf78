"""The Local Authorization List as the Central System keeps it: entries, updates, hash.

OCPP 1.5 §5.8/§5.13 (GetLocalListVersion, SendLocalList) and OCPP 1.6 §3.5, §5.10, §5.15:
the Central System owns the list it wants each charge point to hold and its version, and
sends it either Full (the whole list, replacing the charge point's) or Differential (only
the changes; ``listVersion`` is the version *after* they are applied). In a Differential
update an entry with ``idTagInfo`` is added or replaced, and an entry without one is
removed (OCPP 1.6 §7.1 AuthorizationData; the 1.5 AuthorisationData says the same). A
Full update carries ``idTagInfo`` for every entry, and idTags in one update are unique.
idTags are compared without regard to case (OCPP 1.6 §7.28: IdToken is a CiString).

OCPP 1.5 adds an optional ``hash`` of the list to the request and response, and a
``HashError`` status, but leaves the hash method undefined. ocppcert defines it once, and
our charge point (``ocppcert.reference.charge_point.auth.local_list_hash``) computes the
same value, which a test checks (:func:`list_hash`):

* one line per entry: ``idTag|status|expiryDate|parentIdTag``, where expiryDate is the
  UTC time as ``YYYY-MM-DDTHH:MM:SS[.ffffff]Z`` (a time without an offset is taken as UTC;
  the fraction only when it is not zero) and absent fields are empty strings;
* the lines sorted as strings (code point order, case-sensitive) and joined with ``\n``
  (no trailing newline), encoded as UTF-8;
* the hash is the lowercase hexadecimal SHA-1 of those bytes (40 characters, within the
  64 the 1.5 field allows). The empty list hashes the empty string.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

FULL = "Full"
DIFFERENTIAL = "Differential"
UPDATE_TYPES = (FULL, DIFFERENTIAL)
# The statuses an idTagInfo may carry in a list; ConcurrentTx is an answer about a moment,
# not something a list can hold, so it is refused in list entries.
LIST_STATUSES = ("Accepted", "Blocked", "Expired", "Invalid")
ID_TAG_MAX_LENGTH = 20  # OCPP 1.5/1.6 IdToken: string of at most 20 characters


class LocalListError(ValueError):
    """An update that cannot be sent: a duplicate idTag, a bad status, a missing idTagInfo."""


@dataclass(frozen=True, slots=True)
class ListEntry:
    """One entry of a list or of an update; ``status`` None means "no idTagInfo"."""

    id_tag: str
    status: str | None = None
    expiry_date: dt.datetime | None = None
    parent_id_tag: str | None = None

    @property
    def key(self) -> str:
        return self.id_tag.casefold()

    @property
    def has_info(self) -> bool:
        return self.status is not None

    def id_tag_info_json(self) -> dict[str, Any] | None:
        """The entry's idTagInfo as OCPP-J-style JSON, None if it has none."""
        if self.status is None:
            return None
        info: dict[str, Any] = {"status": self.status}
        if self.expiry_date is not None:
            info["expiryDate"] = format_utc(self.expiry_date)
        if self.parent_id_tag:
            info["parentIdTag"] = self.parent_id_tag
        return info

    def to_json(self) -> dict[str, Any]:
        """``{"idTag", "idTagInfo"?}``, as AuthorizationData is spelled in OCPP-J."""
        out: dict[str, Any] = {"idTag": self.id_tag}
        info = self.id_tag_info_json()
        if info is not None:
            out["idTagInfo"] = info
        return out

    @classmethod
    def from_json(cls, data: Any, where: str = "entry") -> ListEntry:
        """Read ``{"idTag": ..., "idTagInfo": {"status", "expiryDate"?, "parentIdTag"?}?}``."""
        if not isinstance(data, Mapping):
            raise LocalListError(f"{where}: expected an object with idTag and idTagInfo")
        unknown = set(data) - {"idTag", "idTagInfo"}
        if unknown:
            raise LocalListError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
        id_tag = data.get("idTag")
        if not isinstance(id_tag, str) or not id_tag:
            raise LocalListError(f"{where}.idTag: a non-empty string is required")
        if len(id_tag) > ID_TAG_MAX_LENGTH:
            raise LocalListError(
                f"{where}.idTag: {id_tag!r} is longer than {ID_TAG_MAX_LENGTH} characters"
            )
        info = data.get("idTagInfo")
        if info is None:
            return cls(id_tag)
        if not isinstance(info, Mapping):
            raise LocalListError(f"{where}.idTagInfo: expected an object")
        unknown = set(info) - {"status", "expiryDate", "parentIdTag"}
        if unknown:
            raise LocalListError(
                f"{where}.idTagInfo: unknown field(s) {', '.join(sorted(unknown))}"
            )
        status = info.get("status")
        if status not in LIST_STATUSES:
            raise LocalListError(
                f"{where}.idTagInfo.status: {status!r} is not one of {', '.join(LIST_STATUSES)}"
            )
        expiry = info.get("expiryDate")
        expiry_date = None
        if expiry is not None:
            expiry_date = parse_time(expiry, f"{where}.idTagInfo.expiryDate")
        parent = info.get("parentIdTag")
        if parent is not None and (not isinstance(parent, str)
                                   or len(parent) > ID_TAG_MAX_LENGTH):
            raise LocalListError(
                f"{where}.idTagInfo.parentIdTag: a string of at most {ID_TAG_MAX_LENGTH} "
                "characters is required"
            )
        return cls(id_tag, status, expiry_date, parent or None)


def parse_time(value: Any, where: str) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str):
        raise LocalListError(f"{where}: expected an ISO 8601 date-time string")
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        raise LocalListError(f"{where}: {value!r} is not an ISO 8601 date-time") from None


def as_utc(value: dt.datetime) -> dt.datetime:
    """A time without an offset is taken as UTC (OCPP's times are UTC)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def format_utc(value: dt.datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SS[.ffffff]Z`` in UTC."""
    text = as_utc(value).replace(tzinfo=None).isoformat()
    return text + "Z"


def check_update(update_type: str, entries: Iterable[ListEntry]) -> list[ListEntry]:
    """The entries of a valid update: unique idTags; every Full entry has idTagInfo."""
    if update_type not in UPDATE_TYPES:
        raise LocalListError(f"updateType must be Full or Differential, not {update_type!r}")
    seen: set[str] = set()
    out = []
    for entry in entries:
        if entry.key in seen:
            raise LocalListError(f"idTag {entry.id_tag!r} appears more than once "
                                 "(idTags in one update must be unique)")
        seen.add(entry.key)
        if update_type == FULL and not entry.has_info:
            raise LocalListError(f"idTag {entry.id_tag!r}: a Full update needs idTagInfo "
                                 "for every entry")
        out.append(entry)
    return out


def apply_update(
    current: Mapping[str, ListEntry], update_type: str, entries: Iterable[ListEntry]
) -> dict[str, ListEntry]:
    """The list after an update, keyed by case-folded idTag.

    Full replaces everything; Differential adds or replaces entries with idTagInfo and
    removes those without one (removing an idTag that is not there changes nothing).
    """
    entries = check_update(update_type, entries)
    result: dict[str, ListEntry] = {} if update_type == FULL else dict(current)
    for entry in entries:
        if entry.has_info:
            result[entry.key] = entry
        else:
            result.pop(entry.key, None)
    return result


def list_hash(entries: Iterable[ListEntry]) -> str:
    """The OCPP 1.5 list hash as ocppcert defines it (see the module docstring)."""
    lines = sorted(
        "|".join((entry.id_tag, _text(entry.status),
                  "" if entry.expiry_date is None else format_utc(entry.expiry_date),
                  entry.parent_id_tag or ""))
        for entry in entries
    )
    return hashlib.sha1("\n".join(lines).encode("utf-8")).hexdigest()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Enum):
        return str(value.value)
    return str(value)


__all__ = [
    "DIFFERENTIAL",
    "FULL",
    "LIST_STATUSES",
    "ListEntry",
    "LocalListError",
    "apply_update",
    "check_update",
    "format_utc",
    "list_hash",
]
