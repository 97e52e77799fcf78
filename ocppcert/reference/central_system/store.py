"""The reference Central System's state in SQLite.

Everything the Central System knows lives here: charge points (identity, the endpoint
learnt from wsa:From, version, boot data, the configured boot response, connector
statuses), id tags, transactions and their meter values, StopTransactions for unknown
transactions, the Local Authorization List per charge point, and every message sent or
received.

Each method that changes state commits before it returns, and the handlers call it
before they answer: once a charge point has the StartTransaction response, its
transaction is on disk (``ocppcert.reference.db``: WAL, synchronous=FULL), so a restart
or a kill loses no acknowledged transaction.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ocppcert.reference.central_system.local_list import ListEntry, as_utc, format_utc, list_hash
from ocppcert.reference.db import atomic, connect

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS charge_points (
    identity TEXT PRIMARY KEY,
    endpoint_url TEXT,
    ocpp_version TEXT,
    vendor TEXT, model TEXT, charge_point_serial_number TEXT, charge_box_serial_number TEXT,
    firmware_version TEXT, iccid TEXT, imsi TEXT, meter_type TEXT, meter_serial_number TEXT,
    boot_status TEXT,              -- configured answer to BootNotification (NULL: default)
    boot_interval INTEGER,         -- configured interval (NULL: default)
    registration_status TEXT,      -- what the last BootNotification was answered
    first_seen TEXT NOT NULL,
    last_seen TEXT,
    last_boot TEXT,
    last_heartbeat TEXT,
    diagnostics_status TEXT, diagnostics_status_time TEXT,
    firmware_status TEXT, firmware_status_time TEXT
);
CREATE TABLE IF NOT EXISTS connectors (
    identity TEXT NOT NULL,
    connector_id INTEGER NOT NULL,
    status TEXT NOT NULL,
    error_code TEXT NOT NULL,
    info TEXT, vendor_id TEXT, vendor_error_code TEXT,
    timestamp TEXT,                -- the charge point's time of the status, if it sent one
    received TEXT NOT NULL,
    PRIMARY KEY (identity, connector_id)
);
CREATE TABLE IF NOT EXISTS id_tags (
    id_tag TEXT PRIMARY KEY COLLATE NOCASE,
    status TEXT NOT NULL,
    expiry_date TEXT,
    parent_id_tag TEXT
);
CREATE TABLE IF NOT EXISTS transactions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    identity TEXT NOT NULL,
    ocpp_version TEXT NOT NULL,
    connector_id INTEGER NOT NULL,
    id_tag TEXT NOT NULL,
    start_timestamp TEXT NOT NULL,
    meter_start INTEGER NOT NULL,
    reservation_id INTEGER,
    start_id_tag_info TEXT NOT NULL,   -- JSON: the idTagInfo answered to StartTransaction
    start_received TEXT NOT NULL,
    stop_timestamp TEXT,
    meter_stop INTEGER,
    stop_reason TEXT,
    stop_id_tag TEXT,
    stop_id_tag_info TEXT,             -- JSON: the idTagInfo answered to StopTransaction
    stop_received TEXT
);
CREATE INDEX IF NOT EXISTS transactions_by_tag ON transactions (id_tag COLLATE NOCASE);
CREATE INDEX IF NOT EXISTS transactions_by_cp ON transactions (identity, connector_id);
CREATE TABLE IF NOT EXISTS unknown_stops (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    identity TEXT NOT NULL,
    ocpp_version TEXT NOT NULL,
    transaction_id INTEGER NOT NULL,
    id_tag TEXT,
    timestamp TEXT NOT NULL,
    meter_stop INTEGER NOT NULL,
    reason TEXT,
    why TEXT NOT NULL,
    received TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meter_values (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    identity TEXT NOT NULL,
    ocpp_version TEXT NOT NULL,
    connector_id INTEGER,
    transaction_id INTEGER,
    source TEXT NOT NULL,          -- MeterValues | StopTransaction
    timestamp TEXT NOT NULL,
    sampled_value TEXT NOT NULL,   -- JSON list of {"value", "context"?, "measurand"?, ...}
    received TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS meter_values_by_tx ON meter_values (transaction_id);
CREATE TABLE IF NOT EXISTS local_lists (
    identity TEXT PRIMARY KEY,
    version INTEGER NOT NULL DEFAULT 0,     -- the Central System's (authoritative) version
    hash TEXT NOT NULL,                     -- list_hash of the authoritative entries
    acknowledged_version INTEGER,           -- the last version the charge point Accepted
    acknowledged_hash TEXT,                 -- our hash of what it then held
    acknowledged_entries TEXT,              -- JSON list of entries it then held
    acknowledged_at TEXT,
    reported_version INTEGER,               -- the last GetLocalListVersion answer
    reported_at TEXT
);
CREATE TABLE IF NOT EXISTS local_list_entries (
    identity TEXT NOT NULL,
    id_tag TEXT NOT NULL COLLATE NOCASE,
    status TEXT NOT NULL,
    expiry_date TEXT,
    parent_id_tag TEXT,
    PRIMARY KEY (identity, id_tag)
);
CREATE TABLE IF NOT EXISTS local_list_updates (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    identity TEXT NOT NULL,
    update_type TEXT NOT NULL,
    list_version INTEGER NOT NULL,
    entries TEXT NOT NULL,         -- JSON: the entries sent
    hash TEXT,                     -- the hash sent (1.5)
    automatic INTEGER NOT NULL,    -- 1: a Full resend after VersionMismatch/Failed/HashError
    sent TEXT NOT NULL,
    status TEXT,                   -- the charge point's answer, NULL if none
    answered_hash TEXT,            -- the hash it answered (1.5)
    error TEXT,                    -- transport error / fault, if no answer
    answered TEXT
);
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time TEXT NOT NULL,
    direction TEXT NOT NULL,       -- in | out (seen from the Central System)
    identity TEXT,
    peer TEXT,
    ocpp_version TEXT,
    operation TEXT,
    kind TEXT,                     -- request | response | fault
    valid INTEGER,
    http_status INTEGER,
    message_id TEXT,
    relates_to TEXT,
    note TEXT,
    xml TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_by_identity ON messages (identity, id);
"""

