"""A channel's programme: where /coffee may run, the settings form, status, pause/resume/stop and a round right now.

Decisions:

* Who may run a programme: the person who set it up, or a workspace admin (Slack says). Everyone else is told who
  can, and what they can do for themselves.
* Pause/stop cancel rounds that have not started; a started round still gets its check-in and summary.
* `/coffee now` on a day that already has a round asks first (replace it, or add an extra one): nobody is put in
  two groups on one day without the organiser choosing it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from bot.domain.coffee import (
    OptIn,
    Program,
    ProgramSettings,
    ProgramStatus,
    Round,
    RoundStatus,
    first_regular_start,
    zone_or_utc,
)
from bot.services.coffee.pool import Pool, StepFailed
from bot.services.coffee.results import (
    NOW_ASK,
    NOW_REPLACE,
    ChannelProblem,
    Reply,
    RoundToday,
    SettingsForm,
    StatusReport,
)
from bot.services.coffee.rounds import Rounds, RoundWrites
from bot.services.coffee.sweep import RoundSweep
from bot.services.people import PeopleService
from bot.services.ports import (
    ChannelInfo,
    Clock,
    CoffeeProgrammeRepository,
    CoffeeSlack,
    Transaction,
    WorkspaceRepository,
)

logger = logging.getLogger(__name__)

MIN_POOL = 2

_PROBLEMS = {
    "dm": "Coffee rounds run in channels. Use `/coffee` in the channel whose members should meet, e.g. #coffee.",
    "group_dm": "Coffee rounds run in channels, not in group DMs. Use `/coffee` in a channel such as #coffee.",
    "archived": "This channel is archived, so I can't run coffee rounds here.",
    "not_in_channel": (
        "I'm not in this channel yet, so I can't see who's here. Add me with `/invite @Rapport`, then try again."
    ),
    "unavailable": "I couldn't check this channel with Slack just now — please try again in a minute.",
    "not_set_up": "Coffee rounds aren't set up in this channel yet. Type `/coffee` to set them up.",
    "no_channel": "I couldn't tell which channel those settings are for. Type `/coffee` in that channel again.",
    "not_a_member": "You're not a member of that channel, so you can't set up coffee rounds there.",
}
_CHANNEL_ID = re.compile(r"[CG][A-Z0-9]{2,31}")


class ChannelsUnit(Transaction, Protocol):
    """Finding a channel's programme."""

    @property
    def coffee_programmes(self) -> CoffeeProgrammeRepository: ...


class ProgrammeUnit(ChannelsUnit, RoundWrites, Protocol):
    """Setting up and running a programme: it, its rounds and their steps, and the workspace row."""

    @property
    def workspaces(self) -> WorkspaceRepository: ...


def _problem(code: str) -> ChannelProblem:
    return ChannelProblem(code, _PROBLEMS[code])


def when(at: datetime, tz: str) -> str:
    """'Fri 27 Nov at 10:00 (America/New_York)'."""
    local = at.astimezone(zone_or_utc(tz))
    return f"{local:%a} {local.day} {local:%b} at {local:%H:%M} ({tz})"


