"""Events API listeners."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App

from bot.services.registry import Services
from handlers.events import coffee

logger = logging.getLogger(__name__)


def register(app: App, services: Services) -> None:
    """Register every event listener."""
    coffee.register(app, services)

    @app.event("app_uninstalled")
    def handle_uninstalled(body: dict[str, Any]) -> None:
        logger.info("app uninstalled from team %s", body.get("team_id"))

    @app.event("tokens_revoked")
    def handle_tokens_revoked(body: dict[str, Any]) -> None:
        logger.info("tokens revoked in team %s", body.get("team_id"))
