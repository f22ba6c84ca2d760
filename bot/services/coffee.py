"""Coffee rounds in channels: settings, membership, personal choices, the scheduled round steps, check-ins.

Public API (handlers and the scheduler call these; every method opens its own units of work):

    CoffeeService(uow_factory, people, slack, render, clock, *, lease=timedelta(minutes=5), batch=20,
                  seed_source=None, worker_id=None)
    add_hook(hook)                                             # run in the transaction storing each "we met" log
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
    check_in(team_id, group_id, user_id, outcome) -> CheckInResult
    add_note(team_id, user_id, interaction_id, note) -> bool
    sweep(worker_id=None) -> CoffeeSweepReport                                  # the scheduler's job

Decisions:

* The database holds every future step of a round (``coffee_jobs``: heads_up, start, check_in, summary), claimed
  by sweeps with a lease (the claim statement shared with nudges, ``storage.leases.claim_statement``).
  A step is idempotent: the start matches once (groups and notices are stored first, with the seed), then posts
  each group's intro and each notice once (recorded per row), so a retried step only sends what is missing.
* Pause/stop cancel rounds that have not started; a started round still gets its check-in and summary.
* Pool: channel members (conversations.members at round time, every page) who are people (not bots, not
  deactivated), minus those who left, were set aside, or (opt-in channels) never joined; minus those paused or
  skipping, who are told why. Matching inputs: every logged interaction (not only rounds) for repeats, the
  people directory's department for teams, Slack time zones for overlap, the private avoid lists as blocked
  pairs, and the programme's fairness ledger.
* "We met" logs one interaction per member (kind coffee, source coffee) with the others as participants, in one
  transaction running the interaction hooks, so follow-ups are scheduled exactly like a `/met`.
* Auth errors pause, they never fail: a step that meets one opens the workspace's auth breaker
  (bot.services.breakers) and is handed back as it is, without counting an attempt; it is never a lost channel,
  so the programme stays active and its rounds stand. Sweeps claim no step of a paused workspace.
* A group that never answers the check-in counts as an ignored round for each member; after three in a row the
  person is set aside (and told how to come back: `/coffee join`).
"""

from __future__ import annotations

import logging
import random
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from bot.domain import matching
from bot.domain.breaker import is_auth_error
from bot.domain.coffee import (
    DEFAULT_WORK_END,
    DEFAULT_WORK_START,
    IGNORED_ROUNDS_LIMIT,
    MAX_INTRO,
    SITTING_OUT_TEXT,
    CheckIn,
    GroupRecord,
    Job,
    JobKind,
    MemberState,
    Notice,
    OptIn,
    PauseDateError,
    Program,
    ProgramSettings,
    ProgramStatus,
    Round,
    RoundStatus,
    WorkingDay,
    conversation_starter,
    following_round_start,
    next_round_start,
    resolve_pause_until,
    round_times,
    start_of_day,
    suggest_meeting_time,
    zone_or_utc,
)
from bot.domain.matching import MatchPolicy, Member, PairHistory
from bot.domain.models import Interaction, InteractionKind, InteractionSource, NewInteraction, Person
from bot.domain.outcomes import SendOutcome
from bot.domain.user_text import render_user_text, typed_length
from bot.services.breakers import AuthBreakers
from bot.services.people import PeopleService
from bot.services.ports import (
    ChannelInfo,
    Clock,
    CoffeeSlack,
    DirectoryLookupError,
    UnitOfWork,
    UnitOfWorkFactory,
)
from bot.services.workers import default_worker_id

logger = logging.getLogger(__name__)

Message = tuple[str, list[dict[str, Any]]]
InteractionHook = Callable[[UnitOfWork, Interaction, datetime], None]
HISTORY_HORIZON = timedelta(days=730)
MIN_POOL = 2
RETRY_DELAY = timedelta(minutes=2)
MAX_ATTEMPTS = 8
# Slack errors after which a channel step can never succeed: the step ends with the reason.
DIRECTORY_WAIT = "directory_unavailable"
_WAIT_SECONDS = 60.0  # how long a step waits when it decides "not now" itself (not Slack)
DIRECTORY_TRIES = 3  # after this many waits for users.info, a round goes ahead without the people still unknown
RATE_LIMITS = frozenset({"ratelimited", "rate_limited", "rate_limited_locally"})
# Auth errors are never among them: a refused token pauses the workspace (bot.services.breakers), not the programme.
CHANNEL_GONE = frozenset({"channel_not_found", "not_in_channel", "is_archived", "missing_scope"})


# --- results handed to handlers ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChannelProblem:
    """Why /coffee can't run in this conversation; ``message`` is the reply (mrkdwn)."""

    code: str
    message: str


@dataclass(frozen=True, slots=True)
class Reply:
    """The answer to a command or click (mrkdwn); ``ok`` False for a refusal or an error."""

    text: str
    ok: bool = True


NOW_ASK, NOW_REPLACE, NOW_EXTRA = "ask", "replace", "extra"  # `/coffee now` choices on a day with a round


@dataclass(frozen=True, slots=True)
class RoundToday:
    """`/coffee now` on a day that already has a round: the organiser chooses to replace it or add an extra one."""

    channel_id: str
    round_id: int
    starts_at: datetime
    tz: str
    started: bool  # under way (or over): only an extra round is possible


@dataclass(frozen=True, slots=True)
class SettingsForm:
    """What the settings modal shows."""

    channel_id: str
    channel_name: str
    settings: ProgramSettings
    exists: bool


@dataclass(frozen=True, slots=True)
class StatusReport:
    """`/coffee status`."""

    channel_id: str
    channel_name: str
    program: Program | None
    next_round: Round | None
    pool_size: int
    member: MemberState
    now: datetime


@dataclass(frozen=True, slots=True)
class CheckInResult:
    """What a check-in click did; ``interaction_id`` is the clicker's own logged meeting (for the note)."""

    group_id: int
    outcome: CheckIn
    changed: bool
    answered_by: str
    interaction_id: int | None = None
    member_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class IntroPerson:
    """One person in a group intro."""

    user_id: str
    name: str
    title: str
    team: str
    tz: str
    intro: str = ""


