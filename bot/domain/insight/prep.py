"""``/prep @person``: the facts of a brief before a meeting, and a suggested opener from the asker's own notes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.domain.models import Interaction, Person
from bot.domain.nudges import Cadence, ScheduledNudge, WorkingHours, is_within_working_hours

OVERLAP_STEP = timedelta(minutes=15)
MAX_NOTE_IN_OPENER = 140


@dataclass(frozen=True, slots=True)
class PrepBrief:
    """Everything the brief shows; the interactions, notes and tags are the asker's own, never anyone else's."""

    person: Person
    local_now: datetime
    shared_minutes: int  # working minutes both have on the next weekday both work
    intro: str
    interactions: Sequence[Interaction]  # newest first, a few
    total_meetings: int
    open_follow_ups: Sequence[ScheduledNudge] = ()
    cadence: Cadence | None = None
    tags: Sequence[tuple[str, int]] = field(default=())  # most used first
    opener: str = ""
    asker_tz: str = "UTC"  # dates in the brief are the asker's


def shared_working_minutes(mine: WorkingHours, theirs: WorkingHours, now: datetime) -> int:
    """Working minutes the two share in the first 24 hours from ``now`` (looking up to a week ahead) in which they
    share any at all; 0 when their hours never meet."""
    start = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    for day in range(7):
        day_start = start + timedelta(days=day)
        slots = [day_start + OVERLAP_STEP * i for i in range(96)]
        both = sum(1 for slot in slots if is_within_working_hours(slot, mine) and is_within_working_hours(slot, theirs))
        if both:
            return both * int(OVERLAP_STEP.total_seconds() // 60)
    return 0


def tag_counts(interactions: Sequence[Interaction], limit: int = 5) -> list[tuple[str, int]]:
    """The tags used most with this person, most used first."""
    return Counter(tag for interaction in interactions for tag in interaction.tags).most_common(limit)


def suggested_opener(person_label: str, interactions: Sequence[Interaction], tags: Sequence[tuple[str, int]]) -> str:
    """One line to start with, from what the asker noted last time (plain text: the caller escapes it)."""
    noted = next((i for i in interactions if i.notes.strip()), None)
    if noted is not None:
        note = " ".join(noted.notes.split())
        if len(note) > MAX_NOTE_IN_OPENER:
            note = note[: MAX_NOTE_IN_OPENER - 1].rstrip() + "…"
        when = noted.happened_at.strftime("%-d %b")
        return f"Last time ({when}) you noted “{note}” — ask how that went."
    if tags:
        topics = ", ".join(f"#{tag}" for tag, _ in tags[:3])
        return f"You've talked about {topics} — pick up where you left off."
    if interactions:
        return f"No notes from your last meetings — ask {person_label} what's top of mind this week."
    return f"First meeting you've logged with {person_label} — ask what they're working on this quarter."
