"""Calendar periods in a person's own time zone, as UTC instants storage can compare with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from bot.domain.zones import zone_or_utc


class Period(StrEnum):
    """The calendar unit a goal or a figure is counted over."""

    WEEK = "week"  # Monday to Sunday
    MONTH = "month"
    QUARTER = "quarter"


@dataclass(frozen=True, slots=True)
class Window:
    """One period: ``start`` inclusive, ``end`` exclusive, both aware UTC; ``first_day`` is the local first day."""

    period: Period
    first_day: date
    start: datetime
    end: datetime

    def contains(self, moment: datetime) -> bool:
        """Whether an aware instant falls inside the window."""
        return self.start <= moment < self.end

    @property
    def label(self) -> str:
        """How a person names it: "December 2026", "Q4 2026", "week of Mon 30 Nov"."""
        if self.period is Period.MONTH:
            return self.first_day.strftime("%B %Y")
        if self.period is Period.QUARTER:
            return f"Q{(self.first_day.month - 1) // 3 + 1} {self.first_day.year}"
        return f"week of {self.first_day.strftime('%a %-d %b')}"


def _first_day(period: Period, day: date) -> date:
    if period is Period.WEEK:
        return day - timedelta(days=day.weekday())
    if period is Period.MONTH:
        return day.replace(day=1)
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _next_first_day(period: Period, first: date) -> date:
    if period is Period.WEEK:
        return first + timedelta(days=7)
    months = 1 if period is Period.MONTH else 3
    month = first.month - 1 + months
    return date(first.year + month // 12, month % 12 + 1, 1)


def _window(period: Period, first: date, tz: str | None) -> Window:
    zone = zone_or_utc(tz)
    # Local midnight of each boundary day, so a DST change inside the period moves neither end.
    start = datetime.combine(first, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(_next_first_day(period, first), time(0), tzinfo=zone).astimezone(UTC)
    return Window(period, first, start, end)


def window_at(period: Period, now: datetime, tz: str | None) -> Window:
    """The period that contains ``now`` in the person's time zone."""
    local_day = now.astimezone(zone_or_utc(tz)).date()
    return _window(period, _first_day(period, local_day), tz)


def previous(window: Window, tz: str | None) -> Window:
    """The period just before ``window``."""
    return _window(window.period, _first_day(window.period, window.first_day - timedelta(days=1)), tz)


def recent_windows(period: Period, now: datetime, tz: str | None, count: int) -> list[Window]:
    """The current period and the ``count - 1`` before it, newest first."""
    windows = [window_at(period, now, tz)]
    while len(windows) < count:
        windows.append(previous(windows[-1], tz))
    return windows


def elapsed_fraction(window: Window, now: datetime) -> float:
    """How much of the window has passed at ``now`` (0 before it, 1 after it)."""
    total = (window.end - window.start).total_seconds()
    done = (min(max(now, window.start), window.end) - window.start).total_seconds()
    return done / total if total > 0 else 1.0
