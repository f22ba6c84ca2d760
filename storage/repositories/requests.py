"""The replay guard's table: keys of Slack requests already processed, each with an expiry.

Decisions: a key is claimed with ``INSERT … ON CONFLICT DO NOTHING`` (both dialects), so two replicas receiving the
same request at the same moment cannot both see it as new: PostgreSQL makes the second insert wait on the primary
key and then do nothing; SQLite serialises writers. A check-then-insert would let both through. The guard runs
before any listener in its own short transaction (not the listener's unit of work), so a listener that fails later
does not make Slack's retry look new — a request is processed at most once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Engine, Table, delete
from sqlalchemy.dialects import postgresql, sqlite

from storage.models import SeenRequestRow

MAX_KEY_LENGTH = 128
_SEEN: Table = SeenRequestRow.__table__  # type: ignore[assignment]


class SqlSeenRequests:
    """SQLAlchemy implementation of ``SeenRequests``; each call is its own transaction."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        dialect_insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
        # Built once (every request runs it); the values are bound at execution.
        self._claim = (
            dialect_insert(_SEEN)
            .on_conflict_do_nothing(index_elements=["kind", "key"])
            # RETURNING, not rowcount: psycopg reports -1 for an INSERT … ON CONFLICT.
            .returning(_SEEN.c.kind)
        )

    def first_time(self, keys: Sequence[tuple[str, str, datetime]], team_id: str) -> bool:
        """Record every (kind, key, expires_at); True only when none of them had been seen (atomic per key)."""
        new = True
        with self._engine.begin() as connection:
            for kind, key, expires_at in keys:
                values = {"kind": kind, "key": key[:MAX_KEY_LENGTH], "team_id": team_id[:32], "expires_at": expires_at}
                inserted = connection.execute(self._claim, values).first() is not None
                new = new and inserted
        return new

    def purge(self, now: datetime) -> int:
        """Delete the keys that expired before ``now``; returns how many."""
        with self._engine.begin() as connection:
            result = connection.execute(delete(SeenRequestRow).where(SeenRequestRow.expires_at < now))
        return int(result.rowcount or 0)
