"""A round's scheduled steps (``coffee_jobs``: heads_up, start, check_in, summary), claimed by sweeps with a lease.

Every query is scoped by ``team_id`` except the sweep's claim, which serves every workspace at once (through the
partial index ``ix_coffee_jobs_claimable``). A claimed step's outcome is recorded only by the worker that still
holds it: once its lease expired and another worker took the step, the first one's writes change nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update

from bot.domain.coffee import Job, JobKind
from storage.leases import add_pending
from storage.models import CoffeeJobRow
from storage.repositories.jobs import SqlJobQueue


class SqlCoffeeJobRepository(SqlJobQueue[Job]):
    """The leased steps of coffee rounds: a ``LeasedQueue`` of jobs (bot.services.ports.leases) within the caller's
    unit of work."""

    model = CoffeeJobRow

    def job(self, row: CoffeeJobRow) -> Job:
        """The domain step of a claimed row."""
        return Job(row.id, row.team_id, row.round_id, JobKind(row.kind), row.due_at, row.attempts)

    def add(self, team_id: str, round_id: int, kind: JobKind, due_at: datetime, now: datetime) -> int:
        """Schedule a step of a round; claimable from ``due_at``."""
        return add_pending(
            self._session, CoffeeJobRow, due_at, now, team_id=team_id, round_id=round_id, kind=kind.value
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
