"""Mentoring's leased jobs (``mentor_jobs``: cycle, send, expire, check_in), claimed by sweeps like coffee steps.

Every query is scoped by ``team_id`` except the sweep's claim, which serves every workspace at once (through the
partial index ``ix_mentor_jobs_claimable``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from bot.domain.mentoring.programme import JobKind, MentorJob
from storage.leases import add_pending
from storage.models.mentoring import MentorJobRow
from storage.repositories.jobs import SqlJobQueue


class SqlMentorJobRepository(SqlJobQueue[MentorJob]):
    """Mentoring jobs as a ``LeasedQueue`` within the caller's unit of work."""

    model = MentorJobRow

    def job(self, row: MentorJobRow) -> MentorJob:
        """The domain job of a claimed row."""
        return MentorJob(row.id, row.team_id, JobKind(row.kind), row.ref_id, row.due_at, row.attempts)

    def add(self, team_id: str, kind: JobKind, ref_id: int | None, due_at: datetime, now: datetime) -> int:
        """Schedule a job; claimable from ``due_at``."""
        return add_pending(self._session, MentorJobRow, due_at, now, team_id=team_id, kind=kind.value, ref_id=ref_id)

    def next_due(self, team_id: str, kind: JobKind) -> datetime | None:
        """When the next pending job of ``kind`` is due (the next scheduled cycle, for status)."""
        return self._session.scalar(
            select(MentorJobRow.due_at)
            .where(MentorJobRow.team_id == team_id, MentorJobRow.kind == kind.value, MentorJobRow.status == "pending")
            .order_by(MentorJobRow.due_at)
            .limit(1)
        )

    def cancel_pending(self, team_id: str, kind: JobKind, now: datetime) -> None:
        """Cancel the pending jobs of ``kind`` (the cadence changed: the next cycle is rescheduled)."""
        self._session.execute(
            update(MentorJobRow)
            .where(MentorJobRow.team_id == team_id, MentorJobRow.kind == kind.value, MentorJobRow.status == "pending")
            .values(status="cancelled", updated_at=now)
            .execution_options(synchronize_session=False)
        )
