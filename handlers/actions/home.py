"""The Home tab's quick actions: Log a meeting, Set a goal, Settings, My network picture."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.services.interactions import InteractionService
from bot.services.preferences import PreferencesService
from handlers.after_ack import AfterAck
from handlers.blocks import home as home_blocks
from handlers.blocks import met as met_blocks
from handlers.blocks import settings as settings_blocks
from handlers.network import send_network_map
from handlers.reply import open_modal, team_id_of, tell, user_id_of

_NO_FORM = "I couldn't open the form just now — please try again in a moment."


def handle_log(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """Log a meeting: the `/met` form."""
    ack()
    interactions: InteractionService = context["interactions"]
    today = interactions.author_context(team_id_of(body), user_id_of(body)).today
    if not open_modal(client, str(body.get("trigger_id", "")), met_blocks.log_modal(today)):
        tell(client, None, user_id_of(body), _NO_FORM)


def handle_goal(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
    """Set a goal: the goal form."""
    ack()
    if not open_modal(client, str(body.get("trigger_id", "")), home_blocks.goal_modal()):
        tell(client, None, user_id_of(body), _NO_FORM)


def handle_settings(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """Settings: the `/met settings` form."""
    ack()
    preferences: PreferencesService = context["preferences"]
    mine = preferences.load(team_id_of(body), user_id_of(body))
    view = settings_blocks.settings_modal(mine.settings, mine.today, mine.tz)
    if not open_modal(client, str(body.get("trigger_id", "")), view):
        tell(client, None, user_id_of(body), _NO_FORM)


def handle_map(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """My network picture: drawn and sent to the person's DM after the ack."""
    ack()
    team_id, user_id = team_id_of(body), user_id_of(body)
    after_ack: AfterAck = context["after_ack"]

    def send() -> None:
        said = send_network_map(client, context["insight"], context["people"], team_id, user_id)
        if not said.startswith("Your network picture is in your DM"):
            tell(client, None, user_id, said)

    after_ack.submit(body, send)
