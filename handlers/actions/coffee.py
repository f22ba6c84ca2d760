"""Coffee buttons: heads-up (Skip this round, Pause until…), check-in (We met, Scheduled, Not this time), Join,
and "Add a note"."""

from __future__ import annotations

import json
import logging
from datetime import date
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain.coffee import CheckIn
from bot.services.coffee import Reply
from bot.services.registry import Services
from handlers import ids
from handlers.blocks import coffee as blocks
from handlers.context import team_id_of, user_id_of

logger = logging.getLogger(__name__)

_CHECK_INS = {
    ids.COFFEE_MET_ACTION: CheckIn.MET,
    ids.COFFEE_SCHEDULED_ACTION: CheckIn.SCHEDULED,
    ids.COFFEE_NOT_THIS_TIME_ACTION: CheckIn.NOT_THIS_TIME,
}


def _action(body: dict[str, Any]) -> dict[str, Any]:
    actions = body.get("actions") or [{}]
    return dict(actions[0])


def _say(respond: Respond, reply: Reply) -> None:
    text, message = blocks.reply_message(reply)
    respond(text=text, blocks=message, response_type="ephemeral", replace_original=False)


def _int(value: Any) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None


def register(app: App, services: Services) -> None:
    """Register the coffee block actions."""

    @app.action(ids.COFFEE_SKIP_ACTION)
    def handle_skip(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        try:
            value = json.loads(_action(body).get("value") or "{}")
            round_id = int(value["round"])
        except (ValueError, KeyError, TypeError):
            _say(respond, Reply("That button is out of date.", ok=False))
            return
        _say(respond, services.coffee.skip_round(team_id_of(body), round_id, user_id_of(body)))

    @app.action(ids.COFFEE_PAUSE_UNTIL_ACTION)
    def handle_pause_until(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        action = _action(body)
        block_id = str(action.get("block_id") or "")
        parts = block_id.removeprefix(blocks.HEADS_UP_BLOCK_PREFIX).split("_")
        program_id = _int(parts[0]) if parts else None
        try:
            day = date.fromisoformat(str(action.get("selected_date") or ""))
        except ValueError:
            day = None
        if program_id is None or day is None:
            _say(respond, Reply("Please pick a date.", ok=False))
            return
        _say(respond, services.coffee.pause_member_until(team_id_of(body), program_id, user_id_of(body), day))

    def handle_check_in(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        action = _action(body)
        group_id = _int(action.get("value"))
        outcome = _CHECK_INS[str(action.get("action_id"))]
        user_id = user_id_of(body)
        if group_id is None:
            _say(respond, Reply("That button is out of date.", ok=False))
            return
        result = services.coffee.check_in(team_id_of(body), group_id, user_id, outcome)
        if isinstance(result, Reply):
            _say(respond, result)
            return
        if not result.changed:
            _say(respond, Reply(f"<@{result.answered_by}> already said you met — it's logged for everyone."))
            return
        text, message = blocks.check_in_answered(group_id, result.outcome, user_id)
        respond(text=text, blocks=message, replace_original=True)
        if result.interaction_id is not None:
            text, message = blocks.note_prompt(result.interaction_id)
            respond(text=text, blocks=message, response_type="ephemeral", replace_original=False)

    for action_id in _CHECK_INS:
        app.action(action_id)(handle_check_in)

    @app.action(ids.COFFEE_JOIN_ACTION)
    def handle_join(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        channel_id = str(_action(body).get("value") or "")
        _say(respond, services.coffee.join(team_id_of(body), channel_id, user_id_of(body)))

    @app.action(ids.COFFEE_NOTE_ACTION)
    def handle_note(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        interaction_id = _int(_action(body).get("value"))
        if interaction_id is None:
            return
        channel_id = str((body.get("channel") or {}).get("id") or "")
        try:
            client.views_open(trigger_id=body.get("trigger_id", ""), view=blocks.note_modal(interaction_id, channel_id))
        except SlackApiError as error:
            logger.warning("views.open failed: %s", error.response.get("error"))
            _say(respond, Reply("I couldn't open the note form just now — please try again.", ok=False))
