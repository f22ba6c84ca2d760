"""Weekly review timing (the person's own Monday 09:00, DST included) and content (never empty)."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from bot.domain.insight.review import ReviewFacts, compose_review, next_review_at
from bot.domain.zones import zone_or_utc


def test_next_monday_nine_local() -> None:
    now = datetime(2026, 12, 7, 13, 0, tzinfo=UTC)  # Monday 08:00 in New York
    assert next_review_at(now, "America/New_York") == datetime(2026, 12, 7, 14, 0, tzinfo=UTC)
    later = datetime(2026, 12, 7, 14, 0, tzinfo=UTC)  # exactly then: the next one is a week later
    assert next_review_at(later, "America/New_York") == datetime(2026, 12, 14, 14, 0, tzinfo=UTC)


def test_dst_keeps_the_wall_clock() -> None:
    before = datetime(2026, 3, 4, 12, tzinfo=UTC)  # Wednesday; US DST starts Sunday 8 March
    assert next_review_at(before, "America/New_York") == datetime(2026, 3, 9, 13, 0, tzinfo=UTC)  # 09:00 EDT


@given(
    now=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC)),
    zone=st.sampled_from(["UTC", "Europe/Berlin", "Asia/Kolkata", "America/St_Johns", "Pacific/Chatham"]),
    weekday=st.integers(0, 6),
)
def test_always_later_and_on_the_day(now: datetime, zone: str, weekday: int) -> None:
    due = next_review_at(now, zone, weekday, 9 * 60)
    assert now < due
    assert (due - now).days <= 7
    assert due.astimezone(zone_or_utc(zone)).weekday() == weekday


def test_never_a_message_with_nothing_to_say() -> None:
    assert compose_review(ReviewFacts(0, (), 0, 0, ())) is None
    busy = compose_review(ReviewFacts(3, ("Ana",), 2, 1, ("Meet 4 new people a month: 1 of 4",), overdue_contact="Lee"))
    assert busy is not None
    assert busy.lines[0] == "You logged 3 meetings last week, 1 of them new (Ana)."
    assert "Follow-through: 1 of 2" in busy.lines[1] and "Lee" in busy.suggestion
    only_suggestion = compose_review(ReviewFacts(0, (), 0, 0, (), unreached_team="Sales"))
    assert only_suggestion is not None and "Sales" in only_suggestion.suggestion
