"""The port weekly reviews use (storage.repositories.reviews.SqlReviewRepository)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from bot.domain.insight.review import ScheduledReview
from bot.domain.leases import Claim


class ReviewRepository(Protocol):
    """One leased row per person."""

    def ensure(self, team_id: str, user_id: str, due_at: datetime, now: datetime) -> None: ...

    def set_schedule(
        self, team_id: str, user_id: str, weekday: int | None, due_at: datetime, now: datetime
    ) -> None: ...

    def weekday(self, team_id: str, user_id: str) -> int | None: ...

    def scheduled_among(self, team_id: str, user_ids: Sequence[str]) -> set[str]: ...

    def claim(self, claim: Claim) -> list[ScheduledReview]: ...

    def put_back(
        self, ids: Sequence[int], worker_id: str, available_at: datetime, now: datetime, **values: Any
    ) -> int: ...