_BOOT_FIELDS = ("vendor", "model", "charge_point_serial_number", "charge_box_serial_number",
                "firmware_version", "iccid", "imsi", "meter_type", "meter_serial_number")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def time_text(value: dt.datetime | None) -> str | None:
    """How times are stored: ISO 8601 in UTC with a Z."""
    return None if value is None else format_utc(value)


def parse_stored_time(value: str | None) -> dt.datetime | None:
    return None if value is None else as_utc(dt.datetime.fromisoformat(value))


class CentralSystemStore:
    """One SQLite file; every write commits before the method returns."""

    def __init__(self, path: str | Path, *, clock: Callable[[], dt.datetime] = _now) -> None:
        self.path = Path(path)
        self.clock = clock
        self.conn = connect(self.path)
        self.closed = False
        self.conn.executescript(_SCHEMA)
        self.conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def close(self) -> None:
        if not self.closed:
            self.conn.close()
            self.closed = True

    def now_text(self) -> str:
        return format_utc(self.clock())

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Several statements, committed together (the connection is in autocommit mode)."""
        with atomic(self.conn) as conn:
            yield conn

    # -- charge points ----------------------------------------------------------------------
    def touch(self, identity: str, version: str | None, endpoint_url: str | None) -> None:
        """Note a message from ``identity``: it exists, speaks ``version`` and, if it said
        where it listens (wsa:From), can be reached there from now on."""
        now = self.now_text()
        self.conn.execute(
            "INSERT INTO charge_points (identity, endpoint_url, ocpp_version, first_seen, "
            "last_seen) VALUES (?, ?, ?, ?, ?) ON CONFLICT (identity) DO UPDATE SET "
            "endpoint_url = COALESCE(excluded.endpoint_url, endpoint_url), "
            "ocpp_version = COALESCE(excluded.ocpp_version, ocpp_version), "
            "last_seen = excluded.last_seen",
            (identity, endpoint_url, version, now, now),
        )

    def ensure_charge_point(self, identity: str) -> None:
        """Register ``identity`` without a message from it (e.g. to configure its boot)."""
        self.conn.execute(
            "INSERT INTO charge_points (identity, first_seen) VALUES (?, ?) "
            "ON CONFLICT (identity) DO NOTHING",
            (identity, self.now_text()),
        )

    def record_boot(self, identity: str, boot: Mapping[str, str | None],
                    registration_status: str) -> None:
        values = [boot.get(name) for name in _BOOT_FIELDS]
        assignments = ", ".join(f"{name} = ?" for name in _BOOT_FIELDS)
        self.conn.execute(
            f"UPDATE charge_points SET {assignments}, registration_status = ?, last_boot = ? "
            "WHERE identity = ?",
            (*values, registration_status, self.now_text(), identity),
        )

    def set_boot_response(self, identity: str, status: str | None, interval: int | None) -> None:
        with self.transaction():
            self.ensure_charge_point(identity)
            self.conn.execute(
                "UPDATE charge_points SET boot_status = ?, boot_interval = ? WHERE identity = ?",
                (status, interval, identity),
            )

    def record_heartbeat(self, identity: str) -> None:
        self.conn.execute("UPDATE charge_points SET last_heartbeat = ? WHERE identity = ?",
                          (self.now_text(), identity))

    def set_connector_status(
        self, identity: str, connector_id: int, *, status: str, error_code: str,
        info: str | None = None, vendor_id: str | None = None,
        vendor_error_code: str | None = None, timestamp: dt.datetime | None = None,
    ) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO connectors (identity, connector_id, status, error_code, "
            "info, vendor_id, vendor_error_code, timestamp, received) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (identity, connector_id, status, error_code, info, vendor_id, vendor_error_code,
             time_text(timestamp), self.now_text()),
        )

    def set_diagnostics_status(self, identity: str, status: str) -> None:
        self.conn.execute(
            "UPDATE charge_points SET diagnostics_status = ?, diagnostics_status_time = ? "
            "WHERE identity = ?", (status, self.now_text(), identity))

    def set_firmware_status(self, identity: str, status: str) -> None:
        self.conn.execute(
            "UPDATE charge_points SET firmware_status = ?, firmware_status_time = ? "
            "WHERE identity = ?", (status, self.now_text(), identity))

    def charge_point(self, identity: str) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT * FROM charge_points WHERE identity = ?",
                                (identity,)).fetchone()
        return None if row is None else dict(row)

    def charge_points(self) -> list[dict[str, Any]]:
        rows = self.conn.execute("SELECT * FROM charge_points ORDER BY identity").fetchall()
        return [dict(r) for r in rows]

    def connectors(self, identity: str) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT connector_id, status, error_code, info, vendor_id, vendor_error_code, "
            "timestamp, received FROM connectors WHERE identity = ? ORDER BY connector_id",
            (identity,),
        ).fetchall()
        return [dict(r) for r in rows]

    # -- id tags ----------------------------------------------------------------------------
    def put_id_tag(self, id_tag: str, status: str, expiry_date: dt.datetime | None = None,
                   parent_id_tag: str | None = None) -> None:
        # Delete first so that a tag re-registered in another case takes the new spelling.
        with self.transaction():
            self.conn.execute("DELETE FROM id_tags WHERE id_tag = ?", (id_tag,))
            self.conn.execute(
                "INSERT INTO id_tags (id_tag, status, expiry_date, parent_id_tag) "
                "VALUES (?, ?, ?, ?)",
                (id_tag, status, time_text(expiry_date), parent_id_tag),
            )

    def delete_id_tag(self, id_tag: str) -> bool:
        return self.conn.execute("DELETE FROM id_tags WHERE id_tag = ?",
                                 (id_tag,)).rowcount > 0

    def id_tag(self, id_tag: str) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT * FROM id_tags WHERE id_tag = ?", (id_tag,)).fetchone()
        return None if row is None else dict(row)

    def id_tags(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self.conn.execute(
            "SELECT * FROM id_tags ORDER BY id_tag COLLATE NOCASE").fetchall()]

    # -- transactions -----------------------------------------------------------------------
    def find_start(self, identity: str, connector_id: int, id_tag: str,
                   timestamp: dt.datetime, meter_start: int) -> dict[str, Any] | None:
        """A transaction this exact StartTransaction already created (a resend whose
        response was lost), if any."""
        row = self.conn.execute(
            "SELECT * FROM transactions WHERE identity = ? AND connector_id = ? AND id_tag = ? "
            "AND start_timestamp = ? AND meter_start = ? ORDER BY id LIMIT 1",
            (identity, connector_id, id_tag, time_text(timestamp), meter_start),
        ).fetchone()
        return None if row is None else self._transaction_dict(row)

    def ongoing_for_tag(self, id_tag: str) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT * FROM transactions WHERE id_tag = ? COLLATE NOCASE "
            "AND stop_received IS NULL ORDER BY id", (id_tag,)).fetchall()
        return [self._transaction_dict(r) for r in rows]

    def ongoing_on_connector(self, identity: str, connector_id: int) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT * FROM transactions WHERE identity = ? AND connector_id = ? "
            "AND stop_received IS NULL ORDER BY id", (identity, connector_id)).fetchall()
        return [self._transaction_dict(r) for r in rows]

    def start_transaction(
        self, *, identity: str, version: str, connector_id: int, id_tag: str,
        timestamp: dt.datetime, meter_start: int, reservation_id: int | None,
        id_tag_info: Mapping[str, Any],
    ) -> int:
        """Create the transaction; its id is unique for the life of the database
        (AUTOINCREMENT never reuses an id)."""
        cursor = self.conn.execute(
            "INSERT INTO transactions (identity, ocpp_version, connector_id, id_tag, "
            "start_timestamp, meter_start, reservation_id, start_id_tag_info, start_received) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (identity, version, connector_id, id_tag, time_text(timestamp), meter_start,
             reservation_id, json.dumps(dict(id_tag_info)), self.now_text()),
        )
        assert cursor.lastrowid is not None
        return int(cursor.lastrowid)

    def stop_transaction(
        self, transaction_id: int, *, timestamp: dt.datetime, meter_stop: int,
        reason: str | None, id_tag: str | None, id_tag_info: Mapping[str, Any] | None,
        meter_values: list[dict[str, Any]], version: str,
    ) -> None:
        tx = self.transaction_row(transaction_id)
        assert tx is not None
        with self.transaction():
            self.conn.execute(
                "UPDATE transactions SET stop_timestamp = ?, meter_stop = ?, stop_reason = ?, "
                "stop_id_tag = ?, stop_id_tag_info = ?, stop_received = ? WHERE id = ?",
                (time_text(timestamp), meter_stop, reason, id_tag,
                 None if id_tag_info is None else json.dumps(dict(id_tag_info)),
                 self.now_text(), transaction_id),
            )
            self._add_meter_values(tx["identity"], version, tx["connector_id"], transaction_id,
                                   "StopTransaction", meter_values)

    def record_unknown_stop(
        self, *, identity: str, version: str, transaction_id: int, id_tag: str | None,
        timestamp: dt.datetime, meter_stop: int, reason: str | None, why: str,
        meter_values: list[dict[str, Any]],
    ) -> int:
        with self.transaction():
            cursor = self.conn.execute(
                "INSERT INTO unknown_stops (identity, ocpp_version, transaction_id, id_tag, "
                "timestamp, meter_stop, reason, why, received) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (identity, version, transaction_id, id_tag, time_text(timestamp), meter_stop,
                 reason, why, self.now_text()),
            )
            self._add_meter_values(identity, version, None, transaction_id, "StopTransaction",
                                   meter_values)
        assert cursor.lastrowid is not None
        return int(cursor.lastrowid)

    def unknown_stops(self, charge_point: str | None = None) -> list[dict[str, Any]]:
        if charge_point is None:
            rows = self.conn.execute("SELECT * FROM unknown_stops ORDER BY id").fetchall()
        else:
            rows = self.conn.execute("SELECT * FROM unknown_stops WHERE identity = ? "
                                     "ORDER BY id", (charge_point,)).fetchall()
        return [dict(r) for r in rows]

    def transaction_row(self, transaction_id: int) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT * FROM transactions WHERE id = ?",
                                (transaction_id,)).fetchone()
        return None if row is None else self._transaction_dict(row)

    def transactions(self, *, charge_point: str | None = None,
                     ongoing: bool | None = None) -> list[dict[str, Any]]:
        where, args = [], []
        if charge_point is not None:
            where.append("identity = ?")
            args.append(charge_point)
        if ongoing is True:
            where.append("stop_received IS NULL")
        elif ongoing is False:
            where.append("stop_received IS NOT NULL")
        sql = "SELECT * FROM transactions"
        if where:
            sql += " WHERE " + " AND ".join(where)
        rows = self.conn.execute(sql + " ORDER BY id", args).fetchall()
        return [self._transaction_dict(r) for r in rows]

    @staticmethod
    def _transaction_dict(row: sqlite3.Row) -> dict[str, Any]:
        out = dict(row)
        for key in ("start_id_tag_info", "stop_id_tag_info"):
            if out.get(key) is not None:
                out[key] = json.loads(out[key])
        out["ongoing"] = out["stop_received"] is None
        return out

    def add_meter_values(self, *, identity: str, version: str, connector_id: int | None,
                         transaction_id: int | None, values: list[dict[str, Any]]) -> None:
        with self.transaction():
            self._add_meter_values(identity, version, connector_id, transaction_id,
                                   "MeterValues", values)

    def _add_meter_values(self, identity: str, version: str, connector_id: int | None,
                          transaction_id: int | None, source: str,
                          values: list[dict[str, Any]]) -> None:
        now = self.now_text()
        self.conn.executemany(
            "INSERT INTO meter_values (identity, ocpp_version, connector_id, transaction_id, "
            "source, timestamp, sampled_value, received) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(identity, version, connector_id, transaction_id, source, value["timestamp"],
              json.dumps(value["sampledValue"]), now) for value in values],
        )

    def meter_values(self, *, transaction_id: int | None = None,
                     charge_point: str | None = None) -> list[dict[str, Any]]:
        where, args = [], []
        if transaction_id is not None:
            where.append("transaction_id = ?")
            args.append(transaction_id)
        if charge_point is not None:
            where.append("identity = ?")
            args.append(charge_point)
        sql = "SELECT * FROM meter_values"
        if where:
            sql += " WHERE " + " AND ".join(where)
        rows = self.conn.execute(sql + " ORDER BY id", args).fetchall()
        out = []
        for row in rows:
            item = dict(row)
            item["sampledValue"] = json.loads(item.pop("sampled_value"))
            out.append(item)
        return out

    # -- local list -------------------------------------------------------------------------
    def local_list(self, identity: str) -> tuple[dict[str, Any] | None, dict[str, ListEntry]]:
        """The list state row (None if no list was ever set) and the authoritative entries."""
        row = self.conn.execute("SELECT * FROM local_lists WHERE identity = ?",
                                (identity,)).fetchone()
        entries = {}
        for entry_row in self.conn.execute(
            "SELECT * FROM local_list_entries WHERE identity = ? ORDER BY id_tag", (identity,)
        ):
            entry = ListEntry(entry_row["id_tag"], entry_row["status"],
                              parse_stored_time(entry_row["expiry_date"]),
                              entry_row["parent_id_tag"])
            entries[entry.key] = entry
        state = None
        if row is not None:
            state = dict(row)
            if state["acknowledged_entries"] is not None:
                state["acknowledged_entries"] = json.loads(state["acknowledged_entries"])
        return state, entries

    def save_local_list(self, identity: str, version: int, entries: Mapping[str, ListEntry],
                        list_hash: str) -> None:
        """Make ``entries`` at ``version`` the authoritative list of ``identity``."""
        with self.transaction():
            self.conn.execute(
                "INSERT INTO local_lists (identity, version, hash) VALUES (?, ?, ?) "
                "ON CONFLICT (identity) DO UPDATE SET version = excluded.version, "
                "hash = excluded.hash", (identity, version, list_hash))
            self.conn.execute("DELETE FROM local_list_entries WHERE identity = ?", (identity,))
            self.conn.executemany(
                "INSERT INTO local_list_entries (identity, id_tag, status, expiry_date, "
                "parent_id_tag) VALUES (?, ?, ?, ?, ?)",
                [(identity, e.id_tag, e.status, time_text(e.expiry_date), e.parent_id_tag)
                 for e in entries.values()],
            )

    def acknowledge_local_list(self, identity: str, version: int, list_hash: str,
                               entries: Mapping[str, ListEntry]) -> None:
        self.conn.execute(
            "UPDATE local_lists SET acknowledged_version = ?, acknowledged_hash = ?, "
            "acknowledged_entries = ?, acknowledged_at = ? WHERE identity = ?",
            (version, list_hash, json.dumps([e.to_json() for e in entries.values()]),
             self.now_text(), identity),
        )

    def record_reported_list_version(self, identity: str, version: int) -> None:
        with self.transaction():
            self.conn.execute(
                "INSERT INTO local_lists (identity, version, hash) VALUES (?, 0, ?) "
                "ON CONFLICT (identity) DO NOTHING",
                (identity, _EMPTY_HASH))
            self.conn.execute(
                "UPDATE local_lists SET reported_version = ?, reported_at = ? "
                "WHERE identity = ?", (version, self.now_text(), identity))

    def start_list_update(self, identity: str, *, update_type: str, list_version: int,
                          entries: list[ListEntry], list_hash: str | None,
                          automatic: bool) -> int:
        cursor = self.conn.execute(
            "INSERT INTO local_list_updates (identity, update_type, list_version, entries, "
            "hash, automatic, sent) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (identity, update_type, list_version, json.dumps([e.to_json() for e in entries]),
             list_hash, int(automatic), self.now_text()),
        )
        assert cursor.lastrowid is not None
        return int(cursor.lastrowid)

    def finish_list_update(self, update_id: int, *, status: str | None = None,
                           answered_hash: str | None = None, error: str | None = None) -> None:
        self.conn.execute(
            "UPDATE local_list_updates SET status = ?, answered_hash = ?, error = ?, "
            "answered = ? WHERE id = ?",
            (status, answered_hash, error, self.now_text(), update_id),
        )

    def list_updates(self, identity: str) -> list[dict[str, Any]]:
        rows = self.conn.execute("SELECT * FROM local_list_updates WHERE identity = ? "
                                 "ORDER BY id", (identity,)).fetchall()
        out = []
        for row in rows:
            item = dict(row)
            item["entries"] = json.loads(item["entries"])
            item["automatic"] = bool(item["automatic"])
            out.append(item)
        return out

    # -- messages ---------------------------------------------------------------------------
    def add_message(self, *, time: dt.datetime, direction: str, identity: str | None,
                    peer: str | None, ocpp_version: str | None, operation: str | None,
                    kind: str | None, valid: bool | None, http_status: int | None,
                    message_id: str | None, relates_to: str | None, note: str | None,
                    xml: str) -> int:
        cursor = self.conn.execute(
            "INSERT INTO messages (time, direction, identity, peer, ocpp_version, operation, "
            "kind, valid, http_status, message_id, relates_to, note, xml) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (format_utc(time), direction, identity, peer, ocpp_version, operation, kind,
             None if valid is None else int(valid), http_status, message_id, relates_to,
             note, xml),
        )
        assert cursor.lastrowid is not None
        return int(cursor.lastrowid)

    def messages(self, *, charge_point: str | None = None, after: int = 0,
                 limit: int = 100) -> list[dict[str, Any]]:
        where, args = ["id > ?"], [after]
        if charge_point is not None:
            where.append("identity = ?")
            args.append(charge_point)
        rows = self.conn.execute(
            f"SELECT * FROM messages WHERE {' AND '.join(where)} ORDER BY id LIMIT ?",
            (*args, limit)).fetchall()
        out = []
        for row in rows:
            item = dict(row)
            item["valid"] = None if item["valid"] is None else bool(item["valid"])
            out.append(item)
        return out


_EMPTY_HASH = list_hash([])

__all__ = ["CentralSystemStore", "parse_stored_time", "time_text"]
