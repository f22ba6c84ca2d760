"""Engine and session factory creation."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from storage.sqlite_writes import SerialisedWrites

logger = logging.getLogger(__name__)


def normalise_url(url: str) -> str:
    """Use the psycopg 3 driver for plain ``postgresql://`` URLs."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


SUPPORTED_BACKENDS = ("sqlite", "postgresql")
URL_EXAMPLES = "sqlite:///rapport.db or postgresql://user:password@host/database"


def check_url(url: str) -> None:
    """Raise ValueError (one line, never echoing the URL, which may hold a password) unless Rapport can use it."""
    try:
        parsed = make_url(normalise_url(url))
    except ArgumentError:
        raise ValueError(f"not a database URL (expected e.g. {URL_EXAMPLES})") from None
    if parsed.get_backend_name() not in SUPPORTED_BACKENDS:
        raise ValueError(f"Rapport runs on SQLite or PostgreSQL, not {parsed.get_backend_name()!r} ({URL_EXAMPLES})")
    try:
        parsed.get_dialect()
    except NoSuchModuleError:
        raise ValueError(f"no database driver named {parsed.get_driver_name()!r} ({URL_EXAMPLES})") from None


def display_url(url: str) -> str:
    """The URL as it can be shown to an operator: password masked."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(unreadable URL)"


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine with sane pooling; on SQLite, foreign keys, WAL and a busy timeout; on PostgreSQL, no JIT.

    ``hide_parameters``: SQLAlchemy puts a statement's bound values (note text) into its exception messages, which
    end up in ``listener failed`` tracebacks; hidden, the logs keep the statement and lose the content.
    """
    url = normalise_url(url)
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        # SerialisedWrites: this process's writers queue on a lock instead of SQLite's sleeping busy handler
        # (storage/sqlite_writes.py); the timeout still serves other processes on the same file.
        connect_args = {"timeout": 30, "check_same_thread": False, "factory": SerialisedWrites}
        engine = create_engine(url, connect_args=connect_args, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    # jit=off: every statement here is a short indexed read or write; PostgreSQL's JIT switches on by estimated cost
    # (a correlated EXISTS over a quarter's meetings crosses it) and then spends ~15 ms compiling a 2 ms query.
    kwargs.setdefault("connect_args", {"options": "-c jit=off"})
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10, **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory; each unit of work opens its own session from it."""
    return sessionmaker(bind=engine, expire_on_commit=False)


def ping(engine: Engine) -> bool:
    """Return True when the database answers a trivial query."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError:
        logger.warning("database health check failed", exc_info=True)
        return False
    return True
