"""Networking goals: what a person can aim for, how ``/network goal …`` reads, and progress against a goal."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.domain.insight.periods import Period


class GoalKind(StrEnum):
    """The goals Rapport can measure from a person's own log."""

    NEW_PEOPLE = "new_people"  # meet N people I had never logged before, per month
    OUTSIDE_TEAM = "outside_team"  # meet N different people outside my team, per quarter
    FOLLOW_THROUGH = "follow_through"  # follow up on N% of the follow-ups that came due, per month
    KEEP_IN_TOUCH = "keep_in_touch"  # every keep-in-touch contact seen on time


@dataclass(frozen=True, slots=True)
class GoalRule:
    """How a kind of goal is counted and which targets make sense."""

    period: Period
    lowest: int
    highest: int
    example: str
    describe: str  # "{n}" is the target

    def sentence(self, target: int) -> str:
        """The goal in words."""
        return self.describe.format(n=target, s="" if target == 1 else "s")


RULES: dict[GoalKind, GoalRule] = {
    GoalKind.NEW_PEOPLE: GoalRule(Period.MONTH, 1, 50, "4 new people a month", "meet {n} new person{s} a month"),
    GoalKind.OUTSIDE_TEAM: GoalRule(
        Period.QUARTER, 1, 100, "6 people outside my team a quarter", "meet {n} person{s} outside your team a quarter"
    ),
    GoalKind.FOLLOW_THROUGH: GoalRule(Period.MONTH, 1, 100, "follow up on 80%", "follow up on {n}% of your meetings"),
    GoalKind.KEEP_IN_TOUCH: GoalRule(
        Period.MONTH, 100, 100, "keep in touch", "keep in touch with everyone on your list"
    ),
}
# "person"/"persons" reads badly: the sentences above pluralise with "{s}", so fix the one irregular noun here.
_IRREGULAR = {"persons": "people"}


@dataclass(frozen=True, slots=True)
class Goal:
    """One goal a person set: a kind and a target (a percentage for follow-through; 100 for keep in touch)."""

    kind: GoalKind
    target: int

    @property
    def rule(self) -> GoalRule:
        """How this goal is counted."""
        return RULES[self.kind]

    @property
    def sentence(self) -> str:
        """The goal in words: "meet 4 new people a month"."""
        text = self.rule.sentence(self.target)
        for wrong, right in _IRREGULAR.items():
            text = text.replace(wrong, right)
        return text


@dataclass(frozen=True, slots=True)
class GoalError:
    """Why a goal was not understood or not sensible, in words for the person."""

    message: str


@dataclass(frozen=True, slots=True)
class ClearGoal:
    """``/network goal off``: stop tracking the goal of that kind (or every goal when ``kind`` is None)."""

    kind: GoalKind | None = None


_KIND_WORDS: tuple[tuple[GoalKind, re.Pattern[str]], ...] = (
    (GoalKind.KEEP_IN_TOUCH, re.compile(r"\bkeep(?:ing)?[\s-]+in[\s-]+touch\b|\bmy list\b")),
    (GoalKind.FOLLOW_THROUGH, re.compile(r"\bfollow(?:[\s-]*(?:up|ups|through))?\b|%")),
    (GoalKind.OUTSIDE_TEAM, re.compile(r"\boutside\b|\bother teams?\b|\bcross[\s-]*team\b|\bacross\b")),
    (GoalKind.NEW_PEOPLE, re.compile(r"\bnew\b")),
)
_NUMBER = re.compile(r"(?<![\w.])(-?\d[\d,_]*)(?:\s*%)?")
_OFF = re.compile(r"^(?:off|clear|none|stop|remove|delete)\b")
MAX_GOAL_TEXT = 200


def goal_help() -> str:
    """The goals one can set, with an example each."""
    lines = [f"• `/network goal {rule.example}`" for rule in RULES.values()]
    return "Goals you can set:\n" + "\n".join(lines) + "\n• `/network goal off` stops tracking."


def parse_goal(text: str) -> Goal | ClearGoal | GoalError:
    """Read the text after ``/network goal``; never raises."""
    cleaned = " ".join(text.lower().split())[:MAX_GOAL_TEXT]
    if not cleaned:
        return GoalError("Tell me the goal, e.g. `/network goal 4 new people a month`.\n" + goal_help())
    if off := _OFF.match(cleaned):
        rest = cleaned[off.end() :]
        kinds = [kind for kind, words in _KIND_WORDS if words.search(rest)]
        return ClearGoal(kinds[0] if kinds else None)
    kinds = [kind for kind, words in _KIND_WORDS if words.search(cleaned)]
    if not kinds:
        return GoalError("I don't know that kind of goal.\n" + goal_help())
    kind = kinds[0]
    rule = RULES[kind]
    if kind is GoalKind.KEEP_IN_TOUCH:
        return Goal(kind, 100)
    numbers = _NUMBER.findall(cleaned)
    if not numbers:
        return GoalError(f"How many? For example `/network goal {rule.example}`.")
    return _bounded(kind, numbers[0].replace(",", "").replace("_", ""))


