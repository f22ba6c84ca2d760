"""What coffee use cases hand back to handlers and the scheduler, and the renderer port for scheduled messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from bot.domain.coffee import CheckIn, MemberState, Program, ProgramSettings, Round

Message = tuple[str, list[dict[str, Any]]]

NOW_ASK, NOW_REPLACE, NOW_EXTRA = "ask", "replace", "extra"  # `/coffee now` choices on a day with a round


@dataclass(frozen=True, slots=True)
class ChannelProblem:
    """Why /coffee can't run in this conversation; ``message`` is the reply (mrkdwn)."""

    code: str
    message: str


@dataclass(frozen=True, slots=True)
class Reply:
    """The answer to a command or click (mrkdwn); ``ok`` False for a refusal or an error."""

    text: str
    ok: bool = True


@dataclass(frozen=True, slots=True)
class RoundToday:
    """`/coffee now` on a day that already has a round: the organiser chooses to replace it or add an extra one."""

    channel_id: str
    round_id: int
    starts_at: datetime
    tz: str
    started: bool  # under way (or over): only an extra round is possible


@dataclass(frozen=True, slots=True)
class SettingsForm:
    """What the settings modal shows."""

    channel_id: str
    channel_name: str
    settings: ProgramSettings
    exists: bool


@dataclass(frozen=True, slots=True)
class StatusReport:
    """`/coffee status`."""

    channel_id: str
    channel_name: str
    program: Program | None
    next_round: Round | None
    pool_size: int
    member: MemberState
    now: datetime


@dataclass(frozen=True, slots=True)
class CheckInResult:
    """What a check-in click did; ``interaction_id`` is the clicker's own logged meeting (for the note)."""

    group_id: int
    outcome: CheckIn
    changed: bool
    answered_by: str
    interaction_id: int | None = None
    member_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class IntroPerson:
    """One person in a group intro."""

    user_id: str
    name: str
    title: str
    team: str
    tz: str
    intro: str = ""


@dataclass(frozen=True, slots=True)
class Intro:
    """Everything a group intro shows."""

    group_id: int
    channel_name: str
    people: tuple[IntroPerson, ...]
    reason: str
    starter: str
    suggested_at: datetime | None
    now: datetime
    check_in_at: datetime


@dataclass
class CoffeeSweepReport:
    """What one sweep did."""

    claimed: int = 0
    done: int = 0
    retried: int = 0
    deferred: int = 0  # rate limited: handed back to run after the wait
    yielded: int = 0  # long steps handed back at half their lease and taken up again
    failed: int = 0
    paused: int = 0  # handed back untouched: Slack refused the workspace's token (its auth breaker is open)
    messages: int = 0
    errors: dict[str, int] = field(default_factory=dict)


class CoffeeRenderer(Protocol):
    """Block Kit for scheduled messages (handlers.blocks.coffee.CoffeeMessages)."""

    def heads_up(self, channel_id: str, round_: Round, tz: str) -> Message: ...

    def intro(self, intro: Intro) -> Message: ...

    def not_grouped(self, channel_id: str, text: str) -> Message: ...

    def check_in(self, group_id: int, channel_id: str) -> Message: ...

    def summary(self, channel_id: str, met: int, scheduled: int, groups: int) -> Message: ...

    def set_aside(self, channel_id: str) -> Message: ...

    def welcome(self, channel_id: str, program: Program) -> Message: ...

    def channel_lost(self, channel_id: str, error: str) -> Message: ...
