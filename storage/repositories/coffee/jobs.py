"""A round's scheduled steps (``coffee_jobs``: heads_up, start, check_in, summary), claimed by sweeps with a lease.

Every query is scoped by ``team_id`` except the sweep's claim, which serves every workspace at once (through the
partial index ``ix_coffee_jobs_claimable``). A claimed step's outcome is recorded only by the worker that still
holds it: once its lease expired and another worker took the step, the first one's writes change nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session

from bot.domain.coffee import Job, JobKind
from storage.leases import claim_statement, lease_criteria, update_held
from storage.models import CoffeeJobRow


def _job(row: CoffeeJobRow) -> Job:
    return Job(row.id, row.team_id, row.round_id, JobKind(row.kind), row.due_at, row.attempts)


class SqlCoffeeJobRepository:
    """The leased steps of coffee rounds."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, team_id: str, round_id: int, kind: JobKind, due_at: datetime, now: datetime) -> int:
        """Schedule a step of a round; claimable from ``due_at``."""
        row = CoffeeJobRow(
            team_id=team_id,
            round_id=round_id,
            kind=kind.value,
            due_at=due_at,
            available_at=due_at,
            status="pending",
            attempts=0,
            created_at=now,
            updated_at=now,
        )
        self._session.add(row)
        self._session.flush()
        return row.id

    def claim(
        self,
        worker_id: str,
        now: datetime,
        lease_until: datetime,
        limit: int,
        team_id: str | None = None,
        exclude_teams: Collection[str] = (),
    ) -> list[Job]:
        """Lease due steps, oldest first: of every workspace (or only ``team_id``'s) but the ``exclude_teams``."""
        table: Table = CoffeeJobRow.__table__  # type: ignore[assignment]
        criteria = lease_criteria(table, team_id, exclude_teams)
        statement = claim_statement(table, worker_id, now, lease_until, limit, criteria, also_set={"updated_at": now})
        rows = self._session.scalars(select(CoffeeJobRow).from_statement(statement))
        return sorted((_job(row) for row in rows), key=lambda job: (job.due_at, job.id))

    def _update_held(self, job_id: int, worker_id: str, **values: Any) -> bool:
        table: Table = CoffeeJobRow.__table__  # type: ignore[assignment]
        return update_held(self._session, table, [job_id], worker_id, values) > 0

    def finish(self, job_id: int, worker_id: str, now: datetime) -> bool:
        """The step is done (only if the worker still holds it)."""
        return self._update_held(job_id, worker_id, status="done", claimed_by=None, last_error=None, updated_at=now)

    def retry(self, job_id: int, worker_id: str, available_at: datetime, error: str, now: datetime) -> bool:
        """Give the step back to be tried again at ``available_at``."""
        return self._update_held(
            job_id,
            worker_id,
            status="pending",
            claimed_by=None,
            available_at=available_at,
            attempts=CoffeeJobRow.attempts + 1,
            last_error=error[:64],
            updated_at=now,
        )

    def release(self, job_id: int, worker_id: str, available_at: datetime, now: datetime) -> bool:
        """Hand a step back without counting an attempt (rate limited, or yielding a long step)."""
        return self._update_held(
            job_id, worker_id, status="pending", claimed_by=None, available_at=available_at, updated_at=now
        )

    def fail(self, job_id: int, worker_id: str, error: str, now: datetime) -> bool:
        """End the step for good with the reason."""
        return self._update_held(
            job_id, worker_id, status="failed", claimed_by=None, last_error=error[:64], updated_at=now
        )

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
