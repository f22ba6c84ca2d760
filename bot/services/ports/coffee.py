"""Ports coffee rounds use: programmes, members, rounds, groups and jobs; and Slack for channels and group DMs."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from bot.domain.coffee import (
    CheckIn,
    GroupRecord,
    Job,
    JobKind,
    MemberState,
    Notice,
    Program,
    ProgramSettings,
    ProgramStatus,
    Round,
    RoundTimes,
)
from bot.domain.matching import FairnessRecord
from bot.domain.outcomes import SendOutcome
from bot.services.ports.door import AuthProbe


class CoffeeRepository(Protocol):
    """Coffee rounds (storage.repositories.coffee.SqlCoffeeRepository); avoid lists are read only by their owner."""

    def program_for_channel(self, team_id: str, channel_id: str) -> Program | None: ...

    def program(self, team_id: str, program_id: int) -> Program | None: ...

    def save_program(
        self, team_id: str, channel_id: str, settings: ProgramSettings, set_up_by: str, now: datetime
    ) -> Program: ...

    def set_program_status(self, team_id: str, program_id: int, status: ProgramStatus, now: datetime) -> None: ...

    def member(self, team_id: str, program_id: int, user_id: str) -> MemberState: ...

    def members(self, team_id: str, program_id: int) -> dict[str, MemberState]: ...

    def update_member(
        self, team_id: str, program_id: int, user_id: str, now: datetime, **changes: Any
    ) -> MemberState: ...

    def claim_welcome(self, team_id: str, program_id: int, user_id: str, now: datetime) -> bool: ...

    def mark_in_channel(self, team_id: str, program_id: int, user_ids: Iterable[str], now: datetime) -> None: ...

    def intros(self, team_id: str, user_ids: Sequence[str]) -> dict[str, str]: ...

    def set_intro(self, team_id: str, user_id: str, intro: str, now: datetime) -> None: ...

    def add_avoid(self, team_id: str, user_id: str, avoided_id: str, now: datetime) -> bool: ...

    def remove_avoid(self, team_id: str, user_id: str, avoided_id: str) -> bool: ...

    def avoids_of(self, team_id: str, user_id: str) -> list[str]: ...

    def blocked_pairs(self, team_id: str, user_ids: Sequence[str]) -> set[frozenset[str]]: ...

    def last_met_pairs(self, team_id: str, since: datetime) -> dict[frozenset[str], datetime]: ...

    def set_interaction_notes(self, team_id: str, author_id: str, interaction_id: int, notes: str) -> bool: ...

    def add_round(
        self, team_id: str, program_id: int, seed: int, times: RoundTimes, regular: bool, now: datetime
    ) -> Round: ...

    def round(self, team_id: str, round_id: int) -> Round | None: ...

    def next_scheduled_round(self, team_id: str, program_id: int) -> Round | None: ...

    def latest_started_round(self, team_id: str, program_id: int) -> Round | None: ...

    def update_round(self, team_id: str, round_id: int, now: datetime, **values: Any) -> None: ...

    def cancel_scheduled_rounds(self, team_id: str, program_id: int, now: datetime) -> int: ...

    def add_groups(self, team_id: str, round_id: int, groups: Sequence[tuple[tuple[str, ...], str]]) -> None: ...

    def groups(self, team_id: str, round_id: int) -> list[GroupRecord]: ...

    def group(self, team_id: str, group_id: int) -> GroupRecord | None: ...

    def update_group(self, team_id: str, group_id: int, **values: Any) -> None: ...

    def answer_group(self, team_id: str, group_id: int, outcome: CheckIn, user_id: str, now: datetime) -> bool: ...

    def add_notices(self, team_id: str, round_id: int, notices: Sequence[Notice]) -> None: ...

    def notices(self, team_id: str, round_id: int) -> list[Notice]: ...

    def mark_notice_sent(self, team_id: str, round_id: int, user_id: str, now: datetime) -> None: ...

    def fairness(self, team_id: str, program_id: int) -> dict[str, FairnessRecord]: ...

    def save_fairness(self, team_id: str, program_id: int, ledger: dict[str, FairnessRecord]) -> None: ...

    def add_job(self, team_id: str, round_id: int, kind: JobKind, due_at: datetime, now: datetime) -> int: ...

    def claim_jobs(
        self,
        worker_id: str,
        now: datetime,
        lease_until: datetime,
        limit: int,
        team_id: str | None = None,
        exclude_teams: Collection[str] = (),
    ) -> list[Job]: ...

    def finish_job(self, job_id: int, worker_id: str, now: datetime) -> bool: ...

    def retry_job(self, job_id: int, worker_id: str, available_at: datetime, error: str, now: datetime) -> bool: ...

    def release_job(self, job_id: int, worker_id: str, available_at: datetime, now: datetime) -> bool: ...

    def fail_job(self, job_id: int, worker_id: str, error: str, now: datetime) -> bool: ...

    def job_statuses(self, team_id: str, round_id: int) -> dict[str, str]: ...


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
    """Slack as coffee rounds use it (bot.slack.coffee.SlackCoffeeAdapter): channel reads, group DMs, messages."""

    def channel_info(self, channel_id: str) -> tuple[SendOutcome, ChannelInfo | None]:
        """conversations.info: the outcome and the channel (None when Slack refused)."""
        ...

    def channel_members(self, channel_id: str) -> tuple[SendOutcome, list[str]]:
        """conversations.members, every page."""
        ...

    def is_admin(self, user_id: str) -> bool:
        """Whether Slack says the user is a workspace admin or owner (False when unknown)."""
        ...

    def open_group(self, user_ids: Sequence[str]) -> tuple[SendOutcome, str | None]:
        """conversations.open for a DM (one id) or a group DM (2–8 ids): the outcome and the channel id."""
        ...

    def post_message(
        self, channel: str, text: str, blocks: list[dict[str, Any]] | None = None, **kwargs: Any
    ) -> SendOutcome: ...
