"""Follow-ups, delivery: the nudge sweep, exactly once, on the leased-job runner (bot.services.leased).

Public API:

    NudgeDelivery(uow_factory, people, clock, sender, render, breakers, limits: SweepLimits, worker_id)
    sweep(worker_id=None, batch=None, team_id=None) -> SweepReport   # claim due nudges, deliver, record outcomes
    close() -> None                                                  # stop the delivery threads

A sweep claims due rows, reads what their messages need (the people refreshed when older than the directory TTL,
``PeopleService.fresh``, so nothing goes to or names someone deactivated since they were cached), ends the rows
that can never be delivered (bot.domain.nudges.undeliverable), puts off those outside the person's working hours,
and posts one DM per person (a digest when there are several) on the delivery threads. The runner records each
post's outcome, backs off retryable failures (bot.domain.nudges.NUDGE_RETRIES) and pauses a workspace whose token
Slack refuses.

Exactly once: a sweep claims rows atomically with a lease (``available_at`` = lease expiry). Just before posting,
the rows are marked ``in_doubt`` and their lease renewed, in a committed transaction conditioned on the lease still
being ours; the outcome clears the mark. A row can therefore only be re-sent while ``in_doubt`` after a crash, or
after an ambiguous failure (a timeout or dropped connection: the request left and no answer came back; Slack's
429 and 5xx answers mean the call was not performed). Before re-sending an in-doubt row, the sweep reads
the DM's recent history (``conversations.history``, scope ``im:history``) for a message whose metadata
(``event_type=rapport_nudge``, ``event_payload.ids``) names it, and records that message instead of posting again.
Rows that were claimed but never attempted are simply sent. Without the scope the lookup fails and the row is
re-sent (at-least-once for that rare case), with a warning.

Auth errors pause, they never fail: when Slack refuses the workspace's token (bot.domain.breaker.AUTH_ERRORS), the
workspace's auth breaker opens (bot.services.breakers), the rows go back to pending with the attempt un-counted,
the rest of the workspace's batch is handed back untouched, and no sweep claims its rows until ``auth.test``
succeeds.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from bot.domain.breaker import is_auth_error
from bot.domain.leases import Claim, interleave
from bot.domain.models import Person
from bot.domain.nudges import (
    DEFAULT_MAX_PER_DIGEST,
    NUDGE_RETRIES,
    Delivery,
    DueNudge,
    NudgeKind,
    NudgeSettings,
    ScheduledNudge,
    WorkingHours,
    due_nudge,
    group_into_deliveries,
    undeliverable,
)
from bot.domain.outcomes import SendOutcome
from bot.services.breakers import AuthBreakers
from bot.services.leased import (
    Batch,
    LeasedRunner,
    LeaseLost,
    LeaseRefused,
    LeaseReport,
    LeaseYield,
    Running,
    Task,
)
from bot.services.people import FreshPeople, PeopleService
from bot.services.ports import Clock, MessageSender, UnitOfWorkFactory

logger = logging.getLogger(__name__)

# (delivery, now, the recipient's working hours) -> (fallback text, blocks). Built in handlers/blocks/nudges.py and
# passed in by the container, so this service never imports handlers.
Renderer = Callable[[Delivery, datetime, WorkingHours], tuple[str, list[dict[str, Any]]]]

METADATA_EVENT = "rapport_nudge"
_LOOKBACK = timedelta(minutes=15)
# How long an in-doubt row waits when the DM's history could not be read (Slack busy): ask again then.
_DOUBT_WAIT = 30.0
# A post is started only within this share of the lease since the claim; later, the rows go back for the next sweep.
_POST_WITHIN = 0.8


@dataclass
class SweepReport:
    """What one sweep did."""

    claimed: int = 0
    sent: int = 0
    messages: int = 0
    deferred: int = 0  # not due in the person's working hours yet, rate limited, or handed back near the lease's end
    retried: int = 0
    failed: int = 0
    recovered: int = 0  # in-doubt rows found already delivered
    lost_leases: int = 0
    paused: int = 0  # handed back untouched because Slack refused the workspace's token (its breaker is open)
    errors: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, lease: LeaseReport) -> SweepReport:
        """The nudge sweep's figures from the runner's."""
        recovered = lease.counts.get("recovered", 0)
        return cls(
            claimed=lease.claimed,
            sent=lease.done + recovered,
            messages=lease.counts.get("messages", 0),
            deferred=lease.deferred + lease.yielded,
            retried=lease.retried,
            failed=lease.failed,
            recovered=recovered,
            lost_leases=lease.lost,
            paused=lease.paused,
            errors=dict(lease.errors),
        )


@dataclass(frozen=True, slots=True)
class _Recipient:
    hours: WorkingHours
    digest: bool
    paused_until: datetime | None


@dataclass(frozen=True, slots=True)
class _Context:
    """What the policy and the messages need for one workspace's claimed rows."""

    due: list[DueNudge]
    recipients: dict[str, _Recipient]
    gone: dict[str, list[ScheduledNudge]]  # rows that can never be delivered, by reason