def _bounded(kind: GoalKind, digits: str) -> Goal | GoalError:
    rule = RULES[kind]
    target = int(digits) if len(digits) <= 9 else 10**9
    unit = "%" if kind is GoalKind.FOLLOW_THROUGH else ""
    if target < rule.lowest:
        return GoalError(f"A goal of {target}{unit} is met before you start — pick at least {rule.lowest}{unit}.")
    if target > rule.highest:
        return GoalError(
            f"{target:,}{unit} is more than a goal can sensibly be — pick between {rule.lowest} and "
            f"{rule.highest}{unit} (e.g. `/network goal {rule.example}`)."
        )
    return Goal(kind, target)


@dataclass(frozen=True, slots=True)
class GoalTally:
    """What storage counted for one person over one goal's window."""

    new_people: int = 0  # contacts whose first logged meeting falls in the window
    outside_team: int = 0  # distinct contacts from other teams met in the window
    follow_ups_due: int = 0  # follow-ups that came due in the window
    follow_ups_done: int = 0  # of those, followed up (Done, or a later meeting logged)
    cadences: int = 0  # keep-in-touch contacts
    cadences_on_time: int = 0  # of those, not overdue now


@dataclass(frozen=True, slots=True)
class GoalProgress:
    """A goal against its tally: ``value`` of ``target`` (None when there is nothing to measure yet)."""

    goal: Goal
    value: int | None
    met: bool
    on_pace: bool
    text: str


def progress(goal: Goal, tally: GoalTally, elapsed: float) -> GoalProgress:
    """How far along the goal is, with ``elapsed`` the share of its period gone (for "on pace")."""
    value, of = _measure(goal.kind, tally)
    if value is None:
        return GoalProgress(goal, None, False, True, _nothing_yet(goal.kind))
    met = value >= goal.target
    if goal.kind in (GoalKind.NEW_PEOPLE, GoalKind.OUTSIDE_TEAM):
        on_pace = met or value >= goal.target * elapsed
        text = f"{progress_bar(value, goal.target)}  {value} of {goal.target}"
    else:
        on_pace = met
        text = f"{progress_bar(value, goal.target)}  {value}% of {goal.target}% ({of})"
    return GoalProgress(goal, value, met, on_pace, text)


def _measure(kind: GoalKind, tally: GoalTally) -> tuple[int | None, str]:
    if kind is GoalKind.NEW_PEOPLE:
        return tally.new_people, ""
    if kind is GoalKind.OUTSIDE_TEAM:
        return tally.outside_team, ""
    if kind is GoalKind.FOLLOW_THROUGH:
        rate = percentage(tally.follow_ups_done, tally.follow_ups_due)
        return rate, f"{tally.follow_ups_done} of {tally.follow_ups_due} follow-ups"
    rate = percentage(tally.cadences_on_time, tally.cadences)
    return rate, f"{tally.cadences_on_time} of {tally.cadences} contacts on time"


def _nothing_yet(kind: GoalKind) -> str:
    if kind is GoalKind.FOLLOW_THROUGH:
        return "No follow-ups have come due yet this month."
    return "Nobody on your keep-in-touch list yet — add someone with `/met cadence @name 30d`."


def percentage(part: int, whole: int) -> int | None:
    """``part`` of ``whole`` as a whole percentage, rounded down (None when ``whole`` is 0)."""
    return None if whole <= 0 else min(100, max(0, part * 100 // whole))


def progress_bar(value: int, target: int, width: int = 10) -> str:
    """A text progress bar that renders the same in Slack and a terminal: ▰▰▰▱▱▱▱▱▱▱."""
    filled = width if target <= 0 else min(width, max(0, value * width // target))
    return "▰" * filled + "▱" * (width - filled)


def streak(met_newest_first: Sequence[bool], current_met: bool) -> int:
    """Periods in a row the goal was met, up to now: the current one counts once met, and does not break the streak
    while it is still running."""
    count = 1 if current_met else 0
    for met in met_newest_first:
        if not met:
            break
        count += 1
    return count
