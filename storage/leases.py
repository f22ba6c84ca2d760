"""The claim statement and the held-row update shared by every table of leased scheduled work (nudges, coffee steps).

A leased row has ``status`` (pending/claimed/…), ``available_at`` and ``claimed_by``. ``available_at`` is "due at"
for a pending row and "lease expiry" for a claimed one, so one partial index on ``available_at`` finds both due rows
and rows whose worker died, and a claim costs O(due), not O(pending).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, Update, select, text, update
from sqlalchemy.orm import Session

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


def update_held(
    session: Session,
    table: Table,
    ids: Sequence[int],
    worker_id: str,
    values: Mapping[str, Any],
    *also: ColumnElement[bool],
) -> int:
    """Update the rows ``ids`` with ``values`` only while ``worker_id`` still holds them (claimed by it), and only
    those that also meet ``also``; returns how many were updated.

    Every outcome a sweep records goes through here: a worker whose lease expired (and whose rows another sweep
    claimed meanwhile) changes nothing, so the rows' new holder is never overwritten.
    """
    if not ids:
        return 0
    result = session.execute(
        update(table)
        .where(table.c.id.in_(list(ids)), table.c.status == "claimed", table.c.claimed_by == worker_id, *also)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
