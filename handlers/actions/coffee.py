"""Coffee buttons: heads-up (Skip this round, Pause until…), check-in (We met, Scheduled, Not this time), Join,
and "Add a note"."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.domain.coffee import CheckIn
from bot.services.coffee import NOW_EXTRA, NOW_REPLACE, CoffeeService, Reply, RoundToday
from handlers import ids
from handlers.blocks import coffee as blocks
from handlers.boundary import calendar_day, record_id, slack_id
from handlers.reply import answer, first_action, open_modal, team_id_of, user_id_of

CHECK_INS = {
    ids.COFFEE_MET_ACTION: CheckIn.MET,
    ids.COFFEE_SCHEDULED_ACTION: CheckIn.SCHEDULED,
    ids.COFFEE_NOT_THIS_TIME_ACTION: CheckIn.NOT_THIS_TIME,
}
_OUT_OF_DATE = Reply("That button is out of date.", ok=False)


def _say(respond: Respond, client: WebClient, body: dict[str, Any], reply: Reply) -> None:
    text, message = blocks.reply_message(reply)
    answer(respond, client, body, text, message)


def _json_value(action: dict[str, Any]) -> dict[str, Any]:
    """A button's JSON ``value`` (empty when it is not a JSON object)."""
    try:
        value = json.loads(str(action.get("value") or "{}"))
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def handle_skip(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient, context: BoltContext) -> None:
    """Skip this round (heads-up DM)."""
    ack()
    round_id = record_id(_json_value(first_action(body)).get("round"))
    if round_id is None:
        _say(respond, client, body, _OUT_OF_DATE)
        return
    coffee: CoffeeService = context["coffee"]
    _say(respond, client, body, coffee.skip_round(team_id_of(body), round_id, user_id_of(body)))


def handle_pause_until(
    ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient, context: BoltContext
) -> None:
    """Pause until a picked day (heads-up DM's date picker; the programme id is in its block_id)."""
    ack()
    action = first_action(body)
    block_id = str(action.get("block_id") or "")
    parts = block_id.removeprefix(blocks.HEADS_UP_BLOCK_PREFIX).split("_")
    program_id = record_id(parts[0]) if parts else None
    day = calendar_day(action.get("selected_date"))
    if program_id is None or day is None:
        _say(respond, client, body, Reply("Please pick a date.", ok=False))
        return
    coffee: CoffeeService = context["coffee"]
    _say(respond, client, body, coffee.pause_member_until(team_id_of(body), program_id, user_id_of(body), day))


def handle_check_in(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient, context: BoltContext) -> None:
    """We met / Scheduled / Not this time: the group's answer, shown in place; "We met" offers a private note."""
    ack()
    action = first_action(body)
    group_id = record_id(action.get("value"))
    outcome = CHECK_INS[str(action.get("action_id"))]
    user_id = user_id_of(body)
    if group_id is None:
        _say(respond, client, body, _OUT_OF_DATE)
        return
    coffee: CoffeeService = context["coffee"]
    result = coffee.check_in(team_id_of(body), group_id, user_id, outcome)
    if isinstance(result, Reply):
        _say(respond, client, body, result)
        return
    if not result.changed:
        _say(respond, client, body, Reply(f"<@{result.answered_by}> already said you met — it's logged for everyone."))
        return
    text, message = blocks.check_in_answered(group_id, result.outcome, user_id)
    answer(respond, client, body, text, message, replace_original=True)
    if result.interaction_id is not None:
        text, message = blocks.note_prompt(result.interaction_id)
        answer(respond, client, body, text, message)


def handle_join(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient, context: BoltContext) -> None:
    """Join (the welcome DM's button): join that channel's rounds."""
    ack()
    channel_id = slack_id(first_action(body).get("value"), "CG")
    if channel_id is None:
        _say(respond, client, body, _OUT_OF_DATE)
        return
    coffee: CoffeeService = context["coffee"]
    _say(respond, client, body, coffee.join(team_id_of(body), channel_id, user_id_of(body)))


def handle_now_choice(
    ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient, context: BoltContext
) -> None:
    """Replace today's round / Extra round, after `/coffee now` on a day that already has one."""
    ack()
    action = first_action(body)
    choice = NOW_REPLACE if action.get("action_id") == ids.COFFEE_NOW_REPLACE_ACTION else NOW_EXTRA
    value = _json_value(action)
    channel_id, round_id = slack_id(value.get("channel"), "CG"), record_id(value.get("round"))
    if round_id is None or channel_id is None:
        _say(respond, client, body, Reply("That button is out of date. Type `/coffee now` again.", ok=False))
        return
    coffee: CoffeeService = context["coffee"]
    started = coffee.start_now(team_id_of(body), channel_id, user_id_of(body), choice, round_id)
    text, message = (
        blocks.round_today_message(started) if isinstance(started, RoundToday) else blocks.reply_message(started)
    )
    answer(respond, client, body, text, message, replace_original=True)


def handle_note(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
    """Add a note (after "We met"): the private note modal."""
    ack()
    interaction_id = record_id(first_action(body).get("value"))
    if interaction_id is None:
        _say(respond, client, body, _OUT_OF_DATE)
        return
    channel_id = str((body.get("channel") or {}).get("id") or "")
    if not open_modal(client, body.get("trigger_id", ""), blocks.note_modal(interaction_id, channel_id)):
        _say(respond, client, body, Reply("I couldn't open the note form just now — please try again.", ok=False))
