"""The coffee jobs repository on SQLite and PostgreSQL: leased round steps, retries, failure, cancelling."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from bot.domain.coffee import JobKind, RoundStatus
from bot.services.ports import UnitOfWork
from tests.storage.coffee_setup import NOW, scheduled_round


def test_round_steps_are_leased_once_and_reclaimed_after_the_lease(
    uow_factory: Callable[[], UnitOfWork], team_id: str
) -> None:
    with uow_factory() as uow:
        _, round_id = scheduled_round(uow, team_id)
        uow.coffee_jobs.add(team_id, round_id, JobKind.START, NOW, NOW)
        uow.coffee_jobs.add(team_id, round_id, JobKind.SUMMARY, NOW + timedelta(days=7), NOW)
        uow.commit()
    lease = NOW + timedelta(minutes=5)
    with uow_factory() as uow:
        first = uow.coffee_jobs.claim("w1", NOW, lease, 10, team_id)
        uow.commit()
    with uow_factory() as uow:
        second = uow.coffee_jobs.claim("w2", NOW + timedelta(minutes=1), lease, 10, team_id)
        uow.commit()
    assert [(job.kind, job.round_id, job.due_at, job.attempts) for job in first] == [(JobKind.START, round_id, NOW, 0)]
    assert second == []
    with uow_factory() as uow:  # w1 crashed: after the lease, another worker takes the step over
        taken = uow.coffee_jobs.claim("w2", lease, lease + timedelta(minutes=5), 10, team_id)
        assert not uow.coffee_jobs.finish(first[0].id, "w1", lease), "a lost lease cannot record an outcome"
        assert uow.coffee_jobs.finish(taken[0].id, "w2", lease)
        uow.commit()
    with uow_factory() as uow:
        assert uow.coffee_jobs.statuses(team_id, round_id) == {"start": "done", "summary": "pending"}


def test_retry_and_failure_and_cancelling_a_round(uow_factory: Callable[[], UnitOfWork], team_id: str) -> None:
    with uow_factory() as uow:
        program_id, round_id = scheduled_round(uow, team_id)
        job_id = uow.coffee_jobs.add(team_id, round_id, JobKind.HEADS_UP, NOW, NOW)
        uow.coffee_jobs.add(team_id, round_id, JobKind.START, NOW + timedelta(days=1), NOW)
        uow.commit()
    with uow_factory() as uow:
        uow.coffee_jobs.claim("w", NOW, NOW + timedelta(minutes=5), 10, team_id)
        assert uow.coffee_jobs.retry(job_id, "w", NOW + timedelta(minutes=2), "ratelimited", NOW)
        uow.commit()
    with uow_factory() as uow:
        assert uow.coffee_jobs.claim("w", NOW + timedelta(minutes=1), NOW, 10, team_id) == []
        again = uow.coffee_jobs.claim("w", NOW + timedelta(minutes=2), NOW + timedelta(minutes=7), 10, team_id)
        assert again[0].attempts == 1
        assert uow.coffee_jobs.fail(job_id, "w", "channel_not_found", NOW)
        cancelled_ids = uow.coffee_rounds.cancel_scheduled_rounds(team_id, program_id, NOW)
        assert cancelled_ids == [round_id]
        uow.coffee_jobs.cancel_pending(team_id, cancelled_ids, NOW)
        uow.commit()
    with uow_factory() as uow:
        assert uow.coffee_jobs.statuses(team_id, round_id) == {"heads_up": "failed", "start": "cancelled"}
        cancelled = uow.coffee_rounds.round(team_id, round_id)
        assert cancelled is not None and cancelled.status == RoundStatus.CANCELLED
        assert uow.coffee_rounds.next_scheduled_round(team_id, program_id) is None
