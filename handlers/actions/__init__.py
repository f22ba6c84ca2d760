"""Block action listeners."""

from __future__ import annotations

import re

from slack_bolt import App

from handlers import ids
from handlers.actions import coffee, home, intro, mentor, met, nudges


def _nudge_button(prefix: str) -> re.Pattern[str]:
    """A nudge button's action_id: PREFIX:<nudge id> (see handlers/ids.py)."""
    return re.compile(rf"^{re.escape(prefix)}:\d+$")


def register(app: App) -> None:
    """Register every block action."""
    app.action(ids.MET_UNDO_ACTION)(met.handle_undo)
    app.action(re.compile(f"^{ids.MET_KEEP_IN_TOUCH_ACTION}_"))(met.handle_keep_in_touch)
    for prefix in nudges.PREFIXES:
        app.action(_nudge_button(prefix))(nudges.handle_nudge_button)
    app.action(ids.COFFEE_SKIP_ACTION)(coffee.handle_skip)
    app.action(ids.COFFEE_PAUSE_UNTIL_ACTION)(coffee.handle_pause_until)
    for action_id in coffee.CHECK_INS:
        app.action(action_id)(coffee.handle_check_in)
    app.action(ids.COFFEE_JOIN_ACTION)(coffee.handle_join)
    app.action(ids.COFFEE_NOW_REPLACE_ACTION)(coffee.handle_now_choice)
    app.action(ids.COFFEE_NOW_EXTRA_ACTION)(coffee.handle_now_choice)
    app.action(ids.COFFEE_NOTE_ACTION)(coffee.handle_note)
    app.action(ids.HOME_LOG_ACTION)(home.handle_log)
    app.action(ids.HOME_GOAL_ACTION)(home.handle_goal)
    app.action(ids.HOME_SETTINGS_ACTION)(home.handle_settings)
    app.action(ids.HOME_MAP_ACTION)(home.handle_map)
    app.action(ids.INTRO_MET_ACTION)(intro.handle_we_met)
    for action_id in mentor.ACTS:
        app.action(action_id)(mentor.handle_act)
    for action_id in mentor.MODALS:
        app.action(action_id)(mentor.handle_reason_button)
    app.action(ids.MENTOR_ANOTHER_ACTION)(mentor.handle_show_another)
    app.action(re.compile(rf"^{ids.MENTOR_FIND_REQUEST_ACTION}_\d+$"))(mentor.handle_find_request)
