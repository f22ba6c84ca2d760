"""The weekly review DM: on the person's day (Monday 09:00 local by default), a short look back — last week's
meetings and the new people among them, follow-through, goals — and one concrete suggestion. Leased like nudges
(bot.services.leased), so any number of workers send each review once; a week with nothing to say sends nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from bot.domain.insight.review import (
    DEFAULT_WEEKDAY,
    ReviewContent,
    ReviewFacts,
    ScheduledReview,
    compose_review,
    next_review_at,
)
from bot.domain.leases import Claim, RetryPolicy
from bot.domain.models import Interaction
from bot.domain.nudges import NudgeSettings
from bot.domain.outcomes import SendOutcome
from bot.services.breakers import AuthBreakers
from bot.services.followups import FollowUpService
from bot.services.insight import InsightService
from bot.services.leased import LeasedRunner, LeaseReport, Running, Task
from bot.services.people import PeopleService
from bot.services.ports import Clock, MessageSender, UnitOfWork, UnitOfWorkFactory
from bot.services.workers import default_worker_id

logger = logging.getLogger(__name__)

WEEK = timedelta(days=7)
DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
Renderer = Callable[[ReviewContent], tuple[str, list[dict[str, Any]]]]


class ReviewQueue:
    """Review rows as the leased runner sees them (bot.services.ports.leases.LeasedQueue)."""

    def __init__(self, uow_factory: UnitOfWorkFactory, next_due: Callable[[ScheduledReview, datetime], datetime]):
        self._uow_factory = uow_factory
        self._next_due = next_due

    def claim(self, claim: Claim) -> list[ScheduledReview]:
        """Lease due reviews."""
        with self._uow_factory() as uow:
            rows = uow.reviews.claim(claim)
            uow.commit()
        return rows

    def _put_back(self, rows: Sequence[ScheduledReview], worker_id: str, now: datetime, at: Any, **values: Any) -> None:
        with self._uow_factory() as uow:
            for row in rows:
                when = at(row) if callable(at) else at
                uow.reviews.put_back([row.id], worker_id, when, now, **values)
            uow.commit()

    def release(self, rows: Sequence[ScheduledReview], worker_id: str, available_at: datetime, now: datetime) -> None:
        """Hand back unperformed."""
        self._put_back(rows, worker_id, now, available_at)

    def defer(
        self, rows: Sequence[ScheduledReview], worker_id: str, available_at: datetime, error: str, now: datetime
    ) -> None:
        """Rate limited: later, no attempt counted."""
        self._put_back(rows, worker_id, now, available_at, last_error=error)

    def mark_done(self, rows: Sequence[ScheduledReview], worker_id: str, outcome: SendOutcome, now: datetime) -> None:
        """Sent (or nothing to say): next week."""
        self._put_back(
            rows, worker_id, now, lambda row: self._next_due(row, now), attempts=0, last_error=None, last_sent_at=now
        )

    def mark_retry(
        self,
        rows: Sequence[ScheduledReview],
        worker_id: str,
        available_at: datetime,
        error: str,
        in_doubt: bool,
        now: datetime,
    ) -> None:
        """Try again later, the attempt counted."""
        for row in rows:
            self._put_back([row], worker_id, now, available_at, attempts=row.attempts + 1, last_error=error)

    def mark_refused(
        self, rows: Sequence[ScheduledReview], worker_id: str, error: str, available_at: datetime, now: datetime
    ) -> None:
        """The token was refused: back at the breaker's next probe."""
        self._put_back(rows, worker_id, now, available_at, last_error=error)

    def mark_failed(self, rows: Sequence[ScheduledReview], worker_id: str, error: str, now: datetime) -> None:
        """This week's review could not be sent: skip it, try next week."""
        logger.info("weekly reviews %s skipped this week: %s", [row.id for row in rows], error)
        self._put_back(rows, worker_id, now, lambda row: self._next_due(row, now), attempts=0, last_error=error)


