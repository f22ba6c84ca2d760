"""The coffee jobs repository on SQLite and PostgreSQL: leased round steps, retries, failure, cancelling."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from bot.domain.coffee import Job, JobKind, RoundStatus
from bot.domain.leases import Claim
from bot.domain.outcomes import SendOutcome
from bot.services.ports import CoffeeJobRepository, UnitOfWork
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
        first = uow.coffee_jobs.claim(Claim("w1", NOW, lease, 10, team_id))
        uow.commit()
    with uow_factory() as uow:
        second = uow.coffee_jobs.claim(Claim("w2", NOW + timedelta(minutes=1), lease, 10, team_id))
        uow.commit()
    assert [(job.kind, job.round_id, job.due_at, job.attempts) for job in first] == [(JobKind.START, round_id, NOW, 0)]
    assert second == []
    with uow_factory() as uow:  # w1 crashed: after the lease, another worker takes the step over
        taken = uow.coffee_jobs.claim(Claim("w2", lease, lease + timedelta(minutes=5), 10, team_id))
        uow.coffee_jobs.mark_done(first, "w1", SendOutcome.success(), lease)
        assert uow.coffee_jobs.statuses(team_id, round_id)["start"] == "claimed", "a lost lease records no outcome"
        uow.coffee_jobs.mark_done(taken, "w2", SendOutcome.success(), lease)
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
        [claimed] = uow.coffee_jobs.claim(Claim("w", NOW, NOW + timedelta(minutes=5), 10, team_id))
        uow.coffee_jobs.mark_retry([claimed], "w", NOW + timedelta(minutes=2), "service_unavailable", False, NOW)
        uow.commit()
    with uow_factory() as uow:
        assert uow.coffee_jobs.claim(Claim("w", NOW + timedelta(minutes=1), NOW, 10, team_id)) == []
        again = uow.coffee_jobs.claim(Claim("w", NOW + timedelta(minutes=2), NOW + timedelta(minutes=7), 10, team_id))
        assert [(job.id, job.attempts) for job in again] == [(job_id, 1)]
        uow.coffee_jobs.mark_failed(again, "w", "channel_not_found", NOW)
        cancelled_ids = uow.coffee_rounds.cancel_scheduled_rounds(team_id, program_id, NOW)
        assert cancelled_ids == [round_id]
        uow.coffee_jobs.cancel_pending(team_id, cancelled_ids, NOW)
        uow.commit()
    with uow_factory() as uow:
        assert uow.coffee_jobs.statuses(team_id, round_id) == {"heads_up": "failed", "start": "cancelled"}
        cancelled = uow.coffee_rounds.round(team_id, round_id)
        assert cancelled is not None and cancelled.status == RoundStatus.CANCELLED
        assert uow.coffee_rounds.next_scheduled_round(team_id, program_id) is None


def test_a_step_handed_back_counts_no_attempt(uow_factory: Callable[[], UnitOfWork], team_id: str) -> None:
    with uow_factory() as uow:
        _, round_id = scheduled_round(uow, team_id)
        uow.coffee_jobs.add(team_id, round_id, JobKind.START, NOW, NOW)
        uow.commit()
    hand_backs: list[Callable[[CoffeeJobRepository, list[Job], datetime], None]] = [
        lambda jobs, held, at: jobs.release(held, "w", at, at),  # yielded at half the lease
        lambda jobs, held, at: jobs.defer(held, "w", at, "ratelimited", at),
        lambda jobs, held, at: jobs.mark_refused(held, "w", "invalid_auth", at, at),  # due at the breaker's probe
    ]
    now = NOW
    for hand_back in hand_backs:
        with uow_factory() as uow:
            held = uow.coffee_jobs.claim(Claim("w", now, now + timedelta(minutes=5), 10, team_id))
            assert [job.attempts for job in held] == [0]
            due = now + timedelta(seconds=30)
            hand_back(uow.coffee_jobs, held, due)
            assert uow.coffee_jobs.claim(Claim("w2", due - timedelta(seconds=1), due, 10, team_id)) == []
            uow.commit()
        now = due
    with uow_factory() as uow:
        assert uow.coffee_jobs.statuses(team_id, round_id) == {"start": "pending"}