class Channels:
    """Which conversations can run coffee rounds, their programmes, and who may run them."""

    def __init__(self, uow_factory: Callable[[], ChannelsUnit], slack: CoffeeSlack) -> None:
        self._uow_factory = uow_factory
        self._slack = slack

    @staticmethod
    def problem_from_payload(channel_id: str, channel_name: str) -> ChannelProblem | None:
        """A DM or group DM recognised from a command payload alone (no Slack call, no im/mpim read scope)."""
        if channel_id.startswith("D") or channel_name == "directmessage":
            return _problem("dm")
        if channel_name.startswith("mpdm-"):
            return _problem("group_dm")
        return None

    def check(self, team_id: str, channel_id: str) -> ChannelProblem | None:
        """Whether coffee rounds can run here: a channel (not a DM), not archived, with the bot in it."""
        if channel_id.startswith("D"):
            return _problem("dm")
        outcome, info = self._slack.channel_info(channel_id, team_id=team_id)
        if info is None:
            if outcome.error in {"channel_not_found", "not_in_channel", "missing_scope"}:
                # A private channel (or group DM) the bot is not in looks exactly like this.
                return _problem("not_in_channel")
            return _problem("unavailable")
        return self._info_problem(info)

    @staticmethod
    def _info_problem(info: ChannelInfo) -> ChannelProblem | None:
        if info.is_im:
            return _problem("dm")
        if info.is_mpim:
            return _problem("group_dm")
        if info.is_archived:
            return _problem("archived")
        if not info.is_member:
            return _problem("not_in_channel")
        return None

    def settings_problem(self, team_id: str, channel_id: str, user_id: str) -> ChannelProblem | None:
        """Whether ``user_id`` may save settings for ``channel_id`` (an id that came back from the client)."""
        if channel_id.startswith("D"):
            return _problem("dm")
        if not _CHANNEL_ID.fullmatch(channel_id):
            return _problem("no_channel")
        problem = self.check(team_id, channel_id)
        if problem is not None:
            return problem
        outcome, member_ids = self._slack.channel_members(channel_id, team_id=team_id)
        if not outcome.ok:
            return _problem("unavailable")
        if user_id not in member_ids:
            return _problem("not_a_member")
        return None

    def program(self, team_id: str, channel_id: str) -> Program | None:
        """The channel's programme, if it was ever set up."""
        with self._uow_factory() as uow:
            return uow.coffee_programmes.program_for_channel(team_id, channel_id)

    def is_manager(self, program: Program, user_id: str) -> bool:
        """The organiser or a workspace admin."""
        return user_id == program.set_up_by or self._slack.is_admin(user_id, team_id=program.team_id)

    @staticmethod
    def manager_only(program: Program) -> Reply:
        """The refusal for someone who may not run the programme."""
        return Reply(
            f"Only <@{program.set_up_by}> (who set up coffee rounds here) or a workspace admin can do that. "
            "Just for you: `/coffee skip`, `/coffee pause until 2027-01-10` or `/coffee leave`.",
            ok=False,
        )

    def managed_program(self, team_id: str, channel_id: str, user_id: str) -> Program | Reply:
        """The channel's programme when ``user_id`` may run it (organiser or admin), else the refusal."""
        problem = self.check(team_id, channel_id)
        if problem:
            return Reply(problem.message, ok=False)
        program = self.program(team_id, channel_id)
        if program is None:
            return Reply(_PROBLEMS["not_set_up"], ok=False)
        if not self.is_manager(program, user_id):
            return self.manager_only(program)
        return program

    def joinable_program(self, team_id: str, channel_id: str) -> Program | Reply:
        """The channel's programme for personal choices (set up and not stopped), else the refusal."""
        problem = self.check(team_id, channel_id)
        if problem:
            return Reply(problem.message, ok=False)
        program = self.program(team_id, channel_id)
        if program is None or program.status == ProgramStatus.STOPPED:
            return Reply(_PROBLEMS["not_set_up"], ok=False)
        return program


