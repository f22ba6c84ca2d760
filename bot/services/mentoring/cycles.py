"""Matching cycles: gather the engine's input, run it, store the suggestions, hold them for an admin's review or
publish them, and DM each mentee their suggestion (and each unmatched mentee their reason and waitlist place).

Decisions:

- **A cycle is stored before anything is sent.** The ``cycle`` job stores the suggestions (``proposed`` when the
  programme reviews first, else ``suggested``) and hands the DMs to a ``send`` job; the send marks each row as it
  is told, so a retried send tells nobody twice.
- **Waitlist first, exactly.** Mentees left unmatched keep their place (``waitlisted_since``) and the engine gives
  them a bonus larger than any cycle's score (bot.domain.mentoring.cycle), so next cycle matches them first.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from bot.domain.mentoring.cycle import Cycle, match_cycle
from bot.domain.mentoring.programme import JobKind, MatchStatus, next_cycle_at
from bot.domain.outcomes import SendOutcome
from bot.services.mentoring.base import Ports, Reply, load_pool, mentors_of
from bot.services.mentoring.pairs import Pairs
from bot.services.mentoring.profiles import Profiles
from bot.services.ports import UnitOfWork

logger = logging.getLogger(__name__)

PROPOSED, PUBLISHED, DROPPED, PENDING = "proposed", "published", "dropped", "pending"
Check = Callable[[], None]


class Cycles:
    """Running, reviewing and sending matching cycles."""

    def __init__(self, ports: Ports, profiles: Profiles, pairs: Pairs, seed_source: Callable[[], int]) -> None:
        self._p = ports
        self._profiles = profiles
        self._pairs = pairs
        self._seed = seed_source

    def match_now(self, team_id: str, user_id: str) -> Reply:
        """An admin runs a cycle now (on the leased runner: the next sweep takes it)."""
        if not self._profiles.may_manage(team_id, user_id):
            return Reply("Only workspace admins and the programme managers they name can do that.", ok=False)
        now = self._p.clock.now()
        with self._p.uow_factory() as uow:
            uow.workspaces.ensure(team_id, now)
            cycle_id = uow.mentor_matches.add_cycle(team_id, PENDING, user_id, 0, False, now)
            uow.mentor_jobs.add(team_id, JobKind.CYCLE, cycle_id, now, now)
            uow.commit()
        return Reply("A matching cycle is starting — suggestions go out in a minute or two.")

    def run(self, team_id: str, cycle_id: int | None, check: Check) -> int:
        """The ``cycle`` job: match, store, then review or publish; a scheduled cycle schedules the next one."""
        now = self._p.clock.now()
        with self._p.uow_factory() as uow:
            pool = load_pool(uow, team_id, now)
            waitlisted = frozenset(uow.mentor_profiles.waitlist(team_id))
        mentees = [p for uid, p in pool.participants.items() if uid not in pool.busy and p.profile.role.learns]
        result = match_cycle(
            Cycle(
                mentees=mentees,
                mentors=mentors_of(pool),
                free_slots=pool.free_slots,
                exclusions=pool.exclusions,
                waitlisted=waitlisted,
                preset=pool.settings.preset,
                seed=self._seed(),
            )
        )
        review = pool.settings.review_first
        status = MatchStatus.PROPOSED if review else MatchStatus.SUGGESTED
        rows = [(s.mentee, s.mentor, status, s.score, s.why) for s in result.suggestions]
        rows += [(u.mentee, "", status, 0, u.text) for u in result.unmatched]
        with self._p.uow_factory() as uow:
            if cycle_id is None:
                cycle_id = uow.mentor_matches.add_cycle(team_id, PENDING, None, 0, False, now)
                uow.mentor_jobs.add(team_id, JobKind.CYCLE, None, next_cycle_at(now, pool.settings.cadence_weeks), now)
            if not review:
                uow.mentor_matches.supersede(team_id, now)
            uow.mentor_matches.add_matches(team_id, cycle_id, rows, now)
            uow.mentor_matches.decide_cycle(team_id, cycle_id, PENDING, PROPOSED, now)
            if not review:
                self._publish(uow, team_id, cycle_id, [s.mentee for s in result.suggestions], now)
            uow.commit()
        logger.info(
            "mentoring cycle %s team=%s: %d suggested, %d unmatched", cycle_id, team_id, len(result.suggestions),
            len(result.unmatched),
        )  # fmt: skip
        return self._ask_review(team_id, cycle_id, pool.settings.managers, check) if review else 0

    @staticmethod
    def _publish(uow: UnitOfWork, team_id: str, cycle_id: int, matched: list[str], now: datetime) -> None:
        """Publish a stored cycle: the matched leave the waitlist, the unmatched join it, the DMs are queued."""
        uow.mentor_matches.decide_cycle(team_id, cycle_id, PROPOSED, PUBLISHED, now)
        uow.mentor_profiles.clear_waitlisted(team_id, matched)
        rows = uow.mentor_matches.of_cycle(team_id, cycle_id)
        uow.mentor_profiles.set_waitlisted(team_id, [r.mentee_id for r in rows if not r.mentor_id], now)
        uow.mentor_jobs.add(team_id, JobKind.SEND, cycle_id, now, now)

    def _ask_review(self, team_id: str, cycle_id: int, managers: tuple[str, ...], check: Check) -> int:
        with self._p.uow_factory() as uow:
            cycle = uow.mentor_matches.cycle(team_id, cycle_id)
            rows = uow.mentor_matches.of_cycle(team_id, cycle_id)
        assert cycle is not None
        reviewers = list(dict.fromkeys([*managers, *([cycle.requested_by] if cycle.requested_by else [])]))
        text, blocks = self._p.render.review(cycle, rows)
        sent = 0
        for reviewer in reviewers:
            check()
            outcome = self._p.slack.post_message(reviewer, text, blocks, team_id=team_id)
            if not outcome.ok:
                raise CycleSendFailed(outcome)
            sent += 1
        return sent

    def decide(self, team_id: str, user_id: str, cycle_id: int, publish: bool) -> Reply:
        """An admin publishes or drops a proposed cycle."""
        if not self._profiles.may_manage(team_id, user_id):
            return Reply("Only workspace admins and the programme managers they name can do that.", ok=False)
        now = self._p.clock.now()
        with self._p.uow_factory() as uow:
            cycle = uow.mentor_matches.cycle(team_id, cycle_id)
            if cycle is None or cycle.status != PROPOSED:
                return Reply("That cycle was published or dropped already.", ok=False)
            if publish:
                uow.mentor_matches.supersede(team_id, now)
                uow.mentor_matches.move_cycle(team_id, cycle_id, MatchStatus.PROPOSED, MatchStatus.SUGGESTED, now)
                rows = uow.mentor_matches.of_cycle(team_id, cycle_id)
                self._publish(uow, team_id, cycle_id, [r.mentee_id for r in rows if r.mentor_id], now)
            else:
                uow.mentor_matches.decide_cycle(team_id, cycle_id, PROPOSED, DROPPED, now)
                uow.mentor_matches.move_cycle(team_id, cycle_id, MatchStatus.PROPOSED, MatchStatus.PASSED, now)
            uow.commit()
        if publish:
            return Reply(f"Published: the suggestions of cycle {cycle_id} are on their way.")
        return Reply(f"Dropped cycle {cycle_id}: nothing was sent.")

    def send(self, team_id: str, cycle_id: int, check: Check) -> int:
        """The ``send`` job: DM each mentee not told yet (suggestion, or reason and waitlist place)."""
        with self._p.uow_factory() as uow:
            rows = [
                r
                for r in uow.mentor_matches.of_cycle(team_id, cycle_id)
                if r.notified_at is None and r.status is MatchStatus.SUGGESTED
            ]
            waitlist = uow.mentor_profiles.waitlist(team_id)
        sent = 0
        for row in rows:
            check()
            if row.mentor_id:
                text, blocks = self._pairs.suggestion_message(row)
            else:
                position = waitlist.index(row.mentee_id) + 1 if row.mentee_id in waitlist else 1
                text, blocks = self._p.render.waitlisted(row.why, position)
            outcome = self._p.slack.post_message(row.mentee_id, text, blocks, team_id=team_id)
            if not outcome.ok and outcome.error not in ("user_not_found", "account_inactive", "cannot_dm_bot"):
                raise CycleSendFailed(outcome)
            with self._p.uow_factory() as uow:
                uow.mentor_matches.mark_notified(team_id, row.id, self._p.clock.now())
                uow.commit()
            sent += 1
        return sent


class CycleSendFailed(Exception):
    """A Slack call stopped a job: its outcome is what the runner records."""

    def __init__(self, outcome: SendOutcome) -> None:
        super().__init__(outcome.error)
        self.outcome = outcome
