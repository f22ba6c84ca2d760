"""Publishing the App Home tab (views.publish). Shared by the listeners that change what it shows."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.services.home import HomeService
from handlers.blocks.home import home_view
from handlers.reply import attempt


def publish_home(client: WebClient, home: HomeService, team_id: str, user_id: str) -> bool:
    """Render and publish ``user_id``'s Home tab; False (logged) when Slack refused."""
    view = home_view(home.view(team_id, user_id))
    return attempt("views.publish", lambda: client.views_publish(user_id=user_id, view=view))
