"""Resolve the date phrases `/met` accepts into a calendar day in the user's time zone.

Recognising *which* words are a date is the grammar's job (``met_grammar``); turning a
recognised phrase into a day is delegated to ``dateparser`` with guards for what it gets
wrong for our purpose (day-of-month overflow becoming a year, future dates).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import dateparser

from bot.domain.zones import zone_or_utc

MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

_DAY_MONTH = re.compile(r"^(?:on\s+)?(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]{3,9})\.?(?:\s+(\d{4}))?$", re.I)
_MONTH_DAY = re.compile(r"^(?:on\s+)?([a-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?$", re.I)
_ISO = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$")
_WEEKDAY = re.compile(r"^(?:on\s+|last\s+)?([a-z]+)$", re.I)
# Phrases that always point ahead, refused before any parsing: dateparser reads "in an hour" as today and cannot
# read "later today" or "next weekend" at all. The grammar recognises the same phrases (met_grammar._AHEAD).
_AHEAD = re.compile(
    r"^(?:tomorrow|(?:the\s+)?day\s+after\s|in\s|next\s|later\s|(?:this\s+)?coming\s)|\sfrom\s+(?:now|today)$"
)
# Nothing before this is a meeting anyone logs; older years are typos ("0001-01-01" was logged as Mon 1 Jan 1).
EARLIEST_DAY = date(2000, 1, 1)
_DAYS_AGO = re.compile(r"^(an?|\d{1,3}) (day|week)s? ago$")


class DateError(ValueError):
    """A date phrase that names no real day, a day in the future, or one before 2000."""

    def __init__(self, code: str, phrase: str) -> None:
        super().__init__(f"{code}: {phrase}")
        self.code = code
        self.phrase = phrase


@dataclass(frozen=True, slots=True)
class ResolvedDate:
    """A calendar day in the user's zone and the UTC instant stored for it."""

    day: date
    at: datetime
    is_today: bool


def _month(word: str) -> int | None:
    return MONTHS.get(word[:3].lower()) if len(word) >= 3 else None


def _checked_day(year: int, month: int, day: int, phrase: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise DateError("no_such_day", phrase) from None


def _most_recent(month: int, day: int, today: date, phrase: str) -> date:
    """The most recent occurrence of day/month on or before today (29 Feb looks back up to 8 years)."""
    for year in range(today.year, today.year - 9, -1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate <= today:
            return candidate
    raise DateError("no_such_day", phrase)


def _common_day(text: str, today: date) -> date | None:
    """The day for the phrases people type most, computed directly; None = not one of them.

    dateparser costs about 2 ms of CPU per call (this returns in microseconds), holding the interpreter lock that
    every ack also needs (docs/benchmarks.md). Each phrase here resolves exactly as dateparser (with
    the weekday guard below) resolves it; tests/domain/test_dates.py compares the two over many days.
    """
    if text == "today":
        return today
    if text == "yesterday":
        return today - timedelta(days=1)
    if text == "last week":
        return today - timedelta(days=7)
    if ago := _DAYS_AGO.match(text):
        count = 1 if ago[1] in {"a", "an"} else int(ago[1])
        return today - timedelta(days=count * (7 if ago[2] == "week" else 1))
    if (weekday := _WEEKDAY.match(text)) and weekday[1] in WEEKDAYS:
        back = (today.weekday() - WEEKDAYS.index(weekday[1])) % 7
        # A bare weekday named after today means today; "last friday" on a Friday means a week ago.
        return today - timedelta(days=7 if back == 0 and text.startswith("last") else back)
    return None


def _parsed_day(text: str, local_now: datetime, phrase: str) -> date:
    """The day dateparser reads in ``text`` (normalised, lower case) relative to the user's local now."""
    parsed = dateparser.parse(
        text.removeprefix("on "),
        languages=["en"],
        settings={
            "RELATIVE_BASE": local_now.replace(tzinfo=None),
            "PREFER_DATES_FROM": "past",
            "RETURN_AS_TIMEZONE_AWARE": False,
            "STRICT_PARSING": False,
        },
    )
    if parsed is None:
        raise DateError("unparseable", phrase)
    day = parsed.date()
    today = local_now.date()
    weekday = _WEEKDAY.match(text)
    # dateparser reads a bare weekday named after today as a week ago; "friday" on a Friday means today.
    if weekday and weekday[1] in WEEKDAYS and not text.startswith("last") and day == today - timedelta(days=7):
        day = today
    return day


def resolve_day(phrase: str, now: datetime, tz_name: str | None) -> date:
    """Turn a recognised phrase into a day in the user's zone; raises ``DateError``."""
    zone = zone_or_utc(tz_name)
    local_now = now.astimezone(zone)
    today = local_now.date()
    text = " ".join(phrase.lower().split())
    if _AHEAD.search(text):
        raise DateError("future", phrase)

    if (common := _common_day(text, today)) is not None:
        day = common
    elif iso := _ISO.match(text):
        day = _checked_day(int(iso[1]), int(iso[2]), int(iso[3]), phrase)
    elif (dm := _DAY_MONTH.match(text)) and _month(dm[2]):
        month = _month(dm[2])
        assert month is not None
        if dm[3]:
            day = _checked_day(int(dm[3]), month, int(dm[1]), phrase)
        else:
            _checked_day(2000, month, int(dm[1]), phrase)  # 2000 is a leap year: rejects only impossible days
            day = _most_recent(month, int(dm[1]), today, phrase)
    elif (md := _MONTH_DAY.match(text)) and _month(md[1]):
        month = _month(md[1])
        assert month is not None
        if md[3]:
            day = _checked_day(int(md[3]), month, int(md[2]), phrase)
        else:
            _checked_day(2000, month, int(md[2]), phrase)
            day = _most_recent(month, int(md[2]), today, phrase)
    else:
        day = _parsed_day(text, local_now, phrase)
    if day > today:
        raise DateError("future", phrase)
    if day < EARLIEST_DAY:
        raise DateError("too_early", phrase)
    return day


def resolve(phrase: str | None, now: datetime, tz_name: str | None) -> ResolvedDate:
    """Resolve a phrase (None = today) to the stored instant: now for today, local noon otherwise."""
    zone = zone_or_utc(tz_name)
    today = now.astimezone(zone).date()
    day = today if phrase is None else resolve_day(phrase, now, tz_name)
    if day == today:
        return ResolvedDate(day=day, at=now.astimezone(UTC), is_today=True)
    # Noon keeps the stored instant on the same calendar day for anyone within ±12 h of the author.
    at = datetime.combine(day, time(12, 0), tzinfo=zone).astimezone(UTC)
    return ResolvedDate(day=day, at=at, is_today=False)


def describe_day(day: date, today: date) -> str:
    """Human label: 'today (Wed 25 Nov)', 'yesterday (Tue 24 Nov)', 'Fri 20 Nov', with the year when not this year."""
    label = f"{day:%a} {day.day} {day:%b}"
    if day.year != today.year:
        label += f" {day.year}"
    if day == today:
        return f"today ({label})"
    if day == today - timedelta(days=1):
        return f"yesterday ({label})"
    return label


def local_today(now: datetime, tz_name: str | None) -> date:
    """Today's date in the user's zone."""
    return now.astimezone(zone_or_utc(tz_name)).date()


def as_utc(value: datetime) -> datetime:
    """Normalise an aware datetime to UTC."""
    return value.astimezone(UTC)
