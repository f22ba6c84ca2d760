"""The port insight uses: goals and per-person aggregates."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.domain.insight.goals import Goal, GoalKind


class InsightRepository(Protocol):
    """Goals, and counts over one person's own log (storage.repositories.insight.SqlInsightRepository)."""

    def goals(self, team_id: str, user_id: str) -> list[Goal]: ...

    def set_goal(self, team_id: str, user_id: str, goal: Goal, now: datetime) -> None: ...

    def clear_goals(self, team_id: str, user_id: str, kind: GoalKind | None) -> int: ...

    def meetings_by_contact(self, team_id: str, author_id: str, start: datetime, end: datetime) -> dict[str, int]: ...

    def meetings_with(self, team_id: str, author_id: str, contact_id: str) -> int: ...

    def contact_summaries(self, team_id: str, author_id: str) -> dict[str, tuple[int, datetime]]: ...

    def first_met(self, team_id: str, author_id: str, start: datetime, end: datetime) -> dict[str, datetime]: ...

    def follow_up_counts(self, team_id: str, user_id: str, start: datetime, end: datetime) -> tuple[int, int]: ...

    def cadence_counts(self, team_id: str, user_id: str, now: datetime) -> tuple[int, int]: ...
