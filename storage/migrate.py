"""Programmatic Alembic: ``rapport db upgrade`` and start-up both go through here."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Engine, text

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# Any fixed 64-bit number, the same in every Rapport process: replicas starting together take turns on it.
MIGRATION_LOCK_KEY = 0x5241_5050_4F52_5401  # "RAPPORT" + 1


def alembic_config(url: str | None = None) -> Config:
    """An Alembic config pointing at the packaged migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


class MigrationError(Exception):
    """The requested upgrade cannot run (unknown revision, or it would go backwards); one line for the operator."""


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply migrations up to ``revision`` on ``engine``'s database; never downgrades (raises MigrationError)."""
    config = alembic_config()
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # N replicas starting at once migrate once: the first holds the lock until its transaction commits, and
            # the others then find the schema at head. The lock is transaction-scoped, so a crash releases it.
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        _check_target(ScriptDirectory.from_config(config), MigrationContext.configure(connection), revision)
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    logger.info("database schema is at %s", current_revision(engine))


def _check_target(script: ScriptDirectory, context: MigrationContext, revision: str) -> None:
    # Alembic's own messages for these are tracebacks about "destinations" and "heads"; an operator needs to know
    # which revisions exist and that Rapport only moves forwards (a downgrade would drop people's data).
    known = [r.revision for r in reversed(list(script.walk_revisions()))]
    try:
        target = script.get_revision(revision)
    except CommandError:
        target = None
    if target is None:
        raise MigrationError(f"no migration {revision!r}: this version of Rapport knows {', '.join(known)} and head")
    current = context.get_current_revision()
    if current is None or current == target.revision:
        return
    if current not in known:
        raise MigrationError(
            f"the database is at revision {current}, which this version of Rapport does not know (newest: "
            f"{known[-1]}): run the Rapport version that migrated it, or a newer one"
        )
    if target.revision in {r.revision for r in script.iterate_revisions(current, "base")}:
        raise MigrationError(
            f"the database is already at revision {current}, past {target.revision}: Rapport does not downgrade "
            "(restore a backup to go back)"
        )


def downgrade(engine: Engine, revision: str) -> None:
    """Revert migrations down to ``revision``."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for an empty database."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    """The newest revision shipped with this version of Rapport."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def backup_sqlite(engine: Engine, target: Path) -> int:
    """Copy a live SQLite database to ``target`` with SQLite's online backup API; returns the pages copied.

    Safe while the bot runs: the backup API copies a consistent snapshot page by page and restarts if a writer
    changes a page it already copied.
    """
    if engine.dialect.name != "sqlite":
        raise MigrationError("rapport db backup copies SQLite databases; for PostgreSQL use pg_dump (docs/deploy.md)")
    if target.exists():
        raise MigrationError(f"{target} already exists: choose a new file name")
    target.parent.mkdir(parents=True, exist_ok=True)
    import sqlite3

    pages = 0

    def progress(_status: int, remaining: int, total: int) -> None:
        nonlocal pages
        pages = total - remaining

    raw = engine.raw_connection()
    try:
        source = raw.driver_connection
        assert isinstance(source, sqlite3.Connection)
        with sqlite3.connect(target) as copy:
            source.backup(copy, pages=1024, progress=progress)
        copy.close()
    finally:
        raw.close()
    logger.info("backed up the database to %s (%d pages)", target, pages)
    return pages
