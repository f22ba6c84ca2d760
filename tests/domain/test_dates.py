"""Date phrases resolve in the user's zone; impossible and future days are refused."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.domain import dates

# Wednesday 25 Nov 2026, 03:00 UTC = Tuesday 24 Nov 19:00 in Los Angeles.
NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
LA = "America/Los_Angeles"


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("today", date(2026, 11, 24)),
        ("yesterday", date(2026, 11, 23)),
        ("friday", date(2026, 11, 20)),
        ("tuesday", date(2026, 11, 24)),  # today is Tuesday in LA: the most recent Tuesday is today
        ("last tuesday", date(2026, 11, 17)),
        ("3 days ago", date(2026, 11, 21)),
        ("last week", date(2026, 11, 17)),
        ("2026-11-20", date(2026, 11, 20)),
        ("on 20 Nov", date(2026, 11, 20)),
        ("Nov 20", date(2026, 11, 20)),
        ("on 20 Dec", date(2025, 12, 20)),  # day/month without a year: the most recent one
        ("20 nov 2024", date(2024, 11, 20)),
        ("2000-01-01", date(2000, 1, 1)),
    ],
)
def test_phrases_resolve_in_the_users_zone(phrase: str, expected: date) -> None:
    assert dates.resolve_day(phrase, NOW, LA) == expected


def test_the_same_instant_is_a_different_day_in_tokyo() -> None:
    assert dates.resolve_day("today", NOW, "Asia/Tokyo") == date(2026, 11, 25)


@pytest.mark.parametrize(
    ("phrase", "code"),
    [
        ("tomorrow", "future"),
        ("2027-01-01", "future"),
        ("on 45 Nov", "no_such_day"),
        ("2026-13-45", "no_such_day"),
        ("2026-02-30", "no_such_day"),
        ("in 3 days", "future"),
        ("in an hour", "future"),
        ("next week", "future"),
        ("next friday", "future"),
        ("tomorrow morning", "future"),
        ("later today", "future"),
        ("a week from now", "future"),
        ("0001-01-01", "too_early"),
        ("1 Jan 1999", "too_early"),
        ("1999-12-31", "too_early"),
        ("100 years ago", "too_early"),
    ],
)
def test_bad_dates(phrase: str, code: str) -> None:
    with pytest.raises(dates.DateError) as raised:
        dates.resolve_day(phrase, NOW, LA)
    assert raised.value.code == code


def test_today_is_stored_as_now_and_past_days_at_local_noon() -> None:
    assert dates.resolve(None, NOW, LA).at == NOW
    yesterday = dates.resolve("yesterday", NOW, LA)
    assert yesterday.at == datetime(2026, 11, 23, 20, 0, tzinfo=UTC)  # 12:00 PST
    assert yesterday.at.tzinfo is UTC


def test_unknown_zone_falls_back_to_utc() -> None:
    assert dates.resolve_day("today", NOW, "Mars/Olympus") == date(2026, 11, 25)


def test_describe_day() -> None:
    today = date(2026, 11, 25)
    assert dates.describe_day(today, today) == "today (Wed 25 Nov)"
    assert dates.describe_day(date(2026, 11, 24), today) == "yesterday (Tue 24 Nov)"
    assert dates.describe_day(date(2026, 11, 20), today) == "Fri 20 Nov"
    assert dates.describe_day(date(2025, 12, 20), today) == "Sat 20 Dec 2025"


COMMON_PHRASES = [
    "today",
    "yesterday",
    "last week",
    "a day ago",
    "an day ago",
    "1 day ago",
    "3 days ago",
    "45 days ago",
    "a week ago",
    "2 weeks ago",
    "10 weeks ago",
    *(f"{prefix}{day}" for prefix in ("", "on ", "last ") for day in dates.WEEKDAYS),
]


@pytest.mark.parametrize("phrase", COMMON_PHRASES)
def test_common_phrases_resolve_exactly_as_dateparser_does(phrase: str) -> None:
    # 14 consecutive days (every weekday twice, a month and a year boundary), late evening local time.
    for offset in range(14):
        local_now = datetime(2026, 12, 20, 23, 30) + timedelta(days=offset)
        today = local_now.date()
        assert dates._common_day(phrase, today) == dates._parsed_day(phrase, local_now, phrase), (phrase, today)


def test_other_phrases_are_left_to_dateparser() -> None:
    today = date(2026, 11, 25)
    for phrase in ("last month", "2 months ago", "20 nov", "tomorrow", "fridays", "3 days", "someday"):
        assert dates._common_day(phrase, today) is None
