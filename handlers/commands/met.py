"""`/met`: log, list, undo, help, or open the log modal."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

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
from bot.services.interactions import InteractionService, Logged
from bot.services.preferences import PreferencesService
from handlers.after_ack import AfterAck
from handlers.blocks import met as blocks
from handlers.blocks import settings as settings_blocks
from handlers.reply import Reply, open_modal, replier

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Asked:
    """One `/met` to answer after the ack: who typed what, the two services it may call, and the private reply."""

    interactions: InteractionService
    preferences: PreferencesService
    reply: Reply
    team_id: str
    user_id: str
    text: str


def handle_met(ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient, context: BoltContext) -> None:
    """`/met …`: ack, then the work on the after-ack pool (a form opens at once: its trigger_id expires in 3 s)."""
    ack()
    parsed = parse_met(command.get("text") or "", command.get("user_id", ""))
    asked = _Asked(
        context["interactions"],
        context["preferences"],
        replier(respond, client, command),
        command.get("team_id", ""),
        command.get("user_id", ""),
        command.get("text") or "",
    )
    if isinstance(parsed, OpenLogModal | OpenSettings):
        _open_form(asked, client, command, parsed)
        return
    after_ack: AfterAck = context["after_ack"]
    after_ack.submit(command, lambda: _answer(asked, parsed))


def _open_form(asked: _Asked, client: WebClient, command: dict[str, Any], parsed: OpenLogModal | OpenSettings) -> None:
    if isinstance(parsed, OpenLogModal):
        today = asked.interactions.author_context(asked.team_id, asked.user_id).today
        view = blocks.log_modal(today, channel_id=command.get("channel_id"))
        fallback = "You can log in one line instead: `/met @dana yesterday coffee`."
    else:
        mine = asked.preferences.load(asked.team_id, asked.user_id)
        view = settings_blocks.settings_modal(mine.settings, mine.today, mine.tz)
        fallback = "Please try again in a moment."
    if not open_modal(client, command.get("trigger_id", ""), view):
        asked.reply(blocks.error_message(f"I couldn't open the form just now. {fallback}"))


def _answer(asked: _Asked, parsed: MetCommand | GrammarError) -> None:
    """Everything after the ack: call one service, render, reply through the command's response_url."""
    interactions, preferences, reply = asked.interactions, asked.preferences, asked.reply
    team_id, user_id = asked.team_id, asked.user_id
    match parsed:
        case GrammarError(message=message):
            reply(blocks.error_message(message, asked.text))
        case ShowHelp():
            reply(blocks.help_message())
        case ListCadences():
            listed = preferences.cadences(team_id, user_id)
            reply(settings_blocks.cadence_list_message(listed.cadences, listed.labels, listed.now, listed.tz))
        case SetCadence(contact_id, every_days):
            change = preferences.keep_in_touch(team_id, user_id, (contact_id,), every_days)
            if change.problem:
                reply(blocks.error_message(change.problem, asked.text))
            else:
                reply(settings_blocks.cadence_set_message(change.labels, change.contact_ids, every_days))
        case StopCadence(contact_id):
            stopped = preferences.stop(team_id, user_id, contact_id)
            label = stopped.labels.get(contact_id, "")
            reply(settings_blocks.cadence_stopped_message(label, contact_id, stopped.changed))
        case ListHistory(with_user):
            reply(blocks.history_message(interactions.history(team_id, user_id, with_user)))
        case UndoLast():
            deleted = interactions.undo_last(team_id, user_id)
            reply(blocks.undone_message(deleted) if deleted else blocks.nothing_to_undo_message())
        case LogMeeting():
            _log(asked, parsed)


def _log(asked: _Asked, parsed: LogMeeting) -> None:
    outcome = asked.interactions.log_meeting(asked.team_id, asked.user_id, parsed)
    if not isinstance(outcome, Logged):
        asked.reply(blocks.error_message(outcome.message, asked.text))
        return
    cadence_line = None
    if parsed.cadence_days:
        participants = outcome.interaction.participant_ids
        change = asked.preferences.keep_in_touch(asked.team_id, asked.user_id, participants, parsed.cadence_days)
        cadence_line = settings_blocks.cadence_set_message(change.labels, change.contact_ids, parsed.cadence_days)[0]
    asked.reply(blocks.logged_message(outcome, cadence_line))
