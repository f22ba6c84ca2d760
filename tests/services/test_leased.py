"""The leased-job runner with work claimed one job at a time, as coffee round steps are: an in-memory queue (the
runner's port) and the real auth breakers in SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import ManualClock
from bot.domain.leases import Claim, RetryPolicy
from bot.domain.outcomes import SendOutcome
from bot.services.breakers import AuthBreakers
from bot.services.leased import Batch, LeasedRunner, LeaseLost, LeaseReport, Running, Task
from bot.services.ports import UnitOfWork

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
LEASE = timedelta(minutes=5)
POLICY = RetryPolicy(base=timedelta(minutes=2), cap=None, max_attempts=3)


@dataclass
class Job:
    """A row of leased work, as a coffee step's."""

    id: int
    team_id: str
    attempts: int = 0
    status: str = "pending"
    available_at: datetime = NOW
    claimed_by: str | None = None
    last_error: str | None = None
    sent: list[str] = field(default_factory=list)  # what the step has posted so far (its recorded progress)


class JobQueue:
    """One job per task; every update only while the worker still holds the job (as storage.leases does)."""

    def __init__(self, jobs: list[Job]) -> None:
        self.jobs = {job.id: job for job in jobs}
        self.lock = threading.Lock()

    def claim(self, claim: Claim) -> list[Job]:
        with self.lock:
            due = [
                job
                for job in sorted(self.jobs.values(), key=lambda job: (job.available_at, job.id))
                if job.status in ("pending", "claimed")
                and job.available_at <= claim.now
                and job.team_id not in claim.exclude_teams
                and claim.team_id in (None, job.team_id)
            ][: claim.limit]
            for job in due:
                job.status, job.claimed_by, job.available_at = "claimed", claim.worker_id, claim.lease_until
            return [Job(job.id, job.team_id, job.attempts) for job in due]  # a snapshot, as a claim returns

    def _held(self, rows: Sequence[Job], worker_id: str, **values: object) -> None:
        with self.lock:
            for row in rows:
                job = self.jobs[row.id]
                if job.status == "claimed" and job.claimed_by == worker_id:
                    for name, value in {"claimed_by": None, **values}.items():
                        setattr(job, name, value)

    def release(self, rows: Sequence[Job], worker_id: str, available_at: datetime, now: datetime) -> None:
        self._held(rows, worker_id, status="pending", available_at=available_at)

    def defer(self, rows: Sequence[Job], worker_id: str, available_at: datetime, error: str, now: datetime) -> None:
        self.release(rows, worker_id, available_at, now)

    def mark_done(self, rows: Sequence[Job], worker_id: str, outcome: SendOutcome, now: datetime) -> None:
        self._held(rows, worker_id, status="done", last_error=None)

    def mark_retry(
        self, rows: Sequence[Job], worker_id: str, available_at: datetime, error: str, in_doubt: bool, now: datetime
    ) -> None:
        attempts = {row.id: self.jobs[row.id].attempts + 1 for row in rows}
        for row in rows:
            values = {"status": "pending", "available_at": available_at, "last_error": error}
            self._held([row], worker_id, attempts=attempts[row.id], **values)

    def mark_refused(
        self, rows: Sequence[Job], worker_id: str, error: str, available_at: datetime, now: datetime
    ) -> None:
        self.release(rows, worker_id, available_at, now)

    def mark_failed(self, rows: Sequence[Job], worker_id: str, error: str, now: datetime) -> None:
        self._held(rows, worker_id, status="failed", last_error=error)


class Probe:
    """auth.test, answering as told."""

    def __init__(self) -> None:
        self.answer = SendOutcome.success()

    def check_auth(self, team_id: str) -> SendOutcome:
        return self.answer


@dataclass
class Steps:
    """Each job posts ``messages`` messages, checking the lease before each; Slack answers from ``script``."""

    queue: JobQueue
    messages: int = 1
    script: dict[int, SendOutcome] = field(default_factory=dict)  # job id -> the answer to its next post
    raises: set[int] = field(default_factory=set)

    def plan(self, jobs: list[Job], batch: Batch[Job]) -> list[Task[Job]]:
        return [Task([job], self.perform) for job in jobs]

    def perform(self, running: Running[Job]) -> SendOutcome | None:
        [row] = running.rows
        if row.id in self.raises:
            raise RuntimeError("a bug in one step")
        job = self.queue.jobs[row.id]
        while len(job.sent) < self.messages:
            running.check()
            answer = self.script.pop(row.id, SendOutcome.success())
            if not answer.ok:
                return answer
            job.sent.append(f"message {len(job.sent) + 1}")
            running.count("messages")
        return SendOutcome.success()


@dataclass
class World:
    clock: ManualClock
    probe: Probe
    queue: JobQueue
    steps: Steps
    runner: LeasedRunner[Job]
    team_id: str

    def sweep(self) -> LeaseReport:
        return self.runner.sweep("w1", self.steps.plan, team_id=self.team_id)

    def statuses(self) -> list[str]:
        return [job.status for job in self.queue.jobs.values()]


def make_world(uow_factory: Callable[[], UnitOfWork], team_id: str, jobs: int = 2, lease: timedelta = LEASE) -> World:
    with uow_factory() as uow:
        uow.workspaces.ensure(team_id, NOW)
        uow.commit()
    clock = ManualClock(NOW)
    probe = Probe()
    queue = JobQueue([Job(index, team_id) for index in range(1, jobs + 1)])
    breakers = AuthBreakers(uow_factory, probe, clock)
    # As coffee steps would: one job per claim, run in order, no sweep budget.
    runner = LeasedRunner(queue, breakers, clock, name="steps", lease=lease, batch=1, policy=POLICY, budget=None)
    return World(clock, probe, queue, Steps(queue), runner, team_id)


