"""Ports follow-ups use: nudges, cadences, nudge settings, contact history, and Slack for DMs."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from bot.domain.nudges import Cadence, NudgeKind, NudgeSettings, NudgeStatus, ScheduledNudge
from bot.domain.outcomes import SendOutcome
from bot.services.ports.door import AuthProbe

# A nudge to schedule with others: (user_id, contact_id, due_at, interaction_id).
NewNudge = tuple[str, str, datetime, int | None]


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
        self, team_id: str, user_id: str, contact_id: str, kind: NudgeKind, now: datetime, *, due_by: datetime
    ) -> int: ...

    def add_many(self, team_id: str, kind: NudgeKind, now: datetime, rows: Sequence[NewNudge]) -> None: ...

    def supersede_pending_many(
        self, team_id: str, kind: NudgeKind, now: datetime, pairs: Sequence[tuple[str, str, datetime]]
    ) -> None: ...

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

    def mark_refused(
        self, ids: Sequence[int], worker_id: str, error: str, available_at: datetime, now: datetime
    ) -> int: ...

    def get(self, team_id: str, user_id: str, nudge_id: int) -> ScheduledNudge | None: ...

    def resolve(
        self, team_id: str, user_id: str, nudge_id: int, status: NudgeStatus, now: datetime
    ) -> ScheduledNudge | None: ...

    def dm_channel(self, team_id: str, user_id: str) -> str | None: ...

    def list_for_user(
        self, team_id: str, user_id: str, statuses: Sequence[NudgeStatus] = ()
    ) -> list[ScheduledNudge]: ...

    def due_for_user(
        self, team_id: str, user_id: str, now: datetime, limit: int, count_up_to: int
    ) -> tuple[list[ScheduledNudge], int]: ...

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

    def latest_for_pairs(self, team_id: str, pairs: Sequence[tuple[str, str]]) -> dict[tuple[str, str], datetime]: ...

    def summaries(self, team_id: str, author_id: str, ids: Sequence[int]) -> dict[int, tuple[datetime, str, str]]: ...

    def summaries_by_author(self, team_id: str, authors: Mapping[int, str]) -> dict[int, tuple[datetime, str, str]]:
        """(happened_at, kind, notes) by interaction id, each only if written by the author given for it."""
        ...


class MessageSender(AuthProbe, Protocol):
    """Outbound Slack for scheduled work (bot.slack.gateway.SlackGateway satisfies it); every call names the
    workspace it acts for (``team_id``) and is made with that workspace's token."""

    def post_message(
        self, channel: str, text: str, blocks: list[dict[str, Any]] | None = None, *, team_id: str, **kwargs: Any
    ) -> SendOutcome: ...

    def update_message(
        self,
        channel: str,
        ts: str,
        text: str,
        blocks: list[dict[str, Any]] | None = None,
        *,
        team_id: str,
        **kwargs: Any,
    ) -> SendOutcome: ...

    def open_dm(self, user_id: str, *, team_id: str) -> tuple[SendOutcome, str | None]:
        """conversations.open for a 1:1 DM: the outcome and the channel id."""
        ...

    def recent_messages(
        self, channel: str, oldest: float | None = None, limit: int = 100, *, team_id: str
    ) -> tuple[SendOutcome, list[dict[str, Any]]]:
        """conversations.history (with metadata): the outcome and the newest messages first."""
        ...
