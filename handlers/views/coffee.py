"""Coffee modals: the channel settings and the private "we met" note."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot.domain.coffee import OptIn, ProgramSettings
from bot.domain.matching import PoolMode
from bot.services.coffee import CoffeeService, Reply
from handlers import ids
from handlers.blocks import coffee as blocks
from handlers.blocks.common import escape
from handlers.boundary import record_id
from handlers.reply import field_state, private_metadata, team_id_of, tell, user_id_of, view_values

logger = logging.getLogger(__name__)
_KEPT = "Here is what you wrote, so nothing is lost:"


def _selected(values: dict[str, Any], block_id: str, action_id: str) -> str:
    return str((field_state(values, block_id, action_id).get("selected_option") or {}).get("value") or "")


def parse_settings(values: dict[str, Any]) -> tuple[ProgramSettings | None, dict[str, str]]:
    """The modal's state as settings, or field errors keyed by block id."""
    errors: dict[str, str] = {}
    raw_time = str(field_state(values, ids.COFFEE_TIME_BLOCK, ids.COFFEE_TIME_ACTION).get("selected_time") or "")
    try:
        hours, minutes = (int(part) for part in raw_time.split(":"))
        local_minute = hours * 60 + minutes
        if not 0 <= local_minute < 24 * 60:
            raise ValueError(raw_time)
    except ValueError:
        errors[ids.COFFEE_TIME_BLOCK] = "Pick a time of day."
        local_minute = 0
    try:
        settings = ProgramSettings(
            cadence_weeks=int(_selected(values, ids.COFFEE_CADENCE_BLOCK, ids.COFFEE_CADENCE_ACTION) or 2),
            weekday=int(_selected(values, ids.COFFEE_WEEKDAY_BLOCK, ids.COFFEE_WEEKDAY_ACTION) or 0),
            local_minute=local_minute,
            tz=_selected(values, ids.COFFEE_TZ_BLOCK, ids.COFFEE_TZ_ACTION) or "UTC",
            group_size=int(_selected(values, ids.COFFEE_SIZE_BLOCK, ids.COFFEE_SIZE_ACTION) or 2),
            pool_mode=PoolMode(_selected(values, ids.COFFEE_POOL_BLOCK, ids.COFFEE_POOL_ACTION) or "prefer_cross_team"),
            opt_in=OptIn(_selected(values, ids.COFFEE_OPT_IN_BLOCK, ids.COFFEE_OPT_IN_ACTION) or "all"),
        )
    except ValueError as error:
        errors.setdefault(ids.COFFEE_TZ_BLOCK, f"Those settings don't work: {error}")
        return None, errors
    return (None if errors else settings), errors


def handle_settings(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """The channel's coffee settings: field errors in the ack; the channel checks and the save after it."""
    settings, errors = parse_settings(view_values(view))
    if settings is None:
        ack(response_action="errors", errors=errors)
        return
    # The channel and person checks need Slack (conversations.info/members, users.info): after the ack.
    ack()
    coffee: CoffeeService = context["coffee"]
    team_id, user_id = team_id_of(body), user_id_of(body)
    channel_id = str(private_metadata(view).get("channel_id") or "")
    try:
        reply = coffee.save_settings(team_id, channel_id, user_id, settings)
    except Exception:
        logger.exception("saving coffee settings failed team=%s", team_id)
        reply = Reply("Something went wrong on my side and the settings weren't saved — please try again.", False)
    tell(client, channel_id, user_id, *blocks.reply_message(reply))


def handle_note(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """The private "we met" note: saved to the person's log entry; the outcome (with the note if unsaved) by DM."""
    values = view_values(view)
    # Stored notes are Slack-escaped text, like /met notes, so both render the same way.
    note = escape(str(field_state(values, ids.COFFEE_NOTE_BLOCK, ids.COFFEE_NOTE_INPUT_ACTION).get("value") or ""))
    if not note.strip():
        ack(response_action="errors", errors={ids.COFFEE_NOTE_BLOCK: "Write a note, or press Cancel."})
        return
    ack()
    coffee: CoffeeService = context["coffee"]
    interaction_id = record_id(private_metadata(view).get("interaction_id"))
    team_id, user_id = team_id_of(body), user_id_of(body)
    try:
        saved = interaction_id is not None and coffee.add_note(team_id, user_id, interaction_id, note)
    except Exception:
        logger.exception("saving a coffee note failed team=%s", team_id)
        saved = False
    if saved:
        text = "Your private note is saved (see `/met list`)."
    else:
        # The modal is closed: this message is the only copy of what the person wrote.
        text = f"I couldn't save that note (that meeting may no longer be in your log). {_KEPT}\n>{note}"
    tell(client, None, user_id, text)
