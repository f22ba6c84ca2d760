"""What every mentoring use case shares: its ports, and the engine's view of the people in a workspace."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.domain.coffee import DEFAULT_WORK_END, DEFAULT_WORK_START
from bot.domain.mentoring.programme import ProgrammeSettings, StoredProfile
from bot.domain.mentoring.score import Exclusions, Participant
from bot.domain.models import Person
from bot.domain.zones import zone_or_utc
from bot.services.people import PeopleService
from bot.services.ports import Clock, UnitOfWork
from bot.services.ports.mentoring import MentoringRenderer, MentoringSlack


@dataclass(frozen=True, slots=True)
class Reply:
    """What to tell the person who acted; ``ok`` when something was done."""

    text: str
    ok: bool = True


@dataclass(frozen=True)
class Ports:
    """The ports mentoring's use cases share (built once by the facade)."""

    uow_factory: Callable[[], UnitOfWork]
    people: PeopleService
    slack: MentoringSlack
    render: MentoringRenderer
    clock: Clock


@dataclass(frozen=True, slots=True)
class Pool:
    """A workspace's mentoring pool as the engine sees it."""

    participants: dict[str, Participant]  # every usable profile (not bots, not deactivated)
    stored: dict[str, StoredProfile]
    free_slots: dict[str, int]  # capacity minus current matches and unanswered requests
    exclusions: Exclusions
    busy: set[str]
    settings: ProgrammeSettings


def participant(
    stored: StoredProfile, person: Person | None, hours: tuple[int, int] | None, now: datetime
) -> Participant:
    """A profile plus team (the directory's department), UTC offset now and working hours."""
    offset = now.astimezone(zone_or_utc(person.tz if person else "UTC")).utcoffset()
    start, end = hours or (DEFAULT_WORK_START, DEFAULT_WORK_END)
    return Participant(
        profile=stored.profile,
        team=person.department if person else "",
        tz_offset_minutes=int(offset.total_seconds() // 60) if offset is not None else 0,
        work_start_minutes=start,
        work_end_minutes=end,
    )


def load_pool(uow: UnitOfWork, team_id: str, now: datetime) -> Pool:
    """Everything a cycle, "show another" or "find" needs, read in one unit of work (the directory cache, never
    Slack: a cycle must not wait on users.info)."""
    profiles = uow.mentor_profiles.all(team_id)
    ids = [p.profile.user_id for p in profiles]
    people = uow.people.get_many(team_id, ids)
    saved = uow.nudge_settings.get_many(team_id, ids)
    hours = {
        user: (s.work_start.hour * 60 + s.work_start.minute, s.work_end.hour * 60 + s.work_end.minute)
        for user, s in saved.items()
    }
    usable = [
        p
        for p in profiles
        if not (
            people.get(p.profile.user_id) and (people[p.profile.user_id].is_bot or people[p.profile.user_id].deleted)
        )
    ]
    pending = uow.mentor_matches.pending_requests(team_id)
    return Pool(
        participants={
            p.profile.user_id: participant(p, people.get(p.profile.user_id), hours.get(p.profile.user_id), now)
            for p in usable
        },
        stored={p.profile.user_id: p for p in usable},
        free_slots={p.profile.user_id: max(0, p.free_slots - pending.get(p.profile.user_id, 0)) for p in usable},
        exclusions=Exclusions(
            pairs=frozenset(uow.mentor_matches.excluded_pairs(team_id)),
            avoid=frozenset(uow.coffee_programmes.blocked_pairs(team_id, ids)),
        ),
        busy=uow.mentor_matches.busy_mentees(team_id),
        settings=uow.mentor_profiles.programme(team_id) or ProgrammeSettings(),
    )


def mentors_of(pool: Pool) -> Sequence[Participant]:
    """The pool's mentors."""
    return [p for p in pool.participants.values() if p.profile.role.mentors]
