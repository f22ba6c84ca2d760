"""Coffee buttons: heads-up (Skip this round, Pause until…), check-in (We met, Scheduled, Not this time), Join,
and "Add a note"."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain.coffee import CheckIn
from bot.services.coffee import NOW_EXTRA, NOW_REPLACE, Reply, RoundToday
from bot.services.registry import Services
from handlers import ids
from handlers.blocks import coffee as blocks
from handlers.boundary import calendar_day, record_id, slack_id
from handlers.context import team_id_of, user_id_of
from handlers.reply import answer

logger = logging.getLogger(__name__)

_CHECK_INS = {
    ids.COFFEE_MET_ACTION: CheckIn.MET,
    ids.COFFEE_SCHEDULED_ACTION: CheckIn.SCHEDULED,
    ids.COFFEE_NOT_THIS_TIME_ACTION: CheckIn.NOT_THIS_TIME,
}


def _action(body: dict[str, Any]) -> dict[str, Any]:
    actions = body.get("actions")
    first = actions[0] if isinstance(actions, list) and actions else {}
    return dict(first) if isinstance(first, dict) else {}


def _say(respond: Respond, client: WebClient, body: dict[str, Any], reply: Reply) -> None:
    text, message = blocks.reply_message(reply)
    answer(respond, client, body, text, message)


def _action_value(body: dict[str, Any]) -> Any:
    return _action(body).get("value")


def register(app: App, services: Services) -> None:
    """Register the coffee block actions."""

    @app.action(ids.COFFEE_SKIP_ACTION)
    def handle_skip(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        try:
            value = json.loads(str(_action_value(body) or "{}"))
            round_id = record_id(value["round"])
        except (ValueError, KeyError, TypeError):
            round_id = None
        if round_id is None:
            _say(respond, client, body, Reply("That button is out of date.", ok=False))
            return
        _say(respond, client, body, services.coffee.skip_round(team_id_of(body), round_id, user_id_of(body)))

    @app.action(ids.COFFEE_PAUSE_UNTIL_ACTION)
    def handle_pause_until(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        action = _action(body)
        block_id = str(action.get("block_id") or "")
        parts = block_id.removeprefix(blocks.HEADS_UP_BLOCK_PREFIX).split("_")
        program_id = record_id(parts[0]) if parts else None
        day = calendar_day(action.get("selected_date"))
        if program_id is None or day is None:
            _say(respond, client, body, Reply("Please pick a date.", ok=False))
            return
        _say(
            respond,
            client,
            body,
            services.coffee.pause_member_until(team_id_of(body), program_id, user_id_of(body), day),
        )

    def handle_check_in(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        action = _action(body)
        group_id = record_id(action.get("value"))
        outcome = _CHECK_INS[str(action.get("action_id"))]
        user_id = user_id_of(body)
        if group_id is None:
            _say(respond, client, body, Reply("That button is out of date.", ok=False))
            return
        result = services.coffee.check_in(team_id_of(body), group_id, user_id, outcome)
        if isinstance(result, Reply):
            _say(respond, client, body, result)
            return
        if not result.changed:
            _say(
                respond,
                client,
                body,
                Reply(f"<@{result.answered_by}> already said you met — it's logged for everyone."),
            )
            return
        text, message = blocks.check_in_answered(group_id, result.outcome, user_id)
        answer(respond, client, body, text, message, replace_original=True)
        if result.interaction_id is not None:
            text, message = blocks.note_prompt(result.interaction_id)
            answer(respond, client, body, text, message)

    for action_id in _CHECK_INS:
        app.action(action_id)(handle_check_in)

    @app.action(ids.COFFEE_JOIN_ACTION)
    def handle_join(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        channel_id = slack_id(_action_value(body), "CG")
        if channel_id is None:
            _say(respond, client, body, Reply("That button is out of date.", ok=False))
            return
        _say(respond, client, body, services.coffee.join(team_id_of(body), channel_id, user_id_of(body)))

    def handle_now_choice(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        action = _action(body)
        choice = NOW_REPLACE if action.get("action_id") == ids.COFFEE_NOW_REPLACE_ACTION else NOW_EXTRA
        try:
            value = json.loads(str(action.get("value") or "{}"))
            channel_id, round_id = slack_id(value["channel"], "CG"), record_id(value["round"])
        except (ValueError, KeyError, TypeError):
            channel_id, round_id = None, None
        if round_id is None or channel_id is None:
            _say(respond, client, body, Reply("That button is out of date. Type `/coffee now` again.", ok=False))
            return
        started = services.coffee.start_now(team_id_of(body), channel_id, user_id_of(body), choice, round_id)
        text, message = (
            blocks.round_today_message(started) if isinstance(started, RoundToday) else blocks.reply_message(started)
        )
        answer(respond, client, body, text, message, replace_original=True)

    app.action(ids.COFFEE_NOW_REPLACE_ACTION)(handle_now_choice)
    app.action(ids.COFFEE_NOW_EXTRA_ACTION)(handle_now_choice)

    @app.action(ids.COFFEE_NOTE_ACTION)
    def handle_note(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        interaction_id = record_id(_action(body).get("value"))
        if interaction_id is None:
            _say(respond, client, body, Reply("That button is out of date.", ok=False))
            return
        channel_id = str((body.get("channel") or {}).get("id") or "")
        try:
            client.views_open(trigger_id=body.get("trigger_id", ""), view=blocks.note_modal(interaction_id, channel_id))
        except SlackApiError as error:
            logger.warning("views.open failed: %s", error.response.get("error"))
            _say(respond, client, body, Reply("I couldn't open the note form just now — please try again.", ok=False))
