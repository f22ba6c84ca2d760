"""response_urls as Slack honours them: minted for each command or action, 5 uses in 30 minutes, ephemeral by
default, able to replace or delete the message an action came from; and a slash command's ack body shown alike."""

from __future__ import annotations

import json
import logging
import secrets
from dataclasses import dataclass
from typing import Any

from bot.sandbox.slack.errors import SlackApiFailure, as_bool, parse_json_args, require_valid_blocks
from bot.sandbox.slack.records import FakeMessage
from bot.sandbox.slack.state import SlackState

logger = logging.getLogger(__name__)

RESPONSE_URL_MAX_USES = 5
RESPONSE_URL_TTL_SECONDS = 30 * 60


@dataclass
class ResponseUrl:
    """A response_url minted by a driver: 5 uses in 30 minutes."""

    user: str
    channel: str
    kind: str  # "command" | "action"
    minted_at: float
    message_ts: str | None = None
    uses: int = 0


class ResponseUrls:
    """The response_urls minted on one fake Slack, keyed by the secret part of their path."""

    def __init__(self, state: SlackState) -> None:
        self._state = state
        self._hooks: dict[str, ResponseUrl] = {}

    def mint(self, user_id: str, channel: str, kind: str, message_ts: str | None = None) -> str:
        """A fresh key (commands: ephemeral by default; actions: tied to a message); the path is /hooks/<key>."""
        state = self._state
        with state.lock:
            key = f"{state.team_id}/{state.ids.number()}/{secrets.token_urlsafe(16)}"
            self._hooks[key] = ResponseUrl(
                user=user_id, channel=channel, kind=kind, minted_at=state.clock(), message_ts=message_ts
            )
            return f"{'commands' if kind == 'command' else 'actions'}/{key}"

    def handle(self, key: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Honour a POST to a response_url like Slack: ephemeral by default, replace/delete the original."""
        state = self._state
        with state.lock:
            hook = self._hooks.get(key)
            if hook is None:
                return 404, {"ok": False, "error": "no_such_url"}
            if state.clock() - hook.minted_at > RESPONSE_URL_TTL_SECONDS:
                return 404, {"ok": False, "error": "expired_url"}
            if hook.uses >= RESPONSE_URL_MAX_USES:
                return 404, {"ok": False, "error": "used_url"}
            hook.uses += 1
            state.log.record("response_url", body)
            try:
                return 200, self._respond(hook, parse_json_args(body))
            except SlackApiFailure as failure:
                return 400, {"ok": False, "error": failure.error, **failure.extra}

    def show_command_ack(self, user_id: str, channel: str, body: str) -> None:
        """Show a slash command ack body as Slack does: JSON or plain text, ephemeral unless in_channel."""
        try:
            loaded = json.loads(body)
        except ValueError:
            loaded = {"text": body}
        if not isinstance(loaded, dict) or not (loaded.get("text") or loaded.get("blocks")):
            return
        with self._state.lock:
            hook = ResponseUrl(user=user_id, channel=channel, kind="command", minted_at=self._state.clock())
            try:
                self._respond(hook, parse_json_args(loaded))
            except SlackApiFailure as failure:
                logger.warning("slash command ack body refused: %s", failure.error)

    def _respond(self, hook: ResponseUrl, body: dict[str, Any]) -> dict[str, Any]:
        state = self._state
        original = None
        if hook.message_ts is not None:
            original = state.find_message_record(hook.channel, hook.message_ts)
        if as_bool(body.get("delete_original")):
            if original is None:
                raise SlackApiFailure("message_not_found")
            state.remove_message(original)
            return {"ok": True}
        text = str(body.get("text") or "")
        blocks = body.get("blocks") or []
        if not text and not blocks and not body.get("attachments"):
            raise SlackApiFailure("no_text")
        if blocks:
            require_valid_blocks(blocks)
        if as_bool(body.get("replace_original")):
            if original is None:
                raise SlackApiFailure("message_not_found")
            original.text = text
            original.blocks = blocks
            original.edited = True
            return {"ok": True}
        conversation = state.find_conversation_record(hook.channel)
        if conversation is None:
            raise SlackApiFailure("channel_not_found")
        in_channel = body.get("response_type") == "in_channel"
        message = FakeMessage(
            ts=state.ids.ts(),
            channel=conversation.id,
            user=state.bot_user_id,
            text=text,
            blocks=blocks,
            ephemeral_to=None if in_channel else hook.user,
            thread_ts=str(body["thread_ts"]) if body.get("thread_ts") else None,
            bot_id=state.bot_id,
            app_id=state.app_id,
            team=state.team_id,
        )
        state.store_message(message)
        return {"ok": True}
