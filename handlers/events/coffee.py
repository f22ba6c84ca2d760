"""Channel membership events for coffee rounds (member_joined_channel, member_left_channel)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App

from bot.services.registry import Services
from handlers.boundary import slack_id
from handlers.context import team_id_of

logger = logging.getLogger(__name__)


def register(app: App, services: Services) -> None:
    """Keep coffee pools fresh and welcome newcomers."""

    @app.event("member_joined_channel")
    def handle_joined(body: dict[str, Any], event: dict[str, Any]) -> None:
        ids = _ids(event)
        if ids is not None:
            services.coffee.member_joined(team_id_of(body), *ids)

    @app.event("member_left_channel")
    def handle_left(body: dict[str, Any], event: dict[str, Any]) -> None:
        ids = _ids(event)
        if ids is not None:
            services.coffee.member_left(team_id_of(body), *ids)


def _ids(event: dict[str, Any]) -> tuple[str, str] | None:
    """(channel id, user id) of a membership event, or None (logged) when either is not a Slack id."""
    channel_id, user_id = slack_id(event.get("channel"), "CG"), slack_id(event.get("user"), "UW")
    if channel_id is None or user_id is None:
        logger.warning("membership event without usable ids")
        return None
    return channel_id, user_id
