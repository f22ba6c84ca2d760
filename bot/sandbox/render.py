"""Block Kit → readable text, for the demo transcript and for test assertions.

Interactive elements are numbered in reading order (``[1] Undo``) so a person can "click button 1";
:class:`Rendered` keeps the number → element mapping.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.sandbox.records import FakeMessage, plain_text

UserNamer = Callable[[str], str]
_MENTION = re.compile(r"<([@#!])([^>|]+)(?:\|([^>]*))?>")
_TEXT_INPUTS = {"plain_text_input", "email_text_input", "url_text_input", "number_input", "rich_text_input"}
_LINK = re.compile(r"<((?:https?|mailto):[^>|]+)(?:\|([^>]*))?>")


@dataclass
class Rendered:
    """Text of a message or view, and its numbered interactive elements (1-based)."""

    text: str
    elements: list[dict[str, Any]] = field(default_factory=list)

    def action_id(self, number: int) -> str:
        """The action_id of element `number` as shown in the text."""
        return str(self.elements[number - 1].get("action_id"))


def mrkdwn_to_text(text: str, name_of: UserNamer | None = None) -> str:
    """Slack's escaped mentions and links in plain words: <@U1|dana> → @dana, <#C1|coffee> → #coffee."""

    def mention(match: re.Match[str]) -> str:
        sigil, target, label = match.group(1), match.group(2), match.group(3)
        if sigil == "@":
            return "@" + (label or (name_of(target) if name_of else target))
        if sigil == "#":
            return "#" + (label or target)
        return "@" + (label or target.split("^")[0])

    def link(match: re.Match[str]) -> str:
        url, label = match.group(1), match.group(2)
        return f"{label} ({url})" if label else url

    converted = _MENTION.sub(mention, _LINK.sub(link, text))
    return converted.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


class _Renderer:
    def __init__(self, name_of: UserNamer | None) -> None:
        self.name_of = name_of
        self.elements: list[dict[str, Any]] = []

    def text(self, obj: Any) -> str:
        return mrkdwn_to_text(plain_text(obj), self.name_of)

    def element(self, element: Mapping[str, Any]) -> str:
        kind = element.get("type")
        if kind == "image":
            return f"[image: {element.get('alt_text', '')}]"
        if kind in {"plain_text", "mrkdwn"}:
            return self.text(element)
        self.elements.append(dict(element))
        number = len(self.elements)
        if kind == "button":
            return f"[{number}] {self.text(element.get('text'))}"
        if kind in _TEXT_INPUTS:
            return f"[{number}] {self.text(element.get('placeholder')) or '____'}"
        label = self.text(element.get("placeholder")) or str(kind).replace("_", " ")
        options = [self.text(option.get("text")) for option in element.get("options") or []]
        suffix = f" ({' / '.join(options)})" if options else ""
        return f"[{number}] {label} ▾{suffix}"

    def rich_text(self, node: Any) -> str:
        if isinstance(node, list):
            return "".join(self.rich_text(item) for item in node)
        if not isinstance(node, dict):
            return ""
        kind = node.get("type")
        if kind == "text":
            return str(node.get("text", ""))
        if kind == "user":
            user_id = str(node.get("user_id", ""))
            return "@" + (self.name_of(user_id) if self.name_of else user_id)
        if kind == "channel":
            return "#" + str(node.get("channel_id", ""))
        if kind == "link":
            return str(node.get("text") or node.get("url", ""))
        if kind == "emoji":
            return f":{node.get('name', '')}:"
        joined = self.rich_text(node.get("elements") or [])
        return joined + "\n" if kind in {"rich_text_section", "rich_text_list", "rich_text_preformatted"} else joined

    def block(self, block: Mapping[str, Any]) -> list[str]:
        kind = block.get("type")
        if kind == "header":
            return [f"== {self.text(block.get('text'))} =="]
        if kind == "divider":
            return ["----"]
        if kind == "section":
            lines = [self.text(block.get("text"))] if block.get("text") else []
            lines += [self.text(item) for item in block.get("fields") or []]
            if isinstance(block.get("accessory"), dict):
                lines.append("  " + self.element(block["accessory"]))
            return lines
        if kind == "context":
            return ["  " + " · ".join(self.element(item) for item in block.get("elements") or [])]
        if kind == "actions":
            return ["  " + "  ".join(self.element(item) for item in block.get("elements") or [])]
        if kind == "input":
            label = self.text(block.get("label"))
            optional = " (optional)" if block.get("optional") else ""
            return [f"{label}{optional}: {self.element(block.get('element') or {})}"]
        if kind == "image":
            return [f"[image: {block.get('alt_text', '')}]"]
        if kind == "rich_text":
            return [self.rich_text(block.get("elements") or []).rstrip("\n")]
        return [f"[{kind} block]"]

    def blocks(self, blocks: list[dict[str, Any]]) -> str:
        lines: list[str] = []
        for block in blocks or []:
            if isinstance(block, dict):
                lines.extend(self.block(block))
        return "\n".join(line for line in lines if line is not None)


def render_blocks(blocks: list[dict[str, Any]], name_of: UserNamer | None = None) -> Rendered:
    """Blocks as text with numbered interactive elements."""
    renderer = _Renderer(name_of)
    return Rendered(text=renderer.blocks(blocks), elements=renderer.elements)


def render_message(message: FakeMessage, name_of: UserNamer | None = None) -> Rendered:
    """A message as text: its blocks when it has some, else its text (mrkdwn mentions resolved)."""
    if message.blocks:
        rendered = render_blocks(message.blocks, name_of)
    else:
        rendered = Rendered(text=mrkdwn_to_text(message.text, name_of))
    if message.ephemeral_to:
        rendered.text = "(only visible to you) " + rendered.text
    return rendered


def render_view(view: Mapping[str, Any], name_of: UserNamer | None = None) -> Rendered:
    """A modal or Home tab as text: title, blocks, then submit/close buttons."""
    rendered = render_blocks(list(view.get("blocks") or []), name_of)
    parts = []
    if view.get("title"):
        parts.append(f"## {plain_text(view['title'])}")
    parts.append(rendered.text)
    footer = [plain_text(view[key]) for key in ("close", "submit") if view.get(key)]
    if footer:
        parts.append("  ".join(f"<{label}>" for label in footer))
    rendered.text = "\n".join(parts)
    return rendered
