"""Answering a click or a command whether or not the payload carries a ``response_url``.

Bolt's ``respond`` raises when the payload has no ``response_url`` (Slack omits it in some containers, and a
crafted or truncated payload may too). That exception came after the ack, so the person saw nothing at all.
Every listener answers through :func:`answer` instead: the ``response_url`` when there is one, otherwise
``chat.update`` for a bot message to replace, an ephemeral message in the channel, or a DM.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers.context import user_id_of

logger = logging.getLogger(__name__)


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
    blocks: list[dict[str, Any]] | None = None,
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


def tell(
    client: WebClient, channel_id: str | None, user_id: str, text: str, blocks: list[dict[str, Any]] | None = None
) -> None:
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
