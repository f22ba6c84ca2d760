"""Buttons on `/met` replies."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.services.registry import Services
from handlers import ids
from handlers.blocks import met as blocks
from handlers.blocks import settings as settings_blocks
from handlers.boundary import record_id
from handlers.context import team_id_of, user_id_of
from handlers.reply import answer

logger = logging.getLogger(__name__)


def register(app: App, services: Services) -> None:
    """Register the Undo and keep-in-touch buttons."""

    @app.action(ids.MET_UNDO_ACTION)
    def handle_undo(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
        ack()
        interaction_id = record_id(action.get("value"))
        if interaction_id is None:
            logger.warning("undo clicked with a malformed value")
            text, message = blocks.already_gone_message()
            answer(respond, client, body, text, message, replace_original=True)
            return
        deleted = services.interactions.delete(team_id_of(body), user_id_of(body), interaction_id)
        text, message = blocks.undone_message(deleted) if deleted else blocks.already_gone_message()
        answer(respond, client, body, text, message, replace_original=True)

    @app.action(re.compile(f"^{ids.MET_KEEP_IN_TOUCH_ACTION}_"))
    def handle_keep_in_touch(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
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
        change = services.preferences.keep_in_touch(team_id_of(body), user_id_of(body), contact_ids, days)
        if change.problem:
            text, message = blocks.error_message(change.problem)
        else:
            text, message = settings_blocks.cadence_set_message(change.labels, change.contact_ids, days)
        answer(respond, client, body, text, message)
