"""Nudge policy: when follow-ups and keep-in-touch reminders fall due, when they may be delivered, how they group.

Pure: the clock (``now``) is always an argument and every datetime must be timezone-aware. Results are in UTC.

Working hours are judged by the person's *wall clock*: an instant is deliverable when, in their zone, its weekday
is a working day and its time of day lies in ``[start, end)``. ``end <= start`` means the window runs past midnight
into the next day (a night shift; ``start == end`` is a 24-hour window). Daylight-saving gaps and repeated hours are
handled by reasoning about instants, never by naive wall-clock arithmetic.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain.leases import RetryPolicy
from bot.domain.models import Person
from bot.domain.zones import zone_or_utc

WORKING_DAYS = frozenset(range(5))  # Monday..Friday as datetime.weekday() numbers
ALL_DAYS = frozenset(range(7))
DEFAULT_START = time(9, 0)
DEFAULT_END = time(17, 0)
DEFAULT_FOLLOW_UP_DAYS = 7
DEFAULT_MAX_PER_DIGEST = 10  # one digest carries a section + actions per nudge; Slack caps a message at 50 blocks
# Delivered this long after its natural delivery time, a nudge counts as late and says when it was due.
DEFAULT_LATE_GRACE = timedelta(hours=1)
# Search horizon for the next deliverable instant; any weekly window recurs within 8 days, the margin covers a
# window swallowed by a DST gap on one date.
_SEARCH_DAYS = 15


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")


@dataclass(frozen=True, slots=True)
class WorkingHours:
    """When a person accepts nudges: local ``[start, end)`` on ``days`` (0 = Monday) in IANA zone ``tz``."""

    start: time = DEFAULT_START
    end: time = DEFAULT_END
    days: frozenset[int] = WORKING_DAYS
    tz: str = "UTC"

    def __post_init__(self) -> None:
        if not self.days:
            raise ValueError("working hours need at least one day")
        if not self.days <= ALL_DAYS:
            raise ValueError("working days are weekday numbers 0 (Monday) to 6 (Sunday)")
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("working hours are local wall-clock times without tzinfo")
        try:
            ZoneInfo(self.tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone: {self.tz!r}") from None

    @property
    def zone(self) -> ZoneInfo:
        """The person's zone (ZoneInfo caches instances, so this is cheap)."""
        return ZoneInfo(self.tz)

    @property
    def overnight(self) -> bool:
        """True when the window runs past midnight (``end <= start``)."""
        return self.end <= self.start


def is_within_working_hours(at: datetime, hours: WorkingHours) -> bool:
    """Whether instant ``at`` falls inside the person's working hours and days, by their wall clock."""
    _require_aware(at, "at")
    local = at.astimezone(hours.zone)
    clock = local.time()
    weekday = local.weekday()
    if not hours.overnight:
        return weekday in hours.days and hours.start <= clock < hours.end
    if clock >= hours.start:
        return weekday in hours.days
    if clock < hours.end:
        return (weekday - 1) % 7 in hours.days  # the tail of a window that started the previous day
    return False


def _offset_at(timestamp: int, zone: ZoneInfo) -> timedelta | None:
    return datetime.fromtimestamp(timestamp, zone).utcoffset()


def _transitions(lower: datetime, upper: datetime, zone: ZoneInfo) -> list[datetime]:
    """UTC-offset changes of ``zone`` in ``(lower, upper]`` (at most one per call; zones change at most daily)."""
    low = math.floor(lower.timestamp())
    high = math.ceil(upper.timestamp())
    before = _offset_at(low, zone)
    if before == _offset_at(high, zone):
        return []
    # tzdata transitions fall on whole UTC seconds, so bisecting integer timestamps finds them exactly.
    while high - low > 1:
        middle = (low + high) // 2
        if _offset_at(middle, zone) == before:
            low = middle
        else:
            high = middle
    return [datetime.fromtimestamp(high, UTC)]


def _rising_edge_candidates(day: date, hours: WorkingHours, zone: ZoneInfo) -> list[datetime]:
    """Every instant on local ``day`` at which the working-hours predicate can switch from false to true.

    The wall clock moves continuously except at offset transitions, so the predicate can only become true when the
    wall clock reaches ``start`` (once per fold), at midnight (weekday change), or at a transition (a jump over
    ``start``, or back below ``end``). Extra candidates are harmless: each is re-checked against the predicate.
    """
    candidates = [
        datetime.combine(day, wall, tzinfo=zone).replace(fold=fold).astimezone(UTC)
        for wall in (hours.start, time(0))
        for fold in (0, 1)
    ]
    day_start = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
    next_day_start = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    candidates.extend(_transitions(day_start - timedelta(hours=3), next_day_start, zone))
    return candidates


