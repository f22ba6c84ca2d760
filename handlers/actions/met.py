"""Buttons on `/met` replies."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.services.interactions import InteractionService
from bot.services.preferences import PreferencesService
from handlers.blocks import met as blocks
from handlers.blocks import settings as settings_blocks
from handlers.boundary import record_id
from handlers.reply import answer, team_id_of, user_id_of

logger = logging.getLogger(__name__)


def handle_undo(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient, context: BoltContext
) -> None:
    """Undo on a `/met` confirmation: delete that entry (only the author's own) and say so in place."""
    ack()
    interaction_id = record_id(action.get("value"))
    if interaction_id is None:
        logger.warning("undo clicked with a malformed value")
        text, message = blocks.already_gone_message()
        answer(respond, client, body, text, message, replace_original=True)
        return
    interactions: InteractionService = context["interactions"]
    deleted = interactions.delete(team_id_of(body), user_id_of(body), interaction_id)
    text, message = blocks.undone_message(deleted) if deleted else blocks.already_gone_message()
    answer(respond, client, body, text, message, replace_original=True)


def handle_keep_in_touch(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient, context: BoltContext
) -> None:
    """A keep-in-touch button under a `/met` confirmation: start that cadence with the people met."""
    ack()
    parsed = blocks.parse_keep_in_touch_value(str(action.get("value", "")))
    if parsed is None:
        logger.warning("keep-in-touch clicked with a malformed value")
        text, message = blocks.error_message(
            "That button is out of date, so nothing changed. Try `/met cadence @someone monthly`."
        )
        answer(respond, client, body, text, message)
        return
    days, contact_ids = parsed
    preferences: PreferencesService = context["preferences"]
    change = preferences.keep_in_touch(team_id_of(body), user_id_of(body), contact_ids, days)
    if change.problem:
        text, message = blocks.error_message(change.problem)
    else:
        text, message = settings_blocks.cadence_set_message(change.labels, change.contact_ids, days)
    answer(respond, client, body, text, message)
