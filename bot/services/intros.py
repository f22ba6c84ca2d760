"""Introductions: `/intro @ana @ben why` connects two people in a group DM with the introducer, records the
introduction in the introducer's log (with a follow-up in two weeks: "did they connect?"), and a "We met" click
by either of the two logs the meeting for both, scheduling their follow-ups like any meeting."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from bot.domain.intro import IntroError, IntroRequest, parse_intro
from bot.domain.models import InteractionKind, InteractionSource, NewInteraction, Person
from bot.services.interactions import InteractionHook
from bot.services.people import PeopleService
from bot.services.ports import Clock, UnitOfWorkFactory
from bot.services.ports.intros import IntroRenderer, IntroSlack

logger = logging.getLogger(__name__)

FOLLOW_UP_DAYS = 14

_PROBLEMS = {
    "bot": "<@{user}> is a bot — introductions are for people.",
    "deleted": "<@{user}> has been deactivated.",
    "not_found": "I can't find <@{user}> in this workspace.",
    "unavailable": "Slack isn't answering about <@{user}> right now — try again in a minute.",
}


@dataclass(frozen=True, slots=True)
class IntroOutcome:
    """What to tell the person who acted; ``ok`` when something was done."""

    ok: bool
    text: str


class IntroService:
    """Introductions and their "We met"."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        people: PeopleService,
        slack: IntroSlack,
        render: IntroRenderer,
        clock: Clock,
    ) -> None:
        self._uow_factory = uow_factory
        self._people = people
        self._slack = slack
        self._render = render
        self._clock = clock
        self._on_logged: list[InteractionHook] = []

    def add_hook(self, hook: InteractionHook) -> None:
        """Run ``hook`` in the same transaction as every meeting this service logs (follow-up scheduling)."""
        self._on_logged.append(hook)

    def introduce(self, team_id: str, introducer: str, text: str) -> IntroOutcome:
        """Check the two people, open the group DM, post the introduction, and record it."""
        parsed = parse_intro(text, introducer)
        if isinstance(parsed, IntroError):
            return IntroOutcome(False, parsed.message)
        found, problems = self._people.resolve(team_id, (parsed.first, parsed.second))
        if problems:
            return IntroOutcome(False, _PROBLEMS[problems[0].code].format(user=problems[0].user_id))
        now = self._clock.now()
        with self._uow_factory() as uow:
            uow.workspaces.ensure(team_id, now)
            recorded = uow.interactions.add(self._record(team_id, introducer, parsed, now), created_at=now)
            for hook in self._on_logged:
                hook(uow, recorded, now)
            intros = uow.coffee_programmes.intros(team_id, [parsed.first, parsed.second])
            uow.commit()
        # Slack is called outside the transaction (no database lock held across the network); if the group DM
        # can't be posted, the record and its reminder are taken back, so nothing half-done is left.
        failure = self._post(
            team_id, introducer, parsed, recorded.id, [found[parsed.first], found[parsed.second]], intros
        )
        if failure is not None:
            with self._uow_factory() as uow:
                uow.interactions.delete_for_author(team_id, introducer, recorded.id)
                uow.commit()
            return IntroOutcome(False, failure)
        logger.info("introduction %s team=%s", recorded.id, team_id)
        return IntroOutcome(
            True,
            f"Introduced <@{parsed.first}> and <@{parsed.second}> in a group DM. I'll ask you in "
            f"{FOLLOW_UP_DAYS} days whether they connected.",
        )

    def _post(
        self,
        team_id: str,
        introducer: str,
        parsed: IntroRequest,
        introduction_id: int,
        people: list[Person],
        intros: dict[str, str],
    ) -> str | None:
        """Open the group DM and post the introduction; None when done, else what to tell the introducer."""
        outcome, channel = self._slack.open_group([introducer, parsed.first, parsed.second], team_id=team_id)
        if not outcome.ok or channel is None:
            logger.warning("intro group DM could not be opened in team %s: %s", team_id, outcome.error)
            return "I couldn't open a group DM with the three of you — please try again."
        text, blocks = self._render.introduction(introduction_id, introducer, people, intros, parsed.reason)
        posted = self._slack.post_message(channel, text, blocks, team_id=team_id)
        if not posted.ok:
            logger.warning("intro message could not be posted in team %s: %s", team_id, posted.error)
            return "I couldn't post the introduction — please try again."
        return None

    @staticmethod
    def _record(team_id: str, introducer: str, parsed: IntroRequest, now: datetime) -> NewInteraction:
        return NewInteraction(
            team_id=team_id,
            author_id=introducer,
            happened_at=now,
            kind=InteractionKind.INTRODUCTION,
            notes=parsed.reason,
            source=InteractionSource.INTRO,
            participant_ids=(parsed.first, parsed.second),
            follow_up_days=FOLLOW_UP_DAYS,
        )

    def we_met(self, team_id: str, clicker: str, introduction_id: int) -> IntroOutcome:
        """One of the two says they met: log it for both (once, however often it is clicked)."""
        now = self._clock.now()
        with self._uow_factory() as uow:
            intro = uow.interactions.introduction(team_id, introduction_id)
            if intro is None:
                return IntroOutcome(False, "That introduction no longer exists.")
            pair = intro.participant_ids
            if clicker not in pair:
                return IntroOutcome(False, "Only the two people introduced can answer this.")
            logged = 0
            for author in pair:
                other = next(person for person in pair if person != author)
                meeting = NewInteraction(
                    team_id=team_id,
                    author_id=author,
                    happened_at=now,
                    kind=InteractionKind.MEETING,
                    notes="",
                    source=InteractionSource.INTRO,
                    participant_ids=(other,),
                )
                stored = uow.interactions.add_once(meeting, now, f"intro:{introduction_id}:{author}")
                if stored is not None:
                    logged += 1
                    for hook in self._on_logged:
                        hook(uow, stored, now)
            uow.commit()
        if not logged:
            return IntroOutcome(True, "Already logged — glad you two met!")
        return IntroOutcome(True, "Logged for both of you — I'll remind you each to follow up.")
