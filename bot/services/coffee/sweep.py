"""The sweep that claims due round steps with a lease and records each outcome.

Everything about leases lives here, behind one seam (:meth:`RoundSweep._run`: run one claimed step, record its
outcome), so the shared leased-job runner can take its place without touching the steps (``rounds.py``): the half-
lease yield, release, retry with backoff, the attempt limit, the rate-limit hand-back and failure for good.

Decisions:

* Steps are claimed with the claim statement shared with nudges (``storage.leases.claim_statement``).
* Auth errors pause, they never fail: a step that meets one opens the workspace's auth breaker
  (bot.services.breakers) and is handed back as it is, without counting an attempt; it is never a lost channel,
  so the programme stays active and its rounds stand. Sweeps claim no step of a paused workspace.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.domain.breaker import is_auth_error
from bot.domain.coffee import Job
from bot.domain.outcomes import SendOutcome
from bot.services.breakers import AuthBreakers
from bot.services.coffee.pool import StepFailed
from bot.services.coffee.results import CoffeeSweepReport
from bot.services.coffee.rounds import Rounds, RoundWrites
from bot.services.ports import Clock

logger = logging.getLogger(__name__)

RETRY_DELAY = timedelta(minutes=2)
MAX_ATTEMPTS = 8
RATE_LIMITS = frozenset({"ratelimited", "rate_limited", "rate_limited_locally"})


class StepYield(Exception):
    """A long step has used half its lease: hand it back (progress is recorded) so it is re-claimed afresh."""


class HalfLease:
    """The running step's deadline, per sweeping thread: past half its lease a step hands itself back."""

    def __init__(self, lease: timedelta) -> None:
        self._lease = lease
        self._step = threading.local()  # deadline (monotonic seconds) and checks so far

    def begin(self) -> None:
        """A step starts now."""
        self._step.deadline = time.monotonic() + self._lease.total_seconds() / 2
        self._step.checks = 0

    def check(self) -> None:
        """Called before each send: past half the lease, yield so that no other worker takes the step over meanwhile.

        Never on a step's first check, so every claim makes progress.
        """
        self._step.checks = getattr(self._step, "checks", 0) + 1
        if self._step.checks > 1 and time.monotonic() > getattr(self._step, "deadline", float("inf")):
            raise StepYield


class RoundSweep:
    """Claims due steps of every workspace (or one) and runs each through :class:`Rounds`."""

    def __init__(
        self,
        uow_factory: Callable[[], RoundWrites],  # claims and outcomes are jobs; a failed start cancels its round
        clock: Clock,
        breakers: AuthBreakers,
        rounds: Rounds,
        half_lease: HalfLease,
        *,
        lease: timedelta,
        batch: int,
        worker_id: str,
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._breakers = breakers
        self._rounds = rounds
        self._half_lease = half_lease
        self._lease = lease
        self._batch = batch
        self._worker_id = worker_id

    def sweep(self, worker_id: str | None = None, team_id: str | None = None) -> CoffeeSweepReport:
        """Claim due round steps, perform them, record each outcome; repeat while steps are due.

        ``team_id`` restricts the sweep to one workspace (tests sharing a database; re-running one workspace).
        """
        worker = worker_id or self._worker_id
        report = CoffeeSweepReport()
        paused: set[str] = set()  # workspaces whose token Slack refused: their steps are not claimed, or handed back
        for _ in range(50):
            paused |= self._breakers.paused_teams(team_id)
            now = self._clock.now()
            with self._uow_factory() as uow:
                jobs = uow.coffee_jobs.claim(worker, now, now + self._lease, self._batch, team_id, paused)
                uow.commit()
            if not jobs:
                break
            report.claimed += len(jobs)
            for job in jobs:
                if job.team_id in paused:
                    self._release(job, worker, now, "auth paused")
                    report.paused += 1
                    continue
                if self._run(job, worker, report):
                    paused.add(job.team_id)
        return report

    def _run(self, job: Job, worker: str, report: CoffeeSweepReport) -> bool:
        """Perform one claimed step and record its outcome; True when Slack refused the workspace's token (now
        paused)."""
        self._half_lease.begin()
        try:
            report.messages += self._rounds.perform(job)
        except StepYield:
            self._release(job, worker, self._clock.now(), "yielded")
            report.yielded += 1
            return False
        except StepFailed as failed:
            if is_auth_error(failed.result.error):
                # Not the step's fault: pause the workspace and hand the step back as it is (no attempt counted);
                # what it already sent is recorded, so it resumes where it stopped once the token works again.
                error = str(failed.result.error)
                report.errors[error] = report.errors.get(error, 0) + 1
                self._breakers.trip(job.team_id, error)
                self._release(job, worker, self._clock.now(), error)
                report.paused += 1
                return True
            self._record_failure(job, worker, failed.result, report)
            return False
        with self._uow_factory() as uow:
            uow.coffee_jobs.finish(job.id, worker, self._clock.now())
            uow.commit()
        report.done += 1
        return False

    def _release(self, job: Job, worker: str, available_at: datetime, reason: str) -> None:
        with self._uow_factory() as uow:
            uow.coffee_jobs.release(job.id, worker, available_at, self._clock.now())
            uow.commit()
        logger.info("coffee %s for round %s handed back (%s)", job.kind.value, job.round_id, reason)

    def _record_failure(self, job: Job, worker: str, result: SendOutcome, report: CoffeeSweepReport) -> None:
        error = result.error or "unknown_error"
        report.errors[error] = report.errors.get(error, 0) + 1
        now = self._clock.now()
        if error in RATE_LIMITS:
            # Not a failure: Slack (or our own limiter) asks us to wait. Done work is recorded; retry after the wait.
            self._release(job, worker, now + timedelta(seconds=result.retry_after or 1), error)
            report.deferred += 1
            return
        with self._uow_factory() as uow:
            if result.retryable and job.attempts + 1 < MAX_ATTEMPTS:
                delay = max(RETRY_DELAY * (2**job.attempts), timedelta(seconds=result.retry_after or 0))
                uow.coffee_jobs.retry(job.id, worker, now + delay, error, now)
                report.retried += 1
            else:
                uow.coffee_jobs.fail(job.id, worker, error, now)
                self._rounds.failed_for_good(uow, job, now)
                report.failed += 1
            uow.commit()
        logger.warning("coffee %s for round %s failed: %s", job.kind.value, job.round_id, error)
        self._rounds.after_failure(job, error)
