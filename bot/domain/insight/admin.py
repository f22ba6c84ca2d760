"""The admin view: workspace aggregates with k-anonymity — no figure about fewer than K people, never a name."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain.insight.effectiveness import K_ANONYMITY


@dataclass(frozen=True, slots=True)
class PeriodActivity:
    """Meetings logged in one period, or None when fewer than K people logged them (the figure would single
    someone out)."""

    label: str
    meetings: int | None
    people: int | None


@dataclass(frozen=True, slots=True)
class AdminReport:
    """What an admin sees: only aggregates that pass the k-anonymity rule."""

    weeks: Sequence[PeriodActivity]  # oldest first
    active_people: int | None  # people who logged a meeting in the last 30 days
    coffee_groups: int | None
    coffee_met_rate: float | None  # groups that answered "We met", of all groups in the last 30 days
    new_cross_team_ties: Sequence[PeriodActivity]  # per month, oldest first (``meetings`` holds the ties)


def activity(label: str, count: int, people: int) -> PeriodActivity:
    """A period's figure, hidden when it is about fewer than K people."""
    if people < K_ANONYMITY:
        return PeriodActivity(label, None, None)
    return PeriodActivity(label, count, people)


def coffee_rate(outcomes: dict[str, int]) -> tuple[int | None, float | None]:
    """(groups, share that met), hidden when there are too few groups to stay anonymous (fewer than K people)."""
    groups = sum(outcomes.values())
    # Every group has at least two people: fewer than K/2 groups could be about fewer than K people.
    if groups * 2 < K_ANONYMITY:
        return None, None
    return groups, outcomes.get("met", 0) / groups


def hidden_note() -> str:
    """What a gap means."""
    return f"— : fewer than {K_ANONYMITY} people, not shown"
