"""Plain records the fake Slack stores and hands to tests: messages, API calls, conversations."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from bot.sandbox.elements import is_interactive


def iter_elements(blocks: list[dict[str, Any]]) -> Iterator[tuple[str | None, dict[str, Any]]]:
    """Yield (block_id, element) for every interactive element in a list of blocks."""
    for block in blocks or []:
        if not isinstance(block, dict):
            continue
        block_id = block.get("block_id")
        candidates: list[Any] = []
        if block.get("type") == "actions":
            candidates.extend(block.get("elements") or [])
        if isinstance(block.get("accessory"), dict):
            candidates.append(block["accessory"])
        if isinstance(block.get("element"), dict):
            candidates.append(block["element"])
        for element in candidates:
            if is_interactive(element):
                yield block_id, element


def plain_text(obj: Any) -> str:
    """The text of a text object (or '' when absent)."""
    if isinstance(obj, dict):
        return str(obj.get("text", ""))
    return "" if obj is None else str(obj)


@dataclass
class FakeMessage:
    """A message as stored by the fake: channel message, thread reply or ephemeral message for one user."""

    ts: str
    channel: str
    user: str
    text: str = ""
    blocks: list[dict[str, Any]] = field(default_factory=list)
    ephemeral_to: str | None = None
    thread_ts: str | None = None
    bot_id: str | None = None
    app_id: str | None = None
    team: str = ""
    attachments: list[dict[str, Any]] = field(default_factory=list)
    reactions: dict[str, list[str]] = field(default_factory=dict)
    edited: bool = False
    metadata: dict[str, Any] | None = None
    files: list[dict[str, Any]] = field(default_factory=list)

    def copy(self) -> FakeMessage:
        """A deep copy (what inspection hands out, so a test cannot change the stored message)."""
        return copy.deepcopy(self)

    def buttons(self) -> list[tuple[str, str, str | None]]:
        """(action_id, label, value) of every button in the message, in order."""
        return [
            (str(element.get("action_id", "")), plain_text(element.get("text")), element.get("value"))
            for _, element in iter_elements(self.blocks)
            if element.get("type") == "button"
        ]

    def elements(self) -> list[dict[str, Any]]:
        """Every interactive element (buttons, selects, pickers...) in the message."""
        return [element for _, element in iter_elements(self.blocks)]

    def to_api(self) -> dict[str, Any]:
        """The message object as the Web API and interaction payloads show it."""
        data: dict[str, Any] = {"type": "message", "text": self.text, "user": self.user, "ts": self.ts}
        if self.bot_id:
            data["bot_id"] = self.bot_id
            data["app_id"] = self.app_id
        if self.team:
            data["team"] = self.team
        if self.blocks:
            data["blocks"] = self.blocks
        if self.attachments:
            data["attachments"] = self.attachments
        if self.thread_ts:
            data["thread_ts"] = self.thread_ts
        if self.edited:
            data["edited"] = {"user": self.user, "ts": self.ts}
        if self.reactions:
            data["reactions"] = [
                {"name": name, "users": list(users), "count": len(users)} for name, users in self.reactions.items()
            ]
        if self.metadata:
            data["metadata"] = self.metadata
        if self.files:
            data["files"] = self.files
            data["upload"] = True
        return data


@dataclass
class FakeFile:
    """A file uploaded through files.getUploadURLExternal / completeUploadExternal."""

    id: str
    name: str
    length: int
    title: str = ""
    content: bytes | None = None
    shares: list[tuple[str, str]] = field(default_factory=list)  # (channel id, message ts)

    def to_api(self) -> dict[str, Any]:
        """The file object inside a message."""
        return {"id": self.id, "name": self.name, "title": self.title or self.name, "size": len(self.content or b"")}


@dataclass(frozen=True)
class ApiCall:
    """One Web API call the fake received (token removed from args)."""

    method: str
    args: dict[str, Any]


@dataclass
class Conversation:
    """A channel, private channel, DM (im) or group DM (mpim)."""

    id: str
    name: str
    kind: str  # "public" | "private" | "im" | "mpim"
    members: list[str]
    created: int
    is_general: bool = False
    topic: str = ""
    purpose: str = ""
    im_user: str | None = None
    is_archived: bool = False

    def copy(self) -> Conversation:
        """A deep copy (what inspection hands out)."""
        return copy.deepcopy(self)

    @property
    def is_channel_like(self) -> bool:
        """True for public and private channels (not DMs)."""
        return self.kind in {"public", "private"}
