"""Value objects of the coffee matcher: who is in the pool, what they did before, the channel's policy, the result."""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Literal

MINUTES_PER_DAY = 24 * 60
DEFAULT_WORK_START = 9 * 60
DEFAULT_WORK_END = 17 * 60


class PoolMode(StrEnum):
    """Which teams may be grouped together."""

    ANYONE = "anyone"
    PREFER_CROSS_TEAM = "prefer_cross_team"
    ONLY_CROSS_TEAM = "only_cross_team"
    ONLY_WITHIN_TEAM = "only_within_team"


@dataclass(frozen=True, slots=True)
class Member:
    """One person available for this round.

    `tz_offset_minutes` is the member's UTC offset at round time (the service resolves the Slack tz name, DST
    included); working hours are local minutes after midnight (an end before the start means a night shift).
    """

    user_id: str
    team: str = ""
    tz_offset_minutes: int = 0
    work_start_minutes: int = DEFAULT_WORK_START
    work_end_minutes: int = DEFAULT_WORK_END

    def __post_init__(self) -> None:
        if not self.user_id:
            raise ValueError("Member needs a user_id")
        for value in (self.work_start_minutes, self.work_end_minutes):
            if not 0 <= value <= MINUTES_PER_DAY:
                raise ValueError(f"working-hours minute {value} is outside 0..1440")

    @property
    def window_utc(self) -> tuple[int, int]:
        """The working window as (start minute of the UTC day, length in minutes)."""
        length = (self.work_end_minutes - self.work_start_minutes) % MINUTES_PER_DAY or MINUTES_PER_DAY
        return (self.work_start_minutes - self.tz_offset_minutes) % MINUTES_PER_DAY, length


@dataclass(frozen=True, slots=True)
class FairnessRecord:
    """A member's ledger entry: how often they were left out or put in a larger group, and when last."""

    times_left_out: int = 0
    times_in_larger_group: int = 0
    last_left_out: datetime | None = None
    last_in_larger_group: datetime | None = None


@dataclass(frozen=True, slots=True)
class PairHistory:
    """What the matcher knows about past pairs.

    `last_met` holds the latest logged interaction of any kind per pair (coffee rounds, `/met`, ...); `blocked` the
    private "never pair me with" pairs (confidential: never named in any reason text); `fairness` the ledger.
    """

    last_met: Mapping[frozenset[str], datetime] = field(default_factory=dict)
    blocked: Set[frozenset[str]] = frozenset()
    fairness: Mapping[str, FairnessRecord] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class MatchPolicy:
    """The channel's settings plus the weights of the objective (defaults are the product's)."""

    group_size: int = 2
    pool_mode: PoolMode = PoolMode.PREFER_CROSS_TEAM
    cooldown: timedelta = timedelta(weeks=8)
    # "Excluded when avoidable": a pair inside the cooldown is used only to place someone who could not be placed
    # otherwise. False makes the cooldown hard; such a person is then left out with reason only_recent_partners.
    repeat_if_unavoidable: bool = True
    base_weight: float = 1.0
    freshness_weight: float = 20.0
    repeat_decay: timedelta = timedelta(weeks=52)
    cross_team_weight: float = 3.0
    overlap_weight: float = 3.0
    full_overlap_hours: float = 6.0
    fairness_weight: float = 2.0
    fairness_decay: timedelta = timedelta(weeks=8)
    # Pools up to this size are solved exactly (blossom); larger ones by the assignment relaxation in blocks.
    exact_limit: int = 150
    # Even pools up to this size (pairs only) also look ahead so that first meetings stay possible later on.
    lookahead_limit: int = 60
    block_size: int = 300

    def __post_init__(self) -> None:
        if not 2 <= self.group_size <= 4:
            raise ValueError("group_size must be 2, 3 or 4")
        if self.cooldown < timedelta(0) or self.repeat_decay <= timedelta(0) or self.fairness_decay <= timedelta(0):
            raise ValueError("cooldown must be >= 0 and decays > 0")
        if self.base_weight <= 0:
            raise ValueError("base_weight must be positive so that grouping beats leaving people out")
        if min(self.freshness_weight, self.cross_team_weight, self.overlap_weight, self.fairness_weight) < 0:
            raise ValueError("weights must be non-negative")
        if self.full_overlap_hours <= 0 or self.block_size < 50 or self.exact_limit < 2:
            raise ValueError("full_overlap_hours > 0, block_size >= 50 and exact_limit >= 2 are required")


UnmatchedReason = Literal["pool_too_small", "no_eligible_partner", "only_recent_partners", "left_over"]


@dataclass(frozen=True, slots=True)
class Group:
    """One coffee group and the one-line reason it was formed."""

    member_ids: tuple[str, ...]
    reason: str


@dataclass(frozen=True, slots=True)
class Unmatched:
    """Someone available who was not grouped, with a machine reason and a sentence for their DM."""

    user_id: str
    reason: UnmatchedReason
    text: str


@dataclass(frozen=True, slots=True)
class MatchResult:
    """The outcome of one round; `seed` is stored with the round so it can be replayed."""

    groups: tuple[Group, ...]
    unmatched: tuple[Unmatched, ...]
    seed: int
    total_weight: float
    repeated_recent_pairs: int = 0
