"""SQLite writers of one process wait for each other on a lock, not in SQLite's busy handler.

Decision (issue #14, docs/benchmarks.md): SQLite has one write lock per database. A writer that finds it taken
retries in SQLite's busy handler, which sleeps 1, 2, 5, 10, … up to 100 ms between tries and is unfair: under load
some writers lose round after round. With 50 concurrent `/met` commands (each with the replay guard's insert before
its ack and the meeting's transaction after it) the replay guard's claim took 5 ms at the median but 435 ms at p99
and 1.3 s at worst, which was the whole tail of the acks. Here one lock per database file is taken just before the
statement that opens a write transaction (pysqlite opens one before INSERT, UPDATE, DELETE or REPLACE) and released
when that transaction ends, so the next writer starts the moment the last one commits, in the order they came.

- Reads take no lock (WAL readers never wait for the writer).
- Another process on the same file still meets SQLite's busy handler (the ``timeout`` keeps applying).
- A writer that cannot get the lock within the connection's ``timeout`` goes ahead without it and SQLite decides, as
  before; so a thread that holds one write transaction and opens a second gets "database is locked" as it always
  did, rather than waiting on itself forever.
- A statement that starts with a comment or ``WITH`` is not recognised as a write: it goes ahead without the lock
  and SQLite's busy handler serves it as before (Rapport's statements do not start so).

Rejected: ``BEGIN IMMEDIATE`` for every transaction (read-only transactions would then queue behind writers) and
one connection for the whole process (a slow read would hold up every write).
"""

from __future__ import annotations

import sqlite3
import threading
from typing import Any

_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def _lock_for(database: object) -> threading.Lock:
    key = str(database)
    if key == ":memory:" or "mode=memory" in key:
        return threading.Lock()  # a private database per connection: nobody to wait for
    with _locks_guard:
        return _locks.setdefault(key, threading.Lock())


def opens_write(sql: str) -> bool:
    """Whether pysqlite begins a transaction before ``sql`` (its first word is INSERT, UPDATE, DELETE, REPLACE)."""
    return sql.lstrip()[:7].upper().startswith(_WRITES)


class SerialisedWrites(sqlite3.Connection):
    """A sqlite3 connection (pass as ``factory=``) whose write transactions take the database's process lock."""

    def __init__(self, database: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(database, *args, **kwargs)
        self._write_lock = _lock_for(database)
        self._wait_seconds = float(kwargs.get("timeout", 5.0))
        self._holding = False

    def cursor(self, factory: Any = None) -> Any:
        """A cursor whose statements take the write lock when they open a write transaction."""
        return super().cursor(factory or _Cursor)

    def execute(self, sql: str, parameters: Any = (), /) -> Any:
        """``Connection.execute`` through a cursor of ours (sqlite3's shortcut would bypass ``cursor()``)."""
        return self.cursor().execute(sql, parameters)

    def executemany(self, sql: str, seq_of_parameters: Any, /) -> Any:
        """``Connection.executemany`` through a cursor of ours."""
        return self.cursor().executemany(sql, seq_of_parameters)

    def before_statement(self, sql: str) -> None:
        """Take the lock when ``sql`` will open a write transaction."""
        if not self._holding and not self.in_transaction and opens_write(sql):
            self._holding = self._write_lock.acquire(timeout=self._wait_seconds)

    def after_statement(self) -> None:
        """Release the lock when no transaction is open (the statement failed before it began one, or autocommit)."""
        if self._holding and not self.in_transaction:
            self._release()

    def commit(self) -> None:
        """Commit, then let the next writer in."""
        try:
            super().commit()
        finally:
            self.after_statement()

    def rollback(self) -> None:
        """Roll back, then let the next writer in."""
        try:
            super().rollback()
        finally:
            self.after_statement()

    def close(self) -> None:
        """Close (SQLite rolls back what is open), then let the next writer in."""
        try:
            super().close()
        finally:
            if self._holding:
                self._release()

    def _release(self) -> None:
        self._holding = False
        self._write_lock.release()


class _Cursor(sqlite3.Cursor):
    connection: SerialisedWrites

    def execute(self, sql: str, parameters: Any = (), /) -> _Cursor:
        self.connection.before_statement(sql)
        try:
            return super().execute(sql, parameters)
        finally:
            self.connection.after_statement()

    def executemany(self, sql: str, seq_of_parameters: Any, /) -> _Cursor:
        self.connection.before_statement(sql)
        try:
            return super().executemany(sql, seq_of_parameters)
        finally:
            self.connection.after_statement()
