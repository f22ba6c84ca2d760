"""The `/met settings` modal submission (nudge preferences).

Like the `/met` form: the ack carries only what the form alone shows (see ``handlers/views/met.py``); the
person's zone (users.info) and the write follow it, and the outcome arrives as a DM. Saving is an overwrite of
the person's one settings row, so a retried submission changes nothing more.
"""

from __future__ import annotations

import logging
from datetime import time
from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.domain.nudges import WORKING_DAYS
from bot.services.preferences import MAX_FOLLOW_UP_DAYS, PreferencesService, SettingsForm
from handlers import ids
from handlers.blocks import settings as blocks
from handlers.boundary import FIRST_DAY, bounded_int, calendar_day
from handlers.reply import field_state, team_id_of, tell, user_id_of, view_values

logger = logging.getLogger(__name__)


def _options(values: dict[str, Any], block_id: str, action_id: str) -> list[dict[str, Any]]:
    found = field_state(values, block_id, action_id).get("selected_options")
    return [o for o in found if isinstance(o, dict)] if isinstance(found, list) else []


def _time(raw: Any, fallback: time) -> time:
    try:
        return time.fromisoformat(str(raw)) if raw else fallback
    except ValueError:
        return fallback


def parse_settings_form(values: dict[str, Any]) -> SettingsForm:
    """Read the modal's state; anything missing falls back to the defaults."""
    follow = field_state(values, ids.SETTINGS_FOLLOW_UP_BLOCK, ids.SETTINGS_FOLLOW_UP_ACTION).get("selected_option")
    follow_value = follow.get("value", "7") if isinstance(follow, dict) else "7"
    # Out of range is kept as -1 so that validation names the field instead of silently using a default.
    follow_days = bounded_int(follow_value, 0, MAX_FOLLOW_UP_DAYS)
    days = {
        day
        for o in _options(values, ids.SETTINGS_DAYS_BLOCK, ids.SETTINGS_DAYS_ACTION)
        if (day := bounded_int(o.get("value"), 0, 6)) is not None
    }
    raw_pause = field_state(values, ids.SETTINGS_PAUSE_BLOCK, ids.SETTINGS_PAUSE_ACTION).get("selected_date")
    # A picked day outside 2000–2100 is treated like a past one (refused), never as "no pause".
    pause = (calendar_day(raw_pause) or FIRST_DAY) if raw_pause else None
    digest = _options(values, ids.SETTINGS_DIGEST_BLOCK, ids.SETTINGS_DIGEST_ACTION)
    return SettingsForm(
        default_follow_up_days=-1 if follow_days is None else follow_days,
        work_start=_time(
            field_state(values, ids.SETTINGS_START_BLOCK, ids.SETTINGS_START_ACTION).get("selected_time"), time(9)
        ),
        work_end=_time(
            field_state(values, ids.SETTINGS_END_BLOCK, ids.SETTINGS_END_ACTION).get("selected_time"), time(17)
        ),
        work_days=frozenset(days) if days or values else WORKING_DAYS,
        pause_until_day=pause,
        digest_enabled=any(o.get("value") == blocks.DIGEST_VALUE for o in digest),
    )


def handle_settings_submission(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """The nudge settings modal: field errors in the ack; the save and its outcome (a DM) after it."""
    preferences: PreferencesService = context["preferences"]
    team_id, user_id = team_id_of(body), user_id_of(body)
    form = parse_settings_form(view_values(view))
    errors = preferences.check_form(form)
    if errors:
        ack(response_action="errors", errors={ids.SETTINGS_FIELD_BLOCKS[name]: m for name, m in errors.items()})
        return
    ack()
    try:
        outcome = preferences.save(team_id, user_id, form)
    except Exception:
        logger.exception("saving settings failed team=%s user=%s", team_id, user_id)
        tell(client, None, user_id, *blocks.settings_not_saved_message("something went wrong on my side.", form))
        return
    if outcome.settings is None:
        reason = " ".join(outcome.field_errors.values())
        tell(client, None, user_id, *blocks.settings_not_saved_message(reason, form))
        return
    tell(client, None, user_id, *blocks.settings_saved_message(outcome.settings, outcome.tz))
