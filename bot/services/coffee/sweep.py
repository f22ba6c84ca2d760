"""The sweep that claims due round steps, on the leased-job runner (bot.services.leased), one step per task.

The runner owns the lease: the claim loop, the yield at half the lease, release, retry with backoff
(``bot.domain.coffee.STEP_RETRIES``: from 2 minutes, at most 8 attempts), the rate-limit hand-back, failure for
good and auth pauses. This module says what a step is (:meth:`Rounds.perform`, which calls ``running.check`` before
each send) and what failing for good means for a round (:class:`StepQueue`).

Decisions:

* Steps are claimed with the claim statement shared with nudges (``storage.leases.claim_statement``).
* Auth errors pause, they never fail: a step that meets one opens the workspace's auth breaker
  (bot.services.breakers) and is handed back as it is, without counting an attempt, due at the breaker's next
  probe; it is never a lost channel, so the programme stays active and its rounds stand. Sweeps claim no step of a
  paused workspace.
* One sweep runs its steps in order on the sweeping thread, with no time budget: a round's steps are few, and each
  hands itself back once half its lease has gone by since the claim.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from functools import partial

from bot.domain.coffee import STEP_RETRIES, Job
from bot.domain.outcomes import SendOutcome
from bot.services.breakers import AuthBreakers
from bot.services.coffee.pool import StepFailed
from bot.services.coffee.results import CoffeeSweepReport
from bot.services.coffee.rounds import Rounds, RoundWrites
from bot.services.leased import Batch, LeasedRunner, LeaseReport, Running, Task, UnitQueue
from bot.services.ports import Clock

logger = logging.getLogger(__name__)


class StepQueue(UnitQueue[RoundWrites, Job]):
    """The rounds' steps as the runner's queue: a step that fails for good also cancels a round it was to start, and
    a start whose channel is gone pauses its programme (``Rounds.after_failure``)."""

    def __init__(self, uow_factory: Callable[[], RoundWrites], rounds: Rounds) -> None:
        super().__init__(uow_factory, lambda uow: uow.coffee_jobs)
        self._rounds = rounds

    def mark_failed(self, rows: Sequence[Job], worker_id: str, error: str, now: datetime) -> None:
        """End the steps for good, cancelling a round whose start failed in the same transaction; then tell the
        organiser of a lost channel."""

        def record(uow: RoundWrites) -> None:
            uow.coffee_jobs.mark_failed(rows, worker_id, error, now)
            for job in rows:
                self._rounds.failed_for_good(uow, job, now)

        self.in_unit(record)
        for job in rows:
            logger.warning("coffee %s for round %s failed: %s", job.kind.value, job.round_id, error)
            self._rounds.after_failure(job, error)


class RoundSweep:
    """Claims due steps of every workspace (or one) and runs each through :class:`Rounds`."""

    def __init__(
        self,
        uow_factory: Callable[[], RoundWrites],  # claims and outcomes are jobs; a failed start cancels its round
        clock: Clock,
        breakers: AuthBreakers,
        rounds: Rounds,
        *,
        lease: timedelta,
        batch: int,
        worker_id: str,
    ) -> None:
        self._rounds = rounds
        self._worker_id = worker_id
        self._runner = LeasedRunner(
            StepQueue(uow_factory, rounds),
            breakers,
            clock,
            name="coffee steps",
            lease=lease,
            batch=batch,
            policy=STEP_RETRIES,
            budget=None,
        )

    def sweep(self, worker_id: str | None = None, team_id: str | None = None) -> CoffeeSweepReport:
        """Claim due round steps, perform them, record each outcome; repeat while steps are due.

        ``team_id`` restricts the sweep to one workspace (tests sharing a database; re-running one workspace).
        """
        return _report(self._runner.sweep(worker_id or self._worker_id, self._plan, team_id))

    def _plan(self, jobs: list[Job], batch: Batch[Job]) -> list[Task[Job]]:
        return [Task([job], partial(self._run, job)) for job in jobs]

    def _run(self, job: Job, running: Running[Job]) -> SendOutcome:
        """Perform one claimed step; the outcome the runner records (that of the Slack call that stopped it)."""
        try:
            running.count("messages", self._rounds.perform(job, running.check))
        except StepFailed as failed:
            return failed.result
        return SendOutcome.success()


def _report(lease: LeaseReport) -> CoffeeSweepReport:
    """The coffee sweep's figures from the runner's (``lost`` stays 0: a step never raises LeaseLost)."""
    return CoffeeSweepReport(
        claimed=lease.claimed,
        done=lease.done,
        retried=lease.retried,
        deferred=lease.deferred,
        yielded=lease.yielded,
        failed=lease.failed,
        paused=lease.paused,
        messages=lease.counts.get("messages", 0),
        errors=dict(lease.errors),
    )
