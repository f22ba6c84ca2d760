"""Coffee rounds outside the matcher: channel settings, the round calendar, pause dates, meeting-time suggestions.

Pure: the clock is an argument. Times are computed in the round's zone (DST-correct through zoneinfo) and returned
in UTC. The matcher itself lives in ``bot.domain.matching``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dateparser

from bot.domain.leases import RetryPolicy
from bot.domain.matching import PoolMode
from bot.domain.zones import zone_or_utc

CADENCE_WEEKS = (1, 2, 4)
GROUP_SIZES = (2, 3, 4)
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
IGNORED_ROUNDS_LIMIT = 3  # rounds in a row without a check-in answer before someone is set aside
MAX_PAUSE = timedelta(days=366)
MAX_INTRO = 280
DEFAULT_WORK_START = 9 * 60
DEFAULT_WORK_END = 17 * 60


class OptIn(StrEnum):
    """Who is in the pool: every channel member, or only those who clicked Join."""

    ALL_MEMBERS = "all"
    JOIN = "join"


class ProgramStatus(StrEnum):
    """A channel's coffee program."""

    ACTIVE = "active"
    PAUSED = "paused"
    STOPPED = "stopped"


class CheckIn(StrEnum):
    """A group's answer to "Did you meet?"."""

    MET = "met"
    SCHEDULED = "scheduled"
    NOT_THIS_TIME = "not_this_time"


