"""One runner for leased work: claim due rows with a lease, perform them through Slack, record each outcome.

Public API:

    LeasedRunner(queue, breakers, clock, *, name, lease, batch, policy, max_batches=50, budget=0.5, yield_after=0.5,
                 pool=None)
    sweep(worker_id, plan, team_id=None) -> LeaseReport

    plan(rows, batch) -> Iterable[Task]        # the feature's: turn claimed rows into tasks (may hand some back)
    Task(rows, perform)                        # rows recorded together; perform(running) -> SendOutcome | None
    Running: rows, worker_id, lease, late(), check(), count(name, n), settled(rows), report
    Batch: worker_id, report, hand_back(rows, refused=None), fail(rows, error)
    LeaseYield, LeaseRefused(code), LeaseLost  # what perform may raise
    UnitQueue(uow_factory, rows)               # a LeasedQueue from a repository: one unit of work per call

What the runner owns, so that no feature writes it again:

* The sweep: up to ``max_batches`` claims of ``batch`` rows; with ``budget``, no new claim once that share of the
  lease has gone by (a run stays bounded and a shutdown waits for it; the next tick goes on).
* Pausing: before each claim it asks the auth breakers (bot.services.breakers) which workspaces are paused and
  claims none of their rows; rows claimed for a workspace paused meanwhile are handed back untouched, right after
  the claim and again before each task. A task that meets an auth error trips the workspace's breaker and its rows
  are handed back untouched (no attempt counted), due at the breaker's next probe: not sooner, or a pipelined claim
  made with an older view of the breakers would take them straight back.
* Recording (bot.domain.leases.settle): done; rate limited (handed back until Retry-After, no attempt counted);
  retryable (backed off by ``policy``, until its attempt limit); permanent (ended with the reason).
* Deadlines: ``running.late()`` once ``yield_after`` of the lease has gone by since the claim; ``running.check()``
  raises LeaseYield then, but never on a task's first check, so every claim makes progress. A yielded task's rows
  are released at once (what it did is recorded by the task) and claimed afresh.
* Threads: with ``pool``, tasks run on its threads, pipelined: the next batch is claimed and planned while the
  previous one is still being performed (at most two batches are held at once). Without, tasks run in order.
* Isolation: one task raising does not stop the others; its rows' leases expire and they are tried again.

Nudges use it (bot.services.followups.delivery): batches of rows grouped into one DM per person, on delivery
threads, each marking its attempt before posting for exactly-once. Coffee steps use it (bot.services.coffee.sweep),
one job per task, in order, with no budget: a step calls ``running.check()`` before each send and returns
``SendOutcome.success()`` or the outcome of the call that stopped it; their repository offers the queue's methods
within a unit of work, and ``UnitQueue(uow_factory, lambda uow: uow.coffee_jobs)`` gives each call its own
(tests/services/test_leased.py runs such a queue through the runner).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from bot.domain.leases import Claim, RetryPolicy, Verdict, past_share, settle
from bot.domain.outcomes import SendOutcome
from bot.services.breakers import AuthBreakers
from bot.services.ports import Clock, Transaction
from bot.services.ports.leases import LeasedQueue, R

logger = logging.getLogger(__name__)


class LeaseYield(Exception):
    """The task has used its share of the lease: its rows are handed back (what it did is recorded) and claimed
    afresh, so no other worker takes them over while it is still working."""


class LeaseLost(Exception):
    """The lease ran out under the task (another sweep may hold its rows now): nothing is recorded."""


class LeaseRefused(Exception):
    """Slack refused the workspace's token before the task attempted anything: pause it, hand the rows back."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass
