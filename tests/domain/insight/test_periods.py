"""Periods in the person's own time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.domain.insight.periods import Period, elapsed_fraction, previous, recent_windows, window_at

ZONES = ["UTC", "America/Los_Angeles", "Europe/Berlin", "Asia/Kolkata", "Australia/Lord_Howe", "Pacific/Chatham"]


def test_a_month_starts_at_local_midnight() -> None:
    now = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # still 30 Nov in Los Angeles
    window = window_at(Period.MONTH, now, "America/Los_Angeles")
    assert window.first_day == date(2026, 11, 1)
    assert window.start == datetime(2026, 11, 1, 7, 0, tzinfo=UTC)  # PDT
    assert window.end == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)  # PST: DST ended inside the month
    assert window.label == "November 2026"


def test_quarters_and_weeks() -> None:
    now = datetime(2026, 12, 7, 12, tzinfo=UTC)
    assert window_at(Period.QUARTER, now, "UTC").first_day == date(2026, 10, 1)
    assert window_at(Period.QUARTER, now, "UTC").label == "Q4 2026"
    week = window_at(Period.WEEK, now, "UTC")
    assert week.first_day == date(2026, 12, 7) and week.label == "week of Mon 7 Dec"
    assert previous(week, "UTC").first_day == date(2026, 11, 30)
    assert [w.first_day for w in recent_windows(Period.MONTH, now, "UTC", 3)] == [
        date(2026, 12, 1),
        date(2026, 11, 1),
        date(2026, 10, 1),
    ]


def test_the_year_wraps() -> None:
    january = window_at(Period.MONTH, datetime(2027, 1, 10, tzinfo=UTC), "UTC")
    assert previous(january, "UTC").first_day == date(2026, 12, 1)
    assert window_at(Period.QUARTER, datetime(2026, 12, 31, 23, tzinfo=UTC), "UTC").end == datetime(
        2027, 1, 1, tzinfo=UTC
    )


def test_elapsed_fraction() -> None:
    window = window_at(Period.WEEK, datetime(2026, 12, 7, tzinfo=UTC), "UTC")
    assert elapsed_fraction(window, window.start - timedelta(days=1)) == 0
    assert elapsed_fraction(window, window.start + timedelta(days=3.5)) == 0.5
    assert elapsed_fraction(window, window.end + timedelta(days=1)) == 1


@given(
    moment=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC)),
    zone=st.sampled_from(ZONES),
    period=st.sampled_from(list(Period)),
)
def test_every_instant_is_in_exactly_its_window(moment: datetime, zone: str, period: Period) -> None:
    window = window_at(period, moment, zone)
    assert window.contains(moment)
    before = previous(window, zone)
    assert before.end == window.start and not before.contains(moment)