@dataclass(frozen=True, slots=True)
class ProgramSettings:
    """What the settings modal chooses for a channel."""

    cadence_weeks: int = 2
    weekday: int = 0  # 0 = Monday
    local_minute: int = 10 * 60  # minutes after local midnight
    tz: str = "UTC"
    group_size: int = 2
    pool_mode: PoolMode = PoolMode.PREFER_CROSS_TEAM
    opt_in: OptIn = OptIn.ALL_MEMBERS

    def __post_init__(self) -> None:
        if self.cadence_weeks not in CADENCE_WEEKS:
            raise ValueError("cadence must be 1, 2 or 4 weeks")
        if not 0 <= self.weekday <= 6:
            raise ValueError("weekday is 0 (Monday) to 6 (Sunday)")
        if not 0 <= self.local_minute < 24 * 60:
            raise ValueError("local_minute is 0..1439")
        if self.group_size not in GROUP_SIZES:
            raise ValueError("group size is 2, 3 or 4")
        zone(self.tz)

    @property
    def period(self) -> timedelta:
        """How long a round lasts (until the next one)."""
        return timedelta(weeks=self.cadence_weeks)

    @property
    def local_time(self) -> time:
        """The round's local start time."""
        return time(self.local_minute // 60, self.local_minute % 60)


@dataclass(frozen=True, slots=True)
class RoundTimes:
    """When each step of a round happens (UTC)."""

    heads_up_at: datetime
    starts_at: datetime
    check_in_at: datetime
    ends_at: datetime


def zone(name: str) -> ZoneInfo:
    """The zone with this IANA name; ValueError for an unknown one."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"unknown time zone {name!r}") from error


def _at_local(day: date, minute: int, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=tz).astimezone(UTC)


def next_round_start(settings: ProgramSettings, after: datetime) -> datetime:
    """The first start strictly after ``after`` on the chosen weekday and local time."""
    tz = zone(settings.tz)
    local_day = after.astimezone(tz).date()
    for offset in range(8):
        day = local_day + timedelta(days=offset)
        if day.weekday() == settings.weekday:
            candidate = _at_local(day, settings.local_minute, tz)
            if candidate > after:
                return candidate
    raise AssertionError("a weekday always recurs within 8 days")  # pragma: no cover


def following_round_start(settings: ProgramSettings, previous_start: datetime) -> datetime:
    """The regular round after one that started at ``previous_start`` (same local time, ``cadence`` weeks on)."""
    tz = zone(settings.tz)
    day = previous_start.astimezone(tz).date() + timedelta(weeks=settings.cadence_weeks)
    while day.weekday() != settings.weekday:  # the weekday may have been changed since
        day += timedelta(days=1)
    return _at_local(day, settings.local_minute, tz)


def first_regular_start(settings: ProgramSettings, now: datetime) -> datetime:
    """The first regular start whose heads-up (one business day before) is still ahead, so it can be sent on time.

    Set up on Monday 09:00 for Mondays 10:00, the round is next week's: a heads-up sent now, one hour before,
    would break the promise of a business day's notice.
    """
    starts = next_round_start(settings, now)
    while round_times(settings, starts).heads_up_at < now:
        starts = next_round_start(settings, starts)
    return starts


def previous_business_day(day: date) -> date:
    """The working day (Mon–Fri) before ``day``."""
    day -= timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def round_times(settings: ProgramSettings, starts_at: datetime) -> RoundTimes:
    """Heads-up one business day before, check-in halfway (whole days, so never at night), end after one period.

    All at the round's local time of day, so daylight-saving changes do not shift them.
    """
    tz = zone(settings.tz)
    local = starts_at.astimezone(tz)
    minute = local.hour * 60 + local.minute
    halfway = local.date() + timedelta(days=settings.cadence_weeks * 7 // 2)
    return RoundTimes(
        heads_up_at=_at_local(previous_business_day(local.date()), minute, tz),
        starts_at=starts_at,
        check_in_at=_at_local(halfway, minute, tz),
        ends_at=_at_local(local.date() + settings.period, minute, tz),
    )


class PauseDateError(ValueError):
    """A "pause until" date that can't be used; ``code`` is unparseable, no_such_day, past or too_far."""

    def __init__(self, code: str, phrase: str) -> None:
        super().__init__(f"{code}: {phrase}")
        self.code = code
        self.phrase = phrase


_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def resolve_pause_until(phrase: str, now: datetime, tz_name: str | None) -> date:
    """The local day someone comes back (a future day within a year): ISO dates or phrases like "next monday"."""
    text = " ".join(phrase.lower().split())
    tz = zone_or_utc(tz_name)
    today = now.astimezone(tz).date()
    if not text:
        raise PauseDateError("unparseable", phrase)
    if iso := _ISO.match(text):
        try:
            day = date(int(iso[1]), int(iso[2]), int(iso[3]))
        except ValueError:
            raise PauseDateError("no_such_day", phrase) from None
    else:
        parsed = dateparser.parse(
            text,
            languages=["en"],
            settings={
                "RELATIVE_BASE": now.astimezone(tz).replace(tzinfo=None),
                "PREFER_DATES_FROM": "future",
                "RETURN_AS_TIMEZONE_AWARE": False,
            },
        )
        if parsed is None:
            raise PauseDateError("unparseable", phrase)
        day = parsed.date()
    if day <= today:
        raise PauseDateError("past", phrase)
    if day - today > MAX_PAUSE:
        raise PauseDateError("too_far", phrase)
    return day


def start_of_day(day: date, tz_name: str | None) -> datetime:
    """Local midnight of ``day`` in UTC (a pause "until 10 Jan" ends as 10 Jan begins)."""
    return datetime.combine(day, time(0, 0), tzinfo=zone_or_utc(tz_name)).astimezone(UTC)


@dataclass(frozen=True, slots=True)
class WorkingDay:
    """A person's working window for meeting suggestions (local minutes, Monday–Friday)."""

    tz: str
    start_minute: int = DEFAULT_WORK_START
    end_minute: int = DEFAULT_WORK_END


def _working(at: datetime, person: WorkingDay) -> bool:
    local = at.astimezone(zone_or_utc(person.tz))
    if local.weekday() >= 5:
        return False
    minute = local.hour * 60 + local.minute
    if person.start_minute <= person.end_minute:
        return person.start_minute <= minute < person.end_minute
    return minute >= person.start_minute or minute < person.end_minute


def suggest_meeting_time(
    people: Sequence[WorkingDay], after: datetime, within: timedelta, length: timedelta = timedelta(minutes=30)
) -> datetime | None:
    """The first 30-minute slot (on the quarter hour) after ``after`` and within ``within`` inside everyone's hours."""
    step = timedelta(minutes=15)
    slot = after.astimezone(UTC).replace(second=0, microsecond=0)
    slot += timedelta(minutes=(-slot.minute) % 15)
    # Not in the next hour: people need a moment to read the intro first.
    slot += timedelta(hours=1)
    end = after + within
    while slot + length <= end:
        if all(_working(slot, p) and _working(slot + length - timedelta(minutes=1), p) for p in people):
            return slot
        slot += step
    return None


CONVERSATION_STARTERS = (
    "What's something you've worked on recently that you're proud of?",
    "What does a typical week look like in your team?",
    "What's a tool or habit that makes your work day better?",
    "What's the best piece of advice you've had at work?",
    "What are you learning at the moment, at work or outside it?",
    "If you could swap jobs with someone here for a week, whose would it be?",
    "What's one thing other teams often misunderstand about yours?",
    "What's a small win from this week?",
    "What got you into the work you do now?",
    "What's something you're looking forward to this month?",
)


def conversation_starter(seed: int, index: int) -> str:
    """A starter for the ``index``-th group of a round (varies by round through its seed)."""
    return CONVERSATION_STARTERS[(seed + index) % len(CONVERSATION_STARTERS)]


# --- records the service and storage exchange --------------------------------------------------------------------


class RoundStatus(StrEnum):
    """A round's progress."""

    SCHEDULED = "scheduled"
    STARTED = "started"
    DONE = "done"
    CANCELLED = "cancelled"


class JobKind(StrEnum):
    """The scheduled steps of a round."""

    HEADS_UP = "heads_up"
    START = "start"
    CHECK_IN = "check_in"
    SUMMARY = "summary"


@dataclass(frozen=True, slots=True)
class Program:
    """A channel's coffee programme."""

    id: int
    team_id: str
    channel_id: str
    status: ProgramStatus
    settings: ProgramSettings
    set_up_by: str


@dataclass(frozen=True, slots=True)
class MemberState:
    """A person's state in a programme (absent row = defaults)."""

    user_id: str
    in_channel: bool = True
    opted_in: bool = False
    left: bool = False
    paused_until: datetime | None = None
    skip_round_id: int | None = None
    ignored_rounds: int = 0
    set_aside: bool = False
    welcomed: bool = False
    heads_up_round_id: int | None = None


@dataclass(frozen=True, slots=True)
class Round:
    """One round of a programme."""

    id: int
    team_id: str
    program_id: int
    status: RoundStatus
    regular: bool
    seed: int
    times: RoundTimes
    pool_size: int = 0
    summary_ts: str | None = None


@dataclass(frozen=True, slots=True)
class GroupRecord:
    """A stored group of a round."""

    id: int
    team_id: str
    round_id: int
    member_ids: tuple[str, ...]
    reason: str
    channel_id: str | None = None
    intro_ts: str | None = None
    check_in_ts: str | None = None
    outcome: CheckIn | None = None
    answered_by: str | None = None


@dataclass(frozen=True, slots=True)
class CoffeeOutlook:
    """One coffee channel as its member sees it on the Home tab: the next round, and their group in the current one."""

    channel_id: str
    paused: bool = False  # the channel's programme is paused
    paused_until: datetime | None = None  # the member paused themselves
    next_round_at: datetime | None = None
    group_member_ids: tuple[str, ...] = ()
    group_channel_id: str | None = None


@dataclass(frozen=True, slots=True)
class Notice:
    """Someone in the pool who was not grouped this round."""

    round_id: int
    user_id: str
    reason: str
    text: str
    sent: bool = False


@dataclass(frozen=True, slots=True)
class Job:
    """A claimed step of a round."""

    id: int
    team_id: str
    round_id: int
    kind: JobKind
    due_at: datetime
    attempts: int = 0


# A step that failed retryably is tried again after 2, 4, 8, … minutes, at most 8 times in all; then it fails.
STEP_RETRIES = RetryPolicy(base=timedelta(minutes=2), cap=None, max_attempts=8)


# Why someone in the channel is not in this round's pool (their DM says so: never silence).
SITTING_OUT_TEXT = {
    "skipped": "You chose to skip this round — you'll be back in the next one.",
    "paused": "You've paused coffee rounds until {until}.",
}
