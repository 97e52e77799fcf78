"""SQLite for the reference implementations' state.

WAL journal with synchronous=NORMAL: once a write is committed it is in the operating
system's hands, so it survives a kill -9 of the process (what the crash tests do). A power
cut may lose the last commits: SQLite then skips the fsync per commit, which measured 1.8×
the Central System's throughput (bench/run.py --only central-system). Each program commits
a state change before it answers or acknowledges the message that caused it.
"""

from __future__ import annotations

import itertools
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_savepoints = itertools.count(1)


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


@contextmanager
def atomic(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One atomic change: all of it or none of it.

    Outside a transaction it is a transaction of its own (BEGIN IMMEDIATE ... COMMIT; the
    connection is in autocommit mode); inside the caller's it is a savepoint, so that a
    failing part rolls back alone and the caller's transaction decides the rest.
    """
    if db.in_transaction:
        name = f"atomic_{next(_savepoints)}"
        db.execute(f"SAVEPOINT {name}")
        try:
            yield db
        except BaseException:
            db.execute(f"ROLLBACK TO {name}")
            db.execute(f"RELEASE {name}")
            raise
        db.execute(f"RELEASE {name}")
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
