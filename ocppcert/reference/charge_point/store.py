"""The charge point's durable state besides configuration and the message queue.

- ``cp_transactions``: every transaction the station started, with its local number, the
  transactionId the Central System assigned (once known), its running/stopped state and
  the last meter reading, so that after a power cut the station can still close it
  (OCPP 1.6 §4.10: StopTransaction with reason PowerLoss after the reboot).
- ``cp_connectors``: per connector the availability the Central System set (1.6 §5.2:
  an availability change persists across a reboot), whether a cable is in, and the
  simulated meter's register.
- ``cp_reservations``: reservations (1.6 §5.13), so they outlive a reboot until expiry.
- ``cp_state``: small facts, e.g. the installed firmware version.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from typing import Any

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS cp_transactions (
        local_id INTEGER PRIMARY KEY AUTOINCREMENT,
        connector_id INTEGER NOT NULL,
        id_tag TEXT NOT NULL,
        parent_id_tag TEXT,
        reservation_id INTEGER,
        start_time TEXT NOT NULL,
        meter_start INTEGER NOT NULL,
        transaction_id INTEGER,
        running INTEGER NOT NULL DEFAULT 1,
        last_meter INTEGER NOT NULL,
        last_time TEXT NOT NULL,
        stop_time TEXT,
        meter_stop INTEGER,
        stop_reason TEXT
    )""",
    """CREATE TABLE IF NOT EXISTS cp_connectors (
        connector_id INTEGER PRIMARY KEY,
        operative INTEGER NOT NULL DEFAULT 1,
        plugged INTEGER NOT NULL DEFAULT 0,
        meter_wh REAL NOT NULL DEFAULT 0
    )""",
    """CREATE TABLE IF NOT EXISTS cp_reservations (
        reservation_id INTEGER PRIMARY KEY,
        connector_id INTEGER NOT NULL,
        id_tag TEXT NOT NULL,
        parent_id_tag TEXT,
        expiry TEXT NOT NULL
    )""",
    "CREATE TABLE IF NOT EXISTS cp_state (key TEXT PRIMARY KEY, value TEXT)",
)


def _iso(value: dt.datetime) -> str:
    return value.isoformat()


