"""Goals: reading ``/network goal …``, bounds, progress and streaks."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.insight.goals import (
    ClearGoal,
    Goal,
    GoalError,
    GoalKind,
    GoalTally,
    parse_goal,
    progress,
    progress_bar,
    streak,
)


@pytest.mark.parametrize(
    ("text", "goal"),
    [
        ("4 new people a month", Goal(GoalKind.NEW_PEOPLE, 4)),
        ("new 4", Goal(GoalKind.NEW_PEOPLE, 4)),
        ("meet 6 people outside my team a quarter", Goal(GoalKind.OUTSIDE_TEAM, 6)),
        ("6 cross-team", Goal(GoalKind.OUTSIDE_TEAM, 6)),
        ("follow up on 80% of meetings", Goal(GoalKind.FOLLOW_THROUGH, 80)),
        ("follow-through 75", Goal(GoalKind.FOLLOW_THROUGH, 75)),
        ("Keep in touch with my list", Goal(GoalKind.KEEP_IN_TOUCH, 100)),
    ],
)
def test_goals_people_type(text: str, goal: Goal) -> None:
    assert parse_goal(text) == goal


def test_clearing() -> None:
    assert parse_goal("off") == ClearGoal(None)
    assert parse_goal("off new people") == ClearGoal(GoalKind.NEW_PEOPLE)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("0 new people", "at least 1"),
        ("10,000 new people a month", "10,000 is more than a goal can sensibly be"),
        ("follow up 150%", "between 1 and 100%"),
        ("become famous", "don't know that kind of goal"),
        ("new people", "How many?"),
        ("", "Tell me the goal"),
        ("-3 new", "at least 1"),
        ("99999999999999999999 new", "more than a goal can sensibly be"),
    ],
)
def test_bad_goals_get_a_clear_message(text: str, says: str) -> None:
    result = parse_goal(text)
    assert isinstance(result, GoalError) and says in result.message


def test_sentences() -> None:
    assert Goal(GoalKind.NEW_PEOPLE, 4).sentence == "meet 4 new people a month"
    assert Goal(GoalKind.NEW_PEOPLE, 1).sentence == "meet 1 new person a month"
    assert Goal(GoalKind.OUTSIDE_TEAM, 6).sentence == "meet 6 people outside your team a quarter"


@given(st.text(max_size=300))
def test_no_text_raises(text: str) -> None:
    assert isinstance(parse_goal(text), Goal | ClearGoal | GoalError)


def test_progress_counts_and_pace() -> None:
    goal = Goal(GoalKind.NEW_PEOPLE, 4)
    halfway = progress(goal, GoalTally(new_people=1), elapsed=0.5)
    assert (halfway.value, halfway.met, halfway.on_pace) == (1, False, False)
    assert halfway.text == "▰▰▱▱▱▱▱▱▱▱  1 of 4"
    done = progress(goal, GoalTally(new_people=5), elapsed=0.1)
    assert done.met and done.on_pace and done.text.startswith("▰" * 10)


def test_rates_and_nothing_to_measure() -> None:
    follow = Goal(GoalKind.FOLLOW_THROUGH, 80)
    assert progress(follow, GoalTally(follow_ups_due=4, follow_ups_done=3), 0.5).text.endswith(
        "75% of 80% (3 of 4 follow-ups)"
    )
    empty = progress(follow, GoalTally(), 0.5)
    assert empty.value is None and "No follow-ups" in empty.text
    touch = progress(Goal(GoalKind.KEEP_IN_TOUCH, 100), GoalTally(cadences=2, cadences_on_time=2), 0.5)
    assert touch.met


def test_progress_bar_bounds() -> None:
    assert progress_bar(0, 4) == "▱" * 10
    assert progress_bar(9, 4) == "▰" * 10
    assert progress_bar(1, 0) == "▰" * 10


def test_streaks() -> None:
    assert streak([True, True, False, True], current_met=False) == 2
    assert streak([True, True, False], current_met=True) == 3
    assert streak([], current_met=False) == 0
