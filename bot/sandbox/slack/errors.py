"""Slack's error answers and argument decoding, shared by the Web API, response_urls and the modal stack."""

from __future__ import annotations

import json
from typing import Any

from bot.sandbox.slack import blockkit

JSON_ARGS = ("blocks", "attachments", "view", "metadata")


class SlackApiFailure(Exception):
    """A Slack error answer: {"ok": false, "error": error, **extra}."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


def as_bool(value: Any) -> bool:
    """Slack's lenient boolean: true/1 (form strings) or a JSON bool."""
    if isinstance(value, str):
        return value.strip().lower() in {"true", "1", "yes"}
    return bool(value)


def parse_json_args(args: dict[str, Any]) -> dict[str, Any]:
    """Decode the JSON-string arguments form bodies carry (blocks, view, ...); invalid JSON → invalid_arguments."""
    parsed = dict(args)
    for key in JSON_ARGS:
        value = parsed.get(key)
        if isinstance(value, str) and value.strip():
            try:
                parsed[key] = json.loads(value)
            except ValueError as error:
                code = "invalid_blocks_format" if key == "blocks" else "invalid_arguments"
                raise SlackApiFailure(code) from error
    return parsed


def require_valid_blocks(blocks: list[dict[str, Any]]) -> None:
    """invalid_blocks, with Slack's message, for message blocks Slack would refuse."""
    reason = blockkit.check_message_blocks(blocks)
    if reason:
        raise SlackApiFailure("invalid_blocks", errors=[reason], response_metadata={"messages": [reason]})


def require_valid_view(view: dict[str, Any]) -> None:
    """invalid_blocks, with Slack's message, for a view Slack would refuse."""
    reason = blockkit.check_view(view)
    if reason:
        raise SlackApiFailure("invalid_blocks", errors=[reason], response_metadata={"messages": [reason]})
