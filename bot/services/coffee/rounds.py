"""A round's scheduled steps: heads-up, start (match, then introduce each group), check-in, summary.

Decisions:

* The database holds every future step of a round (``coffee_jobs``); ``bot.services.coffee.sweep`` claims them with
  a lease and calls :meth:`Rounds.perform`. A step is idempotent: the start matches once (groups and notices are
  stored first, with the seed), then posts each group's intro and each notice once (recorded per row), so a
  retried step only sends what is missing. Before each send a step calls the ``check`` it was given, which hands a
  long step back at half its lease.
* Pause/stop cancel rounds that have not started; a started round still gets its check-in and summary.
* A group that never answers the check-in counts as an ignored round for each member; after three in a row the
  person is set aside (``bot.domain.coffee_rules.after_ignored_round``) and told how to come back (`/coffee join`).
* "We met" logs are the check-in's (``bot.services.coffee.checkins``); a step never logs an interaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Protocol

from bot.domain import matching
from bot.domain.breaker import is_auth_error
from bot.domain.coffee import (
    CheckIn,
    GroupRecord,
    Job,
    JobKind,
    MemberState,
    Notice,
    Program,
    ProgramStatus,
    Round,
    RoundStatus,
    following_round_start,
    round_times,
)
from bot.domain.coffee_rules import after_ignored_round
from bot.domain.matching import MatchPolicy
from bot.domain.outcomes import SendOutcome
from bot.services.coffee.pool import DIRECTORY_TRIES, Pool, StepFailed
from bot.services.coffee.results import CoffeeRenderer, Intro, Message
from bot.services.ports import (
    Clock,
    CoffeeJobRepository,
    CoffeeProgrammeRepository,
    CoffeeRoundRepository,
    CoffeeSlack,
    Transaction,
)

logger = logging.getLogger(__name__)

# Slack errors after which a channel step can never succeed: the step ends with the reason.
# Auth errors are never among them: a refused token pauses the workspace (bot.services.breakers), not the programme.
CHANNEL_GONE = frozenset({"channel_not_found", "not_in_channel", "is_archived", "missing_scope"})


class RoundWrites(Transaction, Protocol):
    """Scheduling, cancelling and failing rounds: the rounds and their steps."""

    @property
    def coffee_rounds(self) -> CoffeeRoundRepository: ...

    @property
    def coffee_jobs(self) -> CoffeeJobRepository: ...


class RoundsUnit(RoundWrites, Protocol):
    """What the steps read and write: also programmes and member state (heads-ups, attendance, intro lines)."""

    @property
    def coffee_programmes(self) -> CoffeeProgrammeRepository: ...


def _stop_unless_permanent(result: SendOutcome) -> None:
    """A failed send stops the step unless it is permanent for that one message: retryable failures are retried and
    a refused token pauses the workspace; only then may the step record the failure and go on to the next message."""
    if result.retryable or is_auth_error(result.error):
        raise StepFailed(result)


class Rounds:
    """Schedules rounds and performs their steps when sweeps claim them."""

    def __init__(
        self,
        uow_factory: Callable[[], RoundsUnit],
        slack: CoffeeSlack,
        render: CoffeeRenderer,
        clock: Clock,
        pool: Pool,
        *,
        seed_source: Callable[[], int],
    ) -> None:
        self._uow_factory = uow_factory
        self._slack = slack
        self._render = render
        self._clock = clock
        self._pool = pool
        self._seed_source = seed_source
        self._grouped: list[Callable[[str, tuple[str, ...]], None]] = []

    def on_grouped(self, listener: Callable[[str, tuple[str, ...]], None]) -> None:
        """Call ``listener(team_id, member_ids)`` once a group's intro is posted (the members' Home shows it)."""
        self._grouped.append(listener)

    def schedule(
        self,
        uow: RoundWrites,
        program: Program,
        starts_at: datetime,
        *,
        regular: bool,
        now: datetime,
        heads_up: bool = True,
    ) -> Round:
        """Store a round starting at ``starts_at`` and each of its steps, in the caller's transaction."""
        times = round_times(program.settings, starts_at)
        round_ = uow.coffee_rounds.add_round(program.team_id, program.id, self._seed_source(), times, regular, now)
        if heads_up and regular and times.heads_up_at < starts_at:
            uow.coffee_jobs.add(program.team_id, round_.id, JobKind.HEADS_UP, max(times.heads_up_at, now), now)
        uow.coffee_jobs.add(program.team_id, round_.id, JobKind.START, starts_at, now)
        uow.coffee_jobs.add(program.team_id, round_.id, JobKind.CHECK_IN, times.check_in_at, now)
        uow.coffee_jobs.add(program.team_id, round_.id, JobKind.SUMMARY, times.ends_at, now)
        return round_

    @staticmethod
    def cancel_scheduled(uow: RoundWrites, team_id: str, program_id: int, now: datetime) -> None:
        """Cancel the programme's rounds that have not started, and their steps, in the caller's transaction."""
        round_ids = uow.coffee_rounds.cancel_scheduled_rounds(team_id, program_id, now)
        uow.coffee_jobs.cancel_pending(team_id, round_ids, now)

    # --- the steps ----------------------------------------------------------------------------------------------

    def perform(self, job: Job, check: Callable[[], None]) -> int:
        """Run one claimed step, calling ``check`` before each send; the number of messages it sent. Raises
        StepFailed when a Slack call failed (and whatever ``check`` raises to hand the step back)."""
        steps = {
            JobKind.HEADS_UP: self._heads_up,
            JobKind.START: self._start,
            JobKind.CHECK_IN: self._check_in_step,
            JobKind.SUMMARY: self._summary,
        }
        loaded = self._load(job)
        if loaded is None:
            return 0  # the round was cancelled (or is gone): nothing left to do
        return steps[job.kind](job, *loaded, check)

    def failed_for_good(self, uow: RoundWrites, job: Job, now: datetime) -> None:
        """A start that can never run cancels its round (in the transaction recording the failure)."""
        if job.kind == JobKind.START:
            uow.coffee_rounds.set_round_status(job.team_id, job.round_id, RoundStatus.CANCELLED, now)

    def after_failure(self, job: Job, error: str) -> None:
        """Once a step's failure is recorded: a start whose channel is gone (archived, deleted, the bot removed)
        pauses the programme and tells the organiser how to resume."""
        if job.kind != JobKind.START or error not in CHANNEL_GONE:
            return
        now = self._clock.now()
        with self._uow_factory() as uow:
            round_ = uow.coffee_rounds.round(job.team_id, job.round_id)
            program = uow.coffee_programmes.program(job.team_id, round_.program_id) if round_ else None
            if program is None:
                return
            uow.coffee_programmes.set_program_status(job.team_id, program.id, ProgramStatus.PAUSED, now)
            self.cancel_scheduled(uow, job.team_id, program.id, now)
            uow.commit()
        result = self._post(program.team_id, program.set_up_by, self._render.channel_lost(program.channel_id, error))
        if not result.ok:
            logger.warning("could not tell the organiser about a lost coffee channel: %s", result.error)

    def _load(self, job: Job) -> tuple[Round, Program] | None:
        with self._uow_factory() as uow:
            round_ = uow.coffee_rounds.round(job.team_id, job.round_id)
            program = uow.coffee_programmes.program(job.team_id, round_.program_id) if round_ else None
        if round_ is None or program is None or round_.status == RoundStatus.CANCELLED:
            return None
        return round_, program

    def _post(self, team_id: str, channel: str, message: Message) -> SendOutcome:
        text, blocks = message
        return self._slack.post_message(channel, text, blocks, team_id=team_id)

    def _heads_up(self, job: Job, round_: Round, program: Program, check: Callable[[], None]) -> int:
        now = self._clock.now()
        if round_.status != RoundStatus.SCHEDULED or now >= round_.times.starts_at:
            return 0  # too late for a heads-up: the round itself says hello
        pool, _ = self._pool.build(program, round_.id, now, complete=job.attempts < DIRECTORY_TRIES)
        with self._uow_factory() as uow:
            states = uow.coffee_programmes.members(program.team_id, program.id)
        sent = 0
        for user_id, person in sorted(pool.items()):
            if states.get(user_id, MemberState(user_id)).heads_up_round_id == round_.id:
                continue
            check()
            result = self._post(program.team_id, user_id, self._render.heads_up(program.channel_id, round_, person.tz))
            if not result.ok:
                _stop_unless_permanent(result)
                logger.warning("heads-up to a member failed: %s", result.error)
            with self._uow_factory() as uow:
                uow.coffee_programmes.mark_heads_up(program.team_id, program.id, user_id, round_.id, now)
                uow.commit()
            sent += 1
        return sent

    def _start(self, job: Job, round_: Round, program: Program, check: Callable[[], None]) -> int:
        if round_.status == RoundStatus.SCHEDULED:
            self._match(round_, program, complete=job.attempts < DIRECTORY_TRIES)
        return self._send_intros(round_, program, check)

    def _match(self, round_: Round, program: Program, *, complete: bool) -> None:
        now = self._clock.now()
        try:
            pool, sitting_out = self._pool.build(program, round_.id, now, complete=complete)
        except StepFailed as failed:
            if failed.result.error in CHANNEL_GONE:
                logger.warning("coffee channel %s is gone (%s)", program.channel_id, failed.result.error)
            raise
        members = self._pool.members(program.team_id, pool, now)
        history = self._pool.history(program, list(pool), now)
        policy = MatchPolicy(group_size=program.settings.group_size, pool_mode=program.settings.pool_mode)
        # Attribute access, not a module-level import: the solvers (numpy/scipy/networkx) load on a round's first use.
        result = matching.match_round(members, history, policy, now, round_.seed)
        ledger = matching.fairness_after(result, dict(history.fairness), policy, now)
        changed = {user_id: record for user_id, record in ledger.items() if history.fairness.get(user_id) != record}
        notices = [Notice(round_.id, item.user_id, item.reason, item.text) for item in result.unmatched]
        notices += [Notice(round_.id, notice.user_id, notice.reason, notice.text) for notice in sitting_out]
        with self._uow_factory() as uow:
            current = uow.coffee_rounds.round(program.team_id, round_.id)
            if current is None or current.status != RoundStatus.SCHEDULED:
                return  # another worker matched it meanwhile (its lease expired under us)
            uow.coffee_rounds.add_groups(program.team_id, round_.id, [(g.member_ids, g.reason) for g in result.groups])
            uow.coffee_rounds.add_notices(program.team_id, round_.id, notices)
            uow.coffee_rounds.save_fairness(program.team_id, program.id, changed)
            uow.coffee_rounds.mark_started(program.team_id, round_.id, len(members), now)
            if round_.regular:
                self._schedule_following(uow, program, round_, now)
            uow.commit()
        logger.info(
            "coffee round %s matched: pool=%d groups=%d unmatched=%d seed=%d",
            round_.id,
            len(members),
            len(result.groups),
            len(result.unmatched),
            round_.seed,
        )

    def _schedule_following(self, uow: RoundsUnit, program: Program, round_: Round, now: datetime) -> None:
        """A regular round that starts schedules the next one (unless one is scheduled or the programme stopped)."""
        fresh = uow.coffee_programmes.program(program.team_id, program.id)
        if fresh is None or fresh.status != ProgramStatus.ACTIVE:
            return
        if uow.coffee_rounds.next_scheduled_round(program.team_id, program.id) is not None:
            return
        starts = following_round_start(fresh.settings, round_.times.starts_at)
        while starts <= now:
            starts = following_round_start(fresh.settings, starts)
        self.schedule(uow, fresh, starts, regular=True, now=now)

    def _send_intros(self, round_: Round, program: Program, check: Callable[[], None]) -> int:
        now = self._clock.now()
        with self._uow_factory() as uow:
            groups = uow.coffee_rounds.groups(program.team_id, round_.id)
            notices = uow.coffee_rounds.notices(program.team_id, round_.id)
            intros = uow.coffee_programmes.intros(program.team_id, [m for g in groups for m in g.member_ids])
            current = uow.coffee_rounds.round(program.team_id, round_.id) or round_
        sent = 0
        for index, group in enumerate(groups):
            if group.intro_ts is None:
                check()
                sent += self._introduce(group, partial(self._pool.intro, group, program, current, intros, index, now))
        for notice in notices:
            if not notice.sent:
                check()
                sent += self._tell_not_grouped(program, notice, now)
        return sent

    def _introduce(self, group: GroupRecord, intro: Callable[[], Intro]) -> int:
        """Open the group's DM (once) and post its intro (composed once the DM is open); 1 when posted."""
        channel = group.channel_id
        if channel is None:
            outcome, channel = self._slack.open_group(group.member_ids, team_id=group.team_id)
            if channel is None:
                self._group_failed(group, outcome)
                return 0
            with self._uow_factory() as uow:
                uow.coffee_rounds.set_group_channel(group.team_id, group.id, channel)
                uow.commit()
        result = self._post(group.team_id, channel, self._render.intro(intro()))
        if not result.ok:
            self._group_failed(group, result)
            return 0
        with self._uow_factory() as uow:
            uow.coffee_rounds.record_intro(group.team_id, group.id, result.ts)
            uow.commit()
        for listener in self._grouped:
            listener(group.team_id, group.member_ids)
        return 1

    def _tell_not_grouped(self, program: Program, notice: Notice, now: datetime) -> int:
        """DM someone who was not grouped, saying why (once); 1 when posted."""
        result = self._post(program.team_id, notice.user_id, self._render.not_grouped(program.channel_id, notice.text))
        if not result.ok:
            _stop_unless_permanent(result)
        with self._uow_factory() as uow:
            uow.coffee_rounds.mark_notice_sent(program.team_id, notice.round_id, notice.user_id, now)
            uow.commit()
        return 1 if result.ok else 0

    def _group_failed(self, group: GroupRecord, result: SendOutcome) -> None:
        _stop_unless_permanent(result)
        logger.warning("coffee group %s could not be introduced: %s", group.id, result.error)
        with self._uow_factory() as uow:
            uow.coffee_rounds.record_group_error(group.team_id, group.id, result.error or "unknown")
            uow.commit()

    def _check_in_step(self, job: Job, round_: Round, program: Program, check: Callable[[], None]) -> int:
        if round_.status != RoundStatus.STARTED:
            return 0
        with self._uow_factory() as uow:
            groups = uow.coffee_rounds.groups(program.team_id, round_.id)
        sent = 0
        for group in groups:
            if group.channel_id is None or group.check_in_ts is not None or group.outcome == CheckIn.MET:
                continue
            check()
            result = self._post(program.team_id, group.channel_id, self._render.check_in(group.id, program.channel_id))
            if not result.ok:
                self._group_failed(group, result)
                continue
            with self._uow_factory() as uow:
                uow.coffee_rounds.record_check_in(program.team_id, group.id, result.ts or "")
                uow.commit()
            sent += 1
        return sent

    def _summary(self, job: Job, round_: Round, program: Program, check: Callable[[], None]) -> int:
        if round_.status != RoundStatus.STARTED:
            return 0
        now = self._clock.now()
        with self._uow_factory() as uow:
            groups = [g for g in uow.coffee_rounds.groups(program.team_id, round_.id) if g.intro_ts is not None]
        sent = 0
        if round_.summary_ts is None and groups:
            sent += self._post_summary(program, round_, groups, now)
        for user_id in self._record_attendance(program, round_, groups, now):
            result = self._post(program.team_id, user_id, self._render.set_aside(program.channel_id))
            if result.ok:
                sent += 1
            else:
                logger.warning("set-aside DM failed: %s", result.error)
        return sent

    def _post_summary(self, program: Program, round_: Round, groups: list[GroupRecord], now: datetime) -> int:
        """The channel's "N groups met" message (recorded even when it failed for good); 1 when posted."""
        met = sum(1 for g in groups if g.outcome == CheckIn.MET)
        scheduled = sum(1 for g in groups if g.outcome == CheckIn.SCHEDULED)
        result = self._post(
            program.team_id, program.channel_id, self._render.summary(program.channel_id, met, scheduled, len(groups))
        )
        if not result.ok:
            _stop_unless_permanent(result)
        with self._uow_factory() as uow:
            uow.coffee_rounds.record_summary(program.team_id, round_.id, result.ts or "", now)
            uow.commit()
        return 1 if result.ok else 0

    def _record_attendance(
        self, program: Program, round_: Round, groups: list[GroupRecord], now: datetime
    ) -> list[str]:
        """Count an ignored round for each member of a group that never answered, end the round; who was just set
        aside."""
        newly_set_aside: list[str] = []
        with self._uow_factory() as uow:
            states = uow.coffee_programmes.members(program.team_id, program.id)
            for group in groups:
                for user_id in group.member_ids:
                    if group.outcome is not None:
                        uow.coffee_programmes.reset_ignored_rounds(program.team_id, program.id, user_id, now)
                        continue
                    after = after_ignored_round(states.get(user_id, MemberState(user_id)))
                    uow.coffee_programmes.record_ignored_round(
                        program.team_id, program.id, user_id, after.ignored_rounds, after.set_aside, now
                    )
                    if after.newly_set_aside:
                        newly_set_aside.append(user_id)
            uow.coffee_rounds.set_round_status(program.team_id, round_.id, RoundStatus.DONE, now)
            uow.commit()
        return newly_set_aside
