"""The weekly review: when it is due in the person's own week, and what it says — never a message with nothing
to say."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from bot.domain.zones import zone_or_utc

DEFAULT_WEEKDAY = 0  # Monday
DEFAULT_MINUTE = 9 * 60  # 09:00 local


def next_review_at(
    now: datetime, tz: str | None, weekday: int = DEFAULT_WEEKDAY, minute: int = DEFAULT_MINUTE
) -> datetime:
    """The next ``weekday`` at ``minute`` past local midnight strictly after ``now``, as aware UTC (DST-safe: the
    wall-clock time is kept across a change)."""
    zone = zone_or_utc(tz)
    local = now.astimezone(zone)
    days_ahead = (weekday - local.weekday()) % 7
    for extra in (0, 7, 14):
        day = local.date() + timedelta(days=days_ahead + extra)
        candidate = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=zone).astimezone(UTC)
        if candidate > now:
            return candidate
    raise AssertionError("unreachable: a week ahead is always later")


@dataclass(frozen=True, slots=True)
class ScheduledReview:
    """A claimed weekly review: whose, and how many attempts came before (a leased row)."""

    id: int
    team_id: str
    user_id: str
    attempts: int


@dataclass(frozen=True, slots=True)
class ReviewFacts:
    """What happened in the person's last week, from their own log."""

    meetings: int
    new_people: Sequence[str]  # labels of people met for the first time
    follow_ups_due: int
    follow_ups_done: int
    goal_lines: Sequence[str]  # "meet 4 new people a month: 2 of 4"
    overdue_contact: str | None = None  # a keep-in-touch contact past their date
    unreached_team: str | None = None  # a team not met this quarter
    next_coffee: str | None = None  # "Tue 9 Dec in #coffee"


@dataclass(frozen=True, slots=True)
class ReviewContent:
    """The review's lines and its one concrete suggestion."""

    lines: Sequence[str]
    suggestion: str


def compose_review(facts: ReviewFacts) -> ReviewContent | None:
    """The review, or None when there is nothing to say (no meetings, no follow-ups, no goal, no suggestion)."""
    lines: list[str] = []
    if facts.meetings:
        new = f", {len(facts.new_people)} of them new ({', '.join(facts.new_people[:5])})" if facts.new_people else ""
        lines.append(f"You logged {facts.meetings} meeting{'s' if facts.meetings != 1 else ''} last week{new}.")
    if facts.follow_ups_due:
        rate = round(100 * facts.follow_ups_done / facts.follow_ups_due)
        lines.append(f"Follow-through: {facts.follow_ups_done} of {facts.follow_ups_due} follow-ups done ({rate}%).")
    lines.extend(facts.goal_lines)
    suggestion = _suggestion(facts)
    if not lines and suggestion is None:
        return None
    return ReviewContent(lines, suggestion or "Log your next conversation with `/met @name` — it all starts there.")


def _suggestion(facts: ReviewFacts) -> str | None:
    if facts.overdue_contact:
        return f"It's been a while since you talked to {facts.overdue_contact} — a quick message this week?"
    if facts.unreached_team:
        return f"You haven't met anyone from {facts.unreached_team} this quarter — worth a coffee?"
    if facts.next_coffee:
        return f"Your next coffee round: {facts.next_coffee}."
    return None