class LeaseReport:
    """What one sweep did, in rows (``counts``: the feature's own tallies, see ``Running.count``)."""

    claimed: int = 0
    done: int = 0
    retried: int = 0
    deferred: int = 0  # handed back for later, no attempt counted: rate limited (until Retry-After), or not due yet
    yielded: int = 0  # handed back at the task's share of the lease, to be claimed afresh
    failed: int = 0
    paused: int = 0  # handed back untouched: Slack refused the workspace's token (its auth breaker is open)
    lost: int = 0  # the lease ran out before the task could record anything
    errors: dict[str, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, other: LeaseReport) -> None:
        """Accumulate another report into this one."""
        for name in ("claimed", "done", "retried", "deferred", "yielded", "failed", "paused", "lost"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for into, tally in ((self.errors, other.errors), (self.counts, other.counts)):
            for key, count in tally.items():
                into[key] = into.get(key, 0) + count

    def error(self, code: str, rows: int) -> None:
        """Count ``rows`` rows that met Slack error ``code``."""
        self.errors[code] = self.errors.get(code, 0) + rows


class _Paused:
    """The workspaces paused during one sweep, shared by its threads (a set that is read while others add to it)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._teams: set[str] = set()

    def add(self, *teams: str) -> None:
        with self._lock:
            self._teams.update(teams)

    def __contains__(self, team_id: object) -> bool:
        with self._lock:
            return team_id in self._teams

    def snapshot(self) -> frozenset[str]:
        with self._lock:
            return frozenset(self._teams)


class Running(Generic[R]):
    """A task as its ``perform`` sees it while it runs."""

    def __init__(self, rows: Sequence[R], worker_id: str, lease: timedelta, claimed_at: float, yield_after: float):
        self._rows = list(rows)
        self.worker_id = worker_id
        self.lease = lease
        self.report = LeaseReport()
        self._claimed_at = claimed_at
        self._yield_after = yield_after
        self._checks = 0

    @property
    def rows(self) -> list[R]:
        """The rows whose outcome the runner will record (the task's, less those it ``settled`` itself)."""
        return list(self._rows)

    def late(self) -> bool:
        """Whether the task's share of the lease has gone by since the claim."""
        return past_share(self._claimed_at, time.monotonic(), self.lease, self._yield_after)

    def check(self) -> None:
        """Before each send: raise LeaseYield once ``late()``, except on the task's first check (progress first)."""
        self._checks += 1
        if self._checks > 1 and self.late():
            raise LeaseYield

    def count(self, name: str, rows: int = 1) -> None:
        """Add to one of the feature's own tallies in the report (e.g. "messages")."""
        self.report.counts[name] = self.report.counts.get(name, 0) + rows

    def settled(self, rows: Iterable[R]) -> None:
        """The task recorded these rows itself: the runner records its outcome only for the others."""
        ids = {row.id for row in rows}
        self._rows = [row for row in self._rows if row.id not in ids]


@dataclass(frozen=True)
class Task(Generic[R]):
    """Claimed rows performed together (one DM of nudges, one coffee step) and the callable that performs them.

    ``perform`` returns the outcome of its Slack call (recorded for ``running.rows``), or None when it recorded
    everything itself; it may raise LeaseYield, LeaseRefused or LeaseLost."""

    rows: Sequence[R]
    perform: Callable[[Running[R]], SendOutcome | None]


class Batch(Generic[R]):
    """One claim as the feature's ``plan`` sees it (on the sweeping thread)."""

    def __init__(self, runner: LeasedRunner[R], worker_id: str, paused: _Paused, claimed_at: float) -> None:
        self._runner = runner
        self.worker_id = worker_id
        self.paused = paused
        self.claimed_at = claimed_at
        self.report = LeaseReport()

    def hand_back(self, rows: Sequence[R], refused: str | None = None) -> None:
        """Hand a workspace's rows back untouched: it is paused, or Slack just ``refused`` its token."""
        self._runner.hand_back(rows, self.worker_id, self.paused, self.report, refused)

    def fail(self, rows: Sequence[R], error: str) -> None:
        """End rows that can never be performed (the recipient is gone, ...) with the reason."""
        self._runner.fail(rows, self.worker_id, error, self.report)
        logger.info("%s %s not performed: %s", self._runner.name, [row.id for row in rows], error)


Plan = Callable[[list[R], Batch[R]], Iterable[Task[R]]]


class LeasedRunner(Generic[R]):
    """Sweeps one kind of leased work (see the module docstring)."""

    def __init__(
        self,
        queue: LeasedQueue[R],
        breakers: AuthBreakers,
        clock: Clock,
        *,
        name: str,
        lease: timedelta,
        batch: int,
        policy: RetryPolicy,
        max_batches: int = 50,
        budget: float | None = 0.5,
        yield_after: float = 0.5,
        pool: Callable[[], Executor] | None = None,
    ) -> None:
        self.name = name
        self._queue = queue
        self._breakers = breakers
        self._clock = clock
        self._lease = lease
        self._batch = batch
        self._policy = policy
        self._max_batches = max_batches
        self._budget = budget
        self._yield_after = yield_after
        self._pool = pool

    def sweep(self, worker_id: str, plan: Plan[R], team_id: str | None = None, batch: int | None = None) -> LeaseReport:
        """Claim due rows batch by batch (until none is left, ``max_batches`` or the budget), perform, record.

        ``team_id`` limits the sweep to one workspace (tests and the sandbox); by default every workspace is served.
        ``batch`` overrides how many rows one claim takes.
        """
        total = LeaseReport()
        started = time.monotonic()
        paused = _Paused()
        in_flight: list[Future[LeaseReport]] = []
        for _ in range(self._max_batches):
            if self._budget is not None and past_share(started, time.monotonic(), self._lease, self._budget):
                break  # keep one run bounded (a shutdown waits for it); the next tick goes on
            paused.add(*self._breakers.paused_teams(team_id))
            now = self._clock.now()
            limit = batch or self._batch
            rows = self._queue.claim(Claim(worker_id, now, now + self._lease, limit, team_id, paused.snapshot()))
            if not rows:
                break
            claim = Batch(self, worker_id, paused, time.monotonic())
            claim.report.claimed = len(rows)
            tasks = plan(self._unpaused(rows, claim), claim)
            starting = [self._start(task, claim) for task in tasks]
            total.add(claim.report)
            # Pipelined: this batch was claimed and planned while the previous one was still being performed; wait
            # for the previous one now, so at most two batches are held at once.
            for future in in_flight:
                total.add(future.result())
            in_flight = starting
        for future in in_flight:
            total.add(future.result())
        return total

    def _unpaused(self, rows: list[R], batch: Batch[R]) -> list[R]:
        """The claimed rows less those of workspaces paused since the claim began (handed back at once)."""
        by_team: dict[str, list[R]] = defaultdict(list)
        for row in rows:
            if row.team_id in batch.paused:
                by_team[row.team_id].append(row)
        for held in by_team.values():
            batch.hand_back(held)
        return [row for row in rows if row.team_id not in by_team]

    def _start(self, task: Task[R], batch: Batch[R]) -> Future[LeaseReport]:
        if self._pool is not None:
            return self._pool().submit(self._run, task, batch.worker_id, batch.paused, batch.claimed_at)
        done: Future[LeaseReport] = Future()
        done.set_result(self._run(task, batch.worker_id, batch.paused, batch.claimed_at))
        return done

    def _run(self, task: Task[R], worker_id: str, paused: _Paused, claimed_at: float) -> LeaseReport:
        """Perform one task and record its outcome; never raises."""
        running = Running(task.rows, worker_id, self._lease, claimed_at, self._yield_after)
        report = running.report
        try:
            if task.rows and task.rows[0].team_id in paused:  # Slack refused its token since the claim
                self.hand_back(task.rows, worker_id, paused, report)
                return report
            outcome = task.perform(running)
            if outcome is not None and running.rows:
                self._record(running.rows, worker_id, outcome, paused, report)
        except LeaseYield:
            now = self._clock.now()
            self._queue.release(running.rows, worker_id, now, now)
            report.yielded += len(running.rows)
            logger.info("%s %s handed back at their share of the lease", self.name, _ids(running.rows))
        except LeaseRefused as refused:
            self.hand_back(running.rows, worker_id, paused, report, refused.code)
        except LeaseLost:
            report.lost += len(running.rows)
            logger.warning(
                "lost the lease on %s %s before performing them; another sweep has them", self.name, _ids(running.rows)
            )
        except Exception:  # one task's failure must not stop the others; the rows' leases expire and they retry
            logger.exception("performing %s %s failed", self.name, _ids(running.rows))
        return report

    def _record(
        self, rows: Sequence[R], worker_id: str, outcome: SendOutcome, paused: _Paused, report: LeaseReport
    ) -> None:
        attempt = 1 + max(row.attempts for row in rows)
        settlement = settle(outcome, attempt, self._policy)
        error = settlement.error or ""
        now = self._clock.now()
        match settlement.verdict:
            case Verdict.DONE:
                self._queue.mark_done(rows, worker_id, outcome, now)
                report.done += len(rows)
            case Verdict.PAUSE:
                # Nothing was done: pause the whole workspace rather than these rows.
                until = self._breakers.trip(rows[0].team_id, error)
                paused.add(rows[0].team_id)
                self._queue.mark_refused(rows, worker_id, error, until, now)
                report.paused += len(rows)
                report.error(error, len(rows))
            case Verdict.WAIT:
                self._queue.defer(rows, worker_id, now + settlement.wait, error, now)
                report.deferred += len(rows)
                report.error(error, len(rows))
            case Verdict.RETRY:
                self._queue.mark_retry(rows, worker_id, now + settlement.wait, error, settlement.in_doubt, now)
                report.retried += len(rows)
                report.error(error, len(rows))
                logger.info("%s %s retried in %s: %s", self.name, _ids(rows), settlement.wait, error)
            case Verdict.FAIL:
                self.fail(rows, worker_id, error, report)
                logger.warning("%s %s failed permanently: %s", self.name, _ids(rows), error)

    def hand_back(
        self,
        rows: Sequence[R],
        worker_id: str,
        paused: _Paused,
        report: LeaseReport,
        refused: str | None = None,
    ) -> None:
        """Release one workspace's rows untouched until its breaker's next probe (``refused``: trip it first)."""
        if not rows:
            return
        team_id = rows[0].team_id
        if refused is not None:
            until = self._breakers.trip(team_id, refused)
            report.error(refused, len(rows))
        else:
            until = self._breakers.resume_at(team_id)
        paused.add(team_id)
        self._queue.release(rows, worker_id, until, self._clock.now())
        report.paused += len(rows)

    def fail(self, rows: Sequence[R], worker_id: str, error: str, report: LeaseReport) -> None:
        """End rows for good with the reason."""
        self._queue.mark_failed(rows, worker_id, error, self._clock.now())
        report.failed += len(rows)
        report.error(error, len(rows))


U = TypeVar("U", bound=Transaction)
T = TypeVar("T")


class UnitQueue(Generic[U, R]):
    """A repository that offers the ``LeasedQueue`` methods within a unit of work, as the runner needs it: each call
    in a unit of its own, committed, so the runner never holds a transaction across a Slack call."""

    def __init__(self, uow_factory: Callable[[], U], rows: Callable[[U], LeasedQueue[R]]) -> None:
        self._uow_factory = uow_factory
        self._rows = rows

    def in_unit(self, record: Callable[[U], T]) -> T:
        """Run ``record`` in a unit of work of its own and commit it."""
        with self._uow_factory() as uow:
            result = record(uow)
            uow.commit()
        return result

    def claim(self, claim: Claim) -> list[R]:
        """Lease due rows as ``claim`` says, oldest first."""
        return self.in_unit(lambda uow: self._rows(uow).claim(claim))

    def release(self, rows: Sequence[R], worker_id: str, available_at: datetime, now: datetime) -> None:
        """Hand rows back unperformed, no attempt counted."""
        self.in_unit(lambda uow: self._rows(uow).release(rows, worker_id, available_at, now))

    def defer(self, rows: Sequence[R], worker_id: str, available_at: datetime, error: str, now: datetime) -> None:
        """Rate limited: claimable again at ``available_at``."""
        self.in_unit(lambda uow: self._rows(uow).defer(rows, worker_id, available_at, error, now))

    def mark_done(self, rows: Sequence[R], worker_id: str, outcome: SendOutcome, now: datetime) -> None:
        """The work was done."""
        self.in_unit(lambda uow: self._rows(uow).mark_done(rows, worker_id, outcome, now))

    def mark_retry(
        self, rows: Sequence[R], worker_id: str, available_at: datetime, error: str, in_doubt: bool, now: datetime
    ) -> None:
        """A retryable failure, the attempt counted."""
        self.in_unit(lambda uow: self._rows(uow).mark_retry(rows, worker_id, available_at, error, in_doubt, now))

    def mark_refused(
        self, rows: Sequence[R], worker_id: str, error: str, available_at: datetime, now: datetime
    ) -> None:
        """Slack refused the workspace's token: handed back until ``available_at``."""
        self.in_unit(lambda uow: self._rows(uow).mark_refused(rows, worker_id, error, available_at, now))

    def mark_failed(self, rows: Sequence[R], worker_id: str, error: str, now: datetime) -> None:
        """End the rows for good with the reason."""
        self.in_unit(lambda uow: self._rows(uow).mark_failed(rows, worker_id, error, now))


def _ids(rows: Sequence[R]) -> list[int]:
    return [row.id for row in rows]


__all__ = [
    "Batch",
    "LeaseLost",
    "LeaseRefused",
    "LeaseReport",
    "LeaseYield",
    "LeasedQueue",
    "LeasedRunner",
    "Plan",
    "Running",
    "Task",
    "UnitQueue",
]
