"""Measures of whether networking is working, per person and (with k-anonymity) in aggregate."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from statistics import median

K_ANONYMITY = 5  # no aggregate figure is shown about fewer people than this
MIRROR_SLACK = timedelta(days=2)  # the other person's log of the same meeting may be this far off (reciprocity)


@dataclass(frozen=True, slots=True)
class Effectiveness:
    """One person's private figures over a period."""

    follow_ups_due: int
    follow_ups_done: int
    reciprocated: int  # my meetings the other person also logged (a count only: never who)
    meetings: int
    coffee_groups: int
    coffee_second_meetings: int  # coffee groups after which I logged another meeting with someone from the group
    days_to_follow_up: Sequence[float] = ()

    @property
    def follow_through(self) -> float | None:
        """Follow-ups done ÷ due (None when none came due)."""
        return self.follow_ups_done / self.follow_ups_due if self.follow_ups_due else None

    @property
    def reciprocity(self) -> float | None:
        """Share of my meetings the other person also logged."""
        return self.reciprocated / self.meetings if self.meetings else None

    @property
    def coffee_conversion(self) -> float | None:
        """Share of coffee groups that led to a second meeting."""
        return self.coffee_second_meetings / self.coffee_groups if self.coffee_groups else None

    @property
    def median_days_to_follow_up(self) -> float | None:
        """The typical time from a meeting to its follow-up."""
        return median(self.days_to_follow_up) if self.days_to_follow_up else None


def as_percent(share: float | None) -> str:
    """A share as "73%", or "—" when there is nothing to measure."""
    return "—" if share is None else f"{round(share * 100)}%"


def safe_aggregate(people: int, value: float | int) -> float | int | None:
    """An aggregate about ``people`` people, or None when too few to show it without singling anyone out."""
    return value if people >= K_ANONYMITY else None