def next_delivery_time(due: datetime, hours: WorkingHours) -> datetime:
    """The first instant at or after ``due`` inside the person's working hours and days (in UTC)."""
    _require_aware(due, "due")
    # Normalise first: Python never calls an instant in a repeated hour equal to one in another zone (PEP 495).
    due = due.astimezone(UTC)
    if is_within_working_hours(due, hours):
        return due
    zone = hours.zone
    first_day = due.astimezone(zone).date()
    for offset in range(_SEARCH_DAYS):
        day = first_day + timedelta(days=offset)
        deliverable = [
            candidate
            for candidate in _rising_edge_candidates(day, hours, zone)
            if candidate >= due and is_within_working_hours(candidate, hours)
        ]
        if deliverable:
            return min(deliverable)
    raise ValueError(f"no deliverable instant within {_SEARCH_DAYS} days of {due.isoformat()}")  # pragma: no cover


def follow_up_due(happened_at: datetime, delay_days: int) -> datetime:
    """When a follow-up falls due: ``delay_days`` after the interaction happened (not after it was logged)."""
    _require_aware(happened_at, "happened_at")
    if delay_days < 0:
        raise ValueError("delay_days must not be negative")
    return (happened_at + timedelta(days=delay_days)).astimezone(UTC)


def latest_interaction(happened_ats: Iterable[datetime]) -> datetime | None:
    """The most recent ``happened_at`` among all interactions with a person (back-filled ones included), or None."""
    latest: datetime | None = None
    for happened_at in happened_ats:
        _require_aware(happened_at, "happened_at")
        if latest is None or happened_at > latest:
            latest = happened_at
    return latest


def cadence_due(
    last_interaction_at: datetime | None,
    cadence_start: datetime,
    every_days: int,
    *,
    last_nudged_at: datetime | None = None,
) -> datetime:
    """When a keep-in-touch reminder falls due.

    The clock runs from the last interaction's ``happened_at`` (use ``latest_interaction``), so any logged
    interaction — including a back-filled one — resets it; with no interaction yet it runs from ``cadence_start``.
    After a reminder was sent, the next one waits a full period from ``last_nudged_at`` so an ignored reminder
    does not repeat every sweep.
    """
    _require_aware(cadence_start, "cadence_start")
    if every_days < 1:
        raise ValueError("every_days must be at least 1")
    period = timedelta(days=every_days)
    anchor = cadence_start if last_interaction_at is None else last_interaction_at
    _require_aware(anchor, "last_interaction_at")
    due = anchor + period
    if last_nudged_at is not None:
        _require_aware(last_nudged_at, "last_nudged_at")
        if last_nudged_at >= anchor:
            due = max(due, last_nudged_at + period)
    return due.astimezone(UTC)


def days_since(last: datetime, now: datetime, tz: str = "UTC") -> int:
    """Whole calendar days between ``last`` and ``now`` in zone ``tz`` (never negative)."""
    _require_aware(last, "last")
    _require_aware(now, "now")
    zone = zone_or_utc(tz)
    return max(0, (now.astimezone(zone).date() - last.astimezone(zone).date()).days)


def is_paused(paused_until: datetime | None, now: datetime) -> bool:
    """Whether nudges are paused at ``now``."""
    _require_aware(now, "now")
    if paused_until is None:
        return False
    _require_aware(paused_until, "paused_until")
    return now < paused_until


def resume_at(day: date, tz: str) -> datetime:
    """The instant a pause "until ``day``" ends: the start of that day in the person's zone (UTC result)."""
    zone = zone_or_utc(tz)
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def is_late(due_at: datetime, now: datetime, hours: WorkingHours, grace: timedelta = DEFAULT_LATE_GRACE) -> bool:
    """Whether delivering at ``now`` is late (e.g. after downtime) rather than merely shifted into working hours."""
    _require_aware(now, "now")
    return now > next_delivery_time(due_at, hours) + grace


# Nudge deliveries back off from 30 s, doubling per attempt up to an hour, and retry until they work or fail for good.
NUDGE_RETRIES = RetryPolicy(base=timedelta(seconds=30), cap=timedelta(hours=1))


