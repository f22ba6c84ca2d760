"""Operational numbers for the metrics endpoint: a few aggregate queries, no row leaves the database."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, func, select

from bot.domain.breaker import BreakerState
from bot.domain.nudges import CLAIMABLE_STATUSES
from storage.models import AuthBreakerRow, CoffeeJobRow, NudgeRow

_PENDING_JOB = ("pending", "claimed")


def operational_snapshot(engine: Engine, now: datetime | None = None) -> dict[str, Any]:
    """Nudges by status, the oldest due unsent nudge's age, coffee jobs waiting and open auth breakers."""
    moment = now or datetime.now(UTC)
    claimable = [status.value for status in CLAIMABLE_STATUSES]
    with engine.connect() as connection:
        nudges = dict(connection.execute(select(NudgeRow.status, func.count()).group_by(NudgeRow.status)).all())
        oldest = connection.execute(
            select(func.min(NudgeRow.due_at)).where(NudgeRow.status.in_(claimable), NudgeRow.due_at <= moment)
        ).scalar()
        jobs = connection.execute(
            select(func.count()).select_from(CoffeeJobRow).where(CoffeeJobRow.status.in_(_PENDING_JOB))
        ).scalar()
        breakers = connection.execute(
            select(func.count()).select_from(AuthBreakerRow).where(AuthBreakerRow.state == BreakerState.OPEN.value)
        ).scalar()
    if oldest is not None and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=UTC)
    return {
        "nudges": {str(status): int(count) for status, count in nudges.items()},
        "oldest_due_age_seconds": max(0.0, (moment - oldest).total_seconds()) if oldest is not None else 0.0,
        "coffee_jobs_pending": int(jobs or 0),
        "breakers_open": int(breakers or 0),
    }
