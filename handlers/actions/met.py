"""Buttons on `/met` replies."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond

from bot.services.registry import Services
from handlers import ids
from handlers.blocks import met as blocks
from handlers.context import team_id_of, user_id_of

logger = logging.getLogger(__name__)


def register(app: App, services: Services) -> None:
    """Register the Undo button."""

    @app.action(ids.MET_UNDO_ACTION)
    def handle_undo(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        try:
            interaction_id = int(action.get("value", ""))
        except ValueError:
            logger.warning("undo clicked with a malformed value")
            text, message = blocks.already_gone_message()
            respond(text=text, blocks=message, replace_original=True)
            return
        deleted = services.interactions.delete(team_id_of(body), user_id_of(body), interaction_id)
        text, message = blocks.undone_message(deleted) if deleted else blocks.already_gone_message()
        respond(text=text, blocks=message, replace_original=True)
