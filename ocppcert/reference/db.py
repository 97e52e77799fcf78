"""SQLite for the reference implementations' state.

WAL journal with synchronous=NORMAL: once a write is committed it is in the operating
system's hands, so it survives a kill -9 of the process (what the crash tests do). A power
cut may lose the last commits: SQLite then skips the fsync per commit, which measured 1.8×
the Central System's throughput (bench/run.py --only central-system). Each program commits
a state change before it answers or acknowledges the message that caused it.
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
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute("PRAGMA foreign_keys=ON")
    connection.execute("PRAGMA busy_timeout=5000")
    return connection


def temporary_path(prefix: str) -> Path:
    """A fresh database file in a new temporary directory (the default for --db)."""
    return Path(tempfile.mkdtemp(prefix=f"ocppcert-{prefix}-")) / "state.sqlite3"
