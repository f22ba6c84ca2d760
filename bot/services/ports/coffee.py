"""Ports coffee rounds use: one per repository (programmes, rounds, jobs), and Slack for channels and group DMs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from bot.domain.coffee import (
    CheckIn,
    CoffeeOutlook,
    GroupRecord,
    Job,
    JobKind,
    MemberState,
    Notice,
    Program,
    ProgramSettings,
    ProgramStatus,
    Round,
    RoundStatus,
    RoundTimes,
)
from bot.domain.matching import FairnessRecord
from bot.domain.outcomes import SendOutcome
from bot.services.ports.door import AuthProbe
from bot.services.ports.leases import LeasedQueue


class CoffeeProgrammeRepository(Protocol):
    """Programmes, member state, intro lines and private avoid lists
    (storage.repositories.coffee.SqlCoffeeProgrammeRepository); avoid lists are read back only by their owner."""

    def program_for_channel(self, team_id: str, channel_id: str) -> Program | None: ...

    def program(self, team_id: str, program_id: int) -> Program | None: ...

    def save_program(
        self, team_id: str, channel_id: str, settings: ProgramSettings, set_up_by: str, now: datetime
    ) -> Program: ...

    def set_program_status(self, team_id: str, program_id: int, status: ProgramStatus, now: datetime) -> None: ...

    def member(self, team_id: str, program_id: int, user_id: str) -> MemberState: ...

    def members(self, team_id: str, program_id: int) -> dict[str, MemberState]: ...

    def join(self, team_id: str, program_id: int, user_id: str, now: datetime) -> None: ...

    def leave(self, team_id: str, program_id: int, user_id: str, now: datetime) -> None: ...

    def skip_round(self, team_id: str, program_id: int, user_id: str, round_id: int, now: datetime) -> None: ...

    def pause_until(self, team_id: str, program_id: int, user_id: str, until: datetime, now: datetime) -> None: ...

    def set_in_channel(self, team_id: str, program_id: int, user_id: str, in_channel: bool, now: datetime) -> None: ...

    def mark_heads_up(self, team_id: str, program_id: int, user_id: str, round_id: int, now: datetime) -> None: ...

    def reset_ignored_rounds(self, team_id: str, program_id: int, user_id: str, now: datetime) -> None: ...

    def record_ignored_round(
        self, team_id: str, program_id: int, user_id: str, ignored_rounds: int, set_aside: bool, now: datetime
    ) -> None: ...

    def claim_welcome(self, team_id: str, program_id: int, user_id: str, now: datetime) -> bool: ...

    def release_welcome(self, team_id: str, program_id: int, user_id: str, now: datetime) -> None: ...

    def mark_in_channel(self, team_id: str, program_id: int, user_ids: Iterable[str], now: datetime) -> None: ...

    def intros(self, team_id: str, user_ids: Sequence[str]) -> dict[str, str]: ...

    def set_intro(self, team_id: str, user_id: str, intro: str, now: datetime) -> None: ...

    def add_avoid(self, team_id: str, user_id: str, avoided_id: str, now: datetime) -> bool: ...

    def remove_avoid(self, team_id: str, user_id: str, avoided_id: str) -> bool: ...

    def avoids_of(self, team_id: str, user_id: str) -> list[str]: ...

    def blocked_pairs(self, team_id: str, user_ids: Sequence[str]) -> set[frozenset[str]]: ...


class CoffeeRoundRepository(Protocol):
    """Rounds, their groups and notices, and fairness ledgers (storage.repositories.coffee.SqlCoffeeRoundRepository)."""

    def add_round(
        self, team_id: str, program_id: int, seed: int, times: RoundTimes, regular: bool, now: datetime
    ) -> Round: ...

    def round(self, team_id: str, round_id: int) -> Round | None: ...

    def next_scheduled_round(self, team_id: str, program_id: int) -> Round | None: ...

    def outlook(self, team_id: str, user_id: str, now: datetime, limit: int) -> list[CoffeeOutlook]: ...

    def latest_started_round(self, team_id: str, program_id: int) -> Round | None: ...

    def mark_started(self, team_id: str, round_id: int, pool_size: int, now: datetime) -> None: ...

    def set_round_status(self, team_id: str, round_id: int, status: RoundStatus, now: datetime) -> None: ...

    def record_summary(self, team_id: str, round_id: int, summary_ts: str, now: datetime) -> None: ...

    def cancel_scheduled_rounds(self, team_id: str, program_id: int, now: datetime) -> list[int]: ...

    def add_groups(self, team_id: str, round_id: int, groups: Sequence[tuple[tuple[str, ...], str]]) -> None: ...

    def groups(self, team_id: str, round_id: int) -> list[GroupRecord]: ...

    def group(self, team_id: str, group_id: int) -> GroupRecord | None: ...

    def set_group_channel(self, team_id: str, group_id: int, channel_id: str) -> None: ...

    def record_intro(self, team_id: str, group_id: int, intro_ts: str | None) -> None: ...

    def record_check_in(self, team_id: str, group_id: int, check_in_ts: str) -> None: ...

    def record_group_error(self, team_id: str, group_id: int, error: str) -> None: ...

    def answer_group(self, team_id: str, group_id: int, outcome: CheckIn, user_id: str, now: datetime) -> bool: ...

    def add_notices(self, team_id: str, round_id: int, notices: Sequence[Notice]) -> None: ...

    def notices(self, team_id: str, round_id: int) -> list[Notice]: ...

    def mark_notice_sent(self, team_id: str, round_id: int, user_id: str, now: datetime) -> None: ...

    def fairness(self, team_id: str, program_id: int) -> dict[str, FairnessRecord]: ...

    def save_fairness(self, team_id: str, program_id: int, ledger: dict[str, FairnessRecord]) -> None: ...


class CoffeeJobRepository(LeasedQueue[Job], Protocol):
    """The rounds' leased steps (storage.repositories.coffee.SqlCoffeeJobRepository): the runner's queue of jobs
    (bot.services.leased.UnitQueue gives each of its calls its own unit of work), and their scheduling."""

    def add(self, team_id: str, round_id: int, kind: JobKind, due_at: datetime, now: datetime) -> int: ...

    def cancel_pending(self, team_id: str, round_ids: Sequence[int], now: datetime) -> None: ...

    def statuses(self, team_id: str, round_id: int) -> dict[str, str]: ...


@dataclass(frozen=True, slots=True)
class ChannelInfo:
    """What coffee rounds need to know about a conversation (conversations.info)."""

    id: str
    name: str
    is_im: bool = False
    is_mpim: bool = False
    is_archived: bool = False
    is_member: bool = True
    is_private: bool = False


class CoffeeSlack(AuthProbe, Protocol):
    """Slack as coffee rounds use it (bot.slack.coffee.SlackCoffeeAdapter): channel reads, group DMs, messages.
    Every call names the workspace it acts for (``team_id``): it is made with that workspace's token."""

    def channel_info(self, channel_id: str, *, team_id: str) -> tuple[SendOutcome, ChannelInfo | None]:
        """conversations.info: the outcome and the channel (None when Slack refused)."""
        ...

    def channel_members(self, channel_id: str, *, team_id: str) -> tuple[SendOutcome, list[str]]:
        """conversations.members, every page."""
        ...

    def is_admin(self, user_id: str, *, team_id: str) -> bool:
        """Whether Slack says the user is a workspace admin or owner (False when unknown)."""
        ...

    def open_group(self, user_ids: Sequence[str], *, team_id: str) -> tuple[SendOutcome, str | None]:
        """conversations.open for a DM (one id) or a group DM (2–8 ids): the outcome and the channel id."""
        ...

    def post_message(
        self, channel: str, text: str, blocks: list[dict[str, Any]] | None = None, *, team_id: str, **kwargs: Any
    ) -> SendOutcome: ...
