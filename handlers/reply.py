"""What every listener needs around its one service call: who asked and where, what a modal holds, and answering.

Decisions:

* **Answering works with or without a ``response_url``.** Bolt's ``respond`` raises when the payload has none
  (Slack omits it in some containers, and a crafted or truncated payload may too). That exception came after the
  ack, so the person saw nothing at all. Every listener answers through :func:`answer` instead: the
  ``response_url`` when there is one, otherwise ``chat.update`` for a bot message to replace, an ephemeral message
  in the channel, or a DM (:func:`tell`).
* **A modal that cannot open says so.** ``views.open`` fails when the ``trigger_id`` has expired (3 s) or Slack is
  unwell; :func:`open_modal` logs it and the caller answers with a line that says what to do instead.
* **Payloads are read defensively**: a missing or oddly typed field gives an empty value, never an exception.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers.blocks.common import Block, Message

logger = logging.getLogger(__name__)

Reply = Callable[[Message], None]


# --- who and where -----------------------------------------------------------------------------------------------


def team_id_of(body: dict[str, Any]) -> str:
    """The workspace a payload belongs to, across payload kinds and org-wide installs."""
    team = body.get("team")
    if isinstance(team, dict) and team.get("id"):
        return str(team["id"])
    if isinstance(team, str) and team:
        return team
    if body.get("team_id"):
        return str(body["team_id"])
    user = body.get("user")
    if isinstance(user, dict) and user.get("team_id"):
        return str(user["team_id"])
    view = body.get("view")
    if isinstance(view, dict) and view.get("team_id"):
        return str(view["team_id"])
    return ""


def user_id_of(body: dict[str, Any]) -> str:
    """The acting user's id."""
    if body.get("user_id"):
        return str(body["user_id"])
    user = body.get("user")
    if isinstance(user, dict):
        return str(user.get("id", ""))
    return str(user or "")


def first_action(body: dict[str, Any]) -> dict[str, Any]:
    """The clicked element of a ``block_actions`` payload (empty when absent)."""
    actions = body.get("actions")
    first = actions[0] if isinstance(actions, list) and actions else {}
    return dict(first) if isinstance(first, dict) else {}


# --- modals --------------------------------------------------------------------------------------------------------


def private_metadata(view: dict[str, Any]) -> dict[str, Any]:
    """A view's private_metadata as a dict (empty when absent or not JSON)."""
    raw = view.get("private_metadata") or ""
    try:
        data = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def view_values(view: dict[str, Any]) -> dict[str, Any]:
    """A submitted view's ``state.values`` (empty when absent)."""
    return (view.get("state") or {}).get("values") or {}


def field_state(values: dict[str, Any], block_id: str, action_id: str) -> dict[str, Any]:
    """One input's state in ``values`` (empty when the block or the element is missing or not an object)."""
    found = values.get(block_id) if isinstance(values, dict) else None
    state = found.get(action_id) if isinstance(found, dict) else None
    return dict(state) if isinstance(state, dict) else {}


def selected_value(values: dict[str, Any], block_id: str, action_id: str) -> Any:
    """The ``value`` of a select's chosen option, or None."""
    selected = field_state(values, block_id, action_id).get("selected_option")
    return selected.get("value") if isinstance(selected, dict) else None


def attempt(what: str, call: Callable[[], object]) -> bool:
    """Make one Slack call; False (logged with Slack's error code) when Slack refuses it."""
    try:
        call()
        return True
    except SlackApiError as error:
        logger.warning("%s failed: %s", what, error.response.get("error"))
        return False


def open_modal(client: WebClient, trigger_id: str, view: dict[str, Any]) -> bool:
    """Open ``view``; False (logged) when Slack refuses, so the caller can tell the person what to do instead."""
    return attempt("views.open", lambda: client.views_open(trigger_id=trigger_id, view=view))


# --- answering -----------------------------------------------------------------------------------------------------


def _where(body: dict[str, Any]) -> tuple[str, str, bool]:
    """(channel id, message ts, ephemeral?) of the message or conversation the payload came from."""
    found_container, found_channel = body.get("container"), body.get("channel")
    container: dict[str, Any] = found_container if isinstance(found_container, dict) else {}
    channel: dict[str, Any] = found_channel if isinstance(found_channel, dict) else {}
    channel_id = str(container.get("channel_id") or channel.get("id") or body.get("channel_id") or "")
    return channel_id, str(container.get("message_ts") or ""), bool(container.get("is_ephemeral"))


def answer(
    respond: Respond,
    client: WebClient,
    body: dict[str, Any],
    text: str,
    blocks: list[Block] | None = None,
    *,
    replace_original: bool = False,
) -> None:
    """Tell the person ``text`` privately, replacing the clicked message when asked and possible."""
    if respond.response_url:
        if replace_original:
            respond(text=text, blocks=blocks, replace_original=True)
        else:
            respond(text=text, blocks=blocks, response_type="ephemeral", replace_original=False)
        return
    channel_id, message_ts, ephemeral = _where(body)
    if replace_original and channel_id and message_ts and not ephemeral:
        try:
            client.chat_update(channel=channel_id, ts=message_ts, text=text, blocks=blocks)
            return
        except SlackApiError as error:
            logger.info("in-place update not possible: %s", error.response.get("error"))
    tell(client, channel_id, user_id_of(body), text, blocks)


def replier(respond: Respond, client: WebClient, body: dict[str, Any]) -> Reply:
    """A function that answers the person behind ``body`` privately with a (text, blocks) message."""

    def reply(message: Message) -> None:
        text, blocks = message
        answer(respond, client, body, text, blocks)

    return reply


def tell(client: WebClient, channel_id: str | None, user_id: str, text: str, blocks: list[Block] | None = None) -> None:
    """An ephemeral message in ``channel_id`` (where the person acted), or Rapport's DM when that is not possible."""
    if channel_id:
        try:
            client.chat_postEphemeral(channel=channel_id, user=user_id, text=text, blocks=blocks)
            return
        except SlackApiError as error:
            # Rapport is not in that channel (or it is a DM between people): its own DM with the person works.
            logger.info("ephemeral answer not possible: %s", error.response.get("error"))
    try:
        client.chat_postMessage(channel=user_id, text=text, blocks=blocks)
    except SlackApiError as error:
        logger.warning("could not answer user %s: %s", user_id, error.response.get("error"))
