"""The claim statement, the held-row update and the pending-row insert shared by every table of leased scheduled
work (nudges, coffee steps).

A leased row has ``status`` (pending/claimed/…), ``available_at`` and ``claimed_by``. ``available_at`` is "due at"
for a pending row and "lease expiry" for a claimed one, so one partial index on ``available_at`` finds both due rows
and rows whose worker died, and a claim costs O(due), not O(pending).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, Update, select, text, update
from sqlalchemy.orm import Session

from bot.domain.leases import Claim
from storage.models import CLAIMABLE_SQL


def _served(table: Table, claim: Claim) -> list[ColumnElement[bool]]:
    """Which workspaces a claim serves: only ``claim.team_id`` if given, and never the ``exclude_teams`` (their auth
    breaker is open, so their rows stay exactly as they are until it closes)."""
    criteria: list[ColumnElement[bool]] = []
    if claim.team_id is not None:
        criteria.append(table.c.team_id == claim.team_id)
    if claim.exclude_teams:
        criteria.append(table.c.team_id.not_in(sorted(claim.exclude_teams)))
    return criteria


def claim_statement(
    table: Table, claim: Claim, returning: Sequence[Any] = (), also_set: Mapping[str, Any] | None = None
) -> Update:
    """``UPDATE … WHERE id IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED) RETURNING …``: lease up to ``claim.limit``
    due rows (or rows whose lease expired) of the workspaces the claim serves.

    PostgreSQL skips rows another sweep is claiming; SQLite takes its write lock when the statement starts, so
    concurrent sweeps serialise and never see the same row as claimable. Oldest ``available_at`` first.
    """
    candidates = (
        select(table.c.id)
        .where(text(CLAIMABLE_SQL), table.c.available_at <= claim.now, *_served(table, claim))
        .order_by(table.c.available_at)
        .limit(claim.limit)
        .with_for_update(skip_locked=True)
    )
    return (
        update(table)
        .where(table.c.id.in_(candidates.scalar_subquery()))
        .values(status="claimed", claimed_by=claim.worker_id, available_at=claim.lease_until, **(also_set or {}))
        .returning(*(returning or table.c))
    )


def add_pending(session: Session, model: type[Any], due_at: datetime, now: datetime, **values: Any) -> int:
    """Insert a row of ``model`` (a leased table's mapped class) with ``values``: pending, no attempt yet, claimable
    from ``due_at``; its id."""
    row = model(
        **values,
        due_at=due_at,
        available_at=due_at,
        status="pending",
        attempts=0,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    return int(row.id)


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
