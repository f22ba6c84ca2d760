"""The `/met settings` modal submission (nudge preferences)."""

from __future__ import annotations

import logging
from datetime import date, time
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain.nudges import WORKING_DAYS
from bot.services.preferences import SettingsForm
from bot.services.registry import Services
from handlers import ids
from handlers.blocks import settings as blocks
from handlers.context import team_id_of, user_id_of

logger = logging.getLogger(__name__)


def _state(values: dict[str, Any], block_id: str, action_id: str) -> dict[str, Any]:
    return dict((values.get(block_id) or {}).get(action_id) or {})


def _time(raw: Any, fallback: time) -> time:
    try:
        return time.fromisoformat(str(raw)) if raw else fallback
    except ValueError:
        return fallback


def parse_settings_form(values: dict[str, Any]) -> SettingsForm:
    """Read the modal's state; anything missing falls back to the defaults."""
    follow = _state(values, ids.SETTINGS_FOLLOW_UP_BLOCK, ids.SETTINGS_FOLLOW_UP_ACTION).get("selected_option") or {}
    follow_value = str(follow.get("value", "7"))
    days = {
        int(o["value"])
        for o in _state(values, ids.SETTINGS_DAYS_BLOCK, ids.SETTINGS_DAYS_ACTION).get("selected_options") or []
        if str(o.get("value", "")).isdigit() and int(o["value"]) in range(7)
    }
    raw_pause = _state(values, ids.SETTINGS_PAUSE_BLOCK, ids.SETTINGS_PAUSE_ACTION).get("selected_date")
    try:
        pause = date.fromisoformat(raw_pause) if raw_pause else None
    except ValueError:
        pause = None
    digest = _state(values, ids.SETTINGS_DIGEST_BLOCK, ids.SETTINGS_DIGEST_ACTION).get("selected_options") or []
    return SettingsForm(
        default_follow_up_days=int(follow_value) if follow_value.isdigit() else 7,
        work_start=_time(
            _state(values, ids.SETTINGS_START_BLOCK, ids.SETTINGS_START_ACTION).get("selected_time"), time(9)
        ),
        work_end=_time(_state(values, ids.SETTINGS_END_BLOCK, ids.SETTINGS_END_ACTION).get("selected_time"), time(17)),
        work_days=frozenset(days) if days or values else WORKING_DAYS,
        pause_until_day=pause,
        digest_enabled=any(o.get("value") == blocks.DIGEST_VALUE for o in digest),
    )


def register(app: App, services: Services) -> None:
    """Register the settings modal's submission."""

    @app.view(ids.SETTINGS_CALLBACK)
    def handle_settings_submission(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        # Field errors can only be shown in the ack, so validation precedes it.
        team_id, user_id = team_id_of(body), user_id_of(body)
        form = parse_settings_form(view.get("state", {}).get("values", {}))
        outcome = services.preferences.save(team_id, user_id, form)
        if outcome.field_errors:
            errors = {ids.SETTINGS_FIELD_BLOCKS[name]: message for name, message in outcome.field_errors.items()}
            ack(response_action="errors", errors=errors)
            return
        ack()
        assert outcome.settings is not None
        text, message = blocks.settings_saved_message(outcome.settings, outcome.tz)
        try:
            client.chat_postMessage(channel=user_id, text=text, blocks=message)
        except SlackApiError as error:
            logger.warning("could not confirm saved settings: %s", error.response.get("error"))