@dataclass(frozen=True, slots=True)
class Intro:
    """Everything a group intro shows."""

    group_id: int
    channel_name: str
    people: tuple[IntroPerson, ...]
    reason: str
    starter: str
    suggested_at: datetime | None
    now: datetime
    check_in_at: datetime


@dataclass
class CoffeeSweepReport:
    """What one sweep did."""

    claimed: int = 0
    done: int = 0
    retried: int = 0
    deferred: int = 0  # rate limited: handed back to run after the wait
    yielded: int = 0  # long steps handed back at half their lease and taken up again
    failed: int = 0
    paused: int = 0  # handed back untouched: Slack refused the workspace's token (its auth breaker is open)
    messages: int = 0
    errors: dict[str, int] = field(default_factory=dict)


class CoffeeRenderer(Protocol):
    """Block Kit for scheduled messages (handlers.blocks.coffee.CoffeeMessages)."""

    def heads_up(self, channel_id: str, round_: Round, tz: str) -> Message: ...

    def intro(self, intro: Intro) -> Message: ...

    def not_grouped(self, channel_id: str, text: str) -> Message: ...

    def check_in(self, group_id: int, channel_id: str) -> Message: ...

    def summary(self, channel_id: str, met: int, scheduled: int, groups: int) -> Message: ...

    def set_aside(self, channel_id: str) -> Message: ...

    def welcome(self, channel_id: str, program: Program) -> Message: ...

    def channel_lost(self, channel_id: str, error: str) -> Message: ...


class _StepYield(Exception):
    """A long step has used half its lease: hand it back (progress is recorded) so it is re-claimed afresh."""


class _StepFailed(Exception):
    """A Slack call inside a step failed; the step is retried or ended according to ``result``."""

    def __init__(self, result: SendOutcome) -> None:
        super().__init__(result.error)
        self.result = result


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


def _problem(code: str) -> ChannelProblem:
    return ChannelProblem(code, _PROBLEMS[code])


