"""app_home_opened: publish the person's Home tab (queued at once, drawn on the refresher's pool)."""

from __future__ import annotations

from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.services.home_refresh import HomeRefresher
from handlers.boundary import slack_id
from handlers.reply import team_id_of


def handle_home_opened(body: dict[str, Any], event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """The person opened Rapport's Home tab (not its Messages tab): draw it fresh."""
    user_id = slack_id(event.get("user"), "UW")
    if event.get("tab", "home") != "home" or user_id is None:
        return
    refresher: HomeRefresher = context["home_refresh"]
    refresher.opened(team_id_of(body), user_id)
