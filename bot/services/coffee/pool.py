"""Who is in a round's pool, what the matcher is given about them, and what their group's intro tells them.

Pool: channel members (conversations.members at round time, every page) who are people (not bots, not
deactivated), minus those who left, were set aside, or (opt-in channels) never joined; minus those paused or
skipping, who are told why (the rule: ``bot.domain.coffee_rules.pool_standing``). Matching inputs: every logged
interaction (not only rounds) for repeats, the people directory's department for teams, Slack time zones and saved
working hours for overlap, the private avoid lists as blocked pairs, and the programme's fairness ledger.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Protocol

from bot.domain.coffee import (
    DEFAULT_WORK_END,
    DEFAULT_WORK_START,
    SITTING_OUT_TEXT,
    GroupRecord,
    MemberState,
    Notice,
    Program,
    Round,
    WorkingDay,
    conversation_starter,
    suggest_meeting_time,
    zone_or_utc,
)
from bot.domain.coffee_rules import Standing, pool_standing
from bot.domain.matching import Member, PairHistory
from bot.domain.models import Person
from bot.domain.outcomes import SendOutcome
from bot.services.coffee.results import Intro, IntroPerson
from bot.services.people import PeopleService
from bot.services.ports import (
    CoffeeProgrammeRepository,
    CoffeeRoundRepository,
    CoffeeSlack,
    InteractionRepository,
    NudgeSettingsRepository,
    Transaction,
)

logger = logging.getLogger(__name__)

HISTORY_HORIZON = timedelta(days=730)
DIRECTORY_WAIT = "directory_unavailable"
WAIT_SECONDS = 60.0  # how long a step waits when it decides "not now" itself (not Slack)
DIRECTORY_TRIES = 3  # after this many waits for users.info, a round goes ahead without the people still unknown


class StepFailed(Exception):
    """A Slack call inside a step failed; the step is retried or ended according to ``result``."""

    def __init__(self, result: SendOutcome) -> None:
        super().__init__(result.error)
        self.result = result


class PoolUnit(Transaction, Protocol):
    """What building a pool and its matching inputs reads (and the channel membership it records)."""

    @property
    def coffee_programmes(self) -> CoffeeProgrammeRepository: ...

    @property
    def coffee_rounds(self) -> CoffeeRoundRepository: ...  # the fairness ledger

    @property
    def interactions(self) -> InteractionRepository: ...  # who met whom

    @property
    def nudge_settings(self) -> NudgeSettingsRepository: ...  # saved working hours


class Pool:
    """Builds a round's pool from the channel's members and their choices, the matcher's inputs, and intros."""

    def __init__(self, uow_factory: Callable[[], PoolUnit], people: PeopleService, slack: CoffeeSlack) -> None:
        self._uow_factory = uow_factory
        self._people = people
        self._slack = slack

    def build(
        self, program: Program, round_id: int | None, now: datetime, *, complete: bool = False
    ) -> tuple[dict[str, Person], list[Notice]]:
        """Who is available (people by id) and who sits out with a reason to tell them (paused, skipping).

        ``complete``: a round's steps want everyone looked up; when Slack can't tell us about someone right now
        (users.info rate limits on a big channel's first round), the step is retried later, the directory cache
        keeping what was learnt. After DIRECTORY_TRIES the round goes ahead without them (never blocked for
        good). Status counts just leave such a person out. Raises :class:`StepFailed` when Slack can't list the
        channel's members.
        """
        member_ids, people = self._channel_people(program, complete=complete)
        with self._uow_factory() as uow:
            uow.coffee_programmes.mark_in_channel(program.team_id, program.id, member_ids, now)
            states = uow.coffee_programmes.members(program.team_id, program.id)
            uow.commit()
        pool: dict[str, Person] = {}
        sitting_out: list[Notice] = []
        for user_id, person in people.items():
            state = states.get(user_id, MemberState(user_id))
            match pool_standing(state, program.settings.opt_in, round_id, now):
                case Standing.IN:
                    pool[user_id] = person
                case Standing.PAUSED:
                    assert state.paused_until is not None
                    local = state.paused_until.astimezone(zone_or_utc(person.tz)).date()
                    text = SITTING_OUT_TEXT["paused"].format(until=f"{local:%a} {local.day} {local:%b}")
                    sitting_out.append(Notice(round_id or 0, user_id, "paused", text))
                case Standing.SKIPPING:
                    assert round_id is not None
                    sitting_out.append(Notice(round_id, user_id, "skipped", SITTING_OUT_TEXT["skipped"]))
                case _:
                    pass  # left, set aside or never joined: not in the pool, and nothing to tell them
        return pool, sitting_out

    def _channel_people(self, program: Program, *, complete: bool) -> tuple[list[str], dict[str, Person]]:
        """The channel's member ids, and those of them who are people (looked up through the directory)."""
        outcome, member_ids = self._slack.channel_members(program.channel_id, team_id=program.team_id)
        if not outcome.ok:
            raise StepFailed(outcome)
        # One fresh() for the whole channel: past a few dozen unknown people it fills the directory from users.list
        # (200 a page, Tier 2) instead of one users.info each (Tier 4, ~100 a minute), which paced a large
        # channel's first round at ~0.6 s a person (docs/benchmarks.md, "Directory fill").
        found = self._people.fresh(program.team_id, member_ids)
        if found.refused is not None:
            raise StepFailed(SendOutcome.retry_later(found.refused, WAIT_SECONDS))
        people = {
            user_id: person for user_id, person in found.people.items() if not person.is_bot and not person.deleted
        }
        unknown = len(set(member_ids)) - len(found.people) - len(found.missing)
        if unknown and complete:
            logger.warning("%d members of %s could not be looked up yet; the round waits", unknown, program.channel_id)
            raise StepFailed(SendOutcome.retry_later(DIRECTORY_WAIT, WAIT_SECONDS))
        return member_ids, people

    def working_hours(self, team_id: str, user_ids: Sequence[str]) -> dict[str, tuple[int, int]]:
        """Working hours people saved in their nudge settings (local minutes); absent = the 9–17 default."""
        with self._uow_factory() as uow:
            saved = uow.nudge_settings.get_many(team_id, user_ids)
        return {
            user_id: (s.work_start.hour * 60 + s.work_start.minute, s.work_end.hour * 60 + s.work_end.minute)
            for user_id, s in saved.items()
        }

    def members(self, team_id: str, pool: dict[str, Person], now: datetime) -> list[Member]:
        """The matcher's view of the pool: team, time-zone offset now, working hours."""
        hours = self.working_hours(team_id, list(pool))
        return [_member(person, now, hours.get(person.user_id)) for person in pool.values()]

    def history(self, program: Program, user_ids: Sequence[str], now: datetime) -> PairHistory:
        """Who met whom (every logged interaction), who must not be grouped, and the fairness ledger."""
        with self._uow_factory() as uow:
            return PairHistory(
                last_met=uow.interactions.last_met_pairs(program.team_id, now - HISTORY_HORIZON),
                blocked=uow.coffee_programmes.blocked_pairs(program.team_id, list(user_ids)),
                fairness=uow.coffee_rounds.fairness(program.team_id, program.id),
            )

    def intro(
        self,
        group: GroupRecord,
        program: Program,
        round_: Round,
        intros: dict[str, str],
        index: int,
        now: datetime,
    ) -> Intro:
        """What the ``index``-th group's intro shows: who they are, why them, a starter, a time that suits all."""
        people: list[IntroPerson] = []
        for user_id in group.member_ids:
            person = self._people.find(program.team_id, user_id)
            people.append(
                IntroPerson(
                    user_id=user_id,
                    name=person.label if person else user_id,
                    title=person.title if person else "",
                    team=person.department if person else "",
                    tz=person.tz if person else "UTC",
                    intro=intros.get(user_id, ""),
                )
            )
        window = max(round_.times.check_in_at - now, timedelta(days=1))
        hours = self.working_hours(program.team_id, group.member_ids)
        days = [WorkingDay(p.tz, *hours.get(p.user_id, (DEFAULT_WORK_START, DEFAULT_WORK_END))) for p in people]
        return Intro(
            group_id=group.id,
            channel_name=program.channel_id,
            people=tuple(people),
            reason=group.reason,
            starter=conversation_starter(round_.seed, index),
            suggested_at=suggest_meeting_time(days, now, window),
            now=now,
            check_in_at=round_.times.check_in_at,
        )


def _member(person: Person, now: datetime, hours: tuple[int, int] | None) -> Member:
    offset = now.astimezone(zone_or_utc(person.tz)).utcoffset()
    start, end = hours or (DEFAULT_WORK_START, DEFAULT_WORK_END)
    return Member(
        user_id=person.user_id,
        team=person.department,
        tz_offset_minutes=int(offset.total_seconds() // 60) if offset is not None else 0,
        work_start_minutes=start,
        work_end_minutes=end,
    )
