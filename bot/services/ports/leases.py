"""The port every kind of leased work offers the runner (bot.services.leased): where its rows are and how each
outcome is recorded.

Each call is one unit of work, so the runner never holds a transaction across a Slack call. A repository may offer
these methods itself, within the caller's unit of work (storage.repositories.coffee.SqlCoffeeJobRepository), and
bot.services.leased.UnitQueue then gives each call its own; nudges adapt theirs in a few lines
(bot.services.followups.delivery.NudgeQueue).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol, TypeVar

from bot.domain.leases import Claim
from bot.domain.outcomes import SendOutcome


class LeasedRow(Protocol):
    """What the runner reads of a claimed row."""

    @property
    def id(self) -> int: ...

    @property
    def team_id(self) -> str: ...

    @property
    def attempts(self) -> int:
        """Attempts counted before this claim."""
        ...


R = TypeVar("R", bound=LeasedRow)


class LeasedQueue(Protocol[R]):
    """One kind of leased work. As the runner sees it, each call is its own transaction; every update touches only
    the rows the worker still holds (storage.leases.update_held), so a worker whose lease expired changes nothing."""

    def claim(self, claim: Claim) -> list[R]:
        """Lease due rows as ``claim`` says, oldest first."""
        ...

    def release(self, rows: Sequence[R], worker_id: str, available_at: datetime, now: datetime) -> None:
        """Hand rows back unperformed, as they were (no attempt counted): claimable again at ``available_at``."""
        ...

    def defer(self, rows: Sequence[R], worker_id: str, available_at: datetime, error: str, now: datetime) -> None:
        """Slack asked us to wait (rate limited): not a failure; claimable again at ``available_at``."""
        ...

    def mark_done(self, rows: Sequence[R], worker_id: str, outcome: SendOutcome, now: datetime) -> None:
        """The work was done (``outcome`` names the message, where there is one)."""
        ...

    def mark_retry(
        self, rows: Sequence[R], worker_id: str, available_at: datetime, error: str, in_doubt: bool, now: datetime
    ) -> None:
        """A retryable failure, the attempt counted: claimable again at ``available_at``; ``in_doubt`` when Slack may
        have performed it after all."""
        ...

    def mark_refused(
        self, rows: Sequence[R], worker_id: str, error: str, available_at: datetime, now: datetime
    ) -> None:
        """Slack refused the workspace's token during the attempt, so nothing was done: undo whatever the attempt
        recorded and hand the rows back (claimable again at ``available_at``, the auth breaker's next probe)."""
        ...

    def mark_failed(self, rows: Sequence[R], worker_id: str, error: str, now: datetime) -> None:
        """End the rows for good with the reason (and whatever that means for the feature)."""
        ...
