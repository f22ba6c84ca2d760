"""Profiles and the programme: the profile form and its save, status, the skill list, the programme settings,
`/mentor find`, and the figures Home and `/network admin` show."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from bot.domain.insight.effectiveness import K_ANONYMITY
from bot.domain.mentoring.cycle import find_mentors
from bot.domain.mentoring.profile import (
    FieldError,
    MentoringProfile,
    ProfileDraft,
    Role,
    SkillList,
    check_profile,
    unknown_skill_message,
)
from bot.domain.mentoring.programme import (
    HOLDING,
    JobKind,
    Match,
    MatchStatus,
    ProgrammeSettings,
    StoredProfile,
    next_cycle_at,
)
from bot.services.mentoring.base import Ports, Reply, load_pool, mentors_of, participant

logger = logging.getLogger(__name__)

_PROBLEMS = {
    "bot": "Bots can't take part in mentoring.",
    "deleted": "That account is deactivated, so it can't take part in mentoring.",
    "not_found": "I can't find you in this workspace's directory yet — please try again in a minute.",
    "unavailable": "Slack isn't answering about your profile right now — please try again in a minute.",
}


@dataclass(frozen=True, slots=True)
class ProfileForm:
    """What the profile modal shows: the saved profile (if any) and the workspace skill list."""

    stored: StoredProfile | None
    skills: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Saved:
    """A profile save: the field errors (nothing stored), or the confirmation."""

    errors: tuple[FieldError, ...]
    text: str = ""


@dataclass(frozen=True, slots=True)
class Status:
    """`/mentor status`: current matches, pending requests, waitlist place, slots left."""

    stored: StoredProfile | None
    matches: tuple[Match, ...]
    requests: tuple[Match, ...]
    waitlist_position: int | None
    next_cycle: datetime | None


@dataclass(frozen=True, slots=True)
class Found:
    """`/mentor find`: the skill's canonical name and the mentors who teach it, best first."""

    skill: str
    matches: tuple[Match, ...]  # not stored: the suggestion as a Match with id 0, for one renderer


@dataclass(frozen=True, slots=True)
class Summary:
    """A line's worth for Home: role, matches now, requests waiting, waitlist place."""

    has_profile: bool
    active: int
    waiting_on_me: int
    waitlist_position: int | None


@dataclass(frozen=True, slots=True)
class Coverage:
    """`/network admin`: how many people take part and how many mentees are matched (None below K_ANONYMITY)."""

    mentors: int
    mentees: int
    matched_mentees: int
    ended: int
    mean_rating: float | None


