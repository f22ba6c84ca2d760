"""Channel membership events for coffee rounds (member_joined_channel, member_left_channel)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import BoltContext

from bot.services.coffee import CoffeeService
from handlers.boundary import slack_id
from handlers.reply import team_id_of

logger = logging.getLogger(__name__)


def handle_joined(body: dict[str, Any], event: dict[str, Any], context: BoltContext) -> None:
    """Someone joined a channel: a coffee pool there counts them in (and welcomes them)."""
    ids = _ids(event)
    if ids is not None:
        coffee: CoffeeService = context["coffee"]
        coffee.member_joined(team_id_of(body), *ids)


def handle_left(body: dict[str, Any], event: dict[str, Any], context: BoltContext) -> None:
    """Someone left a channel: they leave its coffee pool."""
    ids = _ids(event)
    if ids is not None:
        coffee: CoffeeService = context["coffee"]
        coffee.member_left(team_id_of(body), *ids)


def _ids(event: dict[str, Any]) -> tuple[str, str] | None:
    """(channel id, user id) of a membership event, or None (logged) when either is not a Slack id."""
    channel_id, user_id = slack_id(event.get("channel"), "CG"), slack_id(event.get("user"), "UW")
    if channel_id is None or user_id is None:
        logger.warning("membership event without usable ids")
        return None
    return channel_id, user_id