class NudgeQueue:
    """Nudge rows as the leased-job runner sees them (bot.services.ports.leases.LeasedQueue)."""

    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self._uow_factory = uow_factory

    def claim(self, claim: Claim) -> list[ScheduledNudge]:
        """Lease due nudges, oldest first."""
        with self._uow_factory() as uow:
            claimed = uow.nudges.claim(
                claim.worker_id, claim.now, claim.lease_until, claim.limit, claim.team_id, claim.exclude_teams
            )
            uow.commit()
        return claimed

    def release(self, rows: Sequence[ScheduledNudge], worker_id: str, available_at: datetime, now: datetime) -> None:
        """Hand rows back unperformed."""
        self.put_off({available_at: rows}, worker_id, now)

    def put_off(self, until: Mapping[datetime, Sequence[ScheduledNudge]], worker_id: str, now: datetime) -> None:
        """Hand rows back unperformed, each group claimable again at its own time (one transaction)."""
        with self._uow_factory() as uow:
            for available_at, rows in until.items():
                uow.nudges.release(_ids(rows), worker_id, available_at, now)
            uow.commit()

    def defer(
        self, rows: Sequence[ScheduledNudge], worker_id: str, available_at: datetime, error: str, now: datetime
    ) -> None:
        """Rate limited: the post was not performed, so the rows are not in doubt."""
        self.mark_retry(rows, worker_id, available_at, error, False, now)

    def mark_done(self, rows: Sequence[ScheduledNudge], worker_id: str, outcome: SendOutcome, now: datetime) -> None:
        """Delivered: remember the message (for updates in place)."""
        with self._uow_factory() as uow:
            uow.nudges.mark_sent(_ids(rows), worker_id, outcome.channel, outcome.ts, now)
            uow.commit()

    def mark_retry(
        self,
        rows: Sequence[ScheduledNudge],
        worker_id: str,
        available_at: datetime,
        error: str,
        in_doubt: bool,
        now: datetime,
    ) -> None:
        """Try again at ``available_at``."""
        with self._uow_factory() as uow:
            uow.nudges.mark_retry(_ids(rows), worker_id, available_at, error, in_doubt, now)
            uow.commit()

    def mark_refused(
        self, rows: Sequence[ScheduledNudge], worker_id: str, error: str, available_at: datetime, now: datetime
    ) -> None:
        """The token was refused: take back the attempt and the in-doubt mark made before the post."""
        with self._uow_factory() as uow:
            uow.nudges.mark_refused(_ids(rows), worker_id, error, available_at, now)
            uow.commit()

    def mark_failed(self, rows: Sequence[ScheduledNudge], worker_id: str, error: str, now: datetime) -> None:
        """End the rows with the reason."""
        with self._uow_factory() as uow:
            uow.nudges.mark_failed(_ids(rows), worker_id, error, now)
            uow.commit()


