"""A pair's life after a cycle: the mentee's suggestion (with a warm path when one may be shown), Request intro,
Show another, Not now; the mentor's Accept (capacity held by one conditional UPDATE) or Decline; expiry; the
group-DM introduction; check-ins every four weeks (Yes, Pause, End match with private feedback, We met)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.coffee import WorkingDay, suggest_meeting_time
from bot.domain.mentoring.cycle import show_another
from bot.domain.mentoring.programme import (
    CHECK_IN_EVERY,
    HOLDING,
    Accepted,
    JobKind,
    Match,
    MatchStatus,
    WarmPath,
    warm_path,
)
from bot.domain.models import Interaction, InteractionKind, InteractionSource, NewInteraction
from bot.domain.outcomes import SendOutcome
from bot.services.mentoring.base import Ports, Reply, load_pool, mentors_of
from bot.services.ports import UnitOfWork

logger = logging.getLogger(__name__)

WARM_LOOKBACK = timedelta(days=91)  # "this quarter"
MAX_FEEDBACK = 1000
Hook = Callable[[UnitOfWork, Interaction, datetime], None]
Message = tuple[str, list[dict[str, object]]]


@dataclass(frozen=True, slots=True)
class Next:
    """What the mentee sees after passing on a suggestion: the next one's message, or a line."""

    reply: Reply
    message: Message | None = None


