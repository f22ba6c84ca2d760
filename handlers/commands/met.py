"""`/met`: log, list, undo, help, or open the log modal."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain.met_grammar import (
    GrammarError,
    ListHistory,
    LogMeeting,
    OpenLogModal,
    ShowHelp,
    UndoLast,
    parse_met,
)
from bot.services.interactions import Logged
from bot.services.registry import Services
from handlers.blocks import met as blocks

logger = logging.getLogger(__name__)


def _reply(respond: Respond, message: blocks.Message) -> None:
    text, body = message
    respond(text=text, blocks=body, response_type="ephemeral", replace_original=False)


def register(app: App, services: Services) -> None:
    """Register the `/met` command listener."""

    @app.command("/met")
    def handle_met(ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        team_id = command.get("team_id", "")
        user_id = command.get("user_id", "")
        text = command.get("text") or ""
        parsed = parse_met(text, user_id)
        if isinstance(parsed, GrammarError):
            _reply(respond, blocks.error_message(parsed.message, text))
        elif isinstance(parsed, ShowHelp):
            _reply(respond, blocks.help_message())
        elif isinstance(parsed, OpenLogModal):
            today = services.interactions.author_context(team_id, user_id).today
            view = blocks.log_modal(today, channel_id=command.get("channel_id"))
            try:
                client.views_open(trigger_id=command["trigger_id"], view=view)
            except SlackApiError as error:
                logger.warning("views.open failed: %s", error.response.get("error"))
                _reply(
                    respond,
                    blocks.error_message(
                        "I couldn't open the form just now. You can log in one line instead: "
                        "`/met @dana yesterday coffee`."
                    ),
                )
        elif isinstance(parsed, ListHistory):
            _reply(respond, blocks.history_message(services.interactions.history(team_id, user_id, parsed.with_user)))
        elif isinstance(parsed, UndoLast):
            deleted = services.interactions.undo_last(team_id, user_id)
            _reply(respond, blocks.undone_message(deleted) if deleted else blocks.nothing_to_undo_message())
        elif isinstance(parsed, LogMeeting):
            outcome = services.interactions.log_meeting(team_id, user_id, parsed)
            if isinstance(outcome, Logged):
                _reply(respond, blocks.logged_message(outcome))
            else:
                _reply(respond, blocks.error_message(outcome.message, text))
