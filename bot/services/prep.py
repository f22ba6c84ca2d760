"""``/prep @person``: a private brief before a meeting, from the asker's own log and the directory."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.insight.prep import PrepBrief, shared_working_minutes, suggested_opener, tag_counts
from bot.domain.nudges import OPEN_STATUSES, NudgeKind, NudgeSettings
from bot.domain.zones import zone_or_utc
from bot.services.people import PeopleService
from bot.services.ports import Clock, UnitOfWorkFactory

SHOWN_MEETINGS = 5  # past meetings listed in the brief
TAGGED_MEETINGS = 50  # how far back the brief looks for tags


@dataclass(frozen=True, slots=True)
class PrepRefusal:
    """Why there is no brief, in words for the asker."""

    text: str


_REFUSALS = {
    "bot": "<@{user}> is a bot — nothing to prepare there.",
    "deleted": "<@{user}> has been deactivated, so there's no meeting to prepare for.",
    "not_found": "I can't find <@{user}> in this workspace.",
    "unavailable": "Slack isn't answering about <@{user}> right now — try again in a minute.",
}


class PrepService:
    """Builds a brief about one person for another; only the asker's own interactions, notes and tags are read."""

    def __init__(self, uow_factory: UnitOfWorkFactory, people: PeopleService, clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._people = people
        self._clock = clock

    def brief(self, team_id: str, asker_id: str, person_id: str) -> PrepBrief | PrepRefusal:
        """The brief about ``person_id`` for ``asker_id``, or why there is none."""
        if person_id == asker_id:
            return PrepRefusal("That's you! Try `/prep @name` with the person you're about to meet.")
        found, problems = self._people.resolve(team_id, (person_id, asker_id))
        if problems and problems[0].user_id == person_id:
            return PrepRefusal(_REFUSALS[problems[0].code].format(user=person_id))
        person = found[person_id]
        asker_tz = found[asker_id].tz if asker_id in found else "UTC"
        now = self._clock.now()
        with self._uow_factory() as uow:
            settings = uow.nudge_settings.get_many(team_id, [asker_id, person_id])
            intro = uow.coffee_programmes.intros(team_id, [person_id]).get(person_id, "")
            recent = uow.interactions.list_for_author(team_id, asker_id, with_user=person_id, limit=TAGGED_MEETINGS)
            total = uow.insight.meetings_with(team_id, asker_id, person_id)
            open_nudges = [
                nudge
                for nudge in uow.nudges.list_for_user(team_id, asker_id, OPEN_STATUSES)
                if nudge.contact_id == person_id and nudge.kind is NudgeKind.FOLLOW_UP
            ]
            cadence = uow.cadences.get(team_id, asker_id, person_id)
        defaults = NudgeSettings()
        mine = settings.get(asker_id, defaults).hours(asker_tz)
        theirs = settings.get(person_id, defaults).hours(person.tz)
        tags = tag_counts(recent)
        return PrepBrief(
            person=person,
            local_now=now.astimezone(zone_or_utc(person.tz)),
            shared_minutes=shared_working_minutes(mine, theirs, now),
            intro=intro,
            interactions=recent[:SHOWN_MEETINGS],
            total_meetings=total,
            open_follow_ups=open_nudges,
            cadence=cadence if cadence is not None and cadence.active else None,
            tags=tags,
            opener=suggested_opener(person.label, recent, tags),
            asker_tz=asker_tz,
        )