class CoffeeService:
    """Coffee rounds as a product: everything except the matcher's internals."""

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
        self._uow_factory = uow_factory
        self._people = people
        self._slack = slack
        self._breakers = breakers or AuthBreakers(uow_factory, slack, clock)
        self._render = render
        self._clock = clock
        self._lease = lease
        self._batch = batch
        self._seed_source = seed_source or (lambda: random.SystemRandom().randrange(2**31))
        self._worker_id = worker_id or default_worker_id()
        self._hooks: list[InteractionHook] = []
        self._step = threading.local()  # the running step's deadline (monotonic seconds), per sweeping thread

    def add_hook(self, hook: InteractionHook) -> None:
        """Run ``hook`` in the transaction that stores each interaction "We met" logs (follow-ups use this)."""
        self._hooks.append(hook)

    # --- channel checks -----------------------------------------------------------------------------------------

    @staticmethod
    def problem_from_payload(channel_id: str, channel_name: str) -> ChannelProblem | None:
        """A DM or group DM recognised from a command payload alone (no Slack call, no im/mpim read scope)."""
        if channel_id.startswith("D") or channel_name == "directmessage":
            return _problem("dm")
        if channel_name.startswith("mpdm-"):
            return _problem("group_dm")
        return None

    def check_channel(self, team_id: str, channel_id: str) -> ChannelProblem | None:
        """Whether coffee rounds can run here: a channel (not a DM), not archived, with the bot in it."""
        if channel_id.startswith("D"):
            return _problem("dm")
        outcome, info = self._slack.channel_info(channel_id)
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

    def _is_manager(self, program: Program, user_id: str) -> bool:
        return user_id == program.set_up_by or self._slack.is_admin(user_id)

    def _manager_only(self, program: Program) -> Reply:
        return Reply(
            f"Only <@{program.set_up_by}> (who set up coffee rounds here) or a workspace admin can do that. "
            "Just for you: `/coffee skip`, `/coffee pause until 2027-01-10` or `/coffee leave`.",
            ok=False,
        )

    def _managed_program(self, team_id: str, channel_id: str, user_id: str) -> Program | Reply:
        """The channel's programme when ``user_id`` may run it (organiser or admin), else the refusal."""
        problem = self.check_channel(team_id, channel_id)
        if problem:
            return Reply(problem.message, ok=False)
        program = self._program(team_id, channel_id)
        if program is None:
            return Reply(_PROBLEMS["not_set_up"], ok=False)
        if not self._is_manager(program, user_id):
            return self._manager_only(program)
        return program

    def _program(self, team_id: str, channel_id: str) -> Program | None:
        with self._uow_factory() as uow:
            return uow.coffee.program_for_channel(team_id, channel_id)

    # --- settings -----------------------------------------------------------------------------------------------

    def settings_form(self, team_id: str, channel_id: str, user_id: str) -> SettingsForm | ChannelProblem:
        """The settings modal's content for this channel (defaults in the person's time zone at first)."""
        problem = self.check_channel(team_id, channel_id)
        if problem:
            return problem
        program = self._program(team_id, channel_id)
        if program is not None:
            if not self._is_manager(program, user_id):
                return ChannelProblem("not_allowed", self._manager_only(program).text)
            return SettingsForm(channel_id, channel_id, program.settings, True)
        tz = self._tz(team_id, user_id)
        return SettingsForm(channel_id, channel_id, ProgramSettings(tz=tz), False)

    def save_settings(self, team_id: str, channel_id: str, user_id: str, settings: ProgramSettings) -> Reply:
        """Create or change the channel's programme and (re)schedule its next round.

        Everything the settings form checked when it opened is checked again: the channel (a real channel, the bot
        in it, not archived), the person (a member of it; the organiser or an admin once it is set up), since
        any of it may have changed while the form was open, and the form's channel id came back from the client.
        """
        problem = self._settings_problem(team_id, channel_id, user_id)
        if problem is not None:
            return Reply(problem.message, ok=False)
        now = self._clock.now()
        existing = self._program(team_id, channel_id)
        if existing is not None and not self._is_manager(existing, user_id):
            return self._manager_only(existing)
        with self._uow_factory() as uow:
            uow.workspaces.ensure(team_id, now)
            program = uow.coffee.save_program(team_id, channel_id, settings, user_id, now)
            uow.coffee.cancel_scheduled_rounds(team_id, program.id, now)
            round_ = self._schedule_round(uow, program, first_regular_start(settings, now), regular=True, now=now)
            uow.commit()
        verb = "updated" if existing else "set up"
        return Reply(
            f"Coffee rounds are {verb} in <#{channel_id}>. The next round starts "
            f"{_when(round_.times.starts_at, settings.tz)}."
        )

    def _settings_problem(self, team_id: str, channel_id: str, user_id: str) -> ChannelProblem | None:
        if channel_id.startswith("D"):
            return _problem("dm")
        if not _CHANNEL_ID.fullmatch(channel_id):
            return _problem("no_channel")
        problem = self.check_channel(team_id, channel_id)
        if problem is not None:
            return problem
        outcome, member_ids = self._slack.channel_members(channel_id)
        if not outcome.ok:
            return _problem("unavailable")
        if user_id not in member_ids:
            return _problem("not_a_member")
        return None

    def _schedule_round(
        self,
        uow: UnitOfWork,
        program: Program,
        starts_at: datetime,
        *,
        regular: bool,
        now: datetime,
        heads_up: bool = True,
    ) -> Round:
        times = round_times(program.settings, starts_at)
        round_ = uow.coffee.add_round(program.team_id, program.id, self._seed_source(), times, regular, now)
        if heads_up and regular and times.heads_up_at < starts_at:
            uow.coffee.add_job(program.team_id, round_.id, JobKind.HEADS_UP, max(times.heads_up_at, now), now)
        uow.coffee.add_job(program.team_id, round_.id, JobKind.START, starts_at, now)
        uow.coffee.add_job(program.team_id, round_.id, JobKind.CHECK_IN, times.check_in_at, now)
        uow.coffee.add_job(program.team_id, round_.id, JobKind.SUMMARY, times.ends_at, now)
        return round_

    # --- channel commands ---------------------------------------------------------------------------------------

    def status(self, team_id: str, channel_id: str, user_id: str) -> StatusReport | ChannelProblem:
        """Settings, next round and pool size (counted from the channel's members right now)."""
        problem = self.check_channel(team_id, channel_id)
        if problem:
            return problem
        now = self._clock.now()
        program = self._program(team_id, channel_id)
        if program is None:
            return _problem("not_set_up")
        with self._uow_factory() as uow:
            next_round = uow.coffee.next_scheduled_round(team_id, program.id)
            member = uow.coffee.member(team_id, program.id, user_id)
        try:
            pool, _ = self._pool(program, next_round.id if next_round else None, now)
        except _StepFailed:
            pool = {}
        return StatusReport(channel_id, channel_id, program, next_round, len(pool), member, now)

    def set_program_status(self, team_id: str, channel_id: str, user_id: str, status: ProgramStatus) -> Reply:
        """Pause, resume or stop the channel's rounds (managers only)."""
        program = self._managed_program(team_id, channel_id, user_id)
        if isinstance(program, Reply):
            return program
        now = self._clock.now()
        if program.status == status:
            return Reply(f"Coffee rounds in <#{channel_id}> are already {_status_word(status)}.")
        with self._uow_factory() as uow:
            uow.coffee.set_program_status(team_id, program.id, status, now)
            if status == ProgramStatus.ACTIVE:
                round_ = self._schedule_round(
                    uow, program, first_regular_start(program.settings, now), regular=True, now=now
                )
                uow.commit()
                return Reply(
                    f"Coffee rounds in <#{channel_id}> are back on. The next round starts "
                    f"{_when(round_.times.starts_at, program.settings.tz)}."
                )
            uow.coffee.cancel_scheduled_rounds(team_id, program.id, now)
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
        program = self._managed_program(team_id, channel_id, user_id)
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
        if choice == NOW_REPLACE and (
            today is None or today.status != RoundStatus.SCHEDULED or (round_id is not None and today.id != round_id)
        ):
            return Reply(
                f"Today's round in <#{channel_id}> has already started or changed, so I can't replace it. "
                "Type `/coffee now` again to see your choices.",
                ok=False,
            )
        try:
            pool, _ = self._pool(program, None, now)
        except _StepFailed as failed:
            return Reply(f"I couldn't read this channel's members from Slack ({failed.result.error}).", ok=False)
        if len(pool) < MIN_POOL:
            return Reply(
                f"Only {len(pool)} {'person is' if len(pool) == 1 else 'people are'} in the pool in <#{channel_id}>, "
                "and a round needs at least 2. Invite more people to the channel"
                + (" or ask them to `/coffee join`." if program.settings.opt_in == OptIn.JOIN else "."),
                ok=False,
            )
        with self._uow_factory() as uow:
            if choice == NOW_REPLACE and today is not None:
                uow.coffee.cancel_scheduled_rounds(team_id, program.id, now)
                round_ = self._schedule_round(uow, program, now, regular=today.regular, now=now, heads_up=False)
            else:
                round_ = self._schedule_round(uow, program, now, regular=False, now=now)
            uow.commit()
        report = self.sweep(team_id=team_id)
        logger.info("coffee round %s started now (%s) in %s: %s", round_.id, choice, channel_id, report)
        instead = " instead of later today" if choice == NOW_REPLACE else ""
        return Reply(
            f"A coffee round has started in <#{channel_id}>{instead} with {len(pool)} people. "
            "Group DMs are on their way."
        )

    def _round_today(self, program: Program, now: datetime) -> Round | None:
        """A round of this programme on today's date (its zone) that is under way, done or still to come today."""
        with self._uow_factory() as uow:
            started = uow.coffee.latest_started_round(program.team_id, program.id)
            upcoming = uow.coffee.next_scheduled_round(program.team_id, program.id)
        zone = zone_or_utc(program.settings.tz)
        today = now.astimezone(zone).date()
        for round_ in (started, upcoming):
            if round_ is not None and round_.times.starts_at.astimezone(zone).date() == today:
                return round_
        return None

    # --- personal commands --------------------------------------------------------------------------------------

    def _personal(self, team_id: str, channel_id: str) -> Program | Reply:
        problem = self.check_channel(team_id, channel_id)
        if problem:
            return Reply(problem.message, ok=False)
        program = self._program(team_id, channel_id)
        if program is None or program.status == ProgramStatus.STOPPED:
            return Reply(_PROBLEMS["not_set_up"], ok=False)
        return program

    def join(self, team_id: str, channel_id: str, user_id: str) -> Reply:
        """Opt in (again): clears leave, set-aside and any pause."""
        program = self._personal(team_id, channel_id)
        if isinstance(program, Reply):
            return program
        now = self._clock.now()
        with self._uow_factory() as uow:
            uow.coffee.update_member(
                team_id,
                program.id,
                user_id,
                now,
                opted_in=True,
                left=False,
                set_aside=False,
                ignored_rounds=0,
                paused_until=None,
            )
            uow.commit()
        return Reply(f"You're in! You'll be grouped in the next coffee round in <#{channel_id}>.")

    def leave(self, team_id: str, channel_id: str, user_id: str) -> Reply:
        """Stop being grouped in this channel."""
        program = self._personal(team_id, channel_id)
        if isinstance(program, Reply):
            return program
        with self._uow_factory() as uow:
            uow.coffee.update_member(team_id, program.id, user_id, self._clock.now(), left=True, opted_in=False)
            uow.commit()
        return Reply(f"You've left coffee rounds in <#{channel_id}>. `/coffee join` brings you back any time.")

    def skip(self, team_id: str, channel_id: str, user_id: str) -> Reply:
        """Sit out the next scheduled round."""
        program = self._personal(team_id, channel_id)
        if isinstance(program, Reply):
            return program
        with self._uow_factory() as uow:
            next_round = uow.coffee.next_scheduled_round(team_id, program.id)
        if next_round is None:
            return Reply(f"There's no round scheduled in <#{channel_id}> right now, so there's nothing to skip.")
        return self.skip_round(team_id, next_round.id, user_id)

    def skip_round(self, team_id: str, round_id: int, user_id: str) -> Reply:
        """Sit out one round (the heads-up's Skip button)."""
        now = self._clock.now()
        with self._uow_factory() as uow:
            round_ = uow.coffee.round(team_id, round_id)
            if round_ is None:
                return Reply("That round no longer exists.", ok=False)
            program = uow.coffee.program(team_id, round_.program_id)
            if round_.status != RoundStatus.SCHEDULED or program is None:
                return Reply("That round has already started, so it can't be skipped any more.", ok=False)
            uow.coffee.update_member(team_id, round_.program_id, user_id, now, skip_round_id=round_id)
            uow.commit()
        tz = self._tz(team_id, user_id)
        return Reply(
            f"You'll sit out the round in <#{program.channel_id}> on {_day(round_.times.starts_at, tz)}. "
            "See you in the one after!"
        )

    def pause_member(self, team_id: str, channel_id: str, user_id: str, phrase: str) -> Reply:
        """`/coffee pause until <date>`: not grouped until that day (in the person's time zone)."""
        program = self._personal(team_id, channel_id)
        if isinstance(program, Reply):
            return program
        tz = self._tz(team_id, user_id)
        try:
            day = resolve_pause_until(phrase, self._clock.now(), tz)
        except PauseDateError as error:
            return Reply(_pause_error(error), ok=False)
        return self.pause_member_until(team_id, program.id, user_id, day)

    def pause_member_until(self, team_id: str, program_id: int, user_id: str, day: date) -> Reply:
        """Pause someone until ``day`` (the heads-up's date picker, or the command)."""
        now = self._clock.now()
        tz = self._tz(team_id, user_id)
        if day <= now.astimezone(zone_or_utc(tz)).date():
            return Reply("Please pick a day after today to come back.", ok=False)
        with self._uow_factory() as uow:
            program = uow.coffee.program(team_id, program_id)
            if program is None:
                return Reply("Those coffee rounds no longer exist.", ok=False)
            uow.coffee.update_member(team_id, program_id, user_id, now, paused_until=start_of_day(day, tz))
            uow.commit()
        return Reply(
            f"Paused: you won't be grouped in <#{program.channel_id}> until {day:%a} {day.day} {day:%b %Y}. "
            "`/coffee join` ends the pause early."
        )

    def avoid(self, team_id: str, user_id: str, other_id: str) -> Reply:
        """Add someone to the private "never pair me with" list."""
        if other_id == user_id:
            return Reply("You'll never be paired with yourself — no need to add yourself.", ok=False)
        with self._uow_factory() as uow:
            uow.workspaces.ensure(team_id, self._clock.now())
            added = uow.coffee.add_avoid(team_id, user_id, other_id, self._clock.now())
            uow.commit()
        already = "" if added else " (already on your list)"
        return Reply(
            f"Got it: you'll never be paired with <@{other_id}>{already}. This is private — nobody is ever told. "
            f"`/coffee avoid <@{other_id}> off` undoes it."
        )

    def unavoid(self, team_id: str, user_id: str, other_id: str) -> Reply:
        """Remove someone from the avoid list."""
        with self._uow_factory() as uow:
            removed = uow.coffee.remove_avoid(team_id, user_id, other_id)
            uow.commit()
        if not removed:
            return Reply(f"<@{other_id}> wasn't on your list.")
        return Reply(f"Removed <@{other_id}> from your list: you may be paired again.")

    def avoid_list(self, team_id: str, user_id: str) -> Reply:
        """The person's own avoid list (only they see it)."""
        with self._uow_factory() as uow:
            avoided = uow.coffee.avoids_of(team_id, user_id)
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
            uow.coffee.set_intro(team_id, user_id, text, now)
            uow.commit()
        if not text:
            return Reply("Your intro line is cleared.")
        # Show it as a group will see it (inert: no pings, no disguised links), not as typed.
        return Reply(f"Your intro line is set — your groups will see: _{render_user_text(text)}_")

    # --- membership events --------------------------------------------------------------------------------------

    def member_joined(self, team_id: str, channel_id: str, user_id: str) -> None:
        """member_joined_channel: record them and send one welcome DM (never twice)."""
        program = self._program(team_id, channel_id)
        if program is None or program.status == ProgramStatus.STOPPED:
            return
        try:
            person = self._people.get(team_id, user_id)
        except DirectoryLookupError:
            person = None
        if person is not None and (person.is_bot or person.deleted):
            return
        now = self._clock.now()
        with self._uow_factory() as uow:
            uow.coffee.update_member(team_id, program.id, user_id, now, in_channel=True)
            # Claimed before the post, not recorded after it: a rejoin or a duplicate event arriving while the
            # DM is in flight must find it taken.
            claimed = uow.coffee.claim_welcome(team_id, program.id, user_id, now)
            uow.commit()
        if not claimed:
            return
        text, blocks = self._render.welcome(channel_id, program)
        result = self._slack.post_message(user_id, text, blocks)
        if not result.ok:
            logger.warning("welcome DM failed: %s", result.error)
            with self._uow_factory() as uow:  # hand the claim back so a later join can try again
                uow.coffee.update_member(team_id, program.id, user_id, self._clock.now(), welcomed=False)
                uow.commit()

    def member_left(self, team_id: str, channel_id: str, user_id: str) -> None:
        """member_left_channel: not in the pool any more (their choices are kept if they come back)."""
        program = self._program(team_id, channel_id)
        if program is None:
            return
        with self._uow_factory() as uow:
            uow.coffee.update_member(team_id, program.id, user_id, self._clock.now(), in_channel=False)
            uow.commit()

    # --- check-ins ----------------------------------------------------------------------------------------------

    def check_in(self, team_id: str, group_id: int, user_id: str, outcome: CheckIn) -> CheckInResult | Reply:
        """Record a group's answer; "We met" logs one coffee interaction per member (running the hooks)."""
        now = self._clock.now()
        with self._uow_factory() as uow:
            group = uow.coffee.group(team_id, group_id)
            if group is None or user_id not in group.member_ids:
                return Reply("Only the people in this group can answer for it.", ok=False)
            changed = uow.coffee.answer_group(team_id, group_id, outcome, user_id, now)
            if not changed:
                return CheckInResult(group_id, CheckIn.MET, False, group.answered_by or user_id, None, group.member_ids)
            own: int | None = None
            if outcome == CheckIn.MET:
                uow.workspaces.ensure(team_id, now)
                for author in group.member_ids:
                    others = tuple(member for member in group.member_ids if member != author)
                    stored = uow.interactions.add(
                        NewInteraction(
                            team_id=team_id,
                            author_id=author,
                            happened_at=now,
                            kind=InteractionKind.COFFEE,
                            notes="",
                            source=InteractionSource.COFFEE,
                            participant_ids=others,
                        ),
                        created_at=now,
                    )
                    for hook in self._hooks:
                        hook(uow, stored, now)
                    if author == user_id:
                        own = stored.id
            uow.commit()
        logger.info("coffee group %s checked in: %s", group_id, outcome.value)
        return CheckInResult(group_id, outcome, True, user_id, own, group.member_ids)

    def add_note(self, team_id: str, user_id: str, interaction_id: int, note: str) -> bool:
        """Attach a private note to the person's own coffee interaction."""
        with self._uow_factory() as uow:
            changed = uow.coffee.set_interaction_notes(team_id, user_id, interaction_id, note.strip()[:3000])
            uow.commit()
        return changed

    # --- the pool -----------------------------------------------------------------------------------------------

    def _working_hours(self, team_id: str, user_ids: Sequence[str]) -> dict[str, tuple[int, int]]:
        """Working hours people saved in their nudge settings (local minutes); absent = the 9–17 default."""
        with self._uow_factory() as uow:
            saved = uow.nudge_settings.get_many(team_id, user_ids)
        return {
            user_id: (s.work_start.hour * 60 + s.work_start.minute, s.work_end.hour * 60 + s.work_end.minute)
            for user_id, s in saved.items()
        }

    def _tz(self, team_id: str, user_id: str) -> str:
        try:
            person = self._people.get(team_id, user_id)
        except DirectoryLookupError:
            person = None
        return person.tz if person else "UTC"

    def _pool(
        self, program: Program, round_id: int | None, now: datetime, *, complete: bool = False
    ) -> tuple[dict[str, Person], list[Notice]]:
        """Who is available (people by id) and who sits out with a reason to tell them (paused, skipping).

        ``complete``: a round's steps want everyone looked up; when Slack can't tell us about someone right now
        (users.info rate limits on a big channel's first round), the step is retried later, the directory cache
        keeping what was learnt. After DIRECTORY_TRIES the round goes ahead without them (never blocked for
        good). Status counts just leave such a person out.
        """
        outcome, member_ids = self._slack.channel_members(program.channel_id)
        if not outcome.ok:
            raise _StepFailed(outcome)
        people: dict[str, Person] = {}
        unknown = 0
        for user_id in member_ids:
            try:
                person = self._people.get(program.team_id, user_id)
            except DirectoryLookupError as error:
                if is_auth_error(error.code):
                    raise _StepFailed(SendOutcome.retry_later(error.code, _WAIT_SECONDS)) from error
                unknown += 1
                continue
            if person is not None and not person.is_bot and not person.deleted:
                people[user_id] = person
        if unknown and complete:
            logger.warning("%d members of %s could not be looked up yet; the round waits", unknown, program.channel_id)
            raise _StepFailed(SendOutcome.retry_later(DIRECTORY_WAIT, _WAIT_SECONDS))
        with self._uow_factory() as uow:
            uow.coffee.mark_in_channel(program.team_id, program.id, member_ids, now)
            states = uow.coffee.members(program.team_id, program.id)
            uow.commit()
        pool: dict[str, Person] = {}
        sitting_out: list[Notice] = []
        for user_id, person in people.items():
            state = states.get(user_id, MemberState(user_id))
            if state.left or state.set_aside:
                continue
            if program.settings.opt_in == OptIn.JOIN and not state.opted_in:
                continue
            if state.paused_until is not None and state.paused_until > now:
                local = state.paused_until.astimezone(zone_or_utc(person.tz)).date()
                text = SITTING_OUT_TEXT["paused"].format(until=f"{local:%a} {local.day} {local:%b}")
                sitting_out.append(Notice(round_id or 0, user_id, "paused", text))
                continue
            if round_id is not None and state.skip_round_id == round_id:
                sitting_out.append(Notice(round_id, user_id, "skipped", SITTING_OUT_TEXT["skipped"]))
                continue
            pool[user_id] = person
        return pool, sitting_out

    # --- the sweep ----------------------------------------------------------------------------------------------

    def sweep(self, worker_id: str | None = None, team_id: str | None = None) -> CoffeeSweepReport:
        """Claim due round steps, perform them, record each outcome; repeat while steps are due.

        ``team_id`` restricts the sweep to one workspace (tests sharing a database; re-running one workspace).
        """
        worker = worker_id or self._worker_id
        report = CoffeeSweepReport()
        paused: set[str] = set()  # workspaces whose token Slack refused: their steps are not claimed, or handed back
        for _ in range(50):
            paused |= self._breakers.paused_teams(team_id)
            now = self._clock.now()
            with self._uow_factory() as uow:
                jobs = uow.coffee.claim_jobs(worker, now, now + self._lease, self._batch, team_id, paused)
                uow.commit()
            if not jobs:
                break
            report.claimed += len(jobs)
            for job in jobs:
                if job.team_id in paused:
                    self._release(job, worker, now, "auth paused")
                    report.paused += 1
                    continue
                if self._run(job, worker, report):
                    paused.add(job.team_id)
        return report

    def _run(self, job: Job, worker: str, report: CoffeeSweepReport) -> bool:
        """Perform one step and record its outcome; True when Slack refused the workspace's token (now paused)."""
        steps = {
            JobKind.HEADS_UP: self._heads_up,
            JobKind.START: self._start,
            JobKind.CHECK_IN: self._check_in_step,
            JobKind.SUMMARY: self._summary,
        }
        self._step.deadline = time.monotonic() + self._lease.total_seconds() / 2
        self._step.checks = 0
        try:
            report.messages += steps[job.kind](job)
        except _StepYield:
            self._release(job, worker, self._clock.now(), "yielded")
            report.yielded += 1
            return False
        except _StepFailed as failed:
            if is_auth_error(failed.result.error):
                # Not the step's fault: pause the workspace and hand the step back as it is (no attempt counted);
                # what it already sent is recorded, so it resumes where it stopped once the token works again.
                error = str(failed.result.error)
                report.errors[error] = report.errors.get(error, 0) + 1
                self._breakers.trip(job.team_id, error)
                self._release(job, worker, self._clock.now(), error)
                report.paused += 1
                return True
            self._record_failure(job, worker, failed.result, report)
            return False
        with self._uow_factory() as uow:
            uow.coffee.finish_job(job.id, worker, self._clock.now())
            uow.commit()
        report.done += 1
        return False

    def _check_lease(self) -> None:
        """Called before each send: past half the lease, yield so that no other worker takes the step over meanwhile.

        Never on a step's first check, so every claim makes progress.
        """
        self._step.checks = getattr(self._step, "checks", 0) + 1
        if self._step.checks > 1 and time.monotonic() > getattr(self._step, "deadline", float("inf")):
            raise _StepYield

    def _release(self, job: Job, worker: str, available_at: datetime, reason: str) -> None:
        with self._uow_factory() as uow:
            uow.coffee.release_job(job.id, worker, available_at, self._clock.now())
            uow.commit()
        logger.info("coffee %s for round %s handed back (%s)", job.kind.value, job.round_id, reason)

    def _record_failure(self, job: Job, worker: str, result: SendOutcome, report: CoffeeSweepReport) -> None:
        error = result.error or "unknown_error"
        report.errors[error] = report.errors.get(error, 0) + 1
        now = self._clock.now()
        if error in RATE_LIMITS:
            # Not a failure: Slack (or our own limiter) asks us to wait. Done work is recorded; retry after the wait.
            self._release(job, worker, now + timedelta(seconds=result.retry_after or 1), error)
            report.deferred += 1
            return
        with self._uow_factory() as uow:
            if result.retryable and job.attempts + 1 < MAX_ATTEMPTS:
                delay = max(RETRY_DELAY * (2**job.attempts), timedelta(seconds=result.retry_after or 0))
                uow.coffee.retry_job(job.id, worker, now + delay, error, now)
                report.retried += 1
            else:
                uow.coffee.fail_job(job.id, worker, error, now)
                if job.kind == JobKind.START:
                    uow.coffee.update_round(job.team_id, job.round_id, now, status=RoundStatus.CANCELLED)
                report.failed += 1
            uow.commit()
        logger.warning("coffee %s for round %s failed: %s", job.kind.value, job.round_id, error)
        if job.kind == JobKind.START and error in CHANNEL_GONE:
            self._pause_lost_channel(job, error)

    def _pause_lost_channel(self, job: Job, error: str) -> None:
        """The channel is gone (archived, deleted, the bot removed): pause and tell the organiser how to resume."""
        now = self._clock.now()
        with self._uow_factory() as uow:
            round_ = uow.coffee.round(job.team_id, job.round_id)
            program = uow.coffee.program(job.team_id, round_.program_id) if round_ else None
            if program is None:
                return
            uow.coffee.set_program_status(job.team_id, program.id, ProgramStatus.PAUSED, now)
            uow.coffee.cancel_scheduled_rounds(job.team_id, program.id, now)
            uow.commit()
        result = self._post(program.set_up_by, self._render.channel_lost(program.channel_id, error))
        if not result.ok:
            logger.warning("could not tell the organiser about a lost coffee channel: %s", result.error)

    def _load(self, job: Job) -> tuple[Round, Program] | None:
        with self._uow_factory() as uow:
            round_ = uow.coffee.round(job.team_id, job.round_id)
            program = uow.coffee.program(job.team_id, round_.program_id) if round_ else None
        if round_ is None or program is None or round_.status == RoundStatus.CANCELLED:
            return None
        return round_, program

    def _post(self, channel: str, message: Message) -> SendOutcome:
        text, blocks = message
        return self._slack.post_message(channel, text, blocks)

    def _heads_up(self, job: Job) -> int:
        loaded = self._load(job)
        if loaded is None:
            return 0
        round_, program = loaded
        now = self._clock.now()
        if round_.status != RoundStatus.SCHEDULED or now >= round_.times.starts_at:
            return 0  # too late for a heads-up: the round itself says hello
        pool, _ = self._pool(program, round_.id, now, complete=job.attempts < DIRECTORY_TRIES)
        with self._uow_factory() as uow:
            states = uow.coffee.members(program.team_id, program.id)
        sent = 0
        for user_id, person in sorted(pool.items()):
            if states.get(user_id, MemberState(user_id)).heads_up_round_id == round_.id:
                continue
            self._check_lease()
            result = self._post(user_id, self._render.heads_up(program.channel_id, round_, person.tz))
            if not result.ok:
                _stop_unless_permanent(result)
                logger.warning("heads-up to a member failed: %s", result.error)
            with self._uow_factory() as uow:
                uow.coffee.update_member(program.team_id, program.id, user_id, now, heads_up_round_id=round_.id)
                uow.commit()
            sent += 1
        return sent

    def _start(self, job: Job) -> int:
        loaded = self._load(job)
        if loaded is None:
            return 0
        round_, program = loaded
        if round_.status == RoundStatus.SCHEDULED:
            self._match(round_, program, complete=job.attempts < DIRECTORY_TRIES)
        return self._send_intros(round_, program)

    def _match(self, round_: Round, program: Program, *, complete: bool) -> None:
        now = self._clock.now()
        try:
            pool, sitting_out = self._pool(program, round_.id, now, complete=complete)
        except _StepFailed as failed:
            if failed.result.error in CHANNEL_GONE:
                logger.warning("coffee channel %s is gone (%s)", program.channel_id, failed.result.error)
            raise
        hours = self._working_hours(program.team_id, list(pool))
        members = [_member(person, now, hours.get(person.user_id)) for person in pool.values()]
        with self._uow_factory() as uow:
            history = PairHistory(
                last_met=uow.coffee.last_met_pairs(program.team_id, now - HISTORY_HORIZON),
                blocked=uow.coffee.blocked_pairs(program.team_id, list(pool)),
                fairness=uow.coffee.fairness(program.team_id, program.id),
            )
        policy = MatchPolicy(group_size=program.settings.group_size, pool_mode=program.settings.pool_mode)
        # Attribute access, not a module-level import: the solvers (numpy/scipy/networkx) load on a round's first use.
        result = matching.match_round(members, history, policy, now, round_.seed)
        ledger = matching.fairness_after(result, dict(history.fairness), policy, now)
        changed = {user_id: record for user_id, record in ledger.items() if history.fairness.get(user_id) != record}
        notices = [Notice(round_.id, item.user_id, item.reason, item.text) for item in result.unmatched]
        notices += [Notice(round_.id, notice.user_id, notice.reason, notice.text) for notice in sitting_out]
        with self._uow_factory() as uow:
            current = uow.coffee.round(program.team_id, round_.id)
            if current is None or current.status != RoundStatus.SCHEDULED:
                return  # another worker matched it meanwhile (its lease expired under us)
            uow.coffee.add_groups(program.team_id, round_.id, [(g.member_ids, g.reason) for g in result.groups])
            uow.coffee.add_notices(program.team_id, round_.id, notices)
            uow.coffee.save_fairness(program.team_id, program.id, changed)
            uow.coffee.update_round(program.team_id, round_.id, now, status=RoundStatus.STARTED, pool_size=len(members))
            fresh = uow.coffee.program(program.team_id, program.id)
            if round_.regular and fresh is not None and fresh.status == ProgramStatus.ACTIVE:
                upcoming = uow.coffee.next_scheduled_round(program.team_id, program.id)
                if upcoming is None:
                    starts = following_round_start(fresh.settings, round_.times.starts_at)
                    while starts <= now:
                        starts = following_round_start(fresh.settings, starts)
                    self._schedule_round(uow, fresh, starts, regular=True, now=now)
            uow.commit()
        logger.info(
            "coffee round %s matched: pool=%d groups=%d unmatched=%d seed=%d",
            round_.id,
            len(members),
            len(result.groups),
            len(result.unmatched),
            round_.seed,
        )

    def _send_intros(self, round_: Round, program: Program) -> int:
        now = self._clock.now()
        with self._uow_factory() as uow:
            groups = uow.coffee.groups(program.team_id, round_.id)
            notices = uow.coffee.notices(program.team_id, round_.id)
            intros = uow.coffee.intros(program.team_id, [m for g in groups for m in g.member_ids])
            current = uow.coffee.round(program.team_id, round_.id) or round_
        sent = 0
        for index, group in enumerate(groups):
            if group.intro_ts is not None:
                continue
            self._check_lease()
            channel = group.channel_id
            if channel is None:
                outcome, channel = self._slack.open_group(group.member_ids)
                if channel is None:
                    self._group_failed(group, outcome)
                    continue
                with self._uow_factory() as uow:
                    uow.coffee.update_group(program.team_id, group.id, channel_id=channel)
                    uow.commit()
            intro = self._intro(group, program, current, intros, index, now)
            result = self._post(channel, self._render.intro(intro))
            if not result.ok:
                self._group_failed(group, result)
                continue
            with self._uow_factory() as uow:
                uow.coffee.update_group(program.team_id, group.id, intro_ts=result.ts, last_error=None)
                uow.commit()
            sent += 1
        for notice in notices:
            if notice.sent:
                continue
            self._check_lease()
            result = self._post(notice.user_id, self._render.not_grouped(program.channel_id, notice.text))
            if not result.ok:
                _stop_unless_permanent(result)
            with self._uow_factory() as uow:
                uow.coffee.mark_notice_sent(program.team_id, round_.id, notice.user_id, now)
                uow.commit()
            sent += 1 if result.ok else 0
        return sent

    def _group_failed(self, group: GroupRecord, result: SendOutcome) -> None:
        _stop_unless_permanent(result)
        logger.warning("coffee group %s could not be introduced: %s", group.id, result.error)
        with self._uow_factory() as uow:
            uow.coffee.update_group(group.team_id, group.id, last_error=(result.error or "unknown")[:64])
            uow.commit()

    def _intro(
        self,
        group: GroupRecord,
        program: Program,
        round_: Round,
        intros: dict[str, str],
        index: int,
        now: datetime,
    ) -> Intro:
        people: list[IntroPerson] = []
        for user_id in group.member_ids:
            try:
                person = self._people.get(program.team_id, user_id)
            except DirectoryLookupError:
                person = None
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
        hours = self._working_hours(program.team_id, group.member_ids)
        days = [WorkingDay(p.tz, *hours.get(p.user_id, (DEFAULT_WORK_START, DEFAULT_WORK_END))) for p in people]
        suggested = suggest_meeting_time(days, now, window)
        return Intro(
            group_id=group.id,
            channel_name=program.channel_id,
            people=tuple(people),
            reason=group.reason,
            starter=conversation_starter(round_.seed, index),
            suggested_at=suggested,
            now=now,
            check_in_at=round_.times.check_in_at,
        )

    def _check_in_step(self, job: Job) -> int:
        loaded = self._load(job)
        if loaded is None:
            return 0
        round_, program = loaded
        if round_.status != RoundStatus.STARTED:
            return 0
        with self._uow_factory() as uow:
            groups = uow.coffee.groups(program.team_id, round_.id)
        sent = 0
        for group in groups:
            if group.channel_id is None or group.check_in_ts is not None or group.outcome == CheckIn.MET:
                continue
            self._check_lease()
            result = self._post(group.channel_id, self._render.check_in(group.id, program.channel_id))
            if not result.ok:
                self._group_failed(group, result)
                continue
            with self._uow_factory() as uow:
                uow.coffee.update_group(program.team_id, group.id, check_in_ts=result.ts or "")
                uow.commit()
            sent += 1
        return sent

    def _summary(self, job: Job) -> int:
        loaded = self._load(job)
        if loaded is None:
            return 0
        round_, program = loaded
        if round_.status != RoundStatus.STARTED:
            return 0
        now = self._clock.now()
        with self._uow_factory() as uow:
            groups = [g for g in uow.coffee.groups(program.team_id, round_.id) if g.intro_ts is not None]
        met = sum(1 for g in groups if g.outcome == CheckIn.MET)
        scheduled = sum(1 for g in groups if g.outcome == CheckIn.SCHEDULED)
        sent = 0
        if round_.summary_ts is None and groups:
            result = self._post(
                program.channel_id, self._render.summary(program.channel_id, met, scheduled, len(groups))
            )
            if not result.ok:
                _stop_unless_permanent(result)
            if result.ok:
                sent += 1
            with self._uow_factory() as uow:
                uow.coffee.update_round(program.team_id, round_.id, now, summary_ts=result.ts or "")
                uow.commit()
        newly_set_aside: list[str] = []
        with self._uow_factory() as uow:
            states = uow.coffee.members(program.team_id, program.id)
            for group in groups:
                for user_id in group.member_ids:
                    state = states.get(user_id, MemberState(user_id))
                    if group.outcome is not None:
                        uow.coffee.update_member(program.team_id, program.id, user_id, now, ignored_rounds=0)
                        continue
                    ignored = state.ignored_rounds + 1
                    aside = ignored >= IGNORED_ROUNDS_LIMIT and not state.set_aside
                    uow.coffee.update_member(
                        program.team_id,
                        program.id,
                        user_id,
                        now,
                        ignored_rounds=ignored,
                        set_aside=state.set_aside or aside,
                    )
                    if aside:
                        newly_set_aside.append(user_id)
            uow.coffee.update_round(program.team_id, round_.id, now, status=RoundStatus.DONE)
            uow.commit()
        for user_id in newly_set_aside:
            result = self._post(user_id, self._render.set_aside(program.channel_id))
            if result.ok:
                sent += 1
            else:
                logger.warning("set-aside DM failed: %s", result.error)
        return sent


