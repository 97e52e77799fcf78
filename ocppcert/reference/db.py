"""SQLite for the reference implementations' state.

WAL journal with synchronous=FULL: once a write is committed it survives a kill -9 (and
a power cut, as far as the disk keeps its word). Each program commits a state change
before it answers or acknowledges the message that caused it.
"""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path


def connect(path: str | Path) -> sqlite3.Connection:
    """Open (creating) the database at ``path``; rows come back as sqlite3.Row."""
    connection = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
    connection.row_factory = sqlite3.Row
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute("PRAGMA foreign_keys=ON")
    connection.execute("PRAGMA busy_timeout=5000")
    return connection


def temporary_path(prefix: str) -> Path:
    """A fresh database file in a new temporary directory (the default for --db)."""
    return Path(tempfile.mkdtemp(prefix=f"ocppcert-{prefix}-")) / "state.sqlite3"
