"""Buttons on nudge DMs: Done, Snooze (menu), Not needed, Keep in touch (menu). Each calls one service method and
updates the DM in place."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.services.followups import NudgeOutcome
from bot.services.registry import Services
from handlers import ids
from handlers.blocks import nudges as blocks
from handlers.context import team_id_of, user_id_of
from handlers.reply import answer as reply

_OUT_OF_DATE = "That button is out of date — the reminder may have changed. Nothing was changed."
_BAD_CHOICE = "I didn't understand that choice — please pick one from the menu."

logger = logging.getLogger(__name__)


def _pattern(prefix: str) -> re.Pattern[str]:
    return re.compile(rf"^{re.escape(prefix)}:\d+$")


def _message_blocks(body: dict[str, Any]) -> list[dict[str, Any]]:
    message = body.get("message") or {}
    found = message.get("blocks")
    return list(found) if isinstance(found, list) else []


def _message_text(body: dict[str, Any]) -> str:
    message = body.get("message") or {}
    return str(message.get("text") or "Reminder")


def _contact(outcome: NudgeOutcome) -> str:
    return f"<@{outcome.contact_id}>"


def _update(
    respond: Respond,
    client: WebClient,
    body: dict[str, Any],
    nudge_id: int,
    line: str,
    keep_actions: bool = False,
) -> None:
    updated = blocks.with_outcome(_message_blocks(body), nudge_id, line, keep_actions=keep_actions)
    reply(respond, client, body, _message_text(body), updated, replace_original=True)


def register(app: App, services: Services) -> None:
    """Register the nudge buttons."""

    def answer(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient, what: str
    ) -> None:
        ack()
        nudge_id = blocks.nudge_id_from(action)
        if nudge_id is None:
            logger.warning("nudge action with a malformed action_id")
            reply(respond, client, body, _OUT_OF_DATE)
            return
        team_id, user_id = team_id_of(body), user_id_of(body)
        followups = services.followups
        if what == "done":
            outcome = followups.complete(team_id, user_id, nudge_id)
        elif what == "dismiss":
            outcome = followups.dismiss(team_id, user_id, nudge_id)
        else:
            days = blocks.chosen_days(action)
            if days is None:
                logger.warning("nudge menu without a usable choice")
                reply(respond, client, body, _BAD_CHOICE)
                return
            if what == "snooze":
                outcome = followups.snooze(team_id, user_id, nudge_id, days)
            else:
                outcome = followups.keep_in_touch(team_id, user_id, nudge_id, days)
                if outcome is not None and outcome.cadence is not None:
                    line = blocks.cadence_line(_contact(outcome), outcome.cadence, outcome.tz)
                    previous = _line_of(body, nudge_id)
                    combined = f"{previous}\n{line}" if previous else line
                    _update(respond, client, body, nudge_id, combined, keep_actions=True)
                    return
        if outcome is None:
            _update(respond, client, body, nudge_id, "This reminder no longer exists.")
            return
        if outcome.changed:
            line = blocks.outcome_line(outcome.status, _contact(outcome), outcome.tz, outcome.snoozed_until)
        else:
            line = blocks.already_answered_line(_contact(outcome))
        _update(respond, client, body, nudge_id, line)

    @app.action(_pattern(ids.NUDGE_DONE_ACTION))
    def handle_done(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
        answer(ack, body, action, respond, client, "done")

    @app.action(_pattern(ids.NUDGE_SNOOZE_ACTION))
    def handle_snooze(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
        answer(ack, body, action, respond, client, "snooze")

    @app.action(_pattern(ids.NUDGE_DISMISS_ACTION))
    def handle_dismiss(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
        answer(ack, body, action, respond, client, "dismiss")

    @app.action(_pattern(ids.NUDGE_CADENCE_ACTION))
    def handle_cadence(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
        answer(ack, body, action, respond, client, "cadence")


def _line_of(body: dict[str, Any], nudge_id: int) -> str:
    for block in _message_blocks(body):
        if block.get("block_id") == f"{ids.NUDGE_TEXT_BLOCK}:{nudge_id}":
            text = block.get("text") or {}
            return str(text.get("text") or "")
    return ""
