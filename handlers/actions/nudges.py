"""Buttons on nudge DMs: Done, Snooze (menu), Not needed, Keep in touch (menu). Each calls one service method and
updates the DM in place.

A click is read into a typed answer (``Done``, ``NotNeeded``, ``Snooze``, ``KeepInTouch``) from its action_id's
prefix, and one listener dispatches on that type.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.services.followups import FollowUpService, NudgeOutcome
from handlers import ids
from handlers.blocks import nudges as blocks
from handlers.home import redraw_home
from handlers.reply import answer, team_id_of, user_id_of

_OUT_OF_DATE = "That button is out of date — the reminder may have changed. Nothing was changed."
_BAD_CHOICE = "I didn't understand that choice — please pick one from the menu."

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Done:
    """Done: the person followed up."""

    nudge_id: int


@dataclass(frozen=True, slots=True)
class NotNeeded:
    """Not needed: dismiss the reminder."""

    nudge_id: int


@dataclass(frozen=True, slots=True)
class Snooze:
    """Snooze for ``days``."""

    nudge_id: int
    days: int


@dataclass(frozen=True, slots=True)
class KeepInTouch:
    """Keep in touch with this contact every ``days``."""

    nudge_id: int
    days: int


@dataclass(frozen=True, slots=True)
class Refused:
    """A click that cannot be acted on: what to log and what to tell the person."""

    log: str
    text: str


NudgeAnswer = Done | NotNeeded | Snooze | KeepInTouch
# Each button's action_id prefix (handlers/ids.py): buttons, and menus that carry a number of days.
_BUTTONS: dict[str, type[Done] | type[NotNeeded]] = {ids.NUDGE_DONE_ACTION: Done, ids.NUDGE_DISMISS_ACTION: NotNeeded}
_MENUS: dict[str, type[Snooze] | type[KeepInTouch]] = {
    ids.NUDGE_SNOOZE_ACTION: Snooze,
    ids.NUDGE_CADENCE_ACTION: KeepInTouch,
}
PREFIXES = (*_BUTTONS, *_MENUS)


def read_click(action: dict[str, Any]) -> NudgeAnswer | Refused:
    """The click as a typed answer, or why it cannot be one (a malformed action_id or menu choice)."""
    prefix = str(action.get("action_id", "")).rpartition(":")[0]
    nudge_id = blocks.nudge_id_from(action)
    if prefix not in PREFIXES or nudge_id is None:
        return Refused("nudge action with a malformed action_id", _OUT_OF_DATE)
    if prefix in _BUTTONS:
        return _BUTTONS[prefix](nudge_id)
    days = blocks.chosen_days(action)
    if days is None:
        return Refused("nudge menu without a usable choice", _BAD_CHOICE)
    return _MENUS[prefix](nudge_id, days)


def handle_nudge_button(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient, context: BoltContext
) -> None:
    """Any button on a nudge DM: ack, read the click, one service call, the DM updated in place."""
    ack()
    click = read_click(action)
    if isinstance(click, Refused):
        logger.warning(click.log)
        answer(respond, client, body, click.text)
        return
    followups: FollowUpService = context["followups"]
    team_id, user_id = team_id_of(body), user_id_of(body)
    if _on_home_tab(body):
        # The Home tab shows the same buttons: answer the reminder, then redraw the tab (no message to update).
        _answer_click(followups, team_id, user_id, click)
        redraw_home(context, team_id, user_id)
        return
    outcome = _answer_click(followups, team_id, user_id, click)
    redraw_home(context, team_id, user_id)  # the tab lists the same reminders
    if isinstance(click, KeepInTouch) and outcome is not None and outcome.cadence is not None:
        # The reminder stays open (its buttons too); the cadence is a line added under it.
        line = blocks.cadence_line(_contact(outcome), outcome.cadence, outcome.tz)
        previous = _line_of(body, click.nudge_id)
        _update(respond, client, body, click.nudge_id, f"{previous}\n{line}" if previous else line, True)
        return
    _update(respond, client, body, click.nudge_id, _outcome_line(outcome))


def _on_home_tab(body: dict[str, Any]) -> bool:
    view = body.get("view")
    return isinstance(view, dict) and view.get("type") == "home"


def _answer_click(followups: FollowUpService, team_id: str, user_id: str, click: NudgeAnswer) -> NudgeOutcome | None:
    match click:
        case Done(nudge_id):
            return followups.complete(team_id, user_id, nudge_id)
        case NotNeeded(nudge_id):
            return followups.dismiss(team_id, user_id, nudge_id)
        case Snooze(nudge_id, days):
            return followups.snooze(team_id, user_id, nudge_id, days)
        case KeepInTouch(nudge_id, days):
            return followups.keep_in_touch(team_id, user_id, nudge_id, days)


def _outcome_line(outcome: NudgeOutcome | None) -> str:
    if outcome is None:
        return "This reminder no longer exists."
    if outcome.changed:
        return blocks.outcome_line(outcome.status, _contact(outcome), outcome.tz, outcome.snoozed_until)
    return blocks.already_answered_line(_contact(outcome))


def _contact(outcome: NudgeOutcome) -> str:
    return f"<@{outcome.contact_id}>"


def _message_blocks(body: dict[str, Any]) -> list[dict[str, Any]]:
    message = body.get("message") or {}
    found = message.get("blocks")
    return list(found) if isinstance(found, list) else []


def _update(
    respond: Respond, client: WebClient, body: dict[str, Any], nudge_id: int, line: str, keep_actions: bool = False
) -> None:
    """The DM with ``line`` in place of this nudge's buttons (kept when ``keep_actions``)."""
    updated = blocks.with_outcome(_message_blocks(body), nudge_id, line, keep_actions=keep_actions)
    text = str((body.get("message") or {}).get("text") or "Reminder")
    answer(respond, client, body, text, updated, replace_original=True)


def _line_of(body: dict[str, Any], nudge_id: int) -> str:
    for block in _message_blocks(body):
        if block.get("block_id") == f"{ids.NUDGE_TEXT_BLOCK}:{nudge_id}":
            text = block.get("text") or {}
            return str(text.get("text") or "")
    return ""
