"""The leased-queue methods every table of scheduled jobs shares (coffee steps, mentoring jobs): claim, release,
defer, done, retry, refused, failed — each touching only rows the worker still holds (storage.leases)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy import Table, select

from bot.domain.leases import Claim
from bot.domain.outcomes import SendOutcome
from bot.services.ports.leases import LeasedRow
from storage.leases import claim_statement, update_held
from storage.repositories.common import SqlRepository

J = TypeVar("J", bound=LeasedRow)


class SqlJobQueue(SqlRepository, Generic[J]):
    """A ``LeasedQueue`` (bot.services.ports.leases) over one jobs table within the caller's unit of work.

    A subclass names its mapped class (``model``) and turns a row into its domain job (``job``). A job records what
    it sent as it goes, so a retried job is never in doubt and a rate-limited one counts no attempt."""

    model: ClassVar[type[Any]]

    def job(self, row: Any) -> J:
        """The domain job for a claimed row."""
        raise NotImplementedError

    @property
    def _table(self) -> Table:
        table: Table = self.model.__table__
        return table

    def claim(self, claim: Claim) -> list[J]:
        """Lease due jobs, oldest first: of every workspace (or only ``claim.team_id``'s) but the excluded ones."""
        statement = claim_statement(self._table, claim, also_set={"updated_at": claim.now})
        rows = self._session.scalars(select(self.model).from_statement(statement))
        return sorted((self.job(row) for row in rows), key=lambda job: (job.due_at, job.id))  # type: ignore[attr-defined]

    def _update_held(self, jobs: Sequence[J], worker_id: str, **values: Any) -> None:
        update_held(self._session, self._table, [job.id for job in jobs], worker_id, {"claimed_by": None, **values})

    def release(self, rows: Sequence[J], worker_id: str, available_at: datetime, now: datetime) -> None:
        """Hand jobs back without counting an attempt (yielding a long job, or its workspace is paused)."""
        self._update_held(rows, worker_id, status="pending", available_at=available_at, updated_at=now)

    def defer(self, rows: Sequence[J], worker_id: str, available_at: datetime, error: str, now: datetime) -> None:
        """Rate limited: not a failure, no attempt counted; what the job sent is recorded, the rest waits."""
        self.release(rows, worker_id, available_at, now)

    def mark_done(self, rows: Sequence[J], worker_id: str, outcome: SendOutcome, now: datetime) -> None:
        """The jobs are done."""
        self._update_held(rows, worker_id, status="done", last_error=None, updated_at=now)

    def mark_retry(
        self, rows: Sequence[J], worker_id: str, available_at: datetime, error: str, in_doubt: bool, now: datetime
    ) -> None:
        """A retryable failure, the attempt counted: tried again at ``available_at``."""
        self._update_held(
            rows,
            worker_id,
            status="pending",
            available_at=available_at,
            attempts=self.model.attempts + 1,
            last_error=error[:64],
            updated_at=now,
        )

    def mark_refused(
        self, rows: Sequence[J], worker_id: str, error: str, available_at: datetime, now: datetime
    ) -> None:
        """Slack refused the workspace's token: handed back as they were, due at the auth breaker's next probe."""
        self.release(rows, worker_id, available_at, now)

    def mark_failed(self, rows: Sequence[J], worker_id: str, error: str, now: datetime) -> None:
        """End the jobs for good with the reason."""
        self._update_held(rows, worker_id, status="failed", last_error=error[:64], updated_at=now)
