"""Events API listeners."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltContext

from handlers.events import coffee, home
from handlers.reply import team_id_of

logger = logging.getLogger(__name__)


def handle_uninstalled(body: dict[str, Any], context: BoltContext) -> None:
    """app_uninstalled: hold all the workspace's work and delete its tokens (purged after the retention period)."""
    team_id = team_id_of(body)
    logger.info("app uninstalled from team %s", team_id)
    if team_id:
        context["workspaces"].uninstalled(team_id)


def handle_tokens_revoked(body: dict[str, Any], event: dict[str, Any], context: BoltContext) -> None:
    """tokens_revoked: when the bot's token is among them the app can do nothing there, as after an uninstall
    (Rapport holds no user tokens, so a revoked user token changes nothing)."""
    team_id = team_id_of(body)
    tokens = event.get("tokens")
    bots = tokens.get("bot") if isinstance(tokens, dict) else None
    logger.info("tokens revoked in team %s (bot: %s)", team_id, bool(bots))
    if team_id and bots:
        context["workspaces"].uninstalled(team_id)


def register(app: App) -> None:
    """Register every event listener."""
    app.event("member_joined_channel")(coffee.handle_joined)
    app.event("member_left_channel")(coffee.handle_left)
    app.event("app_home_opened")(home.handle_home_opened)
    app.event("app_uninstalled")(handle_uninstalled)
    app.event("tokens_revoked")(handle_tokens_revoked)