def _time(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


@dataclass(slots=True)
class TransactionRow:
    local_id: int
    connector_id: int
    id_tag: str
    parent_id_tag: str | None
    reservation_id: int | None
    start_time: dt.datetime
    meter_start: int
    transaction_id: int | None
    running: bool
    last_meter: int
    last_time: dt.datetime


@dataclass(slots=True)
class Reservation:
    reservation_id: int
    connector_id: int
    id_tag: str
    parent_id_tag: str | None
    expiry: dt.datetime

    def as_dict(self) -> dict[str, Any]:
        return {"reservation_id": self.reservation_id, "connector_id": self.connector_id,
                "id_tag": self.id_tag, "parent_id_tag": self.parent_id_tag,
                "expiry": self.expiry.isoformat()}


class StationStore:
    def __init__(self, db: sqlite3.Connection, connectors: int) -> None:
        self.db = db
        for statement in _SCHEMA:
            db.execute(statement)
        for connector_id in range(connectors + 1):
            db.execute("INSERT OR IGNORE INTO cp_connectors (connector_id) VALUES (?)",
                       (connector_id,))

    # -- key/value ----------------------------------------------------------------------
    def get_state(self, key: str, default: str | None = None) -> str | None:
        row = self.db.execute("SELECT value FROM cp_state WHERE key = ?", (key,)).fetchone()
        return row["value"] if row is not None else default

    def set_state(self, key: str, value: str | None) -> None:
        if value is None:
            self.db.execute("DELETE FROM cp_state WHERE key = ?", (key,))
        else:
            self.db.execute("INSERT INTO cp_state (key, value) VALUES (?, ?) "
                            "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))

    # -- connectors ---------------------------------------------------------------------
    def connector_rows(self) -> dict[int, sqlite3.Row]:
        return {row["connector_id"]: row for row in self.db.execute("SELECT * FROM cp_connectors")}

    def set_operative(self, connector_id: int, operative: bool) -> None:
        self.db.execute("UPDATE cp_connectors SET operative = ? WHERE connector_id = ?",
                        (int(operative), connector_id))

    def set_plugged(self, connector_id: int, plugged: bool) -> None:
        self.db.execute("UPDATE cp_connectors SET plugged = ? WHERE connector_id = ?",
                        (int(plugged), connector_id))

    def set_meter(self, connector_id: int, wh: float) -> None:
        self.db.execute("UPDATE cp_connectors SET meter_wh = ? WHERE connector_id = ?",
                        (wh, connector_id))

    # -- transactions -------------------------------------------------------------------
    def start_transaction(self, connector_id: int, id_tag: str, parent_id_tag: str | None,
                          reservation_id: int | None, start: dt.datetime, meter: int) -> int:
        cursor = self.db.execute(
            "INSERT INTO cp_transactions (connector_id, id_tag, parent_id_tag, reservation_id, "
            "start_time, meter_start, last_meter, last_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (connector_id, id_tag, parent_id_tag, reservation_id, _iso(start), meter, meter,
             _iso(start)),
        )
        return int(cursor.lastrowid or 0)

    def transaction_progress(self, local_id: int, meter: int, when: dt.datetime) -> None:
        self.db.execute("UPDATE cp_transactions SET last_meter = ?, last_time = ? "
                        "WHERE local_id = ?", (meter, _iso(when), local_id))

    def stop_transaction(self, local_id: int, when: dt.datetime, meter: int,
                         reason: str | None) -> None:
        self.db.execute(
            "UPDATE cp_transactions SET running = 0, stop_time = ?, meter_stop = ?, "
            "stop_reason = ?, last_meter = ?, last_time = ? WHERE local_id = ?",
            (_iso(when), meter, reason, meter, _iso(when), local_id),
        )

    def set_transaction_id(self, local_id: int, transaction_id: int) -> None:
        self.db.execute("UPDATE cp_transactions SET transaction_id = ? WHERE local_id = ?",
                        (transaction_id, local_id))

    def transaction_id(self, local_id: int) -> int | None:
        row = self.db.execute("SELECT transaction_id FROM cp_transactions WHERE local_id = ?",
                              (local_id,)).fetchone()
        return row["transaction_id"] if row is not None else None

    def transaction(self, local_id: int) -> TransactionRow | None:
        row = self.db.execute("SELECT * FROM cp_transactions WHERE local_id = ?",
                              (local_id,)).fetchone()
        return _tx(row) if row is not None else None

    def running_transactions(self) -> list[TransactionRow]:
        return [_tx(row) for row in self.db.execute(
            "SELECT * FROM cp_transactions WHERE running = 1 ORDER BY local_id")]

    # -- reservations -------------------------------------------------------------------
    def reservations(self) -> list[Reservation]:
        return [Reservation(row["reservation_id"], row["connector_id"], row["id_tag"],
                            row["parent_id_tag"], _time(row["expiry"]))  # type: ignore[arg-type]
                for row in self.db.execute("SELECT * FROM cp_reservations ORDER BY reservation_id")]

    def put_reservation(self, r: Reservation) -> None:
        self.db.execute(
            "INSERT INTO cp_reservations (reservation_id, connector_id, id_tag, parent_id_tag, "
            "expiry) VALUES (?, ?, ?, ?, ?) ON CONFLICT(reservation_id) DO UPDATE SET "
            "connector_id = excluded.connector_id, id_tag = excluded.id_tag, "
            "parent_id_tag = excluded.parent_id_tag, expiry = excluded.expiry",
            (r.reservation_id, r.connector_id, r.id_tag, r.parent_id_tag, _iso(r.expiry)),
        )

    def delete_reservation(self, reservation_id: int) -> None:
        self.db.execute("DELETE FROM cp_reservations WHERE reservation_id = ?", (reservation_id,))


def _tx(row: sqlite3.Row) -> TransactionRow:
    return TransactionRow(
        local_id=row["local_id"], connector_id=row["connector_id"], id_tag=row["id_tag"],
        parent_id_tag=row["parent_id_tag"], reservation_id=row["reservation_id"],
        start_time=_time(row["start_time"]),  # type: ignore[arg-type]
        meter_start=row["meter_start"], transaction_id=row["transaction_id"],
        running=bool(row["running"]), last_meter=row["last_meter"],
        last_time=_time(row["last_time"]),  # type: ignore[arg-type]
    )


__all__ = ["Reservation", "StationStore", "TransactionRow"]
