"""The port insight uses: goals and per-person aggregates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.domain.insight.goals import Goal, GoalKind


@dataclass(frozen=True, slots=True)
class FigureWindows:
    """What ``person_figures`` counts over: follow-ups due in ``follow_ups``, new ties in ``ties`` (outside the
    team ``own``), meetings naming the person in ``named`` — each a [start, end) pair."""

    follow_ups: tuple[datetime, datetime]
    ties: tuple[datetime, datetime]
    named: tuple[datetime, datetime]
    own: str


@dataclass(frozen=True, slots=True)
class PersonFigures:
    """The single figures the Home tab shows about one person, read together (one round trip)."""

    has_logged: bool
    new_ties: int
    follow_ups_due: int
    follow_ups_done: int
    named_by_others: bool
    in_coffee: bool = False  # ever a member of a coffee channel


class InsightRepository(Protocol):
    """Goals, and counts over one person's own log (storage.repositories.insight.SqlInsightRepository)."""

    def goals(self, team_id: str, user_id: str) -> list[Goal]: ...

    def set_goal(self, team_id: str, user_id: str, goal: Goal, now: datetime) -> None: ...

    def clear_goals(self, team_id: str, user_id: str, kind: GoalKind | None) -> int: ...

    def meetings_by_contact(self, team_id: str, author_id: str, start: datetime, end: datetime) -> dict[str, int]: ...

    def meetings_with(self, team_id: str, author_id: str, contact_id: str) -> int: ...

    def contact_summaries(self, team_id: str, author_id: str) -> dict[str, tuple[int, datetime]]: ...

    def first_met(self, team_id: str, author_id: str, start: datetime, end: datetime) -> dict[str, datetime]: ...

    def has_logged(self, team_id: str, author_id: str) -> bool: ...

    def meetings_by_team_and_zone(
        self, team_id: str, author_id: str, windows: Sequence[tuple[datetime, datetime]]
    ) -> list[dict[tuple[str, str], int]]: ...

    def outside_team_contacts(
        self, team_id: str, author_id: str, windows: Sequence[tuple[datetime, datetime]], own: str
    ) -> list[int]: ...

    def new_ties(self, team_id: str, author_id: str, start: datetime, end: datetime, own: str) -> int: ...

    def follow_up_counts(
        self, team_id: str, user_id: str, windows: Sequence[tuple[datetime, datetime]]
    ) -> list[tuple[int, int]]: ...

    def person_figures(self, team_id: str, user_id: str, windows: FigureWindows) -> PersonFigures: ...

    def named_by_others(self, team_id: str, user_id: str, start: datetime, end: datetime) -> bool: ...

    def reciprocity(self, team_id: str, author_id: str, start: datetime, end: datetime) -> tuple[int, int]: ...

    def follow_up_delays(self, team_id: str, user_id: str, start: datetime, end: datetime) -> list[float]: ...

    def coffee_follow_through(self, team_id: str, user_id: str, start: datetime, end: datetime) -> tuple[int, int]: ...

    def teams(self, team_id: str) -> list[str]: ...

    def cadence_counts(self, team_id: str, user_id: str, now: datetime) -> tuple[int, int]: ...
