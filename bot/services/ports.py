"""Ports the services depend on; adapters in storage/ and bot/slack/ implement them."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol, Self

from bot.domain.breaker import AuthBreaker
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
from bot.domain.models import Interaction, NewInteraction, Person
from bot.domain.nudges import Cadence, NudgeKind, NudgeSettings, NudgeStatus, ScheduledNudge


class Clock(Protocol):
    """Source of the current time (timezone-aware)."""

    def now(self) -> datetime:
        """Return the current time."""
        ...


class WorkspaceRepository(Protocol):
    """Workspaces Rapport serves."""

    def ensure(self, team_id: str, now: datetime, name: str = "") -> None:
        """Create the workspace row if it does not exist yet."""
        ...


class PeopleRepository(Protocol):
    """The directory cache."""

    def get(self, team_id: str, user_id: str) -> tuple[Person, datetime] | None:
        """A cached person and when they were refreshed, or None."""
        ...

    def upsert(self, person: Person, refreshed_at: datetime) -> None:
        """Insert or refresh a cached person."""
        ...

    def get_many(self, team_id: str, user_ids: list[str]) -> dict[str, Person]:
        """Cached people by id (missing ids are absent)."""
        ...

    def get_many_refreshed(self, team_id: str, user_ids: list[str]) -> dict[str, tuple[Person, datetime]]:
        """Cached people by id with when each was refreshed (missing ids are absent)."""
        ...


class InteractionRepository(Protocol):
    """Logged interactions; notes are only ever returned to their author."""

    def add(self, new: NewInteraction, created_at: datetime) -> Interaction:
        """Record an interaction and return it with its id."""
        ...

    def add_once(self, new: NewInteraction, created_at: datetime, submission_key: str) -> Interaction | None:
        """Record an interaction unless one with this submission key exists (a retried modal): None then."""
        ...

    def by_submission_key(self, team_id: str, author_id: str, submission_key: str) -> Interaction | None:
        """The author's interaction stored from this submission, if any."""
        ...

    def list_for_author(
        self, team_id: str, author_id: str, *, with_user: str | None = None, limit: int = 10
    ) -> list[Interaction]:
        """The author's most recent interactions, newest first, optionally only those with ``with_user``."""
        ...

    def latest_for_author(self, team_id: str, author_id: str) -> Interaction | None:
        """The author's most recently *logged* interaction."""
        ...

    def delete_for_author(self, team_id: str, author_id: str, interaction_id: int) -> Interaction | None:
        """Delete one of the author's own interactions; None when it is not theirs or is gone."""
        ...


class NudgeRepository(Protocol):
    """Nudge rows; outcome updates only touch rows the worker still holds."""

    def add(
        self,
        team_id: str,
        user_id: str,
        contact_id: str,
        kind: NudgeKind,
        due_at: datetime,
        now: datetime,
        *,
        interaction_id: int | None = None,
    ) -> int: ...

    def supersede_pending(
        self, team_id: str, user_id: str, contact_id: str, kind: NudgeKind, now: datetime, *, due_before: datetime
    ) -> int: ...

    def claim(
        self,
        worker_id: str,
        now: datetime,
        lease_until: datetime,
        limit: int,
        team_id: str | None = None,
        exclude_teams: Collection[str] = (),
    ) -> list[ScheduledNudge]: ...

    def mark_attempt(self, ids: Sequence[int], worker_id: str, now: datetime, lease_until: datetime) -> int: ...

    def release(self, ids: Sequence[int], worker_id: str, available_at: datetime, now: datetime) -> int: ...

    def mark_sent(
        self, ids: Sequence[int], worker_id: str, channel: str | None, ts: str | None, now: datetime
    ) -> int: ...

    def mark_retry(
        self, ids: Sequence[int], worker_id: str, available_at: datetime, error: str, in_doubt: bool, now: datetime
    ) -> int: ...

    def mark_failed(self, ids: Sequence[int], worker_id: str, error: str, now: datetime) -> int: ...

    def mark_refused(self, ids: Sequence[int], worker_id: str, error: str, now: datetime) -> int: ...

    def get(self, team_id: str, user_id: str, nudge_id: int) -> ScheduledNudge | None: ...

    def resolve(
        self, team_id: str, user_id: str, nudge_id: int, status: NudgeStatus, now: datetime
    ) -> ScheduledNudge | None: ...

    def dm_channel(self, team_id: str, user_id: str) -> str | None: ...

    def list_for_user(
        self, team_id: str, user_id: str, statuses: Sequence[NudgeStatus] = ()
    ) -> list[ScheduledNudge]: ...

    def status_counts(self, team_id: str) -> dict[str, int]: ...


class CadenceRepository(Protocol):
    """Keep-in-touch cadences."""

    def get(self, team_id: str, user_id: str, contact_id: str) -> Cadence | None: ...

    def upsert(
        self,
        team_id: str,
        user_id: str,
        contact_id: str,
        every_days: int,
        last_interaction_at: datetime | None,
        next_due_at: datetime,
        now: datetime,
    ) -> Cadence: ...

    def update_clock(
        self, cadence_id: int, last_interaction_at: datetime, next_due_at: datetime, now: datetime
    ) -> None: ...

    def deactivate(self, team_id: str, user_id: str, contact_id: str, now: datetime) -> bool: ...

    def list_active(self, team_id: str, user_id: str) -> list[Cadence]: ...

    def due(self, now: datetime, limit: int, team_id: str | None = None) -> list[Cadence]: ...

    def advance(self, cadence_id: int, expected_due: datetime, next_due_at: datetime, nudged_at: datetime) -> bool: ...

    def for_contacts(self, team_id: str, user_id: str, contact_ids: Sequence[str]) -> dict[str, Cadence]: ...

    def for_pairs(self, team_id: str, pairs: Sequence[tuple[str, str]]) -> dict[tuple[str, str], Cadence]: ...