class NudgeKind(StrEnum):
    """Why a nudge exists."""

    FOLLOW_UP = "follow_up"
    CADENCE = "cadence"


@dataclass(frozen=True, slots=True)
class DueNudge:
    """One nudge whose time has come, with what its message needs.

    ``met_at`` is the interaction's ``happened_at`` for a follow-up, and the latest interaction (or None) for a
    keep-in-touch reminder. ``contact`` is what the message calls the person: a name, or a ``<@U…>`` mention.
    ``topic`` is the author's own note text: show it only in the author's DM and never log it.
    """

    id: int
    team_id: str
    user_id: str
    contact_id: str
    kind: NudgeKind
    due_at: datetime
    contact: str = ""
    met_at: datetime | None = None
    interaction_kind: str = ""
    topic: str = ""
    every_days: int | None = None


@dataclass(frozen=True, slots=True)
class Delivery:
    """One message to one person: a single nudge, or a digest of several.

    ``ready`` is True when it may be sent now; otherwise ``deliver_at`` is when its nudges should be due again.
    """

    team_id: str
    user_id: str
    nudges: tuple[DueNudge, ...]
    deliver_at: datetime
    ready: bool

    @property
    def is_digest(self) -> bool:
        """True when several nudges travel in this one message."""
        return len(self.nudges) > 1


def _chunks(items: Sequence[DueNudge], size: int) -> list[tuple[DueNudge, ...]]:
    return [tuple(items[index : index + size]) for index in range(0, len(items), size)]


def group_into_deliveries(
    due_nudges: Sequence[DueNudge],
    now: datetime,
    hours_by_user: Mapping[str, WorkingHours],
    digest_enabled_by_user: Mapping[str, bool],
    *,
    paused_until_by_user: Mapping[str, datetime | None] | None = None,
    max_per_digest: int = DEFAULT_MAX_PER_DIGEST,
) -> list[Delivery]:
    """Turn due nudges into messages: per person, everything deliverable now goes out as one digest (or singly when
    their digest is off or only one is ready); the rest comes back not ready, with its next delivery time.

    A person missing from ``hours_by_user`` gets default working hours in UTC; missing from
    ``digest_enabled_by_user`` means digests on. A pause holds nudges until it ends (they are not dropped).
    A digest carries at most ``max_per_digest`` nudges; more are split into several digests.
    """
    _require_aware(now, "now")
    now = now.astimezone(UTC)
    if max_per_digest < 1:
        raise ValueError("max_per_digest must be at least 1")
    pauses = paused_until_by_user or {}
    by_person: dict[tuple[str, str], list[DueNudge]] = {}
    for nudge in due_nudges:
        by_person.setdefault((nudge.team_id, nudge.user_id), []).append(nudge)

    deliveries: list[Delivery] = []
    for (team_id, user_id), nudges in by_person.items():
        hours = hours_by_user.get(user_id) or WorkingHours()
        digest = digest_enabled_by_user.get(user_id, True)
        paused_until = pauses.get(user_id)
        by_time: dict[datetime, list[DueNudge]] = {}
        for nudge in sorted(nudges, key=lambda item: (item.due_at, item.id)):
            earliest = max(nudge.due_at, now)  # an overdue nudge still waits for working hours
            if is_paused(paused_until, now):
                assert paused_until is not None
                earliest = max(earliest, paused_until)
            deliver_at = next_delivery_time(earliest, hours)
            key = now if deliver_at <= now else deliver_at
            by_time.setdefault(key, []).append(nudge)
        for deliver_at, group in sorted(by_time.items()):
            ready = deliver_at <= now
            batches = _chunks(group, max_per_digest) if digest else [(nudge,) for nudge in group]
            deliveries.extend(
                Delivery(team_id=team_id, user_id=user_id, nudges=batch, deliver_at=deliver_at, ready=ready)
                for batch in batches
            )
    return deliveries


def format_day(value: datetime, tz: str = "UTC") -> str:
    """A short local date label such as 'Mon 23 Nov'."""
    local = value.astimezone(zone_or_utc(tz))
    return f"{local:%a} {local.day} {local:%b}"


def _ago(days: int) -> str:
    if days == 0:
        return "earlier today"
    if days == 1:
        return "yesterday"
    return f"{days} days ago"


