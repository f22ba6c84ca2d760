"""`/coffee`: the settings modal, channel commands (status, pause, resume, stop, now) and personal ones."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain.coffee import ProgramStatus
from bot.services.coffee import ChannelProblem, Reply, RoundToday
from bot.services.registry import Services
from handlers.blocks import coffee as blocks
from handlers.reply import answer

logger = logging.getLogger(__name__)

_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
_RAW_ID = re.compile(r"^[UW][A-Z0-9]{6,}$")
_CHANNEL_ACTIONS = {"pause": ProgramStatus.PAUSED, "resume": ProgramStatus.ACTIVE, "stop": ProgramStatus.STOPPED}


@dataclass(frozen=True, slots=True)
class CoffeeCommand:
    """A parsed `/coffee` line: ``verb`` and its arguments."""

    verb: str
    argument: str = ""
    user_id: str = ""
    off: bool = False


def _user(word: str) -> str:
    mention = _MENTION.match(word)
    if mention:
        return mention[1]
    return word if _RAW_ID.match(word) else ""


def parse_coffee(text: str) -> CoffeeCommand:
    """Read the command text (Slack-escaped mentions) into a CoffeeCommand; unknown input gives verb 'unknown'."""
    words = text.strip().split()
    if not words:
        return CoffeeCommand("settings")
    verb, rest = words[0].lower(), words[1:]
    if verb in {"help", "status", "resume", "stop", "now", "join", "leave", "skip"} and not rest:
        return CoffeeCommand(verb)
    if verb == "pause":
        if not rest:
            return CoffeeCommand("pause")
        if rest[0].lower() == "until" and len(rest) > 1:
            return CoffeeCommand("pause_until", " ".join(rest[1:]))
        return CoffeeCommand("pause_until", " ".join(rest))
    if verb == "avoid":
        if not rest:
            return CoffeeCommand("avoid_list")
        user_id = _user(rest[0])
        if not user_id or len(rest) > 2 or (len(rest) == 2 and rest[1].lower() != "off"):
            return CoffeeCommand("bad_avoid", " ".join(rest))
        return CoffeeCommand("avoid", user_id=user_id, off=len(rest) == 2)
    if verb == "intro":
        argument = " ".join(text.strip().split(maxsplit=1)[1:])
        return CoffeeCommand("intro", "" if argument.lower() == "off" else argument, off=argument.lower() == "off")
    return CoffeeCommand("unknown", text.strip())


class _Replier:
    """Private answers to one command (through its response_url, or an ephemeral/DM without one)."""

    def __init__(self, respond: Respond, client: WebClient, command: dict[str, Any]) -> None:
        self._respond, self._client, self._command = respond, client, command

    def message(self, message: blocks.Message) -> None:
        answer(self._respond, self._client, self._command, message[0], message[1])

    def outcome(self, outcome: Reply | ChannelProblem) -> None:
        reply = outcome if isinstance(outcome, Reply) else Reply(outcome.message, ok=False)
        self.message(blocks.reply_message(reply))


def register(app: App, services: Services) -> None:
    """Register the `/coffee` command listener."""

    @app.command("/coffee")
    def handle_coffee(ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        replier = _Replier(respond, client, command)
        _reply, _answer = replier.message, replier.outcome
        coffee = services.coffee
        team_id = command.get("team_id", "")
        user_id = command.get("user_id", "")
        channel_id = command.get("channel_id", "")
        parsed = parse_coffee(command.get("text") or "")
        verb = parsed.verb
        problem = coffee.problem_from_payload(channel_id, str(command.get("channel_name") or ""))
        if problem is not None and verb not in {"help", "avoid", "avoid_list", "bad_avoid", "intro", "unknown"}:
            _answer(problem)
        elif verb == "help":
            _reply(blocks.help_message())
        elif verb == "settings":
            form = coffee.settings_form(team_id, channel_id, user_id)
            if isinstance(form, ChannelProblem):
                _answer(form)
                return
            try:
                client.views_open(trigger_id=command.get("trigger_id", ""), view=blocks.settings_modal(form))
            except SlackApiError as error:
                logger.warning("views.open failed: %s", error.response.get("error"))
                _answer(Reply("I couldn't open the settings just now — please try again.", ok=False))
        elif verb == "status":
            report = coffee.status(team_id, channel_id, user_id)
            if isinstance(report, ChannelProblem):
                _answer(report)
            else:
                _reply(blocks.status_message(report))
        elif verb in _CHANNEL_ACTIONS:
            _answer(coffee.set_program_status(team_id, channel_id, user_id, _CHANNEL_ACTIONS[verb]))
        elif verb == "now":
            started = coffee.start_now(team_id, channel_id, user_id)
            if isinstance(started, RoundToday):
                _reply(blocks.round_today_message(started))
            else:
                _answer(started)
        elif verb == "join":
            _answer(coffee.join(team_id, channel_id, user_id))
        elif verb == "leave":
            _answer(coffee.leave(team_id, channel_id, user_id))
        elif verb == "skip":
            _answer(coffee.skip(team_id, channel_id, user_id))
        elif verb == "pause_until":
            _answer(coffee.pause_member(team_id, channel_id, user_id, parsed.argument))
        elif verb == "avoid_list":
            _answer(coffee.avoid_list(team_id, user_id))
        elif verb == "avoid":
            if parsed.off:
                _answer(coffee.unavoid(team_id, user_id, parsed.user_id))
            else:
                _answer(coffee.avoid(team_id, user_id, parsed.user_id))
        elif verb == "bad_avoid":
            _answer(Reply("Mention one person: `/coffee avoid @someone` (or `… off` to undo).", ok=False))
        elif verb == "intro":
            if not parsed.argument and not parsed.off:
                _answer(Reply("Write a line after it: `/coffee intro Loves climbing and sourdough`."))
            else:
                _answer(coffee.set_intro(team_id, user_id, parsed.argument))
        else:
            _answer(Reply(f"I don't know `/coffee {parsed.argument[:100]}`. Try `/coffee help`.", ok=False))
