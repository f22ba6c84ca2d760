"""The `/met` modal submission."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain.models import InteractionKind
from bot.services.interactions import Logged
from bot.services.registry import Services
from handlers import ids
from handlers.blocks import met as blocks
from handlers.blocks.common import escape
from handlers.context import private_metadata, team_id_of, user_id_of

logger = logging.getLogger(__name__)


def _value(values: dict[str, Any], block_id: str, action_id: str) -> dict[str, Any]:
    return dict((values.get(block_id) or {}).get(action_id) or {})


def parse_log_form(values: dict[str, Any]) -> tuple[tuple[str, ...], date | None, InteractionKind, str, int | None]:
    """Read the modal's state into (people, day, kind, notes, follow-up days)."""
    people = tuple(_value(values, ids.MET_PEOPLE_BLOCK, ids.MET_PEOPLE_ACTION).get("selected_users") or ())
    raw_day = _value(values, ids.MET_DATE_BLOCK, ids.MET_DATE_ACTION).get("selected_date")
    try:
        day = date.fromisoformat(raw_day) if raw_day else None
    except ValueError:
        day = None
    kind_value = (_value(values, ids.MET_KIND_BLOCK, ids.MET_KIND_ACTION).get("selected_option") or {}).get("value")
    try:
        kind = InteractionKind(str(kind_value))
    except ValueError:
        kind = InteractionKind.MEETING
    # Stored notes are Slack-escaped text, like slash-command text, so both render the same way.
    notes = escape(_value(values, ids.MET_NOTES_BLOCK, ids.MET_NOTES_ACTION).get("value") or "")
    follow = (_value(values, ids.MET_FOLLOW_UP_BLOCK, ids.MET_FOLLOW_UP_ACTION).get("selected_option") or {}).get(
        "value"
    )
    follow_up_days = int(follow) if follow and str(follow).isdigit() else None
    return people, day, kind, notes, follow_up_days


def register(app: App, services: Services) -> None:
    """Register the log modal's submission."""

    @app.view(ids.MET_LOG_CALLBACK)
    def handle_log_submission(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        # Slack only shows field errors in the ack, so validation (and the write it guards) precede it.
        team_id, user_id = team_id_of(body), user_id_of(body)
        people, day, kind, notes, follow_up_days = parse_log_form(view.get("state", {}).get("values", {}))
        outcome = services.interactions.log_from_form(team_id, user_id, people, day, kind, notes, follow_up_days)
        if not isinstance(outcome, Logged):
            errors = {ids.MET_FIELD_BLOCKS[name]: message for name, message in outcome.field_errors.items()}
            ack(response_action="errors", errors=errors)
            return
        ack()
        text, message = blocks.logged_message(outcome)
        channel_id = private_metadata(view).get("channel_id")
        if channel_id:
            try:
                client.chat_postEphemeral(channel=channel_id, user=user_id, text=text, blocks=message)
                return
            except SlackApiError as error:
                # Not in that channel (or it's a DM between people): fall back to the app's DM with the user.
                logger.info("ephemeral confirmation not possible: %s", error.response.get("error"))
        try:
            client.chat_postMessage(channel=user_id, text=text, blocks=message)
        except SlackApiError as error:
            logger.warning("could not confirm a logged meeting: %s", error.response.get("error"))