class Profiles:
    """Profiles, skills, programme settings and find."""

    def __init__(self, ports: Ports) -> None:
        self._p = ports

    # --- who may do what --------------------------------------------------------------------------------------

    def person_problem(self, team_id: str, user_id: str) -> Reply | None:
        """Why this person can't have a profile (a bot, deactivated, unknown), or None."""
        _, problems = self._p.people.resolve(team_id, (user_id,))
        return Reply(_PROBLEMS[problems[0].code], ok=False) if problems else None

    def may_manage(self, team_id: str, user_id: str) -> bool:
        """Workspace admins and the people they named manage the programme."""
        with self._p.uow_factory() as uow:
            settings = uow.mentor_profiles.programme(team_id)
        return (settings is not None and user_id in settings.managers) or self._p.slack.is_admin(
            user_id, team_id=team_id
        )

    def _refused(self) -> Reply:
        return Reply("Only workspace admins and the programme managers they name can do that.", ok=False)

    # --- the profile ----------------------------------------------------------------------------------------------

    def form(self, team_id: str, user_id: str) -> ProfileForm | Reply:
        """What the profile modal shows, or why this person can't have one."""
        problem = self.person_problem(team_id, user_id)
        if problem is not None:
            return problem
        with self._p.uow_factory() as uow:
            return ProfileForm(uow.mentor_profiles.get(team_id, user_id), tuple(uow.mentor_profiles.skills(team_id)))

    def check(self, team_id: str, draft: ProfileDraft) -> tuple[FieldError, ...]:
        """The form's field errors against the workspace list (empty when it would save)."""
        with self._p.uow_factory() as uow:
            skills = uow.mentor_profiles.skills(team_id)
        return check_profile(draft, skills).errors

    def save(self, team_id: str, draft: ProfileDraft, share_contacts: bool) -> Saved:
        """Check and store a profile; nothing is stored when any field is wrong."""
        now = self._p.clock.now()
        with self._p.uow_factory() as uow:
            checked = check_profile(draft, uow.mentor_profiles.skills(team_id))
            if checked.profile is None:
                return Saved(checked.errors)
            uow.workspaces.ensure(team_id, now)
            uow.mentor_profiles.save(team_id, checked.profile, share_contacts, now)
            if uow.mentor_jobs.next_due(team_id, JobKind.CYCLE) is None:
                settings = uow.mentor_profiles.programme(team_id) or ProgrammeSettings()
                uow.mentor_jobs.add(team_id, JobKind.CYCLE, None, _next_cycle(now, settings), now)
            uow.commit()
        logger.info("mentoring profile saved team=%s user=%s", team_id, draft.user_id)
        state = "open to matches" if checked.profile.open_to_matches else "not open to matches for now"
        return Saved((), f"Your mentoring profile is saved — you're {state}. `/mentor status` shows where you stand.")

    def status(self, team_id: str, user_id: str) -> Status:
        """Where the person stands."""
        with self._p.uow_factory() as uow:
            stored = uow.mentor_profiles.get(team_id, user_id)
            matches = uow.mentor_matches.of_person(team_id, user_id, HOLDING)
            requests = uow.mentor_matches.of_person(team_id, user_id, {MatchStatus.REQUESTED})
            waitlist = uow.mentor_profiles.waitlist(team_id)
            next_cycle = uow.mentor_jobs.next_due(team_id, JobKind.CYCLE)
        position = waitlist.index(user_id) + 1 if user_id in waitlist else None
        return Status(stored, tuple(matches), tuple(requests), position, next_cycle)

    def summary(self, team_id: str, user_id: str) -> Summary:
        """A small summary for the Home tab (one read for someone with no profile: most people)."""
        with self._p.uow_factory() as uow:
            if uow.mentor_profiles.get(team_id, user_id) is None:
                return Summary(has_profile=False, active=0, waiting_on_me=0, waitlist_position=None)
        status = self.status(team_id, user_id)
        return Summary(
            has_profile=status.stored is not None,
            active=len(status.matches),
            waiting_on_me=sum(1 for m in status.requests if m.mentor_id == user_id),
            waitlist_position=status.waitlist_position,
        )

    # --- the skill list ------------------------------------------------------------------------------------------

    def skills(self, team_id: str) -> list[str]:
        """The workspace skill list."""
        with self._p.uow_factory() as uow:
            return uow.mentor_profiles.skills(team_id)

    def add_skills(self, team_id: str, user_id: str, names: Sequence[str]) -> Reply:
        """Add skills to the workspace list (admins and managers)."""
        if not self.may_manage(team_id, user_id):
            return self._refused()
        too_long = [n for n in names if len(n.strip()) > 80]
        if too_long or not names:
            return Reply("Give one or more skill names, comma-separated, each under 80 characters.", ok=False)
        now = self._p.clock.now()
        with self._p.uow_factory() as uow:
            uow.workspaces.ensure(team_id, now)
            added = uow.mentor_profiles.add_skills(team_id, names, now)
            uow.commit()
        if not added:
            return Reply("Those skills are on the list already.")
        return Reply("Added to the skill list: " + ", ".join(f"*{name}*" for name in added) + ".")

    def remove_skills(self, team_id: str, user_id: str, names: Sequence[str]) -> Reply:
        """Remove skills from the workspace list (profiles keep them until next edited)."""
        if not self.may_manage(team_id, user_id):
            return self._refused()
        with self._p.uow_factory() as uow:
            removed = uow.mentor_profiles.remove_skills(team_id, names)
            uow.commit()
        if not removed:
            return Reply("None of those are on the skill list.", ok=False)
        return Reply(f"Removed {removed} skill{'s' if removed != 1 else ''} from the list.")

    # --- the programme ------------------------------------------------------------------------------------------

    def programme_form(self, team_id: str, user_id: str) -> ProgrammeSettings | Reply:
        """The programme's settings for its modal, or why this person may not change them."""
        if not self.may_manage(team_id, user_id):
            return self._refused()
        with self._p.uow_factory() as uow:
            return uow.mentor_profiles.programme(team_id) or ProgrammeSettings()

    def save_programme(self, team_id: str, user_id: str, settings: ProgrammeSettings) -> Reply:
        """Save the settings and schedule the next cycle by the (new) cadence."""
        if not self.may_manage(team_id, user_id):
            return self._refused()
        if settings.review_first and not settings.managers:
            settings = replace(settings, managers=(user_id,))  # someone must see the proposed matches: you
        now = self._p.clock.now()
        with self._p.uow_factory() as uow:
            uow.workspaces.ensure(team_id, now)
            uow.mentor_profiles.save_programme(team_id, settings, now)
            uow.mentor_jobs.cancel_pending(team_id, JobKind.CYCLE, now)
            uow.mentor_jobs.add(team_id, JobKind.CYCLE, None, _next_cycle(now, settings), now)
            uow.commit()
        reviewers = ", ".join(f"<@{m}>" for m in settings.managers)
        review = f" {reviewers} review each cycle before anything is sent." if settings.review_first else ""
        return Reply(f"Mentoring programme saved: a matching cycle every {settings.cadence_weeks} weeks.{review}")

    # --- find ---------------------------------------------------------------------------------------------------

    def find(self, team_id: str, user_id: str, typed: str) -> Found | Reply:
        """Mentors with a free slot who teach ``typed``, ranked by the programme's score."""
        now = self._p.clock.now()
        with self._p.uow_factory() as uow:
            pool = load_pool(uow, team_id, now)
            match = SkillList(uow.mentor_profiles.skills(team_id)).resolve(typed)
        if match.name is None:
            return Reply(unknown_skill_message(match), ok=False)
        me = pool.participants.get(user_id)
        if me is None:
            me = participant(StoredProfile(MentoringProfile(user_id, Role.MENTEE)), None, None, now)
        found = find_mentors(match.name, me, mentors_of(pool), pool.free_slots, pool.settings.preset, pool.exclusions)
        found = [s for s in found if s.mentor != user_id]
        rows = tuple(Match(0, team_id, None, user_id, s.mentor, MatchStatus.SUGGESTED, s.score, s.why) for s in found)
        return Found(match.name, rows)

    def coverage(self, team_id: str) -> Coverage | None:
        """Programme figures for admins, only over at least K_ANONYMITY people (k-anonymity)."""
        with self._p.uow_factory() as uow:
            profiles = uow.mentor_profiles.all(team_id)
            busy = uow.mentor_matches.busy_mentees(team_id)
            ended, _, mean = uow.mentor_matches.feedback_summary(team_id)
        if len(profiles) < K_ANONYMITY:
            return None
        mentees = [p for p in profiles if p.profile.role.learns]
        return Coverage(
            mentors=sum(1 for p in profiles if p.profile.role.mentors),
            mentees=len(mentees),
            matched_mentees=sum(1 for p in mentees if p.profile.user_id in busy),
            ended=ended,
            mean_rating=mean if ended >= K_ANONYMITY else None,
        )


def _next_cycle(now: datetime, settings: ProgrammeSettings) -> datetime:
    return next_cycle_at(now, settings.cadence_weeks)
