"""Small pure Block Kit helpers shared by the builders."""

from __future__ import annotations

from typing import Any

from bot.domain.user_text import escape_plain

Block = dict[str, Any]
Message = tuple[str, list[Block]]  # (fallback text, blocks): what every builder returns
SLACK_SECTION_LIMIT = 3000


def escape(text: str) -> str:
    """Escape the three characters Slack's mrkdwn treats as control characters."""
    return escape_plain(text)


def truncate(text: str, limit: int = SLACK_SECTION_LIMIT) -> str:
    """Cut text to Slack's field limit, marking the cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def section(text: str) -> Block:
    """A mrkdwn section block."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": truncate(text)}}


def context(text: str) -> Block:
    """A context block with one mrkdwn element."""
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": truncate(text, 2000)}]}


def button(text: str, action_id: str, value: str = "", style: str | None = None) -> dict[str, Any]:
    """A button element."""
    element: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": text[:75], "emoji": True},
        "action_id": action_id,
    }
    if value:
        element["value"] = value
    if style:
        element["style"] = style
    return element


def plain(text: str) -> dict[str, Any]:
    """A plain_text object."""
    return {"type": "plain_text", "text": text, "emoji": True}


def option(text: str, value: str) -> dict[str, Any]:
    """A select option."""
    return {"text": plain(text), "value": value}


def join_names(names: list[str]) -> str:
    """'Dana', 'Dana and Lee', 'Dana, Lee and Sam'."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]