@dataclass(frozen=True, slots=True)
class SweepLimits:
    """How a nudge sweep paces itself: the lease, rows per claim, delivery threads, claims per run, nudges per DM."""

    lease: timedelta = timedelta(minutes=5)
    batch: int = 200
    threads: int = 8
    max_batches: int = 50
    max_per_digest: int = DEFAULT_MAX_PER_DIGEST


class NudgeDelivery:
    """The nudge sweep (see the module docstring)."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        people: PeopleService,
        clock: Clock,
        sender: MessageSender,
        render: Renderer,
        breakers: AuthBreakers,
        limits: SweepLimits,
        worker_id: str,
    ) -> None:
        self._uow_factory = uow_factory
        self._people = people
        self._clock = clock
        self._sender = sender
        self._render = render
        self._limits = limits
        self.worker_id = worker_id
        self._queue = NudgeQueue(uow_factory)
        self._runner = LeasedRunner(
            self._queue,
            breakers,
            clock,
            name="nudges",
            lease=limits.lease,
            batch=limits.batch,
            policy=NUDGE_RETRIES,
            max_batches=limits.max_batches,
            yield_after=_POST_WITHIN,
            pool=self._pool,
        )
        self._executor: ThreadPoolExecutor | None = None
        self._executor_lock = threading.Lock()
        self._warned_history = False

    def sweep(self, worker_id: str | None = None, batch: int | None = None, team_id: str | None = None) -> SweepReport:
        """Claim due nudges batch by batch (until none is left, ``max_batches`` or half the lease), deliver and
        record outcomes.

        ``team_id`` limits the sweep to one workspace (tests and the sandbox); by default every workspace is served.
        """
        total = SweepReport.of(self._runner.sweep(worker_id or self.worker_id, self._plan, team_id, batch))
        if total.claimed:
            logger.info(
                "nudge sweep: claimed=%d sent=%d messages=%d deferred=%d retried=%d failed=%d recovered=%d paused=%d",
                total.claimed,
                total.sent,
                total.messages,
                total.deferred,
                total.retried,
                total.failed,
                total.recovered,
                total.paused,
            )
        return total

    def close(self) -> None:
        """Stop the delivery threads."""
        with self._executor_lock:
            if self._executor is not None:
                self._executor.shutdown(wait=True)
                self._executor = None

    def _pool(self) -> ThreadPoolExecutor:
        with self._executor_lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(
                    max_workers=self._limits.threads, thread_name_prefix="rapport-nudge"
                )
            return self._executor

    # --- planning a claimed batch (on the sweeping thread) ------------------------------------------------------

    def _plan(self, claimed: list[ScheduledNudge], batch: Batch[ScheduledNudge]) -> list[Task[ScheduledNudge]]:
        """Settle what cannot or need not be sent now; one task per message to post."""
        now = self._clock.now()
        by_team: dict[str, list[ScheduledNudge]] = defaultdict(list)
        for nudge in claimed:
            by_team[nudge.team_id].append(nudge)
        per_team = [self._plan_team(team_id, rows, now, batch) for team_id, rows in by_team.items()]
        # Interleaved across workspaces: each workspace has its own post allowance in the gateway, so the pool's
        # threads spread over them instead of all queueing on the first workspace's bucket (a batch of 20
        # workspaces then sends up to 20 allowances' worth at once; docs/benchmarks.md, "Scale-out").
        return interleave(per_team)

    def _plan_team(
        self, team_id: str, rows: list[ScheduledNudge], now: datetime, batch: Batch[ScheduledNudge]
    ) -> list[Task[ScheduledNudge]]:
        directory = self._people.fresh(team_id, sorted({row.user_id for row in rows} | {r.contact_id for r in rows}))
        if directory.refused is not None:
            batch.hand_back(rows, directory.refused)
            return []
        context = self._context(team_id, rows, directory)
        for error, gone in context.gone.items():
            batch.fail(gone, error)
        grouped = group_into_deliveries(
            context.due,
            now,
            {user: recipient.hours for user, recipient in context.recipients.items()},
            {user: recipient.digest for user, recipient in context.recipients.items()},
            paused_until_by_user={user: recipient.paused_until for user, recipient in context.recipients.items()},
            max_per_digest=self._limits.max_per_digest,
        )
        held = {row.id: row for row in rows}
        tasks: list[Task[ScheduledNudge]] = []
        later: dict[datetime, list[ScheduledNudge]] = defaultdict(list)
        for delivery in grouped:
            delivery_rows = [held[nudge.id] for nudge in delivery.nudges]
            if delivery.ready:
                recipient = context.recipients[delivery.user_id]
                tasks.append(Task(delivery_rows, partial(self._deliver, delivery, recipient)))
            else:
                later[delivery.deliver_at] += delivery_rows
        if later:
            self._queue.put_off(later, batch.worker_id, now)
            batch.report.deferred += sum(len(waiting) for waiting in later.values())
        return tasks

    def _context(self, team_id: str, rows: list[ScheduledNudge], directory: FreshPeople) -> _Context:
        """Everything the policy and the messages need, read in one unit of work (the people already refreshed)."""
        recipient_ids = sorted({row.user_id for row in rows})
        with self._uow_factory() as uow:
            settings = uow.nudge_settings.get_many(team_id, recipient_ids)
            # Notes are private: each interaction is read only for the author the nudge belongs to.
            summaries = uow.contact_history.summaries_by_author(
                team_id, {row.interaction_id: row.user_id for row in rows if row.interaction_id is not None}
            )
            cadences = uow.cadences.for_pairs(
                team_id, [(row.user_id, row.contact_id) for row in rows if row.kind is NudgeKind.CADENCE]
            )
        context = _Context([], {}, defaultdict(list))
        for row in rows:
            person = _recipient(team_id, row.user_id, directory)
            contact = directory.people.get(row.contact_id)
            reason = undeliverable(person, contact, contact_missing=row.contact_id in directory.missing)
            if reason is not None:
                context.gone[reason].append(row)
                continue
            assert person is not None
            if row.user_id not in context.recipients:
                preferences = settings.get(row.user_id) or NudgeSettings()
                context.recipients[row.user_id] = _Recipient(
                    preferences.hours(person.tz), preferences.digest_enabled, preferences.paused_until
                )
            summary = summaries.get(row.interaction_id) if row.interaction_id is not None else None
            context.due.append(due_nudge(row, contact, summary, cadences.get((row.user_id, row.contact_id))))
        return context

    # --- delivering one message (on a delivery thread) ----------------------------------------------------------

    def _deliver(
        self, delivery: Delivery, recipient: _Recipient, running: Running[ScheduledNudge]
    ) -> SendOutcome | None:
        """Post one DM: settle the rows in doubt first, mark the attempt, post; the runner records the outcome."""
        doubtful = [row for row in running.rows if row.in_doubt]
        if doubtful:
            delivery = self._settle_doubts(running, delivery, doubtful)
            if not delivery.nudges:
                return None
        if running.late():
            raise LeaseYield  # too close to the lease's end to start a post safely: back to the next sweep
        now = self._clock.now()
        ids = [nudge.id for nudge in delivery.nudges]
        text, blocks = self._render(delivery, now, recipient.hours)
        with self._uow_factory() as uow:
            if uow.nudges.mark_attempt(ids, running.worker_id, now, now + self._limits.lease) != len(ids):
                raise LeaseLost  # rolled back: nothing marked
            uow.commit()
        result = self._sender.post_message(
            delivery.user_id,
            text,
            blocks,
            team_id=delivery.team_id,
            metadata={"event_type": METADATA_EVENT, "event_payload": {"ids": ids}},
            unfurl_links=False,
            unfurl_media=False,
        )
        if result.ok:
            running.count("messages")
        return result

    def _settle_doubts(
        self, running: Running[ScheduledNudge], delivery: Delivery, doubtful: list[ScheduledNudge]
    ) -> Delivery:
        """Find in-doubt nudges already in the DM; record them as sent and return the delivery without them."""
        now = self._clock.now()
        outcome, found = self._find_posted(delivery.team_id, delivery.user_id, doubtful, now)
        if outcome is not None and not outcome.ok:
            if is_auth_error(outcome.error):
                raise LeaseRefused(str(outcome.error))  # the rows stay in doubt: whether they arrived is still unknown
            if outcome.retryable:
                # Cannot tell whether they were delivered: keep them in doubt and ask again later.
                wait = timedelta(seconds=max(outcome.retry_after or _DOUBT_WAIT, 1.0))
                error = outcome.error or "lookup_failed"
                self._queue.mark_retry(doubtful, running.worker_id, now + wait, error, True, now)
                running.report.retried += len(doubtful)
                running.settled(doubtful)
                return _without(delivery, {row.id for row in doubtful})
            self._warn_without_history(outcome)
        if found:
            self._record_posted(running, found, now)
        return _without(delivery, set(found))

    def _find_posted(
        self, team_id: str, user_id: str, doubtful: list[ScheduledNudge], now: datetime
    ) -> tuple[SendOutcome | None, dict[int, tuple[str, str]]]:
        """Which in-doubt nudges the DM already holds: (channel, ts) by nudge id, and the failed call's outcome."""
        with self._uow_factory() as uow:
            channel = uow.nudges.dm_channel(team_id, user_id)
        outcome: SendOutcome | None = None
        if channel is None:
            outcome, channel = self._sender.open_dm(user_id, team_id=team_id)
        if channel is None:
            return outcome, {}
        oldest = min(nudge.updated_at or now for nudge in doubtful) - _LOOKBACK
        outcome, messages = self._sender.recent_messages(channel, oldest=oldest.timestamp(), team_id=team_id)
        return outcome, _posted(messages, channel, {nudge.id for nudge in doubtful})

    def _record_posted(
        self, running: Running[ScheduledNudge], found: dict[int, tuple[str, str]], now: datetime
    ) -> None:
        by_message: dict[tuple[str, str], list[int]] = defaultdict(list)
        for nudge_id, where in found.items():
            by_message[where].append(nudge_id)
        with self._uow_factory() as uow:
            for (channel, ts), ids in by_message.items():
                uow.nudges.mark_sent(ids, running.worker_id, channel, ts, now)
            uow.commit()
        running.count("recovered", len(found))
        running.settled(row for row in running.rows if row.id in found)
        logger.info("nudges %s were already delivered before a crash or timeout; not re-sent", sorted(found))

    def _warn_without_history(self, outcome: SendOutcome) -> None:
        if not self._warned_history:
            self._warned_history = True
            logger.warning(
                "cannot check whether in-doubt nudges reached Slack (%s); re-sending them (grant im:history "
                "and im:write for exactly-once after crashes)",
                outcome.error,
            )


def _recipient(team_id: str, user_id: str, directory: FreshPeople) -> Person | None:
    """The recipient as the directory has them; unknown but not missing: deliver (in UTC)."""
    if user_id in directory.people:
        return directory.people[user_id]
    return None if user_id in directory.missing else Person(team_id=team_id, user_id=user_id, name="")


def _posted(messages: list[dict[str, Any]], channel: str, wanted: set[int]) -> dict[int, tuple[str, str]]:
    """(channel, ts) of the first of ``messages`` whose nudge metadata names each wanted id."""
    found: dict[int, tuple[str, str]] = {}
    for message in messages:
        metadata = message.get("metadata") or {}
        if metadata.get("event_type") != METADATA_EVENT:
            continue
        for nudge_id in (metadata.get("event_payload") or {}).get("ids") or []:
            if isinstance(nudge_id, int) and nudge_id in wanted and nudge_id not in found:
                found[nudge_id] = (channel, str(message.get("ts", "")))
    return found


def _without(delivery: Delivery, ids: set[int]) -> Delivery:
    return replace(delivery, nudges=tuple(nudge for nudge in delivery.nudges if nudge.id not in ids))


def _ids(rows: Sequence[ScheduledNudge]) -> list[int]:
    return [row.id for row in rows]
