"""The claim statement shared by every table of leased scheduled work (nudges, coffee round steps).

A leased row has ``status`` (pending/claimed/…), ``available_at`` and ``claimed_by``. ``available_at`` is "due at"
for a pending row and "lease expiry" for a claimed one, so one partial index on ``available_at`` finds both due rows
and rows whose worker died, and a claim costs O(due), not O(pending).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, Update, select, text, update

from storage.models import CLAIMABLE_SQL


def lease_criteria(table: Table, team_id: str | None, exclude_teams: Collection[str]) -> list[ColumnElement[bool]]:
    """Which workspaces a claim serves: only ``team_id`` if given, and never the ``exclude_teams`` (their auth
    breaker is open, so their rows stay exactly as they are until it closes)."""
    criteria: list[ColumnElement[bool]] = []
    if team_id is not None:
        criteria.append(table.c.team_id == team_id)
    if exclude_teams:
        criteria.append(table.c.team_id.not_in(sorted(exclude_teams)))
    return criteria


def claim_statement(
    table: Table,
    worker_id: str,
    now: datetime,
    lease_until: datetime,
    limit: int,
    criteria: Sequence[ColumnElement[bool]] = (),
    returning: Sequence[Any] = (),
    also_set: Mapping[str, Any] | None = None,
) -> Update:
    """``UPDATE … WHERE id IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED) RETURNING …``: lease up to ``limit`` rows.

    PostgreSQL skips rows another sweep is claiming; SQLite takes its write lock when the statement starts, so
    concurrent sweeps serialise and never see the same row as claimable. Oldest ``available_at`` first.
    """
    candidates = (
        select(table.c.id)
        .where(text(CLAIMABLE_SQL), table.c.available_at <= now, *criteria)
        .order_by(table.c.available_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return (
        update(table)
        .where(table.c.id.in_(candidates.scalar_subquery()))
        .values(status="claimed", claimed_by=worker_id, available_at=lease_until, **(also_set or {}))
        .returning(*(returning or table.c))
    )