def _stop_unless_permanent(result: SendOutcome) -> None:
    """A failed send stops the step unless it is permanent for that one message: retryable failures are retried and
    a refused token pauses the workspace; only then may the step record the failure and go on to the next message."""
    if result.retryable or is_auth_error(result.error):
        raise _StepFailed(result)


def first_regular_start(settings: ProgramSettings, now: datetime) -> datetime:
    """The first regular start whose heads-up (one business day before) is still ahead, so it can be sent on time.

    Set up on Monday 09:00 for Mondays 10:00, the round is next week's: a heads-up sent now, one hour before,
    would break the promise of a business day's notice.
    """
    starts = next_round_start(settings, now)
    while round_times(settings, starts).heads_up_at < now:
        starts = next_round_start(settings, starts)
    return starts


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


def _when(at: datetime, tz: str) -> str:
    local = at.astimezone(zone_or_utc(tz))
    return f"{local:%a} {local.day} {local:%b} at {local:%H:%M} ({tz})"


def _day(at: datetime, tz: str) -> str:
    local = at.astimezone(zone_or_utc(tz))
    return f"{local:%a} {local.day} {local:%b}"


def _status_word(status: ProgramStatus) -> str:
    return {ProgramStatus.ACTIVE: "running", ProgramStatus.PAUSED: "paused", ProgramStatus.STOPPED: "stopped"}[status]


_PAUSE_ERRORS = {
    "unparseable": "I couldn't read *{phrase}* as a date.",
    "no_such_day": "*{phrase}* isn't a real date.",
    "past": "*{phrase}* isn't in the future — pick the day you'd like to come back.",
    "too_far": "*{phrase}* is more than a year away — `/coffee leave` is better for that.",
}


def _pause_error(error: PauseDateError) -> str:
    return _PAUSE_ERRORS[error.code].format(phrase=error.phrase) + " Try `/coffee pause until 2027-01-10`."
