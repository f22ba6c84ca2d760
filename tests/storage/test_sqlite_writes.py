"""storage/sqlite_writes.py: one process's SQLite writers queue on a lock held to the end of each write transaction."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from storage.db import make_engine
from storage.sqlite_writes import SerialisedWrites, _lock_for, opens_write


def connect(path: Path, timeout: float = 5.0) -> SerialisedWrites:
    connection = sqlite3.connect(path, timeout=timeout, factory=SerialisedWrites, check_same_thread=False)
    assert isinstance(connection, SerialisedWrites)
    return connection


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "writes.db"
    with sqlite3.connect(path) as setup:
        setup.execute("PRAGMA journal_mode=WAL")
        setup.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    return path


def test_a_write_transaction_holds_the_lock_until_commit_and_reads_take_none(database: Path) -> None:
    writer, reader = connect(database), connect(database)
    lock = _lock_for(database)
    reader.execute("SELECT count(*) FROM notes").fetchone()
    assert not lock.locked()
    writer.execute("INSERT INTO notes (body) VALUES ('a')")
    writer.execute("UPDATE notes SET body = 'b'")  # same transaction: taken once
    assert lock.locked()
    assert reader.execute("SELECT count(*) FROM notes").fetchone() == (0,)  # WAL readers never wait
    writer.commit()
    assert not lock.locked()
    writer.execute("DELETE FROM notes")
    writer.rollback()
    assert not lock.locked()


def test_the_next_writer_goes_in_once_the_first_commits(database: Path) -> None:
    first, second = connect(database), connect(database)
    first.execute("INSERT INTO notes (body) VALUES ('first')")
    order: list[str] = []
    waiting = threading.Thread(
        target=lambda: (second.execute("INSERT INTO notes (body) VALUES ('second')"), order.append("second"))
    )
    waiting.start()
    order.append("first")
    first.commit()
    waiting.join(10)
    second.commit()
    assert order == ["first", "second"]
    rows = first.execute("SELECT body FROM notes ORDER BY id").fetchall()
    assert rows == [("first",), ("second",)]


def test_a_statement_that_fails_before_its_transaction_or_a_close_lets_the_next_writer_in(database: Path) -> None:
    connection = connect(database)
    lock = _lock_for(database)
    with pytest.raises(sqlite3.OperationalError):
        connection.execute("INSERT INTO no_such_table VALUES (1)")
    assert not lock.locked()
    connection.executemany("INSERT INTO notes (body) VALUES (?)", [("x",), ("y",)])
    assert lock.locked()
    connection.close()
    assert not lock.locked()


def test_one_thread_with_two_write_transactions_fails_as_sqlite_would_instead_of_hanging(database: Path) -> None:
    first, second = connect(database, timeout=0.1), connect(database, timeout=0.1)
    first.execute("INSERT INTO notes (body) VALUES ('held')")
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        second.execute("INSERT INTO notes (body) VALUES ('blocked')")
    first.commit()
    second.execute("INSERT INTO notes (body) VALUES ('now')")
    second.commit()


def test_the_engine_uses_it(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'engine.db'}")
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE t (a INTEGER)"))
        with engine.connect() as connection:
            assert isinstance(connection.connection.dbapi_connection, SerialisedWrites)
            connection.execute(text("INSERT INTO t VALUES (1)"))
            assert _lock_for(str(tmp_path / "engine.db")).locked()
            connection.commit()
            assert not _lock_for(str(tmp_path / "engine.db")).locked()
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("sql", "writes"),
    [
        ("INSERT INTO t VALUES (1)", True),
        ("  update t set a = 1", True),
        ("DELETE FROM t", True),
        ("REPLACE INTO t VALUES (1)", True),
        ("SELECT 1", False),
        ("PRAGMA journal_mode=WAL", False),
    ],
)
def test_which_statements_open_a_write_transaction(sql: str, writes: bool) -> None:
    assert opens_write(sql) is writes
