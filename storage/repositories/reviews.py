"""Weekly reviews: one leased row per person (storage.leases claims and updates it like nudges)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, select, update

from bot.domain.insight.review import ScheduledReview
from bot.domain.leases import Claim
from storage.leases import claim_statement, update_held
from storage.models import WeeklyReviewRow
from storage.repositories.common import SqlRepository
from storage.upsert import insert_if_missing

_TABLE: Table = WeeklyReviewRow.__table__  # type: ignore[assignment]
OFF = "off"
# Read on every /met (the review hook); built once with bind parameters, like the follow-up hook's statements: an
# ORM select built per call cost 0.45 ms of CPU, a third of the whole hook chain (docs/benchmarks.md).
_WEEKDAY_OF = select(_TABLE.c.status, _TABLE.c.weekday).where(
    _TABLE.c.team_id == bindparam("team_id"), _TABLE.c.user_id == bindparam("user_id")
)

_SCHEDULED_AMONG = select(_TABLE.c.user_id).where(
    _TABLE.c.team_id == bindparam("team_id"), _TABLE.c.user_id.in_(bindparam("user_ids", expanding=True))
)


class SqlReviewRepository(SqlRepository):
    """The weekly_reviews table."""

    def ensure(self, team_id: str, user_id: str, due_at: datetime, now: datetime) -> None:
        """Schedule a person's first review (nothing changes when they have a row already, on or off)."""
        insert_if_missing(
            self._session,
            WeeklyReviewRow,
            {
                "team_id": team_id,
                "user_id": user_id,
                "status": "pending",
                "weekday": 0,
                "available_at": due_at,
                "attempts": 0,
                "created_at": now,
                "updated_at": now,
            },
        )

    def set_schedule(self, team_id: str, user_id: str, weekday: int | None, due_at: datetime, now: datetime) -> None:
        """Reviews on ``weekday`` (next one due at ``due_at``), or off when ``weekday`` is None."""
        self.ensure(team_id, user_id, due_at, now)
        values: dict[str, Any] = (
            {"status": OFF} if weekday is None else {"status": "pending", "available_at": due_at, "weekday": weekday}
        )
        self._session.execute(
            update(WeeklyReviewRow)
            .where(WeeklyReviewRow.team_id == team_id, WeeklyReviewRow.user_id == user_id)
            .values(**values, claimed_by=None, updated_at=now)
            .execution_options(synchronize_session=False)
        )

    def scheduled_among(self, team_id: str, user_ids: Sequence[str]) -> set[str]:
        """Which of these people have a review row (on or off): the others need ``ensure``."""
        if not user_ids:
            return set()
        rows = self._session.execute(_SCHEDULED_AMONG, {"team_id": team_id, "user_ids": sorted(set(user_ids))})
        return {row.user_id for row in rows}

    def weekday(self, team_id: str, user_id: str) -> int | None:
        """The person's review day (None when reviews are off or they have no row yet)."""
        row = self._session.execute(_WEEKDAY_OF, {"team_id": team_id, "user_id": user_id}).first()
        return None if row is None or row.status == OFF else int(row.weekday)

    def claim(self, claim: Claim) -> list[ScheduledReview]:
        """Lease due reviews, oldest first."""
        statement = claim_statement(
            _TABLE, claim, returning=(_TABLE.c.id, _TABLE.c.team_id, _TABLE.c.user_id, _TABLE.c.attempts)
        )
        return [ScheduledReview(*row) for row in self._session.execute(statement)]

    def put_back(self, ids: Sequence[int], worker_id: str, available_at: datetime, now: datetime, **values: Any) -> int:
        """Pending again at ``available_at`` (a release, a retry or the next week), if still held."""
        return update_held(
            self._session,
            _TABLE,
            ids,
            worker_id,
            {"status": "pending", "claimed_by": None, "available_at": available_at, "updated_at": now, **values},
        )
