"""The replay guard's table: keys of Slack requests already processed, each with an expiry.

Decisions: a key is claimed with ``INSERT … ON CONFLICT DO NOTHING`` (both dialects), so two replicas receiving the
same request at the same moment cannot both see it as new: PostgreSQL makes the second insert wait on the primary
key and then do nothing; SQLite serialises writers. A check-then-insert would let both through. The guard runs
before any listener in its own short transaction (not the listener's unit of work), so a listener that fails later
does not make Slack's retry look new — a request is processed at most once.

Under load the requests waiting at the door share that transaction (``GroupCommit``, issue #14): the first thread
claims every queued request's keys with one multi-row statement and one commit, instead of a checkout, a statement
and a commit each. Within a batch a key is new for the first request (in arrival order) that carries it and seen for
the rest, as if they had come one after another; the rows go in sorted by key, so two replicas claiming overlapping
keys lock them in the same order and cannot deadlock. A batch the database refuses is retried one request at a time
(by GroupCommit), so one bad row costs only its own request.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, Table, delete
from sqlalchemy.dialects import postgresql, sqlite

from bot.services.group_commit import GroupCommit
from storage.models import SeenRequestRow

MAX_KEY_LENGTH = 128
# As many as the web server can have threads (RAPPORT_HTTP_THREADS is at most 64; 16 by default), so every request
# waiting at the door fits in the next batch.
MAX_BATCH = 64
_SEEN: Table = SeenRequestRow.__table__  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class _Claim:
    """One request's keys, as stored: (kind, key cut to the column's length, expires_at)."""

    keys: tuple[tuple[str, str, datetime], ...]
    team_id: str


class SqlSeenRequests:
    """SQLAlchemy implementation of ``SeenRequests``; concurrent calls share one short transaction."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        dialect_insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
        # Built once (every request runs it); the values are bound at execution. RETURNING, not rowcount: psycopg
        # reports -1 for an INSERT … ON CONFLICT, and a multi-row insert must say which of its rows went in.
        self._claim = (
            dialect_insert(_SEEN)
            .on_conflict_do_nothing(index_elements=["kind", "key"])
            .returning(_SEEN.c.kind, _SEEN.c.key)
        )
        self._claims: GroupCommit[_Claim, bool] = GroupCommit(self._claim_together, MAX_BATCH)

    def first_time(self, keys: Sequence[tuple[str, str, datetime]], team_id: str) -> bool:
        """Record every (kind, key, expires_at); True only when none of them had been seen (atomic per key)."""
        claim = _Claim(tuple((kind, key[:MAX_KEY_LENGTH], expires) for kind, key, expires in keys), team_id[:32])
        return self._claims.submit(claim)

    def purge(self, now: datetime) -> int:
        """Delete the keys that expired before ``now``; returns how many."""
        with self._engine.begin() as connection:
            result = connection.execute(delete(SeenRequestRow).where(SeenRequestRow.expires_at < now))
        return int(result.rowcount or 0)

    def _claim_together(self, claims: Sequence[_Claim]) -> list[bool]:
        """GroupCommit's flush: every claim in one transaction (GroupCommit retries a failed batch claim by claim)."""
        owner: dict[tuple[str, str], int] = {}  # each key belongs to the first claim that carries it
        rows: list[dict[str, object]] = []
        for index, claim in enumerate(claims):
            for kind, key, expires_at in claim.keys:
                if (kind, key) not in owner:
                    owner[kind, key] = index
                    rows.append({"kind": kind, "key": key, "team_id": claim.team_id, "expires_at": expires_at})
        if not rows:
            return [True] * len(claims)
        rows.sort(key=lambda row: (row["kind"], row["key"]))
        with self._engine.begin() as connection:
            inserted = {(row.kind, row.key) for row in connection.execute(self._claim, rows)}
        return [
            all((kind, key) in inserted and owner[kind, key] == index for kind, key, _ in claim.keys)
            for index, claim in enumerate(claims)
        ]
