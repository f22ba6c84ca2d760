"""Follow-ups: schedule nudges when meetings are logged, deliver them exactly once, act on the person's answer.

Public API (handlers and the scheduler call these; every method opens its own units of work):

    FollowUpService(uow_factory, people, clock, sender, render, *, lease=timedelta(minutes=5), batch=200,
                    threads=8, max_batches=50, worker_id=None)
    on_interaction_logged(uow, interaction, now) -> None         # InteractionService hook (same transaction)
    sweep(worker_id=None, batch=None, team_id=None) -> SweepReport  # claim due nudges, deliver, record outcomes
    sweep_cadences(limit=500, team_id=None) -> int                 # create keep-in-touch nudges that fell due
    complete(team_id, user_id, nudge_id) -> NudgeOutcome | None   # Done: logs a follow-up touch, resolves
    snooze(team_id, user_id, nudge_id, days) -> NudgeOutcome | None
    dismiss(team_id, user_id, nudge_id) -> NudgeOutcome | None    # Not needed
    keep_in_touch(team_id, user_id, nudge_id, every_days) -> NudgeOutcome | None  # cadence from a nudge button
    set_cadence(team_id, user_id, contact_id, every_days) -> CadenceInfo
    stop_cadence(team_id, user_id, contact_id) -> bool
    list_cadences(team_id, user_id) -> list[CadenceInfo]
    get_settings(team_id, user_id) -> NudgeSettings
    save_settings(team_id, user_id, settings: NudgeSettings) -> NudgeSettings

Decisions:

* A follow-up is scheduled per contact at ``happened_at + days`` (the interaction's ``follow_up_days``; None = the
  person's default, 0 = none). It is only scheduled when the interaction is the latest with that contact (a
  back-filled older meeting does not nag), and it retires older pending follow-ups for the same contact.
* Any logged interaction resets the contact's cadence clock to ``max(happened_at)`` and retires pending cadence
  nudges for that contact.
* "Done" logs a follow-up touch: an interaction with the contact at ``now``, kind ``other``, source ``nudge``,
  ``follow_up_days=0`` (no new follow-up), through the same hook, so it resets the cadence clock.
* Snooze retires the nudge (status ``snoozed``) and schedules a new one ``days`` later (so its message is not "late").

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
succeeds. Before sending, the batch's people are refreshed when older than the directory TTL
(``PeopleService.fresh``), so nothing goes to or names someone deactivated since they were cached.
"""

from __future__ import annotations

import logging
import threading
import time as monotonic_time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from bot.domain.breaker import is_auth_error
from bot.domain.models import Interaction, InteractionKind, InteractionSource, NewInteraction, Person
from bot.domain.nudges import (
    DEFAULT_MAX_PER_DIGEST,
    CadenceInfo,
    Delivery,
    DueNudge,
    NudgeKind,
    NudgeSettings,
    NudgeStatus,
    ScheduledNudge,
    WorkingHours,
    cadence_due,
    follow_up_due,
    group_into_deliveries,
    next_delivery_time,
    retry_delay,
)
from bot.domain.outcomes import SendOutcome
from bot.services.breakers import AuthBreakers
from bot.services.people import PeopleService
from bot.services.ports import Clock, DirectoryLookupError, MessageSender, UnitOfWork, UnitOfWorkFactory
from bot.services.workers import default_worker_id

logger = logging.getLogger(__name__)

# (delivery, now, the recipient's working hours) -> (fallback text, blocks). Built in handlers/blocks/nudges.py and
# passed in by the container, so this service never imports handlers.
Renderer = Callable[[Delivery, datetime, WorkingHours], tuple[str, list[dict[str, Any]]]]

METADATA_EVENT = "rapport_nudge"
# Errors after which Slack may have posted the message after all: the request left, no answer came back. Slack's
# 429s and 5xx answers (fatal_error, service_unavailable, ...) mean the call was not performed.
_AMBIGUOUS = frozenset({"timeout", "connection_error", "request_timeout"})
_RATE_LIMITED = frozenset({"ratelimited", "rate_limited", "rate_limited_locally"})
_LOOKBACK = timedelta(minutes=15)
MAX_DAYS = 365


