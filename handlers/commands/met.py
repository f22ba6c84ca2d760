"""`/met`: log, list, undo, help, or open the log modal."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain.met_grammar import (
    GrammarError,
    ListCadences,
    ListHistory,
    LogMeeting,
    MetCommand,
    OpenLogModal,
    OpenSettings,
    SetCadence,
    ShowHelp,
    StopCadence,
    UndoLast,
    parse_met,
)
from bot.services.interactions import Logged
from bot.services.registry import Services
from handlers.after_ack import AfterAck
from handlers.blocks import met as blocks
from handlers.blocks import settings as settings_blocks
from handlers.reply import answer

logger = logging.getLogger(__name__)


Reply = Callable[[blocks.Message], None]


def _replier(respond: Respond, client: WebClient, command: dict[str, Any]) -> Reply:
    """Answer privately: the command's response_url, or (when it has none Rapport may use) an ephemeral or a DM."""

    def reply(message: blocks.Message) -> None:
        text, body = message
        answer(respond, client, command, text, body)

    return reply


def _open_modal(client: WebClient, reply: Reply, trigger_id: str, view: dict[str, Any], fallback: str) -> None:
    try:
        client.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as error:
        logger.warning("views.open failed: %s", error.response.get("error"))
        reply(blocks.error_message(f"I couldn't open the form just now. {fallback}"))


def register(app: App, services: Services, after_ack: AfterAck) -> None:
    """Register the `/met` command listener: ack, then the work on the after-ack pool."""

    @app.command("/met")
    def handle_met(ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        parsed = parse_met(command.get("text") or "", command.get("user_id", ""))
        reply = _replier(respond, client, command)
        if isinstance(parsed, OpenLogModal | OpenSettings):
            # A trigger_id expires 3 s after the command, so the form opens now rather than behind queued work.
            _open_form(services, client, reply, command, parsed)
            return
        after_ack.submit(command, lambda: _answer(services, reply, command, parsed))


def _open_form(
    services: Services,
    client: WebClient,
    reply: Reply,
    command: dict[str, Any],
    parsed: OpenLogModal | OpenSettings,
) -> None:
    team_id = command.get("team_id", "")
    user_id = command.get("user_id", "")
    if isinstance(parsed, OpenLogModal):
        today = services.interactions.author_context(team_id, user_id).today
        view = blocks.log_modal(today, channel_id=command.get("channel_id"))
        fallback = "You can log in one line instead: `/met @dana yesterday coffee`."
        _open_modal(client, reply, command.get("trigger_id", ""), view, fallback)
    else:
        mine = services.preferences.load(team_id, user_id)
        view = settings_blocks.settings_modal(mine.settings, mine.today, mine.tz)
        _open_modal(client, reply, command.get("trigger_id", ""), view, "Please try again in a moment.")


def _answer(services: Services, reply: Reply, command: dict[str, Any], parsed: MetCommand | GrammarError) -> None:
    """Everything after the ack: call one service, render, reply through the command's response_url."""
    team_id = command.get("team_id", "")
    user_id = command.get("user_id", "")
    text = command.get("text") or ""
    if isinstance(parsed, GrammarError):
        reply(blocks.error_message(parsed.message, text))
    elif isinstance(parsed, ShowHelp):
        reply(blocks.help_message())
    elif isinstance(parsed, ListCadences):
        listed = services.preferences.cadences(team_id, user_id)
        reply(settings_blocks.cadence_list_message(listed.cadences, listed.labels, listed.now, listed.tz))
    elif isinstance(parsed, SetCadence):
        change = services.preferences.keep_in_touch(team_id, user_id, (parsed.user_id,), parsed.every_days)
        if change.problem:
            reply(blocks.error_message(change.problem, text))
        else:
            reply(settings_blocks.cadence_set_message(change.labels, change.contact_ids, parsed.every_days))
    elif isinstance(parsed, StopCadence):
        change = services.preferences.stop(team_id, user_id, parsed.user_id)
        label = change.labels.get(parsed.user_id, "")
        reply(settings_blocks.cadence_stopped_message(label, parsed.user_id, change.changed))
    elif isinstance(parsed, ListHistory):
        reply(blocks.history_message(services.interactions.history(team_id, user_id, parsed.with_user)))
    elif isinstance(parsed, UndoLast):
        deleted = services.interactions.undo_last(team_id, user_id)
        reply(blocks.undone_message(deleted) if deleted else blocks.nothing_to_undo_message())
    elif isinstance(parsed, LogMeeting):
        _log(services, reply, team_id, user_id, text, parsed)


def _log(services: Services, reply: Reply, team_id: str, user_id: str, text: str, parsed: LogMeeting) -> None:
    outcome = services.interactions.log_meeting(team_id, user_id, parsed)
    if not isinstance(outcome, Logged):
        reply(blocks.error_message(outcome.message, text))
        return
    cadence_line = None
    if parsed.cadence_days:
        change = services.preferences.keep_in_touch(
            team_id, user_id, outcome.interaction.participant_ids, parsed.cadence_days
        )
        cadence_line = settings_blocks.cadence_set_message(change.labels, change.contact_ids, parsed.cadence_days)[0]
    reply(blocks.logged_message(outcome, cadence_line))
