"""A person's own part in coffee rounds: join, leave, skip, pause, the private avoid list, their intro line, and the
channel's member joined/left events.

Decisions:

* Personal choices are kept while someone is out of the channel, so they apply again if they come back.
* The welcome DM is claimed in the database before it is posted (and handed back if the post fails), so a rejoin
  or a duplicate event during the post can never welcome twice.
* Avoid lists are private: only their owner reads them back; the matcher sees anonymous blocked pairs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime
from typing import Protocol

from bot.domain.coffee import (
    MAX_INTRO,
    PauseDateError,
    ProgramStatus,
    RoundStatus,
    resolve_pause_until,
    start_of_day,
    zone_or_utc,
)
from bot.domain.user_text import render_user_text, typed_length
from bot.services.coffee.programme import Channels
from bot.services.coffee.results import CoffeeRenderer, Reply
from bot.services.people import PeopleService
from bot.services.ports import (
    Clock,
    CoffeeProgrammeRepository,
    CoffeeRoundRepository,
    CoffeeSlack,
    Transaction,
    WorkspaceRepository,
)

logger = logging.getLogger(__name__)


class MembershipUnit(Transaction, Protocol):
    """A person's choices: their member state, avoid list and intro line; the round they skip."""

    @property
    def workspaces(self) -> WorkspaceRepository: ...

    @property
    def coffee_programmes(self) -> CoffeeProgrammeRepository: ...

    @property
    def coffee_rounds(self) -> CoffeeRoundRepository: ...


