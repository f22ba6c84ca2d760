"""Events API listeners."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App

from handlers.events import coffee, home

logger = logging.getLogger(__name__)


def handle_uninstalled(body: dict[str, Any]) -> None:
    """app_uninstalled: logged."""
    logger.info("app uninstalled from team %s", body.get("team_id"))


def handle_tokens_revoked(body: dict[str, Any]) -> None:
    """tokens_revoked: logged."""
    logger.info("tokens revoked in team %s", body.get("team_id"))


def register(app: App) -> None:
    """Register every event listener."""
    app.event("member_joined_channel")(coffee.handle_joined)
    app.event("member_left_channel")(coffee.handle_left)
    app.event("app_home_opened")(home.handle_home_opened)
    app.event("app_uninstalled")(handle_uninstalled)
    app.event("tokens_revoked")(handle_tokens_revoked)
