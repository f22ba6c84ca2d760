"""The coffee calendar, pause dates and meeting-time suggestions (pure)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.coffee import (
    PauseDateError,
    ProgramSettings,
    WorkingDay,
    following_round_start,
    next_round_start,
    previous_business_day,
    resolve_pause_until,
    round_times,
    suggest_meeting_time,
)

NOW = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)  # a Wednesday


def test_next_round_is_the_next_chosen_weekday_at_local_time() -> None:
    friday_ny = ProgramSettings(weekday=4, local_minute=600, tz="America/New_York")
    assert next_round_start(friday_ny, NOW) == datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
    wednesday_early = ProgramSettings(weekday=2, local_minute=9 * 60, tz="UTC")
    assert next_round_start(wednesday_early, NOW) == datetime(2026, 12, 2, 9, 0, tzinfo=UTC), "today's slot passed"


def test_rounds_keep_local_time_across_daylight_saving() -> None:
    berlin = ProgramSettings(cadence_weeks=2, weekday=0, local_minute=600, tz="Europe/Berlin")
    march = datetime(2027, 3, 22, 9, 0, tzinfo=UTC)  # Monday 10:00 CET
    after = following_round_start(berlin, march)
    assert after == datetime(2027, 4, 5, 8, 0, tzinfo=UTC), "10:00 CEST"


def test_heads_up_is_one_business_day_before() -> None:
    assert previous_business_day(date(2026, 11, 30)) == date(2026, 11, 27)  # Monday → Friday
    assert previous_business_day(date(2026, 11, 26)) == date(2026, 11, 25)
    settings_ = ProgramSettings(weekday=0, local_minute=600, tz="America/New_York")
    times = round_times(settings_, datetime(2026, 11, 30, 15, 0, tzinfo=UTC))
    assert times.heads_up_at == datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
    assert times.check_in_at == datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
    weekly = round_times(ProgramSettings(cadence_weeks=1, tz="UTC"), datetime(2026, 11, 30, 10, 0, tzinfo=UTC))
    assert weekly.check_in_at == datetime(2026, 12, 3, 10, 0, tzinfo=UTC), "Thursday, not Thursday night"
    assert times.ends_at == datetime(2026, 12, 14, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [("2027-01-10", date(2027, 1, 10)), ("next monday", date(2026, 11, 30)), ("10 jan", date(2027, 1, 10))],
)
def test_pause_dates(phrase: str, expected: date) -> None:
    assert resolve_pause_until(phrase, NOW, "Europe/Berlin") == expected


@pytest.mark.parametrize(
    ("phrase", "code"),
    [("2027-02-30", "no_such_day"), ("today", "past"), ("2026-01-01", "past"), ("gibberish", "unparseable"),
     ("2028-06-01", "too_far"), ("", "unparseable")],
)  # fmt: skip
def test_bad_pause_dates(phrase: str, code: str) -> None:
    with pytest.raises(PauseDateError) as raised:
        resolve_pause_until(phrase, NOW, "UTC")
    assert raised.value.code == code


def test_suggested_time_is_inside_everyones_working_hours() -> None:
    people = [WorkingDay("America/New_York"), WorkingDay("Europe/Berlin")]
    slot = suggest_meeting_time(people, NOW, timedelta(days=7))
    # 17:00 UTC Wednesday is 18:00 in Berlin: the next shared window is Thursday 09:00–11:00 New York.
    assert slot == datetime(2026, 11, 26, 14, 0, tzinfo=UTC)
    assert (
        suggest_meeting_time([WorkingDay("Pacific/Auckland"), WorkingDay("Europe/London")], NOW, timedelta(days=2))
        is None
    )


@settings(max_examples=60, deadline=None)
@given(
    weekday=st.integers(0, 6),
    minute=st.integers(0, 24 * 60 - 1),
    tz=st.sampled_from(["UTC", "America/New_York", "Europe/Berlin", "Asia/Kolkata", "Australia/Sydney"]),
    cadence=st.sampled_from([1, 2, 4]),
    offset=st.integers(0, 400 * 24),
)
def test_round_calendar_invariants(weekday: int, minute: int, tz: str, cadence: int, offset: int) -> None:
    program = ProgramSettings(cadence_weeks=cadence, weekday=weekday, local_minute=minute, tz=tz)
    after = NOW + timedelta(hours=offset)
    start = next_round_start(program, after)
    assert after < start <= after + timedelta(days=8)
    times = round_times(program, start)
    assert times.heads_up_at < times.starts_at < times.check_in_at < times.ends_at
    assert times.heads_up_at >= times.starts_at - timedelta(days=3, hours=2)
    following = following_round_start(program, start)
    assert timedelta(weeks=cadence) - timedelta(hours=2) <= following - start <= timedelta(weeks=cadence, hours=2)