@dataclass
class SweepReport:
    """What one sweep did."""

    claimed: int = 0
    sent: int = 0
    messages: int = 0
    deferred: int = 0
    retried: int = 0
    failed: int = 0
    recovered: int = 0  # in-doubt rows found already delivered
    lost_leases: int = 0
    paused: int = 0  # handed back untouched because Slack refused the workspace's token (its breaker is open)
    errors: dict[str, int] = field(default_factory=dict)

    def add(self, other: SweepReport) -> None:
        """Accumulate another report into this one."""
        for name in (
            "claimed",
            "sent",
            "messages",
            "deferred",
            "retried",
            "failed",
            "recovered",
            "lost_leases",
            "paused",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for code, count in other.errors.items():
            self.errors[code] = self.errors.get(code, 0) + count


@dataclass(frozen=True, slots=True)
class NudgeOutcome:
    """What a button did to a nudge (for updating the DM in place)."""

    nudge_id: int
    contact_id: str
    kind: NudgeKind
    status: NudgeStatus
    changed: bool  # False when the nudge had already been answered (a double click, another device)
    tz: str = "UTC"
    snoozed_until: datetime | None = None
    cadence: CadenceInfo | None = None


class _Refused(Exception):
    """Slack refused the workspace's token while settling doubts: hand the delivery back untouched."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True, slots=True)
class _Recipient:
    hours: WorkingHours
    digest: bool
    paused_until: datetime | None


class FollowUpService:
    """Nudges, cadences and nudge settings."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        people: PeopleService,
        clock: Clock,
        sender: MessageSender,
        render: Renderer,
        *,
        lease: timedelta = timedelta(minutes=5),
        batch: int = 200,
        threads: int = 8,
        max_batches: int = 50,
        max_per_digest: int = DEFAULT_MAX_PER_DIGEST,
        worker_id: str | None = None,
        breakers: AuthBreakers | None = None,
    ) -> None:
        self._uow_factory = uow_factory
        self._people = people
        self._clock = clock
        self._sender = sender
        self._render = render
        self._breakers = breakers or AuthBreakers(uow_factory, sender, clock)
        self._lease = lease
        self._batch = batch
        self._threads = threads
        self._max_batches = max_batches
        self._max_per_digest = max_per_digest
        self.worker_id = worker_id or default_worker_id()
        self._executor: ThreadPoolExecutor | None = None
        self._executor_lock = threading.Lock()
        self._warned_history = False

    # --- scheduling ---------------------------------------------------------------------------------------------

    def on_interaction_logged(self, uow: UnitOfWork, interaction: Interaction, now: datetime) -> None:
        """Schedule the follow-up(s) and reset cadence clocks, inside the transaction storing ``interaction``."""
        team_id, author_id = interaction.team_id, interaction.author_id
        settings = uow.nudge_settings.get(team_id, author_id) or NudgeSettings()
        days = interaction.follow_up_days
        if days is None:
            days = settings.default_follow_up_days
        contacts = [user_id for user_id in dict.fromkeys(interaction.participant_ids) if user_id != author_id]
        cadences = uow.cadences.for_contacts(team_id, author_id, contacts)
        for contact_id in contacts:
            latest = uow.contact_history.latest_with(team_id, author_id, contact_id) or interaction.happened_at
            is_latest = interaction.happened_at >= latest
            if days > 0 and is_latest:
                due = follow_up_due(interaction.happened_at, days)
                uow.nudges.supersede_pending(team_id, author_id, contact_id, NudgeKind.FOLLOW_UP, now, due_before=due)
                uow.nudges.add(
                    team_id, author_id, contact_id, NudgeKind.FOLLOW_UP, due, now, interaction_id=interaction.id
                )
            cadence = cadences.get(contact_id)
            if (
                cadence is not None
                and cadence.active
                and (cadence.last_interaction_at is None or latest > cadence.last_interaction_at)
            ):
                next_due = cadence_due(
                    latest, cadence.created_at, cadence.every_days, last_nudged_at=cadence.last_nudged_at
                )
                uow.cadences.update_clock(cadence.id, latest, next_due, now)
                uow.nudges.supersede_pending(
                    team_id, author_id, contact_id, NudgeKind.CADENCE, now, due_before=now + timedelta(days=3650)
                )

    def sweep_cadences(self, limit: int = 500, team_id: str | None = None) -> int:
        """Turn cadences that fell due into nudges (compare-and-set per cadence, so concurrent sweeps agree).

        ``team_id`` limits the sweep to one workspace (tests and the sandbox); by default every workspace is served.
        """
        now = self._clock.now()
        created = 0
        with self._uow_factory() as uow:
            for cadence in uow.cadences.due(now, limit, team_id):
                assert cadence.next_due_at is not None
                following = cadence_due(
                    cadence.last_interaction_at, cadence.created_at, cadence.every_days, last_nudged_at=now
                )
                if uow.cadences.advance(cadence.id, cadence.next_due_at, following, now):
                    uow.nudges.add(
                        cadence.team_id,
                        cadence.user_id,
                        cadence.contact_id,
                        NudgeKind.CADENCE,
                        cadence.next_due_at,
                        now,
                    )
                    created += 1
            uow.commit()
        if created:
            logger.info("cadence sweep scheduled %d keep-in-touch nudges", created)
        return created

    # --- delivery -----------------------------------------------------------------------------------------------

    def sweep(self, worker_id: str | None = None, batch: int | None = None, team_id: str | None = None) -> SweepReport:
        """Claim due nudges batch by batch (until none is left or ``max_batches``), deliver and record outcomes.

        ``team_id`` limits the sweep to one workspace (tests and the sandbox); by default every workspace is served.
        """
        worker = worker_id or self.worker_id
        total = SweepReport()
        started = monotonic_time.monotonic()
        in_flight: list[Future[SweepReport]] = []
        # Workspaces whose token Slack refused: their rows are not claimed. Delivery threads add to it when Slack
        # refuses a token mid-sweep, so the rest of that workspace's batch is handed back untouched.
        paused: set[str] = set()
        for _ in range(self._max_batches):
            if monotonic_time.monotonic() - started > self._lease.total_seconds() / 2:
                break  # keep one run bounded (a shutdown waits for it); the next tick goes on
            paused |= self._breakers.paused_teams(team_id)
            now = self._clock.now()
            with self._uow_factory() as uow:
                claimed = uow.nudges.claim(worker, now, now + self._lease, batch or self._batch, team_id, paused)
                uow.commit()
            if not claimed:
                break
            report, posting = self._deliver_batch(worker, claimed, monotonic_time.monotonic(), paused)
            report.claimed = len(claimed)
            total.add(report)
            # Pipelined: this batch was claimed and prepared while the previous one was still posting; wait for the
            # previous one now, so at most two batches are held at once.
            for future in in_flight:
                total.add(future.result())
            in_flight = posting
        for future in in_flight:
            total.add(future.result())
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
                self._executor = ThreadPoolExecutor(max_workers=self._threads, thread_name_prefix="rapport-nudge")
            return self._executor

    def _deliver_batch(
        self, worker: str, claimed: list[ScheduledNudge], claimed_at: float, paused: set[str]
    ) -> tuple[SweepReport, list[Future[SweepReport]]]:
        """Settle what cannot or need not be sent now, and start posting the rest on the delivery threads."""
        now = self._clock.now()
        report = SweepReport()
        by_team: dict[str, list[ScheduledNudge]] = defaultdict(list)
        for nudge in claimed:
            by_team[nudge.team_id].append(nudge)
        deliveries: list[tuple[Delivery, _Recipient]] = []
        for team_id, rows in by_team.items():
            if team_id in paused:  # another thread saw Slack refuse this workspace's token meanwhile
                self._hand_back(worker, team_id, [row.id for row in rows], paused, report)
                continue
            due, recipients, gone, refused = self._context(team_id, rows, now)
            if refused is not None:
                self._hand_back(worker, team_id, [row.id for row in rows], paused, report, refused)
                continue
            for error, ids in gone.items():
                with self._uow_factory() as uow:
                    uow.nudges.mark_failed(ids, worker, error, now)
                    uow.commit()
                report.failed += len(ids)
                report.errors[error] = report.errors.get(error, 0) + len(ids)
                logger.info("nudges %s not delivered: %s", ids, error)
            grouped = group_into_deliveries(
                due,
                now,
                {user: recipient.hours for user, recipient in recipients.items()},
                {user: recipient.digest for user, recipient in recipients.items()},
                paused_until_by_user={user: recipient.paused_until for user, recipient in recipients.items()},
                max_per_digest=self._max_per_digest,
            )
            later: dict[datetime, list[int]] = defaultdict(list)
            for delivery in grouped:
                if delivery.ready:
                    deliveries.append((delivery, recipients[delivery.user_id]))
                else:
                    later[delivery.deliver_at].extend(nudge.id for nudge in delivery.nudges)
            if later:
                with self._uow_factory() as uow:
                    for deliver_at, ids in later.items():
                        uow.nudges.release(ids, worker, deliver_at, now)
                    uow.commit()
                report.deferred += sum(len(ids) for ids in later.values())
        held = {nudge.id: nudge for nudge in claimed}
        pool = self._pool()
        posting = [
            pool.submit(self._deliver, worker, delivery, recipient, held, claimed_at, paused)
            for delivery, recipient in deliveries
        ]
        return report, posting

    def _hand_back(
        self,
        worker: str,
        team_id: str,
        ids: list[int],
        paused: set[str],
        report: SweepReport,
        refused: str | None = None,
    ) -> None:
        """The workspace is paused (``refused``: Slack just refused its token, so open its breaker): release the
        rows untouched, no attempt counted."""
        if refused is not None:
            self._breakers.trip(team_id, refused)
        paused.add(team_id)
        now = self._clock.now()
        with self._uow_factory() as uow:
            uow.nudges.release(ids, worker, now, now)
            uow.commit()
        report.paused += len(ids)

    def _context(
        self, team_id: str, rows: list[ScheduledNudge], now: datetime
    ) -> tuple[list[DueNudge], dict[str, _Recipient], dict[str, list[int]], str | None]:
        """Everything the policy and the message need: the people refreshed when older than the directory TTL (so a
        deactivation is seen), the rest read in one unit of work. The last item is Slack's auth error, if any."""
        recipients_ids = sorted({row.user_id for row in rows})
        contact_ids = sorted({row.contact_id for row in rows})
        directory = self._people.fresh(team_id, sorted({*recipients_ids, *contact_ids}))
        if directory.refused is not None:
            return [], {}, {}, directory.refused
        cached = directory.people
        with self._uow_factory() as uow:
            settings = uow.nudge_settings.get_many(team_id, recipients_ids)
            # Notes are private: each interaction is read only for the author the nudge belongs to.
            summaries = uow.contact_history.summaries_by_author(
                team_id, {row.interaction_id: row.user_id for row in rows if row.interaction_id is not None}
            )
            cadences = uow.cadences.for_pairs(
                team_id, [(row.user_id, row.contact_id) for row in rows if row.kind is NudgeKind.CADENCE]
            )
        people: dict[str, Person | None] = dict(cached)
        for user_id in recipients_ids:
            if user_id not in people and user_id not in directory.missing:
                people[user_id] = Person(team_id=team_id, user_id=user_id, name="")  # unknown: deliver in UTC
        gone: dict[str, list[int]] = defaultdict(list)
        recipients: dict[str, _Recipient] = {}
        due: list[DueNudge] = []
        for row in rows:
            person = people.get(row.user_id)
            contact = cached.get(row.contact_id)
            if person is None:
                gone["user_not_found"].append(row.id)
                continue
            if person.deleted or person.is_bot:
                gone["user_deleted" if person.deleted else "user_is_bot"].append(row.id)
                continue
            if row.contact_id in directory.missing or (contact is not None and contact.deleted):
                gone["contact_deactivated"].append(row.id)
                continue
            if row.user_id not in recipients:
                preferences = settings.get(row.user_id) or NudgeSettings()
                recipients[row.user_id] = _Recipient(
                    hours=preferences.hours(person.tz),
                    digest=preferences.digest_enabled,
                    paused_until=preferences.paused_until,
                )
            summary = summaries.get(row.interaction_id) if row.interaction_id is not None else None
            row_cadence = cadences.get((row.user_id, row.contact_id))
            met_at = summary[0] if summary else (row_cadence.last_interaction_at if row_cadence is not None else None)
            due.append(
                DueNudge(
                    id=row.id,
                    team_id=row.team_id,
                    user_id=row.user_id,
                    contact_id=row.contact_id,
                    kind=row.kind,
                    due_at=row.due_at,
                    contact=contact.label if contact is not None else "",
                    met_at=met_at,
                    interaction_kind=summary[1] if summary else "",
                    topic=summary[2] if summary else "",
                    every_days=row_cadence.every_days if row_cadence is not None else None,
                )
            )
        return due, recipients, gone, None

    def _deliver(
        self,
        worker: str,
        delivery: Delivery,
        recipient: _Recipient,
        rows: dict[int, ScheduledNudge],
        claimed_at: float,
        paused: set[str],
    ) -> SweepReport:
        report = SweepReport()
        ids = [nudge.id for nudge in delivery.nudges]
        try:
            if delivery.team_id in paused:  # Slack refused this workspace's token since the batch was claimed
                self._hand_back(worker, delivery.team_id, ids, paused, report)
                return report
            doubtful = [rows[nudge.id] for nudge in delivery.nudges if rows[nudge.id].in_doubt]
            if doubtful:
                delivery = self._settle_doubts(worker, delivery, doubtful, report)
                if not delivery.nudges:
                    return report
            if monotonic_time.monotonic() - claimed_at > self._lease.total_seconds() * 0.8:
                # Too close to the lease's end to start a post safely: hand the rows back for the next sweep.
                with self._uow_factory() as uow:
                    uow.nudges.release([n.id for n in delivery.nudges], worker, self._clock.now(), self._clock.now())
                    uow.commit()
                report.deferred += len(delivery.nudges)
                return report
            attempts = 1 + max(rows[nudge.id].attempts for nudge in delivery.nudges)
            self._post(worker, delivery, recipient, attempts, report, paused)
        except _Refused as refused:
            self._hand_back(worker, delivery.team_id, ids, paused, report, refused.code)
        except Exception:  # one person's failure must not stop the others; the rows' leases expire and retry
            logger.exception("delivering nudges %s failed", [nudge.id for nudge in delivery.nudges])
        return report

    def _post(
        self,
        worker: str,
        delivery: Delivery,
        recipient: _Recipient,
        attempts: int,
        report: SweepReport,
        paused: set[str],
    ) -> None:
        now = self._clock.now()
        ids = [nudge.id for nudge in delivery.nudges]
        text, blocks = self._render(delivery, now, recipient.hours)
        with self._uow_factory() as uow:
            held = uow.nudges.mark_attempt(ids, worker, now, now + self._lease)
            if held != len(ids):
                report.lost_leases += len(ids)
                logger.warning("lost the lease on nudges %s before posting; another sweep has them", ids)
                return  # rolled back: nothing marked
            uow.commit()
        result = self._sender.post_message(
            delivery.user_id,
            text,
            blocks,
            metadata={"event_type": METADATA_EVENT, "event_payload": {"ids": ids}},
            unfurl_links=False,
            unfurl_media=False,
        )
        if not result.ok and is_auth_error(result.error):
            # Nothing was posted: un-count the attempt, and pause the whole workspace rather than this row.
            self._breakers.trip(delivery.team_id, str(result.error))
            paused.add(delivery.team_id)
            with self._uow_factory() as uow:
                uow.nudges.mark_refused(ids, worker, str(result.error), self._clock.now())
                uow.commit()
            report.paused += len(ids)
            return
        self._record(worker, ids, result, attempts, report)

    def _record(self, worker: str, ids: list[int], result: SendOutcome, attempts: int, report: SweepReport) -> None:
        now = self._clock.now()
        with self._uow_factory() as uow:
            if result.ok:
                uow.nudges.mark_sent(ids, worker, result.channel, result.ts, now)
                report.sent += len(ids)
                report.messages += 1
            elif result.retryable:
                error = result.error or "retryable"
                if error in _RATE_LIMITED:
                    wait = timedelta(seconds=max(result.retry_after or 1.0, 1.0))
                else:
                    wait = retry_delay(attempts, result.retry_after)
                uow.nudges.mark_retry(ids, worker, now + wait, error, error in _AMBIGUOUS, now)
                report.retried += len(ids)
                report.errors[error] = report.errors.get(error, 0) + len(ids)
            else:
                error = result.error or "failed"
                uow.nudges.mark_failed(ids, worker, error, now)
                report.failed += len(ids)
                report.errors[error] = report.errors.get(error, 0) + len(ids)
                logger.warning("nudges %s failed permanently: %s", ids, error)
            uow.commit()

    def _settle_doubts(
        self, worker: str, delivery: Delivery, doubtful: list[ScheduledNudge], report: SweepReport
    ) -> Delivery:
        """Find in-doubt nudges already in the DM; record them as sent and return the delivery without them."""
        team_id, user_id = delivery.team_id, delivery.user_id
        now = self._clock.now()
        with self._uow_factory() as uow:
            channel = uow.nudges.dm_channel(team_id, user_id)
        outcome: SendOutcome | None = None
        if channel is None:
            outcome, channel = self._sender.open_dm(user_id)
        found: dict[int, tuple[str, str]] = {}
        if channel is not None:
            oldest = min(nudge.updated_at or now for nudge in doubtful) - _LOOKBACK
            outcome, messages = self._sender.recent_messages(channel, oldest=oldest.timestamp())
            wanted = {nudge.id for nudge in doubtful}
            for message in messages:
                metadata = message.get("metadata") or {}
                if metadata.get("event_type") != METADATA_EVENT:
                    continue
                payload_ids = (metadata.get("event_payload") or {}).get("ids") or []
                for nudge_id in payload_ids:
                    if isinstance(nudge_id, int) and nudge_id in wanted and nudge_id not in found:
                        found[nudge_id] = (channel, str(message.get("ts", "")))
        if outcome is not None and not outcome.ok:
            if is_auth_error(outcome.error):
                raise _Refused(str(outcome.error))  # the rows stay in doubt: whether they arrived is still unknown
            if outcome.retryable:
                # Cannot tell whether they were delivered: keep them in doubt and ask again later.
                ids = [nudge.id for nudge in doubtful]
                with self._uow_factory() as uow:
                    wait = timedelta(seconds=max(outcome.retry_after or 30.0, 1.0))
                    uow.nudges.mark_retry(ids, worker, now + wait, outcome.error or "lookup_failed", True, now)
                    uow.commit()
                report.retried += len(ids)
                return replace(delivery, nudges=tuple(n for n in delivery.nudges if n.id not in set(ids)))
            if not self._warned_history:
                self._warned_history = True
                logger.warning(
                    "cannot check whether in-doubt nudges reached Slack (%s); re-sending them (grant im:history "
                    "and im:write for exactly-once after crashes)",
                    outcome.error,
                )
        by_message: dict[tuple[str, str], list[int]] = defaultdict(list)
        for nudge_id, where in found.items():
            by_message[where].append(nudge_id)
        if by_message:
            with self._uow_factory() as uow:
                for (where_channel, ts), ids in by_message.items():
                    uow.nudges.mark_sent(ids, worker, where_channel, ts, now)
                uow.commit()
            report.recovered += len(found)
            report.sent += len(found)
            logger.info("nudges %s were already delivered before a crash or timeout; not re-sent", sorted(found))
        return replace(delivery, nudges=tuple(n for n in delivery.nudges if n.id not in found))

    # --- answers ------------------------------------------------------------------------------------------------

    def _tz(self, team_id: str, user_id: str) -> str:
        try:
            person = self._people.get(team_id, user_id)
        except DirectoryLookupError:
            person = None
        return person.tz if person else "UTC"

    def complete(self, team_id: str, user_id: str, nudge_id: int) -> NudgeOutcome | None:
        """Done: log a follow-up touch with the contact (now) and resolve the nudge. None if it is not theirs."""
        now = self._clock.now()
        with self._uow_factory() as uow:
            resolved = uow.nudges.resolve(team_id, user_id, nudge_id, NudgeStatus.DONE, now)
            if resolved is None:
                current = uow.nudges.get(team_id, user_id, nudge_id)
                return None if current is None else self._outcome(current, False, team_id, user_id)
            touch = uow.interactions.add(
                NewInteraction(
                    team_id=team_id,
                    author_id=user_id,
                    happened_at=now,
                    kind=InteractionKind.OTHER,
                    notes="",
                    source=InteractionSource.NUDGE,
                    participant_ids=(resolved.contact_id,),
                    follow_up_days=0,
                ),
                created_at=now,
            )
            self.on_interaction_logged(uow, touch, now)
            uow.commit()
        logger.info("nudge %s done team=%s", nudge_id, team_id)
        return self._outcome(resolved, True, team_id, user_id)

    def snooze(self, team_id: str, user_id: str, nudge_id: int, days: int) -> NudgeOutcome | None:
        """Snooze: retire this nudge and schedule the same reminder ``days`` from now."""
        if not 1 <= days <= MAX_DAYS:
            raise ValueError(f"snooze days must be between 1 and {MAX_DAYS}")
        now = self._clock.now()
        until = now + timedelta(days=days)
        with self._uow_factory() as uow:
            resolved = uow.nudges.resolve(team_id, user_id, nudge_id, NudgeStatus.SNOOZED, now)
            if resolved is None:
                current = uow.nudges.get(team_id, user_id, nudge_id)
                return None if current is None else self._outcome(current, False, team_id, user_id)
            uow.nudges.add(
                team_id,
                user_id,
                resolved.contact_id,
                resolved.kind,
                until,
                now,
                interaction_id=resolved.interaction_id,
            )
            settings = uow.nudge_settings.get(team_id, user_id) or NudgeSettings()
            uow.commit()
        tz = self._tz(team_id, user_id)
        deliver_at = next_delivery_time(until, settings.hours(tz))
        logger.info("nudge %s snoozed %d days team=%s", nudge_id, days, team_id)
        return replace(self._outcome(resolved, True, team_id, user_id, tz), snoozed_until=deliver_at)

    def dismiss(self, team_id: str, user_id: str, nudge_id: int) -> NudgeOutcome | None:
        """Not needed: resolve the nudge without logging anything."""
        now = self._clock.now()
        with self._uow_factory() as uow:
            resolved = uow.nudges.resolve(team_id, user_id, nudge_id, NudgeStatus.DISMISSED, now)
            if resolved is None:
                current = uow.nudges.get(team_id, user_id, nudge_id)
                return None if current is None else self._outcome(current, False, team_id, user_id)
            uow.commit()
        logger.info("nudge %s dismissed team=%s", nudge_id, team_id)
        return self._outcome(resolved, True, team_id, user_id)

    def keep_in_touch(self, team_id: str, user_id: str, nudge_id: int, every_days: int) -> NudgeOutcome | None:
        """The nudge's "Keep in touch" menu: set a cadence with its contact (the nudge itself stays open)."""
        with self._uow_factory() as uow:
            nudge = uow.nudges.get(team_id, user_id, nudge_id)
        if nudge is None:
            return None
        cadence = self.set_cadence(team_id, user_id, nudge.contact_id, every_days)
        return replace(self._outcome(nudge, True, team_id, user_id), cadence=cadence)

    def _outcome(
        self, nudge: ScheduledNudge, changed: bool, team_id: str, user_id: str, tz: str | None = None
    ) -> NudgeOutcome:
        return NudgeOutcome(
            nudge_id=nudge.id,
            contact_id=nudge.contact_id,
            kind=nudge.kind,
            status=nudge.status,
            changed=changed,
            tz=tz or self._tz(team_id, user_id),
        )

    # --- cadences and settings ----------------------------------------------------------------------------------

    def set_cadence(self, team_id: str, user_id: str, contact_id: str, every_days: int) -> CadenceInfo:
        """Keep in touch with ``contact_id`` every ``every_days`` (1–365), counted from the last interaction."""
        if not 1 <= every_days <= MAX_DAYS:
            raise ValueError(f"every_days must be between 1 and {MAX_DAYS}")
        if contact_id == user_id:
            raise ValueError("a cadence is with someone else")
        now = self._clock.now()
        with self._uow_factory() as uow:
            uow.workspaces.ensure(team_id, now)
            latest = uow.contact_history.latest_with(team_id, user_id, contact_id)
            next_due = cadence_due(latest, now, every_days)
            uow.cadences.upsert(team_id, user_id, contact_id, every_days, latest, next_due, now)
            uow.nudges.supersede_pending(
                team_id, user_id, contact_id, NudgeKind.CADENCE, now, due_before=now + timedelta(days=3650)
            )
            uow.commit()
        logger.info("cadence set team=%s every=%dd", team_id, every_days)
        return CadenceInfo(contact_id, every_days, latest, next_due)

    def stop_cadence(self, team_id: str, user_id: str, contact_id: str) -> bool:
        """Stop keeping in touch with ``contact_id``; False when there was no active cadence."""
        now = self._clock.now()
        with self._uow_factory() as uow:
            stopped = uow.cadences.deactivate(team_id, user_id, contact_id, now)
            if stopped:
                uow.nudges.supersede_pending(
                    team_id, user_id, contact_id, NudgeKind.CADENCE, now, due_before=now + timedelta(days=3650)
                )
            uow.commit()
        return stopped

    def list_cadences(self, team_id: str, user_id: str) -> list[CadenceInfo]:
        """The person's active cadences, soonest due first."""
        with self._uow_factory() as uow:
            cadences = uow.cadences.list_active(team_id, user_id)
        return [
            CadenceInfo(
                contact_id=cadence.contact_id,
                every_days=cadence.every_days,
                last_interaction_at=cadence.last_interaction_at,
                next_due_at=cadence.next_due_at
                or cadence_due(cadence.last_interaction_at, cadence.created_at, cadence.every_days),
            )
            for cadence in cadences
        ]

    def get_settings(self, team_id: str, user_id: str) -> NudgeSettings:
        """The person's nudge settings (defaults until they save some)."""
        with self._uow_factory() as uow:
            return uow.nudge_settings.get(team_id, user_id) or NudgeSettings()

    def save_settings(self, team_id: str, user_id: str, settings: NudgeSettings) -> NudgeSettings:
        """Save the person's nudge settings; pending nudges follow them at their next sweep."""
        now = self._clock.now()
        with self._uow_factory() as uow:
            uow.workspaces.ensure(team_id, now)
            uow.nudge_settings.save(team_id, user_id, settings, now)
            uow.commit()
        logger.info("nudge settings saved team=%s", team_id)
        return settings

    def pending(self, team_id: str, user_id: str) -> list[ScheduledNudge]:
        """The person's open nudges (pending, claimed or sent and unanswered), oldest due first."""
        with self._uow_factory() as uow:
            return uow.nudges.list_for_user(
                team_id, user_id, (NudgeStatus.PENDING, NudgeStatus.CLAIMED, NudgeStatus.SENT)
            )
