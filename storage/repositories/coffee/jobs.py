"""A round's scheduled steps (``coffee_jobs``: heads_up, start, check_in, summary), claimed by sweeps with a lease.

Every query is scoped by ``team_id`` except the sweep's claim, which serves every workspace at once (through the
partial index ``ix_coffee_jobs_claimable``). A claimed step's outcome is recorded only by the worker that still
holds it: once its lease expired and another worker took the step, the first one's writes change nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session

from bot.domain.coffee import Job, JobKind
from bot.domain.leases import Claim
from bot.domain.outcomes import SendOutcome
from storage.leases import add_pending, claim_statement, update_held
from storage.models import CoffeeJobRow

_JOBS: Table = CoffeeJobRow.__table__  # type: ignore[assignment]


def _job(row: CoffeeJobRow) -> Job:
    return Job(row.id, row.team_id, row.round_id, JobKind(row.kind), row.due_at, row.attempts)


class SqlCoffeeJobRepository:
    """The leased steps of coffee rounds: a ``LeasedQueue`` of jobs (bot.services.ports.leases) within the caller's
    unit of work."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, team_id: str, round_id: int, kind: JobKind, due_at: datetime, now: datetime) -> int:
        """Schedule a step of a round; claimable from ``due_at``."""
        return add_pending(
            self._session, CoffeeJobRow, due_at, now, team_id=team_id, round_id=round_id, kind=kind.value
        )

    def claim(self, claim: Claim) -> list[Job]:
        """Lease due steps, oldest first: of every workspace (or only ``claim.team_id``'s) but the excluded ones."""
        statement = claim_statement(_JOBS, claim, also_set={"updated_at": claim.now})
        rows = self._session.scalars(select(CoffeeJobRow).from_statement(statement))
        return sorted((_job(row) for row in rows), key=lambda job: (job.due_at, job.id))

    def _update_held(self, jobs: Sequence[Job], worker_id: str, **values: Any) -> None:
        update_held(self._session, _JOBS, [job.id for job in jobs], worker_id, {"claimed_by": None, **values})

    def release(self, rows: Sequence[Job], worker_id: str, available_at: datetime, now: datetime) -> None:
        """Hand steps back without counting an attempt (yielding a long step, or its workspace is paused)."""
        self._update_held(rows, worker_id, status="pending", available_at=available_at, updated_at=now)

    def defer(self, rows: Sequence[Job], worker_id: str, available_at: datetime, error: str, now: datetime) -> None:
        """Rate limited: not a failure, no attempt counted; what the step sent is recorded, the rest waits."""
        self.release(rows, worker_id, available_at, now)

    def mark_done(self, rows: Sequence[Job], worker_id: str, outcome: SendOutcome, now: datetime) -> None:
        """The steps are done."""
        self._update_held(rows, worker_id, status="done", last_error=None, updated_at=now)

    def mark_retry(
        self, rows: Sequence[Job], worker_id: str, available_at: datetime, error: str, in_doubt: bool, now: datetime
    ) -> None:
        """A retryable failure, the attempt counted: tried again at ``available_at`` (a step records each message it
        sends, so a step is never in doubt)."""
        self._update_held(
            rows,
            worker_id,
            status="pending",
            available_at=available_at,
            attempts=CoffeeJobRow.attempts + 1,
            last_error=error[:64],
            updated_at=now,
        )

    def mark_refused(
        self, rows: Sequence[Job], worker_id: str, error: str, available_at: datetime, now: datetime
    ) -> None:
        """Slack refused the workspace's token: handed back as they were (a step counts no attempt before it runs),
        due at the auth breaker's next probe."""
        self.release(rows, worker_id, available_at, now)

    def mark_failed(self, rows: Sequence[Job], worker_id: str, error: str, now: datetime) -> None:
        """End the steps for good with the reason."""
        self._update_held(rows, worker_id, status="failed", last_error=error[:64], updated_at=now)

    def cancel_pending(self, team_id: str, round_ids: Sequence[int], now: datetime) -> None:
        """Cancel the pending steps of these (cancelled) rounds."""
        if not round_ids:
            return
        self._session.execute(
            update(CoffeeJobRow)
            .where(
                CoffeeJobRow.team_id == team_id,
                CoffeeJobRow.round_id.in_(list(round_ids)),
                CoffeeJobRow.status == "pending",
            )
            .values(status="cancelled", updated_at=now)
        )

    def statuses(self, team_id: str, round_id: int) -> dict[str, str]:
        """kind → status of a round's steps (for status output and tests)."""
        rows = self._session.execute(
            select(CoffeeJobRow.kind, CoffeeJobRow.status).where(
                CoffeeJobRow.team_id == team_id, CoffeeJobRow.round_id == round_id
            )
        )
        return {kind: status for kind, status in rows}
