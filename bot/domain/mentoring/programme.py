"""The mentoring programme around the engine: match states, programme settings, leased jobs, the first-meeting
agenda, and the warm-intro privacy rule (pure; the service does the I/O).

Decisions:

- **A pair's life is one row** (``MatchStatus``): suggested → requested → active ⇄ paused → ended, or declined /
  expired / passed. A mentee left unmatched by a cycle gets a row with no mentor carrying the reason, so the DM
  telling them is sent exactly once like any other. Rejected: separate tables per state, which made
  "every pair this mentee has seen" a union.
- **History forbids rematching.** A pair that is requested, active, paused, declined or ended is excluded from
  every later cycle and from "show another" (``EXCLUDING``); a suggestion that was only passed on may come back.
- **Warm intros never leak a private log.** A contact appears in someone else's suggestion only when that contact
  opted in (``share_contacts``) — then only the name, never notes or dates; otherwise only a coffee group both
  people were in (a fact both already saw). ``warm_path`` decides it from sets the service reads.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.domain.mentoring.profile import MentoringProfile
from bot.domain.mentoring.score import Preset

DEFAULT_CADENCE_WEEKS = 4
DEFAULT_REQUEST_DAYS = 7
CHECK_IN_EVERY = timedelta(weeks=4)
MAX_MANAGERS = 10
CADENCES = (2, 4, 8, 12)  # weeks: fortnightly, monthly, bimonthly, quarterly


class MatchStatus(StrEnum):
    """Where a mentee-mentor pair stands."""

    PROPOSED = "proposed"  # in a cycle an admin has not published yet
    SUGGESTED = "suggested"
    REQUESTED = "requested"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    ACTIVE = "active"
    PAUSED = "paused"
    ENDED = "ended"
    PASSED = "passed"  # "Not now", "Show another", a dropped cycle, or superseded by the next cycle


EXCLUDING = frozenset(
    {
        MatchStatus.REQUESTED,
        MatchStatus.ACCEPTED,
        MatchStatus.DECLINED,
        MatchStatus.ACTIVE,
        MatchStatus.PAUSED,
        MatchStatus.ENDED,
        MatchStatus.EXPIRED,
    }
)
HOLDING = frozenset({MatchStatus.ACTIVE, MatchStatus.PAUSED})  # what takes one of the mentor's slots
BUSY = frozenset({MatchStatus.REQUESTED, MatchStatus.ACTIVE, MatchStatus.PAUSED})  # a mentee with one is not cycled


class JobKind(StrEnum):
    """Leased mentoring work."""

    CYCLE = "cycle"  # run a matching cycle (ref: none); schedules the next by cadence
    SEND = "send"  # DM a published cycle's suggestions and waitlist (ref: cycle id)
    EXPIRE = "expire"  # a request nobody answered (ref: match id)
    CHECK_IN = "check_in"  # "still meeting?" (ref: match id)


@dataclass(frozen=True, slots=True)
class MentorJob:
    """A claimed mentoring job."""

    id: int
    team_id: str
    kind: JobKind
    ref_id: int | None
    due_at: datetime
    attempts: int = 0


@dataclass(frozen=True, slots=True)
class ProgrammeSettings:
    """How the workspace runs mentoring."""

    cadence_weeks: int = DEFAULT_CADENCE_WEEKS
    preset: Preset = Preset.BALANCED
    review_first: bool = False
    managers: tuple[str, ...] = ()
    request_days: int = DEFAULT_REQUEST_DAYS

    def __post_init__(self) -> None:
        if self.cadence_weeks not in CADENCES:
            raise ValueError(f"cadence must be one of {CADENCES} weeks")
        if not 1 <= self.request_days <= 30:
            raise ValueError("requests expire after 1 to 30 days")
        if len(self.managers) > MAX_MANAGERS:
            raise ValueError(f"at most {MAX_MANAGERS} programme managers")


@dataclass(frozen=True, slots=True)
class StoredProfile:
    """A profile as stored, with what the programme keeps beside it."""

    profile: MentoringProfile
    share_contacts: bool = False
    slots_taken: int = 0
    waitlisted_since: datetime | None = None

    @property
    def free_slots(self) -> int:
        """Slots left (never negative: a lowered capacity leaves current matches alone)."""
        return max(0, self.profile.capacity - self.slots_taken) if self.profile.role.mentors else 0


@dataclass(frozen=True, slots=True)
class Match:
    """A pair (or an unmatched mentee: ``mentor_id`` empty) as stored."""

    id: int
    team_id: str
    cycle_id: int | None
    mentee_id: str
    mentor_id: str
    status: MatchStatus
    score: int
    why: str
    notified_at: datetime | None = None
    requested_at: datetime | None = None
    expires_at: datetime | None = None
    channel_id: str | None = None


@dataclass(frozen=True, slots=True)
class Cycle:
    """A stored cycle."""

    id: int
    team_id: str
    status: str  # proposed / published / dropped
    requested_by: str | None
    total_score: int
    certified: bool


class Accepted(StrEnum):
    """What an Accept click came to."""

    ACCEPTED = "accepted"
    FULL = "full"  # the mentor's last slot went to someone else first
    GONE = "gone"  # the request was answered, withdrawn or expired already


def next_cycle_at(now: datetime, cadence_weeks: int) -> datetime:
    """When the next scheduled cycle runs."""
    return now + timedelta(weeks=cadence_weeks)


def first_meeting_agenda(goals: str) -> tuple[str, ...]:
    """A short agenda for the first meeting (the mentee's goals are shown beside it, rendered inert)."""
    return (
        "Introductions: your roles, your paths so far",
        "The mentee's goals — what would make the next three months a success?"
        if goals
        else "What the mentee wants to learn first",
        "How often to meet, and how to reach each other in between",
        "One small thing to try before the next meeting",
    )


@dataclass(frozen=True, slots=True)
class WarmPath:
    """Someone who could introduce the two (or a shared coffee group, when nobody may be named)."""

    via: str | None  # the user id of the shared contact, only if they opted in
    coffee_channel: str | None  # a coffee channel where both were grouped with each other


def warm_path(
    mentee_contacts: Collection[str],
    mentor_contacts: Collection[str],
    opted_in: Collection[str],
    shared_coffee: Collection[str],
    exclude: Collection[str] = (),
) -> WarmPath | None:
    """A warm path between a mentee and a mentor: a contact both met who opted in to being mentioned (smallest id
    first, so the choice is stable), else a coffee channel both belong to (a fact both already see), else None.
    A contact who did not opt in never appears, whatever else holds; nor does anyone in ``exclude`` (the pair)."""
    shared = sorted((set(mentee_contacts) & set(mentor_contacts) & set(opted_in)) - set(exclude))
    if shared:
        return WarmPath(shared[0], None)
    if shared_coffee:
        return WarmPath(None, sorted(shared_coffee)[0])
    return None