def _late_suffix(late_due: datetime | None, tz: str) -> str:
    return "" if late_due is None else f" (due {format_day(late_due, tz)})"


def follow_up_text(
    contact: str,
    met_at: datetime,
    now: datetime,
    tz: str = "UTC",
    *,
    interaction_kind: str = "",
    topic: str = "",
    late_due: datetime | None = None,
) -> str:
    """'You met Dana 7 days ago (lunch — Q3 launch). Follow up?' — with '(due Mon 23 Nov)' when ``late_due``."""
    if interaction_kind.strip() == "introduction":
        ago = _ago(days_since(met_at, now, tz))
        return f"You introduced {contact} to someone {ago}. Did they connect?{_late_suffix(late_due, tz)}"
    details = " — ".join(part for part in (interaction_kind.strip(), topic.strip()) if part)
    context = f" ({details})" if details else ""
    return f"You met {contact} {_ago(days_since(met_at, now, tz))}{context}. Follow up?{_late_suffix(late_due, tz)}"


def cadence_text(
    contact: str,
    last_interaction_at: datetime | None,
    now: datetime,
    tz: str = "UTC",
    *,
    every_days: int | None = None,
    late_due: datetime | None = None,
) -> str:
    """'It's been 64 days since you talked to Lee.' — with '(due Mon 23 Nov)' when ``late_due``."""
    suffix = _late_suffix(late_due, tz)
    if last_interaction_at is None:
        period = f" every {every_days} days" if every_days else ""
        return f"Time to catch up with {contact}: you asked to keep in touch{period}.{suffix}"
    days = days_since(last_interaction_at, now, tz)
    if days == 0:
        return f"Time to catch up with {contact}.{suffix}"
    unit = "day" if days == 1 else "days"
    return f"It's been {days} {unit} since you talked to {contact}.{suffix}"


def nudge_text(nudge: DueNudge, now: datetime, hours: WorkingHours) -> str:
    """The message line for one nudge, mentioning its original date when it is delivered late."""
    late_due = nudge.due_at if is_late(nudge.due_at, now, hours) else None
    contact = nudge.contact or f"<@{nudge.contact_id}>"
    if nudge.kind is NudgeKind.FOLLOW_UP and nudge.met_at is not None:
        return follow_up_text(
            contact,
            nudge.met_at,
            now,
            hours.tz,
            interaction_kind=nudge.interaction_kind,
            topic=nudge.topic,
            late_due=late_due,
        )
    return cadence_text(contact, nudge.met_at, now, hours.tz, every_days=nudge.every_days, late_due=late_due)


def digest_text(delivery: Delivery, now: datetime, hours: WorkingHours) -> str:
    """Plain-text body of a delivery: the single line, or a header plus one bullet per nudge."""
    lines = [nudge_text(nudge, now, hours) for nudge in delivery.nudges]
    if len(lines) == 1:
        return lines[0]
    people = len({nudge.contact_id for nudge in delivery.nudges})
    header = f"{people} people to catch up with:" if people == len(lines) else f"{len(lines)} reminders for you:"
    return "\n".join([header, *(f"• {line}" for line in lines)])


class NudgeStatus(StrEnum):
    """Life cycle of a nudge row: pending → claimed → sent → done/snoozed/dismissed, or failed/superseded."""

    PENDING = "pending"  # waiting for available_at
    CLAIMED = "claimed"  # a sweep holds it until available_at (its lease)
    SENT = "sent"  # delivered; waiting for the person's answer
    DONE = "done"  # the person followed up
    SNOOZED = "snoozed"  # replaced by a later nudge
    DISMISSED = "dismissed"  # "Not needed"
    FAILED = "failed"  # permanent Slack error or the recipient is gone; last_error says why
    SUPERSEDED = "superseded"  # a newer interaction with the contact made it moot


CLAIMABLE_STATUSES = (NudgeStatus.PENDING, NudgeStatus.CLAIMED)
OPEN_STATUSES = (NudgeStatus.PENDING, NudgeStatus.CLAIMED, NudgeStatus.SENT)
SNOOZE_CHOICES = (1, 3, 7)  # days offered on the Snooze menu
CADENCE_CHOICES = {"monthly": 30, "quarterly": 90}  # "Keep in touch" menu


