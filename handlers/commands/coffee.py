"""`/coffee`: the settings modal, channel commands (status, pause, resume, stop, now) and personal ones.

The text is parsed by ``bot.domain.coffee_grammar`` into a typed command; this module only dispatches it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.domain.coffee import ProgramStatus
from bot.domain.coffee_grammar import (
    INTRO_USAGE,
    Avoid,
    ChannelCommand,
    ClearIntro,
    CoffeeGrammarError,
    Join,
    Leave,
    ListAvoided,
    OpenSettings,
    PauseMe,
    PauseProgramme,
    PersonalCommand,
    ResumeProgramme,
    SetIntro,
    ShowHelp,
    ShowIntroUsage,
    ShowStatus,
    SkipRound,
    StartNow,
    StopProgramme,
    Unavoid,
    parse_coffee,
)
from bot.services.coffee import ChannelProblem, CoffeeService, Reply, RoundToday
from handlers.blocks import coffee as blocks
from handlers.blocks.common import Message
from handlers.reply import answer, open_modal

_PROGRAMME_STATUS = {
    PauseProgramme: ProgramStatus.PAUSED,
    ResumeProgramme: ProgramStatus.ACTIVE,
    StopProgramme: ProgramStatus.STOPPED,
}


@dataclass(frozen=True, slots=True)
class _Asked:
    """One `/coffee`: who typed it, where, the service, and a private answer to them."""

    coffee: CoffeeService
    team_id: str
    channel_id: str
    user_id: str
    command: dict[str, Any]
    respond: Respond
    client: WebClient

    def message(self, message: Message) -> None:
        text, body = message
        answer(self.respond, self.client, self.command, text, body)

    def outcome(self, outcome: Reply | ChannelProblem) -> None:
        reply = outcome if isinstance(outcome, Reply) else Reply(outcome.message, ok=False)
        self.message(blocks.reply_message(reply))


def handle_coffee(ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient, context: BoltContext) -> None:
    """`/coffee …`: ack, parse, refuse a channel command outside a channel, then one service call."""
    ack()
    coffee: CoffeeService = context["coffee"]
    asked = _Asked(
        coffee,
        command.get("team_id", ""),
        command.get("channel_id", ""),
        command.get("user_id", ""),
        command,
        respond,
        client,
    )
    parsed = parse_coffee(command.get("text") or "")
    if isinstance(parsed, CoffeeGrammarError):
        asked.outcome(Reply(parsed.message, ok=False))
    elif isinstance(parsed, ChannelCommand):
        problem = coffee.problem_from_payload(asked.channel_id, str(command.get("channel_name") or ""))
        if problem is not None:
            asked.outcome(problem)
        else:
            _in_channel(asked, parsed)
    else:
        _for_me(asked, parsed)


def _in_channel(asked: _Asked, parsed: ChannelCommand) -> None:
    coffee, team_id, channel_id, user_id = asked.coffee, asked.team_id, asked.channel_id, asked.user_id
    match parsed:
        case OpenSettings():
            _open_settings(asked)
        case ShowStatus():
            report = coffee.status(team_id, channel_id, user_id)
            if isinstance(report, ChannelProblem):
                asked.outcome(report)
            else:
                asked.message(blocks.status_message(report))
        case PauseProgramme() | ResumeProgramme() | StopProgramme():
            status = _PROGRAMME_STATUS[type(parsed)]
            asked.outcome(coffee.set_program_status(team_id, channel_id, user_id, status))
        case StartNow():
            started = coffee.start_now(team_id, channel_id, user_id)
            if isinstance(started, RoundToday):
                asked.message(blocks.round_today_message(started))
            else:
                asked.outcome(started)
        case Join():
            asked.outcome(coffee.join(team_id, channel_id, user_id))
        case Leave():
            asked.outcome(coffee.leave(team_id, channel_id, user_id))
        case SkipRound():
            asked.outcome(coffee.skip(team_id, channel_id, user_id))
        case PauseMe(until):
            asked.outcome(coffee.pause_member(team_id, channel_id, user_id, until))


def _for_me(asked: _Asked, parsed: PersonalCommand) -> None:
    coffee, team_id, user_id = asked.coffee, asked.team_id, asked.user_id
    match parsed:
        case ShowHelp():
            asked.message(blocks.help_message())
        case ListAvoided():
            asked.outcome(coffee.avoid_list(team_id, user_id))
        case Avoid(other):
            asked.outcome(coffee.avoid(team_id, user_id, other))
        case Unavoid(other):
            asked.outcome(coffee.unavoid(team_id, user_id, other))
        case SetIntro(line):
            asked.outcome(coffee.set_intro(team_id, user_id, line))
        case ClearIntro():
            asked.outcome(coffee.set_intro(team_id, user_id, ""))
        case ShowIntroUsage():
            asked.outcome(Reply(INTRO_USAGE))


def _open_settings(asked: _Asked) -> None:
    form = asked.coffee.settings_form(asked.team_id, asked.channel_id, asked.user_id)
    if isinstance(form, ChannelProblem):
        asked.outcome(form)
    elif not open_modal(asked.client, asked.command.get("trigger_id", ""), blocks.settings_modal(form)):
        asked.outcome(Reply("I couldn't open the settings just now — please try again.", ok=False))