class NudgeSettingsRepository(Protocol):
    """Per-person nudge settings (absent = defaults)."""

    def get(self, team_id: str, user_id: str) -> NudgeSettings | None: ...

    def get_many(self, team_id: str, user_ids: Sequence[str]) -> dict[str, NudgeSettings]: ...

    def save(self, team_id: str, user_id: str, settings: NudgeSettings, now: datetime) -> None: ...


class ContactHistory(Protocol):
    """What follow-ups read about the author's interactions."""

    def latest_with(self, team_id: str, author_id: str, contact_id: str) -> datetime | None: ...

    def summaries(self, team_id: str, author_id: str, ids: Sequence[int]) -> dict[int, tuple[datetime, str, str]]: ...

    def summaries_by_author(self, team_id: str, authors: Mapping[int, str]) -> dict[int, tuple[datetime, str, str]]:
        """(happened_at, kind, notes) by interaction id, each only if written by the author given for it."""
        ...


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


class AuthBreakerRepository(Protocol):
    """Per-workspace auth breakers (storage.repositories.breakers); changed by compare-and-set only."""

    def get(self, team_id: str) -> AuthBreaker | None: ...

    def open_breakers(self, team_id: str | None = None) -> list[AuthBreaker]: ...

    def open(self, breaker: AuthBreaker, now: datetime) -> bool: ...

    def take_probe(self, expected: AuthBreaker, after: AuthBreaker, now: datetime) -> bool: ...

    def close(self, team_id: str, opened_at: datetime, now: datetime) -> bool: ...


class SeenRequests(Protocol):
    """Keys of inbound Slack requests already processed, shared by every replica (the replay guard)."""

    def first_time(self, keys: Sequence[tuple[str, str, datetime]], team_id: str) -> bool:
        """Record every (kind, key, expires_at); True only when none of them had been seen (atomic per key)."""
        ...

    def purge(self, now: datetime) -> int:
        """Delete the keys that expired before ``now``; returns how many."""
        ...


class UnitOfWork(Protocol):
    """A transaction boundary: rolls back on exit unless ``commit()`` was called."""

    @property
    def workspaces(self) -> WorkspaceRepository: ...

    @property
    def people(self) -> PeopleRepository: ...

    @property
    def interactions(self) -> InteractionRepository: ...

    @property
    def nudges(self) -> NudgeRepository: ...

    @property
    def cadences(self) -> CadenceRepository: ...

    @property
    def nudge_settings(self) -> NudgeSettingsRepository: ...

    @property
    def contact_history(self) -> ContactHistory: ...

    @property
    def coffee(self) -> CoffeeRepository: ...

    @property
    def breakers(self) -> AuthBreakerRepository: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None:
        """Commit the work done so far."""
        ...


UnitOfWorkFactory = Callable[[], UnitOfWork]


class DirectoryLookupError(Exception):
    """Slack could not be asked about a user right now (network, rate limit, auth); ``code`` says why."""

    @property
    def code(self) -> str:
        """Slack's error code (or the network failure's name)."""
        return str(self.args[0]) if self.args else "unknown_error"


class SlackDirectory(Protocol):
    """Reads people from Slack (users.info, users.list)."""

    def fetch_person(self, team_id: str, user_id: str) -> Person | None:
        """The person as Slack knows them, or None when Slack says the user does not exist."""
        ...

    def fetch_all(self, team_id: str) -> list[Person]:
        """Everyone in the workspace, deactivated people included (users.list, every page)."""
        ...


class SendOutcome(Protocol):
    """The classified result of one Slack call (bot.slack.errors.SendResult satisfies it)."""

    @property
    def ok(self) -> bool: ...

    @property
    def ts(self) -> str | None: ...

    @property
    def channel(self) -> str | None: ...

    @property
    def retryable(self) -> bool: ...

    @property
    def error(self) -> str | None: ...

    @property
    def retry_after(self) -> float | None: ...


class AuthProbe(Protocol):
    """Asks Slack whether a workspace's token works (auth.test); bot.slack.gateway.SlackGateway satisfies it."""

    def check_auth(self, team_id: str) -> SendOutcome:
        """auth.test with the token Rapport uses for ``team_id``."""
        ...


class MessageSender(AuthProbe, Protocol):
    """Outbound Slack for scheduled work (bot.slack.gateway.SlackGateway satisfies it)."""

    def post_message(
        self, channel: str, text: str, blocks: list[dict[str, Any]] | None = None, **kwargs: Any
    ) -> SendOutcome: ...

    def update_message(
        self, channel: str, ts: str, text: str, blocks: list[dict[str, Any]] | None = None, **kwargs: Any
    ) -> SendOutcome: ...

    def open_dm(self, user_id: str) -> tuple[SendOutcome, str | None]:
        """conversations.open for a 1:1 DM: the outcome and the channel id."""
        ...

    def recent_messages(
        self, channel: str, oldest: float | None = None, limit: int = 100
    ) -> tuple[SendOutcome, list[dict[str, Any]]]:
        """conversations.history (with metadata): the outcome and the newest messages first."""
        ...


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