class ReviewService:
    """Schedules, composes and sends weekly reviews."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        people: PeopleService,
        insight: InsightService,
        followups: FollowUpService,
        sender: MessageSender,
        render: Renderer,
        breakers: AuthBreakers,
        clock: Clock,
        *,
        lease: timedelta = timedelta(minutes=5),
        worker_id: str | None = None,
    ) -> None:
        self._uow_factory = uow_factory
        self._people = people
        self._insight = insight
        self._followups = followups
        self._sender = sender
        self._render = render
        self._clock = clock
        self.worker_id = worker_id or default_worker_id()
        self._runner = LeasedRunner(
            ReviewQueue(uow_factory, self._next_due),
            breakers,
            clock,
            name="reviews",
            lease=lease,
            batch=50,
            budget=0.5,
            policy=RetryPolicy(base=timedelta(minutes=5), cap=timedelta(hours=2), max_attempts=5),
        )

    # --- scheduling -------------------------------------------------------------------------------------------

    def on_interaction_logged(self, uow: UnitOfWork, interaction: Interaction, now: datetime) -> None:
        """Anyone who logs a meeting gets weekly reviews from then on (one row; nothing if they have one)."""
        if uow.reviews.weekday(interaction.team_id, interaction.author_id) is not None:
            return  # scheduled already: one cheap read instead of the directory read and the insert below
        # Inside the meeting's transaction: read the time zone from the directory cache, never from Slack.
        author = uow.people.get_many(interaction.team_id, [interaction.author_id]).get(interaction.author_id)
        due = next_review_at(now, author.tz if author else "UTC")
        uow.reviews.ensure(interaction.team_id, interaction.author_id, due, now)

    def on_interactions_logged(self, uow: UnitOfWork, interactions: Sequence[Interaction], now: datetime) -> None:
        """``on_interaction_logged`` for a batch: one read for everyone who has a review row already."""
        if len(interactions) == 1:
            self.on_interaction_logged(uow, interactions[0], now)
            return
        by_team: dict[str, set[str]] = {}
        for interaction in interactions:
            by_team.setdefault(interaction.team_id, set()).add(interaction.author_id)
        for team_id, authors in by_team.items():
            new = sorted(authors - uow.reviews.scheduled_among(team_id, sorted(authors)))
            people = uow.people.get_many(team_id, new) if new else {}
            for author_id in new:
                author = people.get(author_id)
                uow.reviews.ensure(team_id, author_id, next_review_at(now, author.tz if author else "UTC"), now)

    def set_day(self, team_id: str, user_id: str, weekday: int | None) -> str:
        """Reviews on ``weekday`` (0 = Monday), or off (None); returns the confirmation."""
        now = self._clock.now()
        day = DEFAULT_WEEKDAY if weekday is None else weekday
        due = next_review_at(now, self._people.tz_of(team_id, user_id), day, self._start_minute(team_id, user_id))
        with self._uow_factory() as uow:
            uow.workspaces.ensure(team_id, now)
            uow.reviews.set_schedule(team_id, user_id, weekday, due, now)
            uow.commit()
        if weekday is None:
            return "Weekly reviews are off. `/network review monday` turns them back on."
        return f"Your weekly review comes on {DAY_NAMES[day].capitalize()}s at the start of your working day."

    def _start_minute(self, team_id: str, user_id: str) -> int:
        with self._uow_factory() as uow:
            settings = uow.nudge_settings.get(team_id, user_id) or NudgeSettings()
        return settings.work_start.hour * 60 + settings.work_start.minute

    def _next_due(self, row: ScheduledReview, now: datetime) -> datetime:
        with self._uow_factory() as uow:
            weekday = uow.reviews.weekday(row.team_id, row.user_id)
        tz = self._people.tz_of(row.team_id, row.user_id)
        start = self._start_minute(row.team_id, row.user_id)
        return next_review_at(now + timedelta(minutes=1), tz, DEFAULT_WEEKDAY if weekday is None else weekday, start)

    # --- sending ----------------------------------------------------------------------------------------------

    def sweep(self, worker_id: str | None = None, team_id: str | None = None) -> LeaseReport:
        """Send every due review (each once, across workers)."""
        return self._runner.sweep(worker_id or self.worker_id, self._plan, team_id=team_id)

    def _plan(self, rows: Sequence[ScheduledReview], batch: Any) -> Iterable[Task[ScheduledReview]]:
        return [Task([row], partial(self._send, row)) for row in rows]

    def _send(self, row: ScheduledReview, running: Running[ScheduledReview]) -> SendOutcome | None:
        content = compose_review(self.facts(row.team_id, row.user_id))
        if content is None:
            return SendOutcome.success()  # nothing to say this week: say nothing
        running.check()
        text, blocks = self._render(content)
        return self._sender.post_message(row.user_id, text, blocks, team_id=row.team_id)

    def facts(self, team_id: str, user_id: str) -> ReviewFacts:
        """Last week in the person's own log."""
        now = self._clock.now()
        start = now - WEEK
        with self._uow_factory() as uow:
            met = uow.insight.meetings_by_contact(team_id, user_id, start, now + timedelta(seconds=1))
            new = uow.insight.first_met(team_id, user_id, start, now + timedelta(seconds=1))
            [(due, done)] = uow.insight.follow_up_counts(team_id, user_id, [(start, now)])
            teams = uow.insight.teams(team_id)
        labels = self._people.labels(team_id, tuple(new))
        goals = [
            f"Goal — {r.progress.goal.sentence}: {r.progress.text.split('  ', 1)[-1]}"
            for r in self._insight.goal_reports(team_id, user_id)
        ]
        overdue = [c for c in self._followups.list_cadences(team_id, user_id) if c.next_due_at <= now]
        reached = set(self._insight.reach(team_id, user_id).meetings_by_team)
        unreached = [team for team in teams if team not in reached]
        return ReviewFacts(
            meetings=sum(met.values()),
            new_people=[labels.get(user, f"<@{user}>") for user in new],
            follow_ups_due=due,
            follow_ups_done=done,
            goal_lines=goals,
            overdue_contact=self._people.labels(team_id, (overdue[0].contact_id,)).get(overdue[0].contact_id)
            if overdue
            else None,
            unreached_team=unreached[0] if unreached and met else None,
        )
