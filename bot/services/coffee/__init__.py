"""Coffee rounds in channels, one module per use case; :class:`CoffeeService` is the one face handlers see.

    programme.py   where /coffee may run (Channels); settings, status, pause/resume/stop, a round now (Programme)
    membership.py  join, leave, skip, pause, the private avoid list, intro lines, member joined/left events
    checkins.py    a group's "Did you meet?" answer ("We met" logs the coffee), the private note on it
    rounds.py      scheduling a round and performing its steps: heads-up, start (match, intros), check-in, summary
    pool.py        who is in a round's pool, and what the matcher is given about them
    sweep.py       the round steps on the leased-job runner (bot.services.leased): claimed, run, each outcome recorded
    results.py     what the use cases hand back (Reply, StatusReport, CheckInResult, Intro, …), the renderer port

Public API (handlers and the scheduler call these; every method opens its own units of work):

    CoffeeService(uow_factory, people, slack, render, clock, *, lease=timedelta(minutes=5), batch=20,
                  seed_source=None, worker_id=None, breakers=None)
    add_hook(hook)                                             # run in the transaction storing each "we met" log
    problem_from_payload(channel_id, channel_name) -> ChannelProblem | None
    check_channel(team_id, channel_id) -> ChannelProblem | None
    settings_form(team_id, channel_id, user_id) -> SettingsForm | ChannelProblem
    save_settings(team_id, channel_id, user_id, settings) -> Reply
    status(team_id, channel_id, user_id) -> StatusReport | ChannelProblem
    set_program_status(team_id, channel_id, user_id, status) -> Reply          # /coffee pause|resume|stop
    start_now(team_id, channel_id, user_id, choice="ask", round_id=None) -> Reply | RoundToday   # /coffee now
    join / leave / skip(team_id, channel_id, user_id) -> Reply
    pause_member(team_id, channel_id, user_id, phrase) -> Reply                # /coffee pause until <date>
    pause_member_until(team_id, program_id, user_id, day) -> Reply             # the heads-up's date picker
    skip_round(team_id, round_id, user_id) -> Reply                            # the heads-up's button
    avoid(team_id, user_id, other_id) / unavoid(...) / avoid_list(team_id, user_id) -> Reply
    set_intro(team_id, user_id, text) -> Reply
    member_joined(team_id, channel_id, user_id) / member_left(team_id, channel_id, user_id) -> None
    check_in(team_id, group_id, user_id, outcome) -> CheckInResult | Reply
    add_note(team_id, user_id, interaction_id, note) -> bool
    sweep(worker_id=None, team_id=None) -> CoffeeSweepReport                    # the scheduler's job
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta

from bot.domain.coffee import CheckIn, ProgramSettings, ProgramStatus
from bot.services.breakers import AuthBreakers
from bot.services.coffee.checkins import CheckIns
from bot.services.coffee.membership import Membership
from bot.services.coffee.pool import Pool
from bot.services.coffee.programme import Channels, Programme
from bot.services.coffee.results import (
    NOW_ASK,
    NOW_EXTRA,
    NOW_REPLACE,
    ChannelProblem,
    CheckInResult,
    CoffeeRenderer,
    CoffeeSweepReport,
    Intro,
    IntroPerson,
    Message,
    Reply,
    RoundToday,
    SettingsForm,
    StatusReport,
)
from bot.services.coffee.rounds import Rounds
from bot.services.coffee.sweep import RoundSweep
from bot.services.interactions import InteractionHook
from bot.services.people import PeopleService
from bot.services.ports import Clock, CoffeeSlack, UnitOfWorkFactory
from bot.services.workers import default_worker_id

__all__ = [
    "NOW_ASK",
    "NOW_EXTRA",
    "NOW_REPLACE",
    "ChannelProblem",
    "CheckInResult",
    "CoffeeRenderer",
    "CoffeeService",
    "CoffeeSweepReport",
    "Intro",
    "IntroPerson",
    "Message",
    "Reply",
    "RoundToday",
    "SettingsForm",
    "StatusReport",
]


class CoffeeService:
    """Coffee rounds as a product: everything except the matcher's internals. Each method hands over to the use
    case that owns it (``programme``, ``membership``, ``checkins``, ``rounds`` through ``sweep``)."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        people: PeopleService,
        slack: CoffeeSlack,
        render: CoffeeRenderer,
        clock: Clock,
        *,
        lease: timedelta = timedelta(minutes=5),
        batch: int = 20,
        seed_source: Callable[[], int] | None = None,
        worker_id: str | None = None,
        breakers: AuthBreakers | None = None,
    ) -> None:
        pool = Pool(uow_factory, people, slack)
        rounds = Rounds(
            uow_factory,
            slack,
            render,
            clock,
            pool,
            seed_source=seed_source or (lambda: random.SystemRandom().randrange(2**31)),
        )
        self._sweep = RoundSweep(
            uow_factory,
            clock,
            breakers or AuthBreakers(uow_factory, slack, clock),
            rounds,
            lease=lease,
            batch=batch,
            worker_id=worker_id or default_worker_id(),
        )
        self._channels = Channels(uow_factory, slack)
        self._programme = Programme(uow_factory, people, clock, self._channels, pool, rounds, self._sweep)
        self._membership = Membership(uow_factory, people, slack, render, clock, self._channels)
        self._checkins = CheckIns(uow_factory, clock)
        self._rounds = rounds
        self._member_changed: list[Callable[[str, str], None]] = []

    def on_member_changed(self, listener: Callable[[str, str], None]) -> None:
        """Call ``listener(team_id, user_id)`` after someone's standing in a channel changed (joined, left, skipped,
        paused): their Home tab shows it."""
        self._member_changed.append(listener)

    def _changed(self, reply: Reply, team_id: str, user_id: str) -> Reply:
        if reply.ok:
            self._tell_member_changed(team_id, user_id)
        return reply

    def _tell_member_changed(self, team_id: str, user_id: str) -> None:
        for listener in self._member_changed:
            listener(team_id, user_id)

    def on_grouped(self, listener: Callable[[str, tuple[str, ...]], None]) -> None:
        """Call ``listener(team_id, member_ids)`` after each group's intro is posted."""
        self._rounds.on_grouped(listener)

    def add_hook(self, hook: InteractionHook) -> None:
        """Run ``hook`` in the transaction that stores each interaction "We met" logs (follow-ups use this)."""
        self._checkins.add_hook(hook)

    # --- programme ----------------------------------------------------------------------------------------------

    problem_from_payload = staticmethod(Channels.problem_from_payload)

    def check_channel(self, team_id: str, channel_id: str) -> ChannelProblem | None:
        """Whether coffee rounds can run here: a channel (not a DM), not archived, with the bot in it."""
        return self._channels.check(team_id, channel_id)

    def settings_form(self, team_id: str, channel_id: str, user_id: str) -> SettingsForm | ChannelProblem:
        """The settings modal's content for this channel (defaults in the person's time zone at first)."""
        return self._programme.settings_form(team_id, channel_id, user_id)

    def save_settings(self, team_id: str, channel_id: str, user_id: str, settings: ProgramSettings) -> Reply:
        """Create or change the channel's programme and (re)schedule its next round."""
        return self._programme.save_settings(team_id, channel_id, user_id, settings)

    def status(self, team_id: str, channel_id: str, user_id: str) -> StatusReport | ChannelProblem:
        """Settings, next round and pool size (counted from the channel's members right now)."""
        return self._programme.status(team_id, channel_id, user_id)

    def set_program_status(self, team_id: str, channel_id: str, user_id: str, status: ProgramStatus) -> Reply:
        """Pause, resume or stop the channel's rounds (managers only)."""
        return self._programme.set_program_status(team_id, channel_id, user_id, status)

    def start_now(
        self, team_id: str, channel_id: str, user_id: str, choice: str = NOW_ASK, round_id: int | None = None
    ) -> Reply | RoundToday:
        """Start a round right away (managers only; also while paused); on a day with a round, ask first."""
        return self._programme.start_now(team_id, channel_id, user_id, choice, round_id)

    # --- membership ---------------------------------------------------------------------------------------------

    def join(self, team_id: str, channel_id: str, user_id: str) -> Reply:
        """Opt in (again): clears leave, set-aside and any pause."""
        return self._changed(self._membership.join(team_id, channel_id, user_id), team_id, user_id)

    def leave(self, team_id: str, channel_id: str, user_id: str) -> Reply:
        """Stop being grouped in this channel."""
        return self._changed(self._membership.leave(team_id, channel_id, user_id), team_id, user_id)

    def skip(self, team_id: str, channel_id: str, user_id: str) -> Reply:
        """Sit out the next scheduled round."""
        return self._changed(self._membership.skip(team_id, channel_id, user_id), team_id, user_id)

    def skip_round(self, team_id: str, round_id: int, user_id: str) -> Reply:
        """Sit out one round (the heads-up's Skip button)."""
        return self._changed(self._membership.skip_round(team_id, round_id, user_id), team_id, user_id)

    def pause_member(self, team_id: str, channel_id: str, user_id: str, phrase: str) -> Reply:
        """`/coffee pause until <date>`: not grouped until that day (in the person's time zone)."""
        return self._changed(self._membership.pause_member(team_id, channel_id, user_id, phrase), team_id, user_id)

    def pause_member_until(self, team_id: str, program_id: int, user_id: str, day: date) -> Reply:
        """Pause someone until ``day`` (the heads-up's date picker, or the command)."""
        return self._changed(self._membership.pause_member_until(team_id, program_id, user_id, day), team_id, user_id)

    def avoid(self, team_id: str, user_id: str, other_id: str) -> Reply:
        """Add someone to the private "never pair me with" list."""
        return self._membership.avoid(team_id, user_id, other_id)

    def unavoid(self, team_id: str, user_id: str, other_id: str) -> Reply:
        """Remove someone from the avoid list."""
        return self._membership.unavoid(team_id, user_id, other_id)

    def avoid_list(self, team_id: str, user_id: str) -> Reply:
        """The person's own avoid list (only they see it)."""
        return self._membership.avoid_list(team_id, user_id)

    def set_intro(self, team_id: str, user_id: str, text: str) -> Reply:
        """Set the intro line shown in your group intros ("" clears it)."""
        return self._membership.set_intro(team_id, user_id, text)

    def member_joined(self, team_id: str, channel_id: str, user_id: str) -> None:
        """member_joined_channel: record them and send one welcome DM (never twice)."""
        self._membership.member_joined(team_id, channel_id, user_id)
        self._tell_member_changed(team_id, user_id)

    def member_left(self, team_id: str, channel_id: str, user_id: str) -> None:
        """member_left_channel: not in the pool any more (their choices are kept if they come back)."""
        self._membership.member_left(team_id, channel_id, user_id)
        self._tell_member_changed(team_id, user_id)

    # --- check-ins and the sweep --------------------------------------------------------------------------------

    def check_in(self, team_id: str, group_id: int, user_id: str, outcome: CheckIn) -> CheckInResult | Reply:
        """Record a group's answer; "We met" logs one coffee interaction per member (running the hooks)."""
        return self._checkins.check_in(team_id, group_id, user_id, outcome)

    def add_note(self, team_id: str, user_id: str, interaction_id: int, note: str) -> bool:
        """Attach a private note to the person's own coffee interaction."""
        return self._checkins.add_note(team_id, user_id, interaction_id, note)

    def sweep(self, worker_id: str | None = None, team_id: str | None = None) -> CoffeeSweepReport:
        """Claim due round steps, perform them, record each outcome; repeat while steps are due."""
        return self._sweep.sweep(worker_id, team_id)
