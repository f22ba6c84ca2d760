"""Sending a person the picture of their network as a PNG in their DM with Rapport (files.uploadV2)."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.services.insight import InsightService
from bot.services.people import PeopleService

logger = logging.getLogger(__name__)


def send_network_map(
    client: WebClient, insight: InsightService, people: PeopleService, team_id: str, user_id: str
) -> str:
    """Draw and upload the picture; returns what to tell the person (where it went, or why it didn't)."""
    # matplotlib loads only when someone asks for a picture: a web replica that never draws one stays small.
    from handlers.pictures.network_map import draw_network_map

    picture = insight.network_picture(team_id, user_id)
    if not picture.drawn:
        return "Nothing to draw yet — log a meeting with `/met @name` and your network starts there."
    my_label = people.labels(team_id, (user_id,)).get(user_id, "me")
    drawn = draw_network_map(picture, insight.now(), my_label)
    try:
        opened = client.conversations_open(users=user_id)
        channel = str(opened["channel"]["id"])
        client.files_upload_v2(
            channel=channel,
            file=drawn.png,
            filename="rapport-network.png",
            title="Your network",
            initial_comment=f"Your network: {picture.summary}. Only you can see this picture.",
        )
    except SlackApiError as error:
        logger.warning("network map upload failed: %s", error.response.get("error"))
        return "I couldn't upload your picture just now — please try again in a minute."
    drawn_people = "1 person" if drawn.nodes == 1 else f"{drawn.nodes} people"
    return f"Your network picture is in your DM with me ({drawn_people} drawn)."