@dataclass(frozen=True, slots=True)
class NudgeSettings:
    """A person's nudge preferences; the defaults apply until they change them."""

    default_follow_up_days: int = DEFAULT_FOLLOW_UP_DAYS
    work_start: time = DEFAULT_START
    work_end: time = DEFAULT_END
    work_days: frozenset[int] = WORKING_DAYS
    paused_until: datetime | None = None
    digest_enabled: bool = True

    def __post_init__(self) -> None:
        if not 0 <= self.default_follow_up_days <= 365:
            raise ValueError("default_follow_up_days must be between 0 (never) and 365")
        if not self.work_days or not self.work_days <= ALL_DAYS:
            raise ValueError("work_days are weekday numbers 0 (Monday) to 6 (Sunday), at least one")
        if self.work_start.tzinfo is not None or self.work_end.tzinfo is not None:
            raise ValueError("working hours are local wall-clock times without tzinfo")
        if self.paused_until is not None:
            _require_aware(self.paused_until, "paused_until")

    def hours(self, tz: str) -> WorkingHours:
        """These working hours in the person's zone (UTC when the zone is unknown)."""
        return WorkingHours(start=self.work_start, end=self.work_end, days=self.work_days, tz=zone_or_utc(tz).key)


@dataclass(frozen=True, slots=True)
class CadenceInfo:
    """A keep-in-touch cadence as the person sees it."""

    contact_id: str
    every_days: int
    last_interaction_at: datetime | None
    next_due_at: datetime


def cadence_info(cadence: Cadence) -> CadenceInfo:
    """A stored cadence as the person sees it (its next date computed when the row has none yet)."""
    return CadenceInfo(
        contact_id=cadence.contact_id,
        every_days=cadence.every_days,
        last_interaction_at=cadence.last_interaction_at,
        next_due_at=cadence.next_due_at
        or cadence_due(cadence.last_interaction_at, cadence.created_at, cadence.every_days),
    )


@dataclass(frozen=True, slots=True)
class ScheduledNudge:
    """A nudge row as storage returns it."""

    id: int
    team_id: str
    user_id: str
    contact_id: str
    kind: NudgeKind
    due_at: datetime
    available_at: datetime
    status: NudgeStatus
    interaction_id: int | None = None
    attempts: int = 0
    in_doubt: bool = False
    last_error: str | None = None
    sent_channel: str | None = None
    sent_ts: str | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Cadence:
    """A keep-in-touch cadence row as storage returns it."""

    id: int
    team_id: str
    user_id: str
    contact_id: str
    every_days: int
    active: bool
    created_at: datetime
    last_interaction_at: datetime | None = None
    last_nudged_at: datetime | None = None
    next_due_at: datetime | None = None


# Why a due nudge ends without a message (the code its row records); Slack's own names where Slack has one.
USER_NOT_FOUND = "user_not_found"
USER_DELETED = "user_deleted"
USER_IS_BOT = "user_is_bot"
CONTACT_DEACTIVATED = "contact_deactivated"


def undeliverable(recipient: Person | None, contact: Person | None, *, contact_missing: bool = False) -> str | None:
    """Why a nudge cannot be delivered, as the code its row ends with; None when it can.

    ``recipient`` is None when Slack says they do not exist; ``contact_missing`` when Slack says so of the contact.
    A contact not known at all (``contact`` None, not missing) does not stop the nudge: it names them by mention.
    """
    if recipient is None:
        return USER_NOT_FOUND
    if recipient.deleted:
        return USER_DELETED
    if recipient.is_bot:
        return USER_IS_BOT
    if contact_missing or (contact is not None and contact.deleted):
        return CONTACT_DEACTIVATED
    return None


def due_nudge(
    row: ScheduledNudge,
    contact: Person | None,
    summary: tuple[datetime, str, str] | None,
    cadence: Cadence | None,
) -> DueNudge:
    """What a due nudge's message needs: the contact's name, and when and how they last met (``summary``: the
    interaction's (happened_at, kind, notes) for a follow-up; a keep-in-touch reminder's comes from its cadence)."""
    met_at = summary[0] if summary else (cadence.last_interaction_at if cadence is not None else None)
    return DueNudge(
        id=row.id,
        team_id=row.team_id,
        user_id=row.user_id,
        contact_id=row.contact_id,
        kind=row.kind,
        due_at=row.due_at,
        contact=contact.label if contact is not None else "",
        met_at=met_at,
        interaction_kind=summary[1] if summary else "",
        topic=summary[2] if summary else "",
        every_days=cadence.every_days if cadence is not None else None,
    )
