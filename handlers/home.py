"""Publishing the App Home tab (views.publish). Shared by the listeners that change what it shows."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.services.home import HomeService
from handlers.blocks.home import home_view

logger = logging.getLogger(__name__)


def publish_home(client: WebClient, home: HomeService, team_id: str, user_id: str) -> bool:
    """Render and publish ``user_id``'s Home tab; False (logged) when Slack refused."""
    view = home_view(home.view(team_id, user_id))
    try:
        client.views_publish(user_id=user_id, view=view)
        return True
    except SlackApiError as error:
        logger.warning("views.publish failed: %s", error.response.get("error"))
        return False