class Membership:
    """What each person chooses for themselves, and the channel's member events."""

    def __init__(
        self,
        uow_factory: Callable[[], MembershipUnit],
        people: PeopleService,
        slack: CoffeeSlack,
        render: CoffeeRenderer,
        clock: Clock,
        channels: Channels,
    ) -> None:
        self._uow_factory = uow_factory
        self._people = people
        self._slack = slack
        self._render = render
        self._clock = clock
        self._channels = channels

    def join(self, team_id: str, channel_id: str, user_id: str) -> Reply:
        """Opt in (again): clears leave, set-aside and any pause."""
        program = self._channels.joinable_program(team_id, channel_id)
        if isinstance(program, Reply):
            return program
        now = self._clock.now()
        with self._uow_factory() as uow:
            uow.coffee_programmes.join(team_id, program.id, user_id, now)
            uow.commit()
        return Reply(f"You're in! You'll be grouped in the next coffee round in <#{channel_id}>.")

    def leave(self, team_id: str, channel_id: str, user_id: str) -> Reply:
        """Stop being grouped in this channel."""
        program = self._channels.joinable_program(team_id, channel_id)
        if isinstance(program, Reply):
            return program
        with self._uow_factory() as uow:
            uow.coffee_programmes.leave(team_id, program.id, user_id, self._clock.now())
            uow.commit()
        return Reply(f"You've left coffee rounds in <#{channel_id}>. `/coffee join` brings you back any time.")

    def skip(self, team_id: str, channel_id: str, user_id: str) -> Reply:
        """Sit out the next scheduled round."""
        program = self._channels.joinable_program(team_id, channel_id)
        if isinstance(program, Reply):
            return program
        with self._uow_factory() as uow:
            next_round = uow.coffee_rounds.next_scheduled_round(team_id, program.id)
        if next_round is None:
            return Reply(f"There's no round scheduled in <#{channel_id}> right now, so there's nothing to skip.")
        return self.skip_round(team_id, next_round.id, user_id)

    def skip_round(self, team_id: str, round_id: int, user_id: str) -> Reply:
        """Sit out one round (the heads-up's Skip button)."""
        now = self._clock.now()
        with self._uow_factory() as uow:
            round_ = uow.coffee_rounds.round(team_id, round_id)
            if round_ is None:
                return Reply("That round no longer exists.", ok=False)
            program = uow.coffee_programmes.program(team_id, round_.program_id)
            if round_.status != RoundStatus.SCHEDULED or program is None:
                return Reply("That round has already started, so it can't be skipped any more.", ok=False)
            uow.coffee_programmes.skip_round(team_id, round_.program_id, user_id, round_id, now)
            uow.commit()
        tz = self._people.tz_of(team_id, user_id)
        return Reply(
            f"You'll sit out the round in <#{program.channel_id}> on {_day(round_.times.starts_at, tz)}. "
            "See you in the one after!"
        )

    def pause_member(self, team_id: str, channel_id: str, user_id: str, phrase: str) -> Reply:
        """`/coffee pause until <date>`: not grouped until that day (in the person's time zone)."""
        program = self._channels.joinable_program(team_id, channel_id)
        if isinstance(program, Reply):
            return program
        tz = self._people.tz_of(team_id, user_id)
        try:
            day = resolve_pause_until(phrase, self._clock.now(), tz)
        except PauseDateError as error:
            return Reply(_pause_error(error), ok=False)
        return self.pause_member_until(team_id, program.id, user_id, day)

    def pause_member_until(self, team_id: str, program_id: int, user_id: str, day: date) -> Reply:
        """Pause someone until ``day`` (the heads-up's date picker, or the command)."""
        now = self._clock.now()
        tz = self._people.tz_of(team_id, user_id)
        if day <= now.astimezone(zone_or_utc(tz)).date():
            return Reply("Please pick a day after today to come back.", ok=False)
        with self._uow_factory() as uow:
            program = uow.coffee_programmes.program(team_id, program_id)
            if program is None:
                return Reply("Those coffee rounds no longer exist.", ok=False)
            uow.coffee_programmes.pause_until(team_id, program_id, user_id, start_of_day(day, tz), now)
            uow.commit()
        return Reply(
            f"Paused: you won't be grouped in <#{program.channel_id}> until {day:%a} {day.day} {day:%b %Y}. "
            "`/coffee join` ends the pause early."
        )

    def avoid(self, team_id: str, user_id: str, other_id: str) -> Reply:
        """Add someone to the private "never pair me with" list."""
        if other_id == user_id:
            return Reply("You'll never be paired with yourself — no need to add yourself.", ok=False)
        now = self._clock.now()
        with self._uow_factory() as uow:
            uow.workspaces.ensure(team_id, now)
            added = uow.coffee_programmes.add_avoid(team_id, user_id, other_id, now)
            uow.commit()
        already = "" if added else " (already on your list)"
        return Reply(
            f"Got it: you'll never be paired with <@{other_id}>{already}. This is private — nobody is ever told. "
            f"`/coffee avoid <@{other_id}> off` undoes it."
        )

    def unavoid(self, team_id: str, user_id: str, other_id: str) -> Reply:
        """Remove someone from the avoid list."""
        with self._uow_factory() as uow:
            removed = uow.coffee_programmes.remove_avoid(team_id, user_id, other_id)
            uow.commit()
        if not removed:
            return Reply(f"<@{other_id}> wasn't on your list.")
        return Reply(f"Removed <@{other_id}> from your list: you may be paired again.")

    def avoid_list(self, team_id: str, user_id: str) -> Reply:
        """The person's own avoid list (only they see it)."""
        with self._uow_factory() as uow:
            avoided = uow.coffee_programmes.avoids_of(team_id, user_id)
        if not avoided:
            return Reply("Your private list is empty. `/coffee avoid @someone` keeps you from being paired with them.")
        names = ", ".join(f"<@{other}>" for other in avoided)
        return Reply(f"You're never paired with: {names}. Only you can see this list.")

    def set_intro(self, team_id: str, user_id: str, text: str) -> Reply:
        """Set the intro line shown in your group intros ("" clears it)."""
        text = " ".join(text.split())
        if (typed := typed_length(text)) > MAX_INTRO:
            return Reply(f"Keep your intro to {MAX_INTRO} characters (this one is {typed}).", ok=False)
        now = self._clock.now()
        with self._uow_factory() as uow:
            uow.workspaces.ensure(team_id, now)
            uow.coffee_programmes.set_intro(team_id, user_id, text, now)
            uow.commit()
        if not text:
            return Reply("Your intro line is cleared.")
        # Show it as a group will see it (inert: no pings, no disguised links), not as typed.
        return Reply(f"Your intro line is set — your groups will see: _{render_user_text(text)}_")

    def member_joined(self, team_id: str, channel_id: str, user_id: str) -> None:
        """member_joined_channel: record them and send one welcome DM (never twice)."""
        program = self._channels.program(team_id, channel_id)
        if program is None or program.status == ProgramStatus.STOPPED:
            return
        person = self._people.find(team_id, user_id)
        if person is not None and (person.is_bot or person.deleted):
            return
        now = self._clock.now()
        with self._uow_factory() as uow:
            uow.coffee_programmes.set_in_channel(team_id, program.id, user_id, True, now)
            # Claimed before the post, not recorded after it: a rejoin or a duplicate event arriving while the
            # DM is in flight must find it taken.
            claimed = uow.coffee_programmes.claim_welcome(team_id, program.id, user_id, now)
            uow.commit()
        if not claimed:
            return
        text, blocks = self._render.welcome(channel_id, program)
        result = self._slack.post_message(user_id, text, blocks, team_id=team_id)
        if not result.ok:
            logger.warning("welcome DM failed: %s", result.error)
            with self._uow_factory() as uow:  # hand the claim back so a later join can try again
                uow.coffee_programmes.release_welcome(team_id, program.id, user_id, self._clock.now())
                uow.commit()

    def member_left(self, team_id: str, channel_id: str, user_id: str) -> None:
        """member_left_channel: not in the pool any more (their choices are kept if they come back)."""
        program = self._channels.program(team_id, channel_id)
        if program is None:
            return
        with self._uow_factory() as uow:
            uow.coffee_programmes.set_in_channel(team_id, program.id, user_id, False, self._clock.now())
            uow.commit()


def _day(at: datetime, tz: str) -> str:
    local = at.astimezone(zone_or_utc(tz))
    return f"{local:%a} {local.day} {local:%b}"


_PAUSE_ERRORS = {
    "unparseable": "I couldn't read *{phrase}* as a date.",
    "no_such_day": "*{phrase}* isn't a real date.",
    "past": "*{phrase}* isn't in the future — pick the day you'd like to come back.",
    "too_far": "*{phrase}* is more than a year away — `/coffee leave` is better for that.",
}


def _pause_error(error: PauseDateError) -> str:
    return _PAUSE_ERRORS[error.code].format(phrase=error.phrase) + " Try `/coffee pause until 2027-01-10`."