class Programme:
    """The organiser's commands: settings, status, pause/resume/stop, a round now."""

    def __init__(
        self,
        uow_factory: Callable[[], ProgrammeUnit],
        people: PeopleService,
        clock: Clock,
        channels: Channels,
        pool: Pool,
        rounds: Rounds,
        sweep: RoundSweep,
    ) -> None:
        self._uow_factory = uow_factory
        self._people = people
        self._clock = clock
        self._channels = channels
        self._pool = pool
        self._rounds = rounds
        self._sweep = sweep

    def settings_form(self, team_id: str, channel_id: str, user_id: str) -> SettingsForm | ChannelProblem:
        """The settings modal's content for this channel (defaults in the person's time zone at first)."""
        problem = self._channels.check(team_id, channel_id)
        if problem:
            return problem
        program = self._channels.program(team_id, channel_id)
        if program is not None:
            if not self._channels.is_manager(program, user_id):
                return ChannelProblem("not_allowed", self._channels.manager_only(program).text)
            return SettingsForm(channel_id, channel_id, program.settings, True)
        tz = self._people.tz_of(team_id, user_id)
        return SettingsForm(channel_id, channel_id, ProgramSettings(tz=tz), False)

    def save_settings(self, team_id: str, channel_id: str, user_id: str, settings: ProgramSettings) -> Reply:
        """Create or change the channel's programme and (re)schedule its next round.

        Everything the settings form checked when it opened is checked again: the channel (a real channel, the bot
        in it, not archived), the person (a member of it; the organiser or an admin once it is set up), since
        any of it may have changed while the form was open, and the form's channel id came back from the client.
        """
        problem = self._channels.settings_problem(team_id, channel_id, user_id)
        if problem is not None:
            return Reply(problem.message, ok=False)
        now = self._clock.now()
        existing = self._channels.program(team_id, channel_id)
        if existing is not None and not self._channels.is_manager(existing, user_id):
            return self._channels.manager_only(existing)
        with self._uow_factory() as uow:
            uow.workspaces.ensure(team_id, now)
            program = uow.coffee_programmes.save_program(team_id, channel_id, settings, user_id, now)
            self._rounds.cancel_scheduled(uow, team_id, program.id, now)
            round_ = self._rounds.schedule(uow, program, first_regular_start(settings, now), regular=True, now=now)
            uow.commit()
        verb = "updated" if existing else "set up"
        return Reply(
            f"Coffee rounds are {verb} in <#{channel_id}>. The next round starts "
            f"{when(round_.times.starts_at, settings.tz)}."
        )

    def status(self, team_id: str, channel_id: str, user_id: str) -> StatusReport | ChannelProblem:
        """Settings, next round and pool size (counted from the channel's members right now)."""
        problem = self._channels.check(team_id, channel_id)
        if problem:
            return problem
        now = self._clock.now()
        program = self._channels.program(team_id, channel_id)
        if program is None:
            return _problem("not_set_up")
        with self._uow_factory() as uow:
            next_round = uow.coffee_rounds.next_scheduled_round(team_id, program.id)
            member = uow.coffee_programmes.member(team_id, program.id, user_id)
        try:
            pool, _ = self._pool.build(program, next_round.id if next_round else None, now)
        except StepFailed:
            pool = {}
        return StatusReport(channel_id, channel_id, program, next_round, len(pool), member, now)

    def set_program_status(self, team_id: str, channel_id: str, user_id: str, status: ProgramStatus) -> Reply:
        """Pause, resume or stop the channel's rounds (managers only)."""
        program = self._channels.managed_program(team_id, channel_id, user_id)
        if isinstance(program, Reply):
            return program
        now = self._clock.now()
        if program.status == status:
            return Reply(f"Coffee rounds in <#{channel_id}> are already {_STATUS_WORDS[status]}.")
        with self._uow_factory() as uow:
            uow.coffee_programmes.set_program_status(team_id, program.id, status, now)
            if status == ProgramStatus.ACTIVE:
                starts = first_regular_start(program.settings, now)
                round_ = self._rounds.schedule(uow, program, starts, regular=True, now=now)
                uow.commit()
                return Reply(
                    f"Coffee rounds in <#{channel_id}> are back on. The next round starts "
                    f"{when(round_.times.starts_at, program.settings.tz)}."
                )
            self._rounds.cancel_scheduled(uow, team_id, program.id, now)
            uow.commit()
        if status == ProgramStatus.PAUSED:
            return Reply(f"Coffee rounds in <#{channel_id}> are paused. `/coffee resume` starts them again.")
        return Reply(f"Coffee rounds in <#{channel_id}> are stopped. Type `/coffee` to set them up again.")

    def start_now(
        self, team_id: str, channel_id: str, user_id: str, choice: str = NOW_ASK, round_id: int | None = None
    ) -> Reply | RoundToday:
        """Start a round right away (managers only; also while paused).

        On a day that already has a round, ``choice`` ``ask`` returns :class:`RoundToday` so the organiser picks:
        ``replace`` starts today's not-yet-started round now instead (a regular round keeps the schedule going
        from it), ``extra`` adds a round on top. Nobody is put in two groups on one day without that choice.
        """
        program = self._channels.managed_program(team_id, channel_id, user_id)
        if isinstance(program, Reply):
            return program
        if program.status == ProgramStatus.STOPPED:
            return Reply(
                f"Coffee rounds in <#{channel_id}> are stopped. Type `/coffee` to set them up again.", ok=False
            )
        now = self._clock.now()
        today = self._round_today(program, now)
        if today is not None and choice == NOW_ASK:
            started = today.status != RoundStatus.SCHEDULED
            return RoundToday(channel_id, today.id, today.times.starts_at, program.settings.tz, started)
        if choice == NOW_REPLACE and not _replaceable(today, round_id):
            return Reply(
                f"Today's round in <#{channel_id}> has already started or changed, so I can't replace it. "
                "Type `/coffee now` again to see your choices.",
                ok=False,
            )
        try:
            pool, _ = self._pool.build(program, None, now)
        except StepFailed as failed:
            return Reply(f"I couldn't read this channel's members from Slack ({failed.result.error}).", ok=False)
        if len(pool) < MIN_POOL:
            return Reply(
                f"Only {len(pool)} {'person is' if len(pool) == 1 else 'people are'} in the pool in <#{channel_id}>, "
                "and a round needs at least 2. Invite more people to the channel"
                + (" or ask them to `/coffee join`." if program.settings.opt_in == OptIn.JOIN else "."),
                ok=False,
            )
        round_ = self._start_round(program, today if choice == NOW_REPLACE else None, now)
        report = self._sweep.sweep(team_id=team_id)
        logger.info("coffee round %s started now (%s) in %s: %s", round_.id, choice, channel_id, report)
        instead = " instead of later today" if choice == NOW_REPLACE else ""
        return Reply(
            f"A coffee round has started in <#{channel_id}>{instead} with {len(pool)} people. "
            "Group DMs are on their way."
        )

    def _start_round(self, program: Program, replacing: Round | None, now: datetime) -> Round:
        """Schedule a round starting now: in place of today's round ``replacing``, or an extra one."""
        with self._uow_factory() as uow:
            if replacing is not None:
                self._rounds.cancel_scheduled(uow, program.team_id, program.id, now)
                round_ = self._rounds.schedule(uow, program, now, regular=replacing.regular, now=now, heads_up=False)
            else:
                round_ = self._rounds.schedule(uow, program, now, regular=False, now=now)
            uow.commit()
        return round_

    def _round_today(self, program: Program, now: datetime) -> Round | None:
        """A round of this programme on today's date (its zone) that is under way, done or still to come today."""
        with self._uow_factory() as uow:
            started = uow.coffee_rounds.latest_started_round(program.team_id, program.id)
            upcoming = uow.coffee_rounds.next_scheduled_round(program.team_id, program.id)
        zone = zone_or_utc(program.settings.tz)
        today = now.astimezone(zone).date()
        for round_ in (started, upcoming):
            if round_ is not None and round_.times.starts_at.astimezone(zone).date() == today:
                return round_
        return None


def _replaceable(today: Round | None, round_id: int | None) -> bool:
    """Today's round can still be replaced: not started, and the one the organiser was shown (when known)."""
    return today is not None and today.status == RoundStatus.SCHEDULED and (round_id is None or today.id == round_id)


_STATUS_WORDS = {ProgramStatus.ACTIVE: "running", ProgramStatus.PAUSED: "paused", ProgramStatus.STOPPED: "stopped"}
