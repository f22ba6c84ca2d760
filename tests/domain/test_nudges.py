"""Nudge policy: due times, working hours across zones and DST, cadences, digests, message text."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.models import Person
from bot.domain.nudges import (
    ALL_DAYS,
    CONTACT_DEACTIVATED,
    USER_DELETED,
    USER_IS_BOT,
    USER_NOT_FOUND,
    Cadence,
    DueNudge,
    NudgeKind,
    NudgeStatus,
    ScheduledNudge,
    WorkingHours,
    cadence_due,
    cadence_text,
    days_since,
    digest_text,
    due_nudge,
    follow_up_due,
    follow_up_text,
    group_into_deliveries,
    is_late,
    is_paused,
    is_within_working_hours,
    latest_interaction,
    next_delivery_time,
    nudge_text,
    resume_at,
    undeliverable,
    zone_or_utc,
)

NY = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
NY_HOURS = WorkingHours(tz="America/New_York")
BERLIN_HOURS = WorkingHours(tz="Europe/Berlin")


def ny(*args: int, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=NY).replace(fold=fold)  # type: ignore[misc]


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)  # type: ignore[misc]


# --- next_delivery_time: examples -------------------------------------------------------------------------------


def test_due_inside_working_hours_is_delivered_at_once() -> None:
    due = ny(2026, 11, 25, 10, 17, 33)
    assert next_delivery_time(due, NY_HOURS) == due
    assert next_delivery_time(due, NY_HOURS).tzinfo is UTC


def test_due_at_night_waits_for_nine_local() -> None:
    assert next_delivery_time(ny(2026, 11, 25, 2, 0), NY_HOURS) == ny(2026, 11, 25, 9, 0)


def test_end_of_window_is_exclusive() -> None:
    assert next_delivery_time(ny(2026, 11, 25, 16, 59), NY_HOURS) == ny(2026, 11, 25, 16, 59)
    assert next_delivery_time(ny(2026, 11, 25, 17, 0), NY_HOURS) == ny(2026, 11, 26, 9, 0)


def test_friday_evening_waits_for_monday() -> None:
    assert next_delivery_time(ny(2026, 11, 27, 18, 0), NY_HOURS) == ny(2026, 11, 30, 9, 0)
    assert next_delivery_time(ny(2026, 11, 28, 12, 0), NY_HOURS) == ny(2026, 11, 30, 9, 0)


def test_working_hours_are_judged_in_the_persons_zone() -> None:
    # 23:00 UTC on a Wednesday is 08:00 Thursday in Tokyo: wait one hour, not until the next UTC morning.
    tokyo = WorkingHours(tz="Asia/Tokyo")
    assert next_delivery_time(datetime(2026, 11, 25, 23, 0, tzinfo=UTC), tokyo) == datetime(
        2026, 11, 26, 0, 0, tzinfo=UTC
    )


def test_new_york_spring_forward_weekend() -> None:
    # DST starts Sun 8 Mar 2026: Monday 09:00 is EDT (13:00 UTC), not EST (14:00 UTC).
    result = next_delivery_time(ny(2026, 3, 6, 18, 0), NY_HOURS)
    assert result == datetime(2026, 3, 9, 13, 0, tzinfo=UTC)


def test_new_york_fall_back_weekend() -> None:
    # DST ends Sun 1 Nov 2026: Monday 09:00 is EST (14:00 UTC).
    result = next_delivery_time(ny(2026, 10, 30, 18, 0), NY_HOURS)
    assert result == datetime(2026, 11, 2, 14, 0, tzinfo=UTC)


def test_berlin_spring_forward_and_fall_back() -> None:
    assert next_delivery_time(berlin(2026, 3, 27, 18, 0), BERLIN_HOURS) == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)
    assert next_delivery_time(berlin(2026, 10, 23, 18, 0), BERLIN_HOURS) == datetime(2026, 10, 26, 8, 0, tzinfo=UTC)


def test_start_time_inside_a_spring_forward_gap_starts_when_the_clock_jumps() -> None:
    # New York skips 02:00–03:00 on 8 Mar 2026; a 02:30 start means the first instant past it: 03:00 EDT.
    hours = WorkingHours(start=time(2, 30), end=time(10, 0), days=ALL_DAYS, tz="America/New_York")
    assert next_delivery_time(ny(2026, 3, 8, 0, 0), hours) == datetime(2026, 3, 8, 7, 0, tzinfo=UTC)
    berlin_hours = WorkingHours(start=time(2, 15), end=time(10, 0), days=ALL_DAYS, tz="Europe/Berlin")
    # Berlin skips 02:00–03:00 on 29 Mar 2026 (01:00 UTC).
    assert next_delivery_time(berlin(2026, 3, 29, 0, 30), berlin_hours) == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)


def test_start_time_inside_a_repeated_hour() -> None:
    # 01:00–02:00 happens twice on 1 Nov 2026 in New York; between the two, the clock reads before 01:30 again.
    hours = WorkingHours(start=time(1, 30), end=time(10, 0), days=ALL_DAYS, tz="America/New_York")
    assert next_delivery_time(ny(2026, 11, 1, 0, 0), hours) == ny(2026, 11, 1, 1, 30, fold=0).astimezone(UTC)
    second_pass = ny(2026, 11, 1, 1, 10, fold=1)
    assert not is_within_working_hours(second_pass, hours)
    assert next_delivery_time(second_pass, hours) == datetime(2026, 11, 1, 6, 30, tzinfo=UTC)


def test_window_end_inside_a_gap() -> None:
    hours = WorkingHours(start=time(0, 0), end=time(2, 30), days=ALL_DAYS, tz="America/New_York")
    assert is_within_working_hours(ny(2026, 3, 8, 1, 59), hours)
    assert not is_within_working_hours(ny(2026, 3, 8, 3, 0), hours)
    assert next_delivery_time(ny(2026, 3, 8, 3, 0), hours) == ny(2026, 3, 9, 0, 0)


def test_overnight_window_belongs_to_the_day_it_starts() -> None:
    monday_night = WorkingHours(start=time(22, 0), end=time(6, 0), days=frozenset({0}), tz="UTC")
    tuesday_3am = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
    assert is_within_working_hours(tuesday_3am, monday_night)
    assert next_delivery_time(datetime(2026, 11, 24, 7, 0, tzinfo=UTC), monday_night) == datetime(
        2026, 11, 30, 22, 0, tzinfo=UTC
    )


def test_round_the_clock_window() -> None:
    always = WorkingHours(start=time(0, 0), end=time(0, 0), days=ALL_DAYS)
    due = datetime(2026, 11, 29, 3, 4, tzinfo=UTC)
    assert next_delivery_time(due, always) == due


def test_naive_datetimes_and_bad_settings_are_rejected() -> None:
    with pytest.raises(ValueError):
        next_delivery_time(datetime(2026, 11, 25, 9, 0), NY_HOURS)
    with pytest.raises(ValueError):
        WorkingHours(days=frozenset())
    with pytest.raises(ValueError):
        WorkingHours(days=frozenset({7}))
    with pytest.raises(ValueError):
        WorkingHours(tz="Mars/Olympus_Mons")
    assert zone_or_utc("Mars/Olympus_Mons") == ZoneInfo("UTC")


# --- next_delivery_time: properties ------------------------------------------------------------------------------

ZONES = [
    "UTC",
    "America/New_York",
    "Europe/Berlin",
    "Australia/Lord_Howe",  # 30-minute DST shift
    "Pacific/Chatham",  # +12:45 / +13:45
    "America/Santiago",  # changes at midnight
    "Asia/Kolkata",
]
QUARTER = timedelta(minutes=15)
quarter_times = st.builds(lambda q: time(q // 4, (q % 4) * 15), st.integers(0, 95))
hours_strategy = st.builds(
    WorkingHours,
    start=quarter_times,
    end=quarter_times,
    days=st.frozensets(st.integers(0, 6), min_size=1),
    tz=st.sampled_from(ZONES),
)
quarter_instants = st.builds(lambda q: datetime(2024, 1, 1, tzinfo=UTC) + q * QUARTER, st.integers(0, 4 * 24 * 366 * 3))
any_instants = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2027, 1, 1), timezones=st.just(UTC))


def brute_force_next(due: datetime, hours: WorkingHours) -> datetime:
    """Oracle: walk forward in 15-minute steps (every edge lies on that grid for quarter-hour inputs and zones)."""
    at = due
    while not is_within_working_hours(at, hours):
        at += QUARTER
    return at


@settings(max_examples=150, deadline=None)
@given(due=quarter_instants, hours=hours_strategy)
def test_next_delivery_time_is_the_earliest_deliverable_instant(due: datetime, hours: WorkingHours) -> None:
    result = next_delivery_time(due, hours)
    assert result >= due
    assert is_within_working_hours(result, hours)
    assert result == brute_force_next(due, hours)


@settings(max_examples=150, deadline=None)
@given(due=any_instants, hours=hours_strategy)
def test_next_delivery_time_is_idempotent_and_nothing_earlier_qualifies(due: datetime, hours: WorkingHours) -> None:
    result = next_delivery_time(due, hours)
    assert result >= due
    assert is_within_working_hours(result, hours)
    assert next_delivery_time(result, hours) == result
    if result > due:
        assert not is_within_working_hours(result - timedelta(seconds=1), hours) or result - timedelta(seconds=1) < due


@settings(max_examples=150, deadline=None)
@given(
    first=any_instants, gap=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=10)), hours=hours_strategy
)
def test_next_delivery_time_is_monotone(first: datetime, gap: timedelta, hours: WorkingHours) -> None:
    assert next_delivery_time(first, hours) <= next_delivery_time(first + gap, hours)


# --- due times, cadences, pauses ---------------------------------------------------------------------------------


def test_follow_up_is_due_counted_from_when_the_meeting_happened() -> None:
    happened = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)  # back-filled on the 25th; the delay still counts from 20th
    assert follow_up_due(happened, 7) == datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    with pytest.raises(ValueError):
        follow_up_due(happened, -1)


def test_cadence_runs_from_the_latest_interaction_including_back_filled_ones() -> None:
    start = datetime(2026, 8, 1, 9, 0, tzinfo=UTC)
    logged_first = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
    back_filled = datetime(2026, 10, 20, 12, 0, tzinfo=UTC)  # typed on 25 Nov, happened 20 Oct
    latest = latest_interaction([logged_first, back_filled])
    assert latest == back_filled
    assert cadence_due(latest, start, 30) == datetime(2026, 11, 19, 12, 0, tzinfo=UTC)
    # Order of logging does not matter: a back-fill older than the latest does not move the clock back.
    assert latest_interaction([back_filled, datetime(2026, 9, 5, tzinfo=UTC)]) == back_filled


def test_cadence_without_interactions_runs_from_its_start() -> None:
    start = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    assert latest_interaction([]) is None
    assert cadence_due(None, start, 30) == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_ignored_cadence_reminder_waits_a_full_period() -> None:
    last = datetime(2026, 9, 1, tzinfo=UTC)
    start = datetime(2026, 8, 1, tzinfo=UTC)
    nudged = datetime(2026, 10, 2, 9, 0, tzinfo=UTC)
    assert cadence_due(last, start, 30, last_nudged_at=nudged) == nudged + timedelta(days=30)
    # A new interaction after the reminder resets the clock to that interaction.
    met_again = datetime(2026, 10, 10, tzinfo=UTC)
    assert cadence_due(met_again, start, 30, last_nudged_at=nudged) == met_again + timedelta(days=30)
    with pytest.raises(ValueError):
        cadence_due(last, start, 0)


def test_days_since_counts_calendar_days_in_the_persons_zone() -> None:
    met = datetime(2026, 11, 18, 23, 30, tzinfo=UTC)  # 18:30 in New York on the 18th
    now = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
    assert days_since(met, now, "America/New_York") == 7
    assert days_since(met, now, "Asia/Tokyo") == 6  # already the 19th in Tokyo
    assert days_since(now, met) == 0


def test_pause_holds_until_the_given_day() -> None:
    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    until = resume_at(date(2026, 12, 1), "Europe/Berlin")
    assert until == datetime(2026, 11, 30, 23, 0, tzinfo=UTC)
    assert is_paused(until, now)
    assert not is_paused(until, until)
    assert not is_paused(None, now)


# --- grouping into deliveries ------------------------------------------------------------------------------------

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)  # Wednesday: 10:00 in New York, 16:00 in Berlin, 00:00 in Tokyo


def nudge(nudge_id: int, user: str = "UDANA", due: datetime = NOW - timedelta(hours=1)) -> DueNudge:
    return DueNudge(
        id=nudge_id,
        team_id="T1",
        user_id=user,
        contact_id=f"UC{nudge_id}",
        kind=NudgeKind.FOLLOW_UP,
        due_at=due,
        contact=f"Contact {nudge_id}",
        met_at=due - timedelta(days=7),
    )


def test_several_nudges_due_at_once_become_one_digest() -> None:
    deliveries = group_into_deliveries([nudge(1), nudge(2), nudge(3)], NOW, {}, {})
    assert len(deliveries) == 1
    assert deliveries[0].ready and deliveries[0].is_digest
    assert [n.id for n in deliveries[0].nudges] == [1, 2, 3]


def test_a_single_nudge_stays_single_and_digest_off_means_one_message_each() -> None:
    single = group_into_deliveries([nudge(1)], NOW, {}, {})
    assert len(single) == 1 and not single[0].is_digest
    separate = group_into_deliveries([nudge(1), nudge(2)], NOW, {}, {"UDANA": False})
    assert [len(d.nudges) for d in separate] == [1, 1]
    assert all(d.ready for d in separate)


def test_each_person_gets_their_own_delivery() -> None:
    deliveries = group_into_deliveries([nudge(1, "UA"), nudge(2, "UB"), nudge(3, "UA")], NOW, {}, {})
    assert sorted((d.user_id, len(d.nudges)) for d in deliveries) == [("UA", 2), ("UB", 1)]


def test_only_what_is_deliverable_now_is_ready() -> None:
    hours = {"UTOKYO": WorkingHours(tz="Asia/Tokyo"), "UNY": NY_HOURS}
    deliveries = group_into_deliveries([nudge(1, "UTOKYO"), nudge(2, "UNY")], NOW, hours, {})
    by_user = {d.user_id: d for d in deliveries}
    assert by_user["UNY"].ready and by_user["UNY"].deliver_at == NOW
    assert not by_user["UTOKYO"].ready
    assert by_user["UTOKYO"].deliver_at == datetime(2026, 11, 26, 0, 0, tzinfo=UTC)  # 09:00 Thursday in Tokyo


def test_future_nudges_keep_their_own_delivery_time() -> None:
    later = nudge(2, due=NOW + timedelta(hours=3))
    deliveries = group_into_deliveries([nudge(1), later], NOW, {"UDANA": NY_HOURS}, {})
    assert [(d.ready, d.deliver_at) for d in deliveries] == [(True, NOW), (False, NOW + timedelta(hours=3))]


def test_paused_person_gets_nothing_until_the_pause_ends() -> None:
    until = datetime(2026, 11, 30, 0, 0, tzinfo=UTC)
    deliveries = group_into_deliveries([nudge(1), nudge(2)], NOW, {}, {}, paused_until_by_user={"UDANA": until})
    assert len(deliveries) == 1
    assert not deliveries[0].ready and deliveries[0].deliver_at == datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    expired = group_into_deliveries([nudge(1)], NOW, {}, {}, paused_until_by_user={"UDANA": NOW})
    assert expired[0].ready


def test_big_digests_are_split() -> None:
    deliveries = group_into_deliveries([nudge(i) for i in range(25)], NOW, {}, {}, max_per_digest=10)
    assert [len(d.nudges) for d in deliveries] == [10, 10, 5]


# --- message text ------------------------------------------------------------------------------------------------


def test_follow_up_text() -> None:
    met = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)
    assert (
        follow_up_text("Dana", met, NOW, interaction_kind="lunch", topic="Q3 launch")
        == "You met Dana 7 days ago (lunch — Q3 launch). Follow up?"
    )
    assert follow_up_text("Dana", met, NOW) == "You met Dana 7 days ago. Follow up?"
    assert follow_up_text("Dana", NOW - timedelta(days=1), NOW, interaction_kind="coffee") == (
        "You met Dana yesterday (coffee). Follow up?"
    )


def test_cadence_text() -> None:
    last = NOW - timedelta(days=64)
    assert cadence_text("Lee", last, NOW) == "It's been 64 days since you talked to Lee."
    assert (
        cadence_text("Lee", None, NOW, every_days=30)
        == "Time to catch up with Lee: you asked to keep in touch every 30 days."
    )


def test_late_delivery_keeps_the_original_date() -> None:
    due = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # Monday 09:00 in New York
    assert is_late(due, NOW, NY_HOURS)
    assert not is_late(NOW - timedelta(minutes=5), NOW, NY_HOURS)
    late = DueNudge(
        id=1,
        team_id="T1",
        user_id="U1",
        contact_id="ULEE",
        kind=NudgeKind.CADENCE,
        due_at=due,
        contact="Lee",
        met_at=NOW - timedelta(days=64),
    )
    assert nudge_text(late, NOW, NY_HOURS) == "It's been 64 days since you talked to Lee. (due Mon 23 Nov)"
    follow = DueNudge(
        id=2,
        team_id="T1",
        user_id="U1",
        contact_id="UDANA",
        kind=NudgeKind.FOLLOW_UP,
        due_at=due,
        met_at=due - timedelta(days=7),
        interaction_kind="lunch",
        topic="Q3 launch",
    )
    assert nudge_text(follow, NOW, NY_HOURS) == (
        "You met <@UDANA> 9 days ago (lunch — Q3 launch). Follow up? (due Mon 23 Nov)"
    )


def test_digest_text_lists_every_nudge() -> None:
    [delivery] = group_into_deliveries([nudge(1), nudge(2)], NOW, {"UDANA": NY_HOURS}, {})
    text = digest_text(delivery, NOW, NY_HOURS)
    assert text.splitlines() == [
        "2 people to catch up with:",
        "• You met Contact 1 7 days ago. Follow up?",
        "• You met Contact 2 7 days ago. Follow up?",
    ]


def test_digest_header_counts_reminders_when_a_contact_appears_twice() -> None:
    twice = [
        nudge(1),
        DueNudge(
            id=2,
            team_id="T1",
            user_id="UDANA",
            contact_id="UC1",
            kind=NudgeKind.CADENCE,
            due_at=NOW - timedelta(hours=1),
            contact="Contact 1",
            met_at=NOW - timedelta(days=40),
        ),
    ]
    [delivery] = group_into_deliveries(twice, NOW, {"UDANA": NY_HOURS}, {})
    assert digest_text(delivery, NOW, NY_HOURS).splitlines()[0] == "2 reminders for you:"


# --- why a due nudge cannot be delivered ---------------------------------------------------------------------------

LEE = Person("T1", "ULEE", "lee", display_name="Lee")
DANA = Person("T1", "UDANA", "dana", display_name="Dana")


@pytest.mark.parametrize(
    ("recipient", "contact", "contact_missing", "reason"),
    [
        (LEE, DANA, False, None),
        (LEE, None, False, None),  # a contact we know nothing about is named by mention
        (None, DANA, False, USER_NOT_FOUND),
        (replace(LEE, deleted=True), DANA, False, USER_DELETED),
        (replace(LEE, is_bot=True), DANA, False, USER_IS_BOT),
        (replace(LEE, deleted=True, is_bot=True), DANA, True, USER_DELETED),  # the recipient's reason comes first
        (LEE, replace(DANA, deleted=True), False, CONTACT_DEACTIVATED),
        (LEE, None, True, CONTACT_DEACTIVATED),
    ],
)
def test_why_a_nudge_cannot_be_delivered(
    recipient: Person | None, contact: Person | None, contact_missing: bool, reason: str | None
) -> None:
    assert undeliverable(recipient, contact, contact_missing=contact_missing) == reason


def _row(kind: NudgeKind, interaction_id: int | None = None) -> ScheduledNudge:
    due = datetime(2026, 11, 26, 17, 0, tzinfo=UTC)
    return ScheduledNudge(7, "T1", "ULEE", "UDANA", kind, due, due, NudgeStatus.CLAIMED, interaction_id=interaction_id)


def test_a_due_follow_up_carries_its_meeting() -> None:
    met = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    nudge = due_nudge(_row(NudgeKind.FOLLOW_UP, 3), DANA, (met, "lunch", "Q3 launch"), None)
    assert (nudge.contact, nudge.met_at, nudge.interaction_kind, nudge.topic, nudge.every_days) == (
        "Dana",
        met,
        "lunch",
        "Q3 launch",
        None,
    )


def test_a_due_keep_in_touch_reminder_carries_its_cadence() -> None:
    last = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
    cadence = Cadence(1, "T1", "ULEE", "UDANA", 30, True, last, last_interaction_at=last)
    nudge = due_nudge(_row(NudgeKind.CADENCE), None, None, cadence)
    assert (nudge.contact, nudge.met_at, nudge.topic, nudge.every_days) == ("", last, "", 30)