@pytest.fixture
def world(uow_factory: Callable[[], UnitOfWork], team_id: str) -> World:
    return make_world(uow_factory, team_id)


def test_every_job_is_done_once(world: World) -> None:
    report = world.sweep()
    assert (report.claimed, report.done, report.counts) == (2, 2, {"messages": 2})
    assert world.statuses() == ["done", "done"]
    assert world.sweep().claimed == 0


def test_a_long_step_yields_at_its_share_of_the_lease_and_finishes(
    uow_factory: Callable[[], UnitOfWork], team_id: str
) -> None:
    world = make_world(uow_factory, team_id, jobs=1, lease=timedelta(0))
    world.steps.messages = 3
    report = world.sweep()
    assert report.yielded == 2 and report.done == 1, "each claim sends one more: the first check always passes"
    assert world.queue.jobs[1].sent == ["message 1", "message 2", "message 3"]
    assert world.queue.jobs[1].attempts == 0, "yielding is not an attempt"


def test_a_rate_limit_waits_for_retry_after_without_an_attempt(world: World) -> None:
    world.steps.script[1] = SendOutcome.retry_later("ratelimited", 30)
    report = world.sweep()
    assert (report.deferred, report.retried, report.done) == (1, 0, 1)
    job = world.queue.jobs[1]
    assert (job.status, job.attempts, job.available_at) == ("pending", 0, NOW + timedelta(seconds=30))


def test_retries_back_off_until_the_attempt_limit(world: World) -> None:
    for expected_wait in (timedelta(minutes=2), timedelta(minutes=4)):
        world.steps.script[1] = SendOutcome.retry_later("internal_error")
        report = world.sweep()
        assert report.retried == 1 and report.errors == {"internal_error": 1}
        assert world.queue.jobs[1].available_at == world.clock.now() + expected_wait
        world.clock.advance(expected_wait)
    world.steps.script[1] = SendOutcome.retry_later("internal_error")
    report = world.sweep()
    assert report.failed == 1, "the third attempt was the last"
    assert (world.queue.jobs[1].status, world.queue.jobs[1].last_error) == ("failed", "internal_error")


def test_a_permanent_failure_ends_the_job(world: World) -> None:
    world.steps.script[2] = SendOutcome.failed("channel_not_found")
    report = world.sweep()
    assert (report.done, report.failed, report.errors) == (1, 1, {"channel_not_found": 1})
    assert world.statuses() == ["done", "failed"]


def test_an_auth_error_pauses_the_workspace_and_keeps_its_jobs(world: World) -> None:
    world.probe.answer = SendOutcome.refused("invalid_auth")
    world.steps.script[1] = SendOutcome.refused("invalid_auth")
    report = world.sweep()
    assert (report.paused, report.done, report.failed, report.claimed) == (1, 0, 0, 1), "job 2 is not even claimed"
    job = world.queue.jobs[1]
    first_probe = NOW + timedelta(seconds=30)
    assert (job.status, job.attempts, job.available_at) == ("pending", 0, first_probe), "due at the next probe"
    world.clock.advance(timedelta(seconds=31))  # the first probe still fails
    assert world.sweep().claimed == 0
    world.probe.answer = SendOutcome.success()
    world.clock.advance(timedelta(seconds=60))
    report = world.sweep()
    assert (report.done, report.paused) == (2, 0)
    assert world.queue.jobs[1].sent == ["message 1"] and world.queue.jobs[1].attempts == 0


def test_a_job_of_a_workspace_paused_meanwhile_is_handed_back_untouched(
    uow_factory: Callable[[], UnitOfWork], team_id: str
) -> None:
    world = make_world(uow_factory, team_id, jobs=3)
    breakers = AuthBreakers(uow_factory, world.probe, world.clock)
    world.runner = LeasedRunner(
        world.queue, breakers, world.clock, name="steps", lease=LEASE, batch=3, policy=POLICY, budget=None
    )
    world.probe.answer = SendOutcome.refused("token_revoked")
    world.steps.script[1] = SendOutcome.refused("token_revoked")
    report = world.sweep()
    assert (report.claimed, report.paused, report.done) == (3, 3, 0), "2 and 3 were claimed with 1, never run"
    assert [job.sent for job in world.queue.jobs.values()] == [[], [], []]
    assert all(job.available_at == NOW + timedelta(seconds=30) for job in world.queue.jobs.values())


def test_one_failing_task_does_not_stop_the_others(world: World) -> None:
    world.steps.raises.add(1)
    report = world.sweep()
    assert report.done == 1
    assert world.statuses() == ["claimed", "done"], "its lease expires and it is tried again"
    world.steps.raises.clear()
    world.clock.advance(LEASE + timedelta(seconds=1))
    assert world.sweep().done == 1


def test_a_lost_lease_records_nothing(world: World) -> None:
    def lose(running: Running[Job]) -> SendOutcome:
        raise LeaseLost

    report = world.runner.sweep("w1", lambda jobs, batch: [Task(jobs, lose)], team_id=world.team_id)
    assert (report.lost, report.done, report.failed) == (2, 0, 0)
    assert world.statuses() == ["claimed", "claimed"]