class Pairs:
    """Suggestions, requests, introductions and check-ins."""

    def __init__(self, ports: Ports) -> None:
        self._p = ports
        self._hooks: list[Hook] = []

    def add_hook(self, hook: Hook) -> None:
        """Run ``hook`` in the transaction of every meeting "We met" logs (follow-ups, weekly reviews)."""
        self._hooks.append(hook)

    # --- the mentee's side --------------------------------------------------------------------------------------

    def suggestion_message(self, match: Match) -> Message:
        """The mentee's DM for a suggestion, with a warm path when one may be shown."""
        label = self._p.people.labels(match.team_id, (match.mentor_id,)).get(match.mentor_id, "a mentor")
        path = self.warm(match)
        return self._p.render.suggestion(match, label, self._warm_line(match, path), path.via if path else None)

    def warm(self, match: Match) -> WarmPath | None:
        """Who could introduce the two, only from logs whose owners opted in (the mentor, and the contact); else a
        coffee group the two shared; else None."""
        now = self._p.clock.now()
        with self._p.uow_factory() as uow:
            opted_in = uow.mentor_profiles.sharing_contacts(match.team_id)
            mine = uow.insight.meetings_by_contact(match.team_id, match.mentee_id, now - WARM_LOOKBACK, now)
            theirs = (
                uow.insight.meetings_by_contact(match.team_id, match.mentor_id, now - WARM_LOOKBACK, now)
                if match.mentor_id in opted_in
                else {}
            )
            coffee = uow.mentor_matches.shared_coffee_group(match.team_id, match.mentee_id, match.mentor_id)
        return warm_path(mine, theirs, opted_in, ["coffee"] if coffee else [], (match.mentee_id, match.mentor_id))

    def _warm_line(self, match: Match, path: WarmPath | None) -> str | None:
        if path is None:
            return None
        if path.via is None:
            return "You two were in a coffee group together — a friendly way to start."
        name = self._p.people.labels(match.team_id, (path.via,)).get(path.via, "a shared contact")
        return f"You both met {name} this quarter — ask them to introduce you?"

    def draft_ask(self, team_id: str, user_id: str, match_id: int) -> Reply:
        """ "Draft the ask": a message the mentee can send the shared contact (the path is checked again now)."""
        with self._p.uow_factory() as uow:
            match = uow.mentor_matches.get(team_id, match_id)
        if match is None or match.mentee_id != user_id:
            return Reply("That suggestion isn't yours.", ok=False)
        path = self.warm(match)
        if path is None or path.via is None:
            return Reply("There's no shared contact to ask any more — Request intro works too.", ok=False)
        names = self._p.people.labels(team_id, (path.via, match.mentor_id))
        via, mentor = names.get(path.via, "there"), names.get(match.mentor_id, "them")
        return Reply(
            f"A draft to send <@{path.via}>:\n>Hi {via}! Rapport suggested {mentor} as a mentor for me, and you know "
            "us both — would you be up for introducing us? Thank you!"
        )

    def _mentee_match(self, team_id: str, user_id: str, match_id: int) -> Match | Reply:
        with self._p.uow_factory() as uow:
            match = uow.mentor_matches.get(team_id, match_id)
        if match is None or match.mentee_id != user_id:
            return Reply("That suggestion isn't yours.", ok=False)
        if match.status is not MatchStatus.SUGGESTED:
            return Reply("You've answered that suggestion already.", ok=False)
        return match

    def request_intro(self, team_id: str, user_id: str, match_id: int) -> Reply:
        """The mentee asks for the intro: the mentor gets Accept / Decline; the request expires after N days."""
        match = self._mentee_match(team_id, user_id, match_id)
        if isinstance(match, Reply):
            return match
        return self._request(match)

    def request_found(self, team_id: str, user_id: str, mentor_id: str) -> Reply:
        """ "Request intro" on a `/mentor find` result: a request without a cycle."""
        if mentor_id == user_id:
            return Reply("You can't be your own mentor.", ok=False)
        now = self._p.clock.now()
        with self._p.uow_factory() as uow:
            pool = load_pool(uow, team_id, now)
            if pool.exclusions.forbids(user_id, mentor_id) or user_id in pool.busy:
                return Reply("You have a request or a match going already, or you two were matched before.", False)
            if pool.free_slots.get(mentor_id, 0) <= 0:
                return Reply("That mentor has no free slot right now.", ok=False)
            [match_id] = uow.mentor_matches.add_matches(
                team_id, None, [(user_id, mentor_id, MatchStatus.SUGGESTED, 0, "you found them")], now
            )
            uow.commit()
            match = uow.mentor_matches.get(team_id, match_id)
        assert match is not None
        return self._request(match)

    def _request(self, match: Match) -> Reply:
        now = self._p.clock.now()
        with self._p.uow_factory() as uow:
            settings = uow.mentor_profiles.programme(match.team_id)
            days = settings.request_days if settings else 7
            mentee = uow.mentor_profiles.get(match.team_id, match.mentee_id)
            if mentee is None or not uow.mentor_matches.request(match.team_id, match.id, now + timedelta(days), now):
                return Reply("You've answered that suggestion already.", ok=False)
            uow.mentor_jobs.add(match.team_id, JobKind.EXPIRE, match.id, now + timedelta(days=days), now)
            uow.commit()
        text, blocks = self._p.render.request(match, mentee.profile)
        posted = self._p.slack.post_message(match.mentor_id, text, blocks, team_id=match.team_id)
        if not posted.ok:
            logger.warning("mentoring request %s could not be delivered: %s", match.id, posted.error)
        return Reply(
            f"Request sent to <@{match.mentor_id}>. They have {days} days to answer; if they can't, "
            "I'll suggest someone else."
        )

    def not_now(self, team_id: str, user_id: str, match_id: int) -> Reply:
        """The mentee passes for this cycle."""
        match = self._mentee_match(team_id, user_id, match_id)
        if isinstance(match, Reply):
            return match
        with self._p.uow_factory() as uow:
            uow.mentor_matches.pass_on(team_id, match_id, self._p.clock.now())
            uow.commit()
        return Reply("No problem — you'll get a new suggestion next cycle.")

    def show_another(self, team_id: str, user_id: str, match_id: int) -> Next:
        """The next-best mentor with a free slot (skipping everyone shown this cycle)."""
        match = self._mentee_match(team_id, user_id, match_id)
        if isinstance(match, Reply):
            return Next(match)
        with self._p.uow_factory() as uow:
            uow.mentor_matches.pass_on(team_id, match_id, self._p.clock.now())
            uow.commit()
        return self.offer_next(match)

    def offer_next(self, previous: Match) -> Next:
        """Store and render the next suggestion after ``previous`` (passed, declined or expired)."""
        now = self._p.clock.now()
        team_id, mentee_id = previous.team_id, previous.mentee_id
        with self._p.uow_factory() as uow:
            pool = load_pool(uow, team_id, now)
            me = pool.participants.get(mentee_id)
            shown = uow.mentor_matches.shown_to(team_id, mentee_id, previous.cycle_id)
            found = (
                show_another(me, mentors_of(pool), pool.free_slots, pool.settings.preset, pool.exclusions, shown)
                if me is not None
                else None
            )
            if found is None:
                uow.mentor_profiles.set_waitlisted(team_id, [mentee_id], now)
                uow.commit()
                return Next(Reply("No other mentor with a free slot fits right now — you're on the waitlist."))
            [new_id] = uow.mentor_matches.add_matches(
                team_id,
                previous.cycle_id,
                [(mentee_id, found.mentor, MatchStatus.SUGGESTED, found.score, found.why)],
                now,
            )
            uow.mentor_matches.mark_notified(team_id, new_id, now)
            uow.commit()
            match = uow.mentor_matches.get(team_id, new_id)
        assert match is not None
        return Next(Reply("Here's another suggestion."), self.suggestion_message(match))

    # --- the mentor's side --------------------------------------------------------------------------------------

    def accept(self, team_id: str, user_id: str, match_id: int) -> Reply:
        """The mentor accepts: a slot is taken (or not, if the last one went first), then the group-DM intro."""
        now = self._p.clock.now()
        with self._p.uow_factory() as uow:
            match = uow.mentor_matches.get(team_id, match_id)
            if match is None or match.mentor_id != user_id:
                return Reply("That request isn't addressed to you.", ok=False)
            outcome = self._take(uow, match, now)
            if outcome is Accepted.ACCEPTED:
                uow.mentor_jobs.add(team_id, JobKind.CHECK_IN, match_id, now + CHECK_IN_EVERY, now)
                uow.mentor_profiles.clear_waitlisted(team_id, [match.mentee_id])
                uow.commit()
        if outcome is Accepted.FULL:
            self._tell(
                match.team_id,
                match.mentee_id,
                "Your mentoring request couldn't be accepted this time; I'll suggest someone.",
            )
            self.deliver_next(match)
            return Reply("All your slots are taken now, so this request can't be accepted. I've let them know.", False)
        if outcome is Accepted.GONE:
            return Reply("That request was answered, withdrawn or has expired.", ok=False)
        return self._introduce(match, now)

    @staticmethod
    def _take(uow: UnitOfWork, match: Match, now: datetime) -> Accepted:
        if match.status is not MatchStatus.REQUESTED:
            return Accepted.GONE
        if not uow.mentor_profiles.take_slot(match.team_id, match.mentor_id, now):
            uow.mentor_matches.decline(match.team_id, match.id, "", now)
            uow.commit()
            return Accepted.FULL
        if not uow.mentor_matches.activate(match.team_id, match.id, now):
            return Accepted.GONE  # answered meanwhile: the caller's rollback gives the slot back
        return Accepted.ACCEPTED

    def _introduce(self, match: Match, now: datetime) -> Reply:
        with self._p.uow_factory() as uow:
            mentee = uow.mentor_profiles.get(match.team_id, match.mentee_id)
            mentor = uow.mentor_profiles.get(match.team_id, match.mentor_id)
            hours = uow.nudge_settings.get_many(match.team_id, [match.mentee_id, match.mentor_id])
        if mentee is None or mentor is None:  # a profile was deleted meanwhile (forget): nothing to introduce
            return Reply("Accepted.")
        days = [
            WorkingDay(
                self._p.people.tz_of(match.team_id, user),
                *(
                    (s.work_start.hour * 60 + s.work_start.minute, s.work_end.hour * 60 + s.work_end.minute)
                    if (s := hours.get(user))
                    else (9 * 60, 17 * 60)
                ),
            )
            for user in (match.mentee_id, match.mentor_id)
        ]
        when = suggest_meeting_time(days, now, timedelta(days=14))
        opened, channel = self._p.slack.open_group([match.mentee_id, match.mentor_id], team_id=match.team_id)
        if not opened.ok or channel is None:
            logger.warning("mentoring intro %s: group DM not opened: %s", match.id, opened.error)
            return Reply("Accepted — but I couldn't open a group DM with the two of you; please reach out directly.")
        text, blocks = self._p.render.introduction(match, mentee.profile, mentor.profile, when)
        posted = self._p.slack.post_message(channel, text, blocks, team_id=match.team_id)
        with self._p.uow_factory() as uow:
            uow.mentor_matches.set_channel(match.team_id, match.id, channel, now)
            uow.commit()
        if not posted.ok:
            logger.warning("mentoring intro %s not posted: %s", match.id, posted.error)
        return Reply(f"Accepted — I've introduced you and <@{match.mentee_id}> in a group DM.")

    def decline(self, team_id: str, user_id: str, match_id: int, reason: str) -> Reply:
        """The mentor declines (the reason stays private); the mentee is offered the next suggestion."""
        now = self._p.clock.now()
        with self._p.uow_factory() as uow:
            match = uow.mentor_matches.get(team_id, match_id)
            if match is None or match.mentor_id != user_id:
                return Reply("That request isn't addressed to you.", ok=False)
            if not uow.mentor_matches.decline(team_id, match_id, reason.strip()[:MAX_FEEDBACK], now):
                return Reply("That request was answered, withdrawn or has expired.", ok=False)
            uow.commit()
        self._tell(
            match.team_id, match.mentee_id, "That mentor can't take you on right now — here's another suggestion."
        )
        self.deliver_next(match)
        return Reply("Declined. Thanks for answering — they'll get another suggestion.")

    def expire(self, team_id: str, match_id: int) -> int:
        """The ``expire`` job: an unanswered request lapses and the mentee gets the next suggestion."""
        now = self._p.clock.now()
        with self._p.uow_factory() as uow:
            match = uow.mentor_matches.get(team_id, match_id)
            if match is None or not uow.mentor_matches.expire(team_id, match_id, now):
                return 0
            uow.commit()
        self._tell(
            match.team_id,
            match.mentee_id,
            "Your mentoring request wasn't answered in time — here's another suggestion.",
        )
        self.deliver_next(match)
        return 1

    def deliver_next(self, previous: Match) -> None:
        """DM the mentee their next suggestion (or that they're on the waitlist)."""
        following = self.offer_next(previous)
        text, blocks = following.message or self._p.render.notice(following.reply.text)
        self._p.slack.post_message(previous.mentee_id, text, blocks, team_id=previous.team_id)

    def _tell(self, team_id: str, user_id: str, text: str) -> SendOutcome:
        message, blocks = self._p.render.notice(text)
        return self._p.slack.post_message(user_id, message, blocks, team_id=team_id)

    # --- check-ins ------------------------------------------------------------------------------------------------

    def check_in(self, team_id: str, match_id: int) -> SendOutcome:
        """The ``check_in`` job: "still meeting?" in the pair's group DM; the next one in four weeks."""
        now = self._p.clock.now()
        with self._p.uow_factory() as uow:
            match = uow.mentor_matches.get(team_id, match_id)
        if match is None or match.status not in HOLDING:
            return SendOutcome.success()
        text, blocks = self._p.render.check_in(match)
        outcome = self._p.slack.post_message(match.channel_id or match.mentee_id, text, blocks, team_id=team_id)
        if outcome.ok:
            with self._p.uow_factory() as uow:
                uow.mentor_jobs.add(team_id, JobKind.CHECK_IN, match_id, now + CHECK_IN_EVERY, now)
                uow.commit()
        return outcome

    def _pair_match(self, uow: UnitOfWork, team_id: str, user_id: str, match_id: int) -> Match | Reply:
        match = uow.mentor_matches.get(team_id, match_id)
        if match is None or user_id not in (match.mentee_id, match.mentor_id):
            return Reply("Only the two people in this match can answer.", ok=False)
        if match.status not in HOLDING:
            return Reply("This match has ended.", ok=False)
        return match

    def keep_going(self, team_id: str, user_id: str, match_id: int, pause: bool) -> Reply:
        """Yes (a paused match resumes) or Pause."""
        now = self._p.clock.now()
        with self._p.uow_factory() as uow:
            match = self._pair_match(uow, team_id, user_id, match_id)
            if isinstance(match, Reply):
                return match
            if pause:
                uow.mentor_matches.pause(team_id, match_id, now)
            else:
                uow.mentor_matches.resume(team_id, match_id, now)
            uow.commit()
        if pause:
            return Reply("Paused — the slot stays yours. I'll check in again in four weeks.")
        return Reply("Great — I'll check in again in four weeks.")

    def end(self, team_id: str, user_id: str, match_id: int, rating: int | None, note: str) -> Reply:
        """End the match: the slot is freed, the pair is never suggested again, feedback stays private."""
        if rating is not None and not 1 <= rating <= 5:
            return Reply("A rating is from 1 to 5.", ok=False)
        now = self._p.clock.now()
        with self._p.uow_factory() as uow:
            match = self._pair_match(uow, team_id, user_id, match_id)
            if isinstance(match, Reply):
                return match
            if not uow.mentor_matches.end(team_id, match_id, now):
                return Reply("This match has ended.", ok=False)
            uow.mentor_profiles.free_slot(team_id, match.mentor_id, now)
            uow.mentor_matches.record_feedback(team_id, match_id, rating, note.strip()[:MAX_FEEDBACK], now)
            uow.commit()
        logger.info("mentoring match %s ended team=%s", match_id, team_id)
        return Reply("Match ended. Thank you — your feedback is private; admins only see averages.")

    def we_met(self, team_id: str, user_id: str, match_id: int) -> Reply:
        """ "We met": logged for both, like any meeting (follow-ups and reviews fire), once a day per pair."""
        now = self._p.clock.now()
        with self._p.uow_factory() as uow:
            match = self._pair_match(uow, team_id, user_id, match_id)
            if isinstance(match, Reply):
                return match
            logged = 0
            for author, other in ((match.mentee_id, match.mentor_id), (match.mentor_id, match.mentee_id)):
                meeting = NewInteraction(
                    team_id=team_id,
                    author_id=author,
                    happened_at=now,
                    kind=InteractionKind.MEETING,
                    notes="",
                    source=InteractionSource.MENTORING,
                    participant_ids=(other,),
                )
                key = f"mentoring:{match_id}:{author}:{now.date().isoformat()}"
                stored = uow.interactions.add_once(meeting, now, key)
                if stored is not None:
                    logged += 1
                    for hook in self._hooks:
                        hook(uow, stored, now)
            uow.commit()
        return Reply(
            "Logged for both of you — I'll remind you each to follow up." if logged else "Already logged today."
        )
