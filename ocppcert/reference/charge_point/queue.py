"""The persistent queue of transaction-related messages (OCPP 1.6 §3.7, 1.5 §3.2).

Transaction-related messages are StartTransaction, StopTransaction and the periodic or
clock-aligned MeterValues of a transaction. The charge point delivers them in the order
they arose; while it cannot reach the Central System it keeps them (1.6 §3.7: it MUST
queue every one it would have sent), and a new one waits until those before it are
delivered. Other messages (Authorize, StatusNotification, Heartbeat...) may overtake it.

Persistence is what makes the queue survive a power cut or a kill -9: a message is
committed to SQLite before the station considers it "sent", and it is deleted only after
the Central System's response has been received and processed (in the same SQLite
transaction as the processing), so after a restart every queued message goes out once.

A StopTransaction or MeterValues of a transaction whose StartTransaction has not been
answered yet cannot know its transactionId. It is stored without one and carries the
station's local transaction number (``tx_local``); the sender substitutes the id the
Central System assigned (from the StartTransaction response, recorded by the station)
right before sending. A placeholder never goes on the wire.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from ocppcert.messages import Op

_SCHEMA = """
CREATE TABLE IF NOT EXISTS cp_queue (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    op TEXT NOT NULL,
    payload TEXT NOT NULL,
    tx_local INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    created TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
)
"""


@dataclass(frozen=True, slots=True)
class QueuedMessage:
    seq: int
    op: Op
    payload: dict[str, Any]  # the request in OCPP-J shape (Message.to_json)
    tx_local: int | None
    attempts: int

    def as_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "op": self.op.value, "payload": self.payload,
                "tx_local": self.tx_local, "attempts": self.attempts}


class TransactionQueue:
    """FIFO of transaction-related requests in table ``cp_queue``."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        db.execute(_SCHEMA)

    def push(self, op: Op, payload: dict[str, Any], *, tx_local: int | None = None) -> int:
        """Append a message; commits unless the caller holds an open transaction."""
        cursor = self.db.execute(
            "INSERT INTO cp_queue (op, payload, tx_local) VALUES (?, ?, ?)",
            (op.value, json.dumps(payload, sort_keys=True), tx_local),
        )
        return int(cursor.lastrowid or 0)

    def head(self) -> QueuedMessage | None:
        row = self.db.execute("SELECT * FROM cp_queue ORDER BY seq LIMIT 1").fetchone()
        return _message(row) if row is not None else None

    def remove(self, seq: int) -> None:
        self.db.execute("DELETE FROM cp_queue WHERE seq = ?", (seq,))

    def record_failure(self, seq: int) -> int:
        """Count one failed delivery (the Central System could not process it); → attempts."""
        self.db.execute("UPDATE cp_queue SET attempts = attempts + 1 WHERE seq = ?", (seq,))
        row = self.db.execute("SELECT attempts FROM cp_queue WHERE seq = ?", (seq,)).fetchone()
        return int(row["attempts"]) if row is not None else 0

    def items(self) -> list[QueuedMessage]:
        return [_message(row) for row in self.db.execute("SELECT * FROM cp_queue ORDER BY seq")]

    def __len__(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM cp_queue").fetchone()[0])


def _message(row: sqlite3.Row) -> QueuedMessage:
    return QueuedMessage(int(row["seq"]), Op(row["op"]), json.loads(row["payload"]),
                         row["tx_local"], int(row["attempts"]))


__all__ = ["QueuedMessage", "TransactionQueue"]
