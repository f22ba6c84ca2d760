"""Mentoring (issue #11): the product around the engine in bot.domain.mentoring, behind one facade handlers call.

Use cases by file: ``profiles.py`` (the profile form and save, status, the skill list, programme settings, find,
the Home summary and the admin coverage), ``cycles.py`` (match now, the cycle job, review, publish or drop, the
send job), ``pairs.py`` (Request intro, Show another, Not now, Accept, Decline, expiry, the introduction,
check-ins, End match, We met). Scheduled work runs on the shared leased-job runner (bot.services.leased): one
``mentor_jobs`` row per cycle, send, expiry and check-in, claimed with the statement coffee steps use.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta
from functools import partial

from bot.domain.leases import RetryPolicy
from bot.domain.mentoring.profile import FieldError, ProfileDraft
from bot.domain.mentoring.programme import JobKind, MentorJob, ProgrammeSettings
from bot.domain.outcomes import SendOutcome
from bot.services.breakers import AuthBreakers
from bot.services.leased import Batch, LeasedRunner, LeaseReport, Running, Task, UnitQueue
from bot.services.mentoring.base import Ports, Reply
from bot.services.mentoring.cycles import Cycles, CycleSendFailed
from bot.services.mentoring.pairs import Hook, Next, Pairs
from bot.services.mentoring.profiles import Coverage, Found, ProfileForm, Profiles, Saved, Status, Summary
from bot.services.people import PeopleService
from bot.services.ports import Clock, UnitOfWork
from bot.services.ports.mentoring import MentoringRenderer, MentoringSlack
from bot.services.workers import default_worker_id

JOB_RETRIES = RetryPolicy(base=timedelta(minutes=2), cap=timedelta(hours=1), max_attempts=8)

__all__ = ["Coverage", "Found", "MentoringService", "Next", "ProfileForm", "Reply", "Saved", "Status", "Summary"]


class MentoringService:
    """Everything mentoring offers handlers and the scheduler."""

    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        people: PeopleService,
        slack: MentoringSlack,
        render: MentoringRenderer,
        clock: Clock,
        breakers: AuthBreakers,
        *,
        lease: timedelta = timedelta(minutes=5),
        worker_id: str | None = None,
        seed_source: Callable[[], int] | None = None,
    ) -> None:
        ports = Ports(uow_factory, people, slack, render, clock)
        self._uow_factory = uow_factory
        self._changed: list[Callable[[str, str], None]] = []
        self.profiles = Profiles(ports)
        self.pairs = Pairs(ports)
        self.cycles = Cycles(
            ports, self.profiles, self.pairs, seed_source or (lambda: random.SystemRandom().randrange(2**31))
        )
        self.worker_id = worker_id or default_worker_id()
        self._runner = LeasedRunner(
            UnitQueue(uow_factory, lambda uow: uow.mentor_jobs),
            breakers,
            clock,
            name="mentoring jobs",
            lease=lease,
            batch=20,
            policy=JOB_RETRIES,
            budget=None,
        )

    def add_hook(self, hook: Hook) -> None:
        """Run ``hook`` in the transaction of every meeting mentoring logs ("We met")."""
        self.pairs.add_hook(hook)

    def on_changed(self, listener: Callable[[str, str], None]) -> None:
        """Call ``listener(team_id, user_id)`` for each person whose mentoring standing a click changed (after it
        committed): the Home tab shows it."""
        self._changed.append(listener)

    def _tell(self, team_id: str, *user_ids: str) -> None:
        for listener in self._changed:
            for user_id in dict.fromkeys(user_ids):
                listener(team_id, user_id)

    def _tell_pair(self, reply: Reply, team_id: str, user_id: str, match_id: int) -> Reply:
        """After a click on a match: both people of the match (their summary moved), when it did something."""
        if reply.ok and self._changed:
            with self._uow_factory() as uow:
                match = uow.mentor_matches.get(team_id, match_id)
            self._tell(team_id, user_id, *((match.mentee_id, match.mentor_id) if match else ()))
        return reply

    # --- what handlers call (each one use case) -----------------------------------------------------------------

    def profile_form(self, team_id: str, user_id: str) -> ProfileForm | Reply:
        """What the profile modal shows, or why this person can't have a profile."""
        return self.profiles.form(team_id, user_id)

    def check_profile(self, team_id: str, draft: ProfileDraft) -> tuple[FieldError, ...]:
        """The profile form's field errors (empty when it would save)."""
        return self.profiles.check(team_id, draft)

    def save_profile(self, team_id: str, draft: ProfileDraft, share_contacts: bool) -> Saved:
        """Check and store a profile (nothing stored on error)."""
        saved = self.profiles.save(team_id, draft, share_contacts)
        if not saved.errors:
            self._tell(team_id, draft.user_id)
        return saved

    def status(self, team_id: str, user_id: str) -> Status:
        """`/mentor status`."""
        return self.profiles.status(team_id, user_id)

    def summary(self, team_id: str, user_id: str) -> Summary:
        """A small summary for the Home tab."""
        return self.profiles.summary(team_id, user_id)

    def coverage(self, team_id: str) -> Coverage | None:
        """Programme figures for `/network admin` (None under K people)."""
        return self.profiles.coverage(team_id)

    def skills(self, team_id: str) -> list[str]:
        """The workspace skill list."""
        return self.profiles.skills(team_id)

    def add_skills(self, team_id: str, user_id: str, names: list[str]) -> Reply:
        """Add to the skill list (admins and managers)."""
        return self.profiles.add_skills(team_id, user_id, names)

    def remove_skills(self, team_id: str, user_id: str, names: list[str]) -> Reply:
        """Remove from the skill list (admins and managers)."""
        return self.profiles.remove_skills(team_id, user_id, names)

    def programme_form(self, team_id: str, user_id: str) -> ProgrammeSettings | Reply:
        """The programme settings for the modal, or a refusal."""
        return self.profiles.programme_form(team_id, user_id)

    def save_programme(self, team_id: str, user_id: str, settings: ProgrammeSettings) -> Reply:
        """Save the programme settings and reschedule the next cycle."""
        return self.profiles.save_programme(team_id, user_id, settings)

    def find(self, team_id: str, user_id: str, skill: str) -> Found | Reply:
        """`/mentor find SKILL`."""
        return self.profiles.find(team_id, user_id, skill)

    def match_now(self, team_id: str, user_id: str) -> Reply:
        """Run a cycle now (on the leased runner)."""
        return self.cycles.match_now(team_id, user_id)

    def decide_cycle(self, team_id: str, user_id: str, cycle_id: int, publish: bool) -> Reply:
        """Publish or drop a proposed cycle."""
        return self.cycles.decide(team_id, user_id, cycle_id, publish)

    def request_intro(self, team_id: str, user_id: str, match_id: int) -> Reply:
        """Request intro on a suggestion."""
        return self._tell_pair(self.pairs.request_intro(team_id, user_id, match_id), team_id, user_id, match_id)

    def request_found(self, team_id: str, user_id: str, mentor_id: str) -> Reply:
        """Request intro on a find result."""
        reply = self.pairs.request_found(team_id, user_id, mentor_id)
        if reply.ok:
            self._tell(team_id, user_id, mentor_id)
        return reply

    def show_another(self, team_id: str, user_id: str, match_id: int) -> Next:
        """The next-best mentor instead of this suggestion."""
        return self.pairs.show_another(team_id, user_id, match_id)

    def draft_ask(self, team_id: str, user_id: str, match_id: int) -> Reply:
        """A draft asking the shared contact for a warm intro."""
        return self.pairs.draft_ask(team_id, user_id, match_id)

    def not_now(self, team_id: str, user_id: str, match_id: int) -> Reply:
        """Pass on this cycle's suggestion."""
        return self.pairs.not_now(team_id, user_id, match_id)

    def accept(self, team_id: str, user_id: str, match_id: int) -> Reply:
        """The mentor accepts (capacity held) and the pair is introduced."""
        return self._tell_pair(self.pairs.accept(team_id, user_id, match_id), team_id, user_id, match_id)

    def decline(self, team_id: str, user_id: str, match_id: int, reason: str = "") -> Reply:
        """The mentor declines (the reason stays private)."""
        return self._tell_pair(self.pairs.decline(team_id, user_id, match_id, reason), team_id, user_id, match_id)

    def keep_going(self, team_id: str, user_id: str, match_id: int, pause: bool = False) -> Reply:
        """Check-in: Yes, or Pause."""
        return self._tell_pair(self.pairs.keep_going(team_id, user_id, match_id, pause), team_id, user_id, match_id)

    def end_match(self, team_id: str, user_id: str, match_id: int, rating: int | None, note: str) -> Reply:
        """End the match with optional private feedback."""
        return self._tell_pair(self.pairs.end(team_id, user_id, match_id, rating, note), team_id, user_id, match_id)

    def we_met(self, team_id: str, user_id: str, match_id: int) -> Reply:
        """Log a mentoring meeting for both."""
        return self.pairs.we_met(team_id, user_id, match_id)

    # --- the sweep ------------------------------------------------------------------------------------------------

    def sweep(self, worker_id: str | None = None, team_id: str | None = None) -> LeaseReport:
        """Claim due mentoring jobs (cycles, sends, expiries, check-ins), perform each, record the outcome."""
        return self._runner.sweep(worker_id or self.worker_id, self._plan, team_id)

    def _plan(self, jobs: list[MentorJob], batch: Batch[MentorJob]) -> list[Task[MentorJob]]:
        return [Task([job], partial(self._perform, job)) for job in jobs]

    def _perform(self, job: MentorJob, running: Running[MentorJob]) -> SendOutcome:
        try:
            match job.kind:
                case JobKind.CYCLE:
                    running.count("messages", self.cycles.run(job.team_id, job.ref_id, running.check))
                case JobKind.SEND:
                    running.count("messages", self.cycles.send(job.team_id, job.ref_id or 0, running.check))
                case JobKind.EXPIRE:
                    running.count("expired", self.pairs.expire(job.team_id, job.ref_id or 0))
                case JobKind.CHECK_IN:
                    return self.pairs.check_in(job.team_id, job.ref_id or 0)
        except CycleSendFailed as failed:
            return failed.outcome
        return SendOutcome.success()
