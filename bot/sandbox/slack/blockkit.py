"""Block Kit limits as Slack enforces them: the reason Slack would answer ``invalid_blocks``, or None.

Pure functions over the decoded JSON (dicts and lists). Each reason names the offending place with a JSON pointer,
the way Slack's own ``response_metadata.messages`` do, e.g.
``must be less than 3001 characters [json-pointer:/blocks/0/text/text]``. The server answers
``{"ok": false, "error": "invalid_blocks", "response_metadata": {"messages": ["[ERROR] " + reason]}}``
(views.* answer ``invalid_arguments`` with the same message shape). Decoding a JSON string argument is the server's
job: a ``blocks``/``view`` string that is not JSON (or not an array/object) is Slack's ``invalid_blocks_format``.

Limits are Slack's documented Block Kit limits (also encoded in python-slack-sdk's models, ``slack_sdk.models``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, NoReturn

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_MESSAGE_TEXT = 40_000
MAX_ID = 255

TEXT_TYPES = frozenset({"plain_text", "mrkdwn"})
BLOCK_TYPES = frozenset(
    {
        "actions",
        "call",
        "context",
        "context_actions",
        "divider",
        "file",
        "header",
        "image",
        "input",
        "markdown",
        "rich_text",
        "section",
        "table",
        "video",
    }
)
# Blocks Slack only renders in messages (docs "Available in surfaces: Messages").
MESSAGE_ONLY_BLOCKS = frozenset({"file", "markdown", "call", "table"})
SELECT_TYPES = frozenset(
    {
        "static_select",
        "external_select",
        "users_select",
        "conversations_select",
        "channels_select",
        "multi_static_select",
        "multi_external_select",
        "multi_users_select",
        "multi_conversations_select",
        "multi_channels_select",
    }
)
TEXT_INPUT_TYPES = frozenset({"plain_text_input", "email_text_input", "url_text_input", "number_input"})
OTHER_ELEMENT_TYPES = frozenset(
    {
        "button",
        "checkboxes",
        "datepicker",
        "datetimepicker",
        "file_input",
        "image",
        "overflow",
        "radio_buttons",
        "rich_text_input",
        "timepicker",
        "workflow_button",
        "feedback_buttons",
        "icon_button",
    }
)
ELEMENT_TYPES = SELECT_TYPES | TEXT_INPUT_TYPES | OTHER_ELEMENT_TYPES
VIEW_TYPES = frozenset({"modal", "home"})


class _Invalid(Exception):
    """Raised inside the walk at the first rule broken; carries the reason."""


def _pointer(path: Iterable[str | int]) -> str:
    return "[json-pointer:/" + "/".join(str(part) for part in path) + "]"


def _fail(path: tuple[str | int, ...], message: str) -> NoReturn:
    raise _Invalid(f"{message} {_pointer(path)}")


class _Walk:
    """One validation pass over a message's blocks or a view: tracks block_id/action_id uniqueness."""

    def __init__(self, surface: str) -> None:
        self.surface = surface
        self.block_ids: set[str] = set()
        self.action_ids: set[str] = set()

    # -- generic helpers -------------------------------------------------------------------------------------------
    def _max_len(self, value: object, limit: int, path: tuple[str | int, ...]) -> None:
        if isinstance(value, str) and len(value) > limit:
            _fail(path, f"must be less than {limit + 1} characters")

    def _require(self, obj: dict[str, Any], key: str, path: tuple[str | int, ...]) -> Any:
        if key not in obj or obj[key] is None:
            _fail(path, f"missing required field: {key}")
        return obj[key]

    def _list(self, value: object, path: tuple[str | int, ...], max_items: int, min_items: int = 0) -> list[Any]:
        if not isinstance(value, list):
            _fail(path, "must be an array")
        if len(value) > max_items:
            _fail(path, f"no more than {max_items} items allowed")
        if len(value) < min_items:
            _fail(path, f"must provide at least {min_items} items")
        return value

    def _object(self, value: object, path: tuple[str | int, ...]) -> dict[str, Any]:
        if not isinstance(value, dict):
            _fail(path, "must be an object")
        return value

    def text(
        self, value: object, path: tuple[str | int, ...], max_len: int, plain_only: bool = False
    ) -> dict[str, Any]:
        """Check a text composition object."""
        obj = self._object(value, path)
        kind = obj.get("type")
        if kind not in TEXT_TYPES:
            _fail((*path, "type"), "must be one of plain_text, mrkdwn")
        if plain_only and kind != "plain_text":
            _fail((*path, "type"), "must be plain_text")
        content = self._require(obj, "text", path)
        if not isinstance(content, str):
            _fail((*path, "text"), "must be a string")
        if len(content) < 1:
            _fail((*path, "text"), "must be more than 0 characters")
        self._max_len(content, max_len, (*path, "text"))
        return obj

    def _id(self, obj: dict[str, Any], key: str, seen: set[str], path: tuple[str | int, ...]) -> None:
        value = obj.get(key)
        if value is None:
            return
        if not isinstance(value, str) or not value:
            _fail((*path, key), "must be a non-empty string")
        self._max_len(value, MAX_ID, (*path, key))
        if value in seen:
            _fail((*path, key), f"{key} already exists: {value}")
        seen.add(value)

    # -- composition objects ---------------------------------------------------------------------------------------
    def option(self, value: object, path: tuple[str | int, ...], plain_only: bool) -> None:
        obj = self._object(value, path)
        self.text(self._require(obj, "text", path), (*path, "text"), 75, plain_only=plain_only)
        option_value = self._require(obj, "value", path)
        self._max_len(option_value, 150, (*path, "value"))
        if "description" in obj:
            self.text(obj["description"], (*path, "description"), 75, plain_only=plain_only)
        self._max_len(obj.get("url"), 3000, (*path, "url"))

    def confirm(self, value: object, path: tuple[str | int, ...]) -> None:
        obj = self._object(value, path)
        self.text(self._require(obj, "title", path), (*path, "title"), 100, plain_only=True)
        self.text(self._require(obj, "text", path), (*path, "text"), 300)
        self.text(self._require(obj, "confirm", path), (*path, "confirm"), 30, plain_only=True)
        self.text(self._require(obj, "deny", path), (*path, "deny"), 30, plain_only=True)

    # -- elements --------------------------------------------------------------------------------------------------
    def element(self, value: object, path: tuple[str | int, ...]) -> None:
        obj = self._object(value, path)
        kind = obj.get("type")
        if kind not in ELEMENT_TYPES:
            _fail((*path, "type"), f"unsupported element type: {kind}")
        self._id(obj, "action_id", self.action_ids, path)
        if "placeholder" in obj:
            self.text(obj["placeholder"], (*path, "placeholder"), 150, plain_only=True)
        if "confirm" in obj:
            self.confirm(obj["confirm"], (*path, "confirm"))
        if kind == "button":
            self.text(self._require(obj, "text", path), (*path, "text"), 75, plain_only=True)
            self._max_len(obj.get("value"), 2000, (*path, "value"))
            self._max_len(obj.get("url"), 3000, (*path, "url"))
            self._max_len(obj.get("accessibility_label"), 75, (*path, "accessibility_label"))
            if obj.get("style") not in (None, "primary", "danger"):
                _fail((*path, "style"), "must be one of primary, danger")
        elif kind in ("static_select", "multi_static_select"):
            self._static_options(obj, path)
        elif kind == "overflow":
            options = self._list(self._require(obj, "options", path), (*path, "options"), 5, min_items=1)
            for i, option in enumerate(options):
                self.option(option, (*path, "options", i), plain_only=True)
        elif kind in ("checkboxes", "radio_buttons"):
            options = self._list(self._require(obj, "options", path), (*path, "options"), 10, min_items=1)
            for i, option in enumerate(options):
                self.option(option, (*path, "options", i), plain_only=False)
        elif kind in TEXT_INPUT_TYPES:
            for key in ("max_length", "min_length"):
                length = obj.get(key)
                if isinstance(length, int) and length > 3000:
                    _fail((*path, key), "must be less than or equal to 3000")
            self._max_len(obj.get("initial_value"), 3000, (*path, "initial_value"))
        elif kind == "image":
            self._max_len(obj.get("image_url"), 3000, (*path, "image_url"))
            self._max_len(self._require(obj, "alt_text", path), 2000, (*path, "alt_text"))

    def _static_options(self, obj: dict[str, Any], path: tuple[str | int, ...]) -> None:
        has_options, has_groups = "options" in obj, "option_groups" in obj
        if has_options == has_groups:
            _fail(path, "must provide exactly one of options, option_groups")
        if has_options:
            for i, option in enumerate(self._list(obj["options"], (*path, "options"), 100)):
                self.option(option, (*path, "options", i), plain_only=True)
            return
        for g, group in enumerate(self._list(obj["option_groups"], (*path, "option_groups"), 100)):
            group_path = (*path, "option_groups", g)
            group_obj = self._object(group, group_path)
            self.text(self._require(group_obj, "label", group_path), (*group_path, "label"), 75, plain_only=True)
            for i, option in enumerate(self._list(group_obj.get("options"), (*group_path, "options"), 100)):
                self.option(option, (*group_path, "options", i), plain_only=True)

    # -- blocks ----------------------------------------------------------------------------------------------------
    def blocks(self, value: object, path: tuple[str | int, ...], max_blocks: int) -> None:
        for i, block in enumerate(self._list(value, path, max_blocks)):
            self.block(block, (*path, i))

    def block(self, value: object, path: tuple[str | int, ...]) -> None:
        obj = self._object(value, path)
        kind = obj.get("type")
        if kind not in BLOCK_TYPES:
            _fail((*path, "type"), f"unsupported block type: {kind}")
        if self.surface != "message" and kind in MESSAGE_ONLY_BLOCKS:
            _fail((*path, "type"), f"block type {kind} is not allowed in {self.surface} views")
        self._id(obj, "block_id", self.block_ids, path)
        check = _BLOCK_CHECKS.get(str(kind))
        if check is not None:
            check(self, obj, path)

    def _section(self, obj: dict[str, Any], path: tuple[str | int, ...]) -> None:
        if "text" not in obj and "fields" not in obj:
            _fail(path, "must provide at least one of text, fields")
        if "text" in obj:
            self.text(obj["text"], (*path, "text"), 3000)
        if "fields" in obj:
            for i, field in enumerate(self._list(obj["fields"], (*path, "fields"), 10, min_items=1)):
                self.text(field, (*path, "fields", i), 2000)
        if "accessory" in obj:
            self.element(obj["accessory"], (*path, "accessory"))

    def _header(self, obj: dict[str, Any], path: tuple[str | int, ...]) -> None:
        self.text(self._require(obj, "text", path), (*path, "text"), 150, plain_only=True)

    def _actions(self, obj: dict[str, Any], path: tuple[str | int, ...]) -> None:
        for i, element in enumerate(self._list(obj.get("elements"), (*path, "elements"), 25, min_items=1)):
            self.element(element, (*path, "elements", i))

    def _context(self, obj: dict[str, Any], path: tuple[str | int, ...]) -> None:
        for i, element in enumerate(self._list(obj.get("elements"), (*path, "elements"), 10, min_items=1)):
            element_path = (*path, "elements", i)
            if isinstance(element, dict) and element.get("type") == "image":
                self._max_len(element.get("image_url"), 3000, (*element_path, "image_url"))
                self._max_len(self._require(element, "alt_text", element_path), 2000, (*element_path, "alt_text"))
            else:
                self.text(element, element_path, 3000)

    def _input(self, obj: dict[str, Any], path: tuple[str | int, ...]) -> None:
        self.text(self._require(obj, "label", path), (*path, "label"), 2000, plain_only=True)
        if "hint" in obj:
            self.text(obj["hint"], (*path, "hint"), 2000, plain_only=True)
        self.element(self._require(obj, "element", path), (*path, "element"))

    def _image(self, obj: dict[str, Any], path: tuple[str | int, ...]) -> None:
        self._max_len(obj.get("image_url"), 3000, (*path, "image_url"))
        self._max_len(self._require(obj, "alt_text", path), 2000, (*path, "alt_text"))
        if "title" in obj:
            self.text(obj["title"], (*path, "title"), 2000, plain_only=True)

    def _markdown(self, obj: dict[str, Any], path: tuple[str | int, ...]) -> None:
        self._max_len(self._require(obj, "text", path), 12_000, (*path, "text"))

    def _video(self, obj: dict[str, Any], path: tuple[str | int, ...]) -> None:
        for key in ("alt_text", "title", "video_url", "thumbnail_url"):
            self._require(obj, key, path)
        self.text(obj["title"], (*path, "title"), 200, plain_only=True)


# What each block type checks beyond its type and block_id (a type not listed, e.g. divider, checks nothing more).
_BLOCK_CHECKS: dict[str, Callable[[_Walk, dict[str, Any], tuple[str | int, ...]], None]] = {
    "section": _Walk._section,
    "header": _Walk._header,
    "actions": _Walk._actions,
    "context": _Walk._context,
    "input": _Walk._input,
    "image": _Walk._image,
    "markdown": _Walk._markdown,
    "video": _Walk._video,
}


def _first_problem(check: Any) -> str | None:
    """Run a check that raises _Invalid; return its reason or None."""
    try:
        check()
    except _Invalid as problem:
        return str(problem)
    return None


def check_message_blocks(blocks: list[dict[str, Any]] | None, text: str | None = None) -> str | None:
    """Return why Slack would answer invalid_blocks for a message's blocks, or None when they are fine.

    ``text`` is accepted for the caller's convenience but never makes blocks invalid (an over-long text is
    ``msg_too_long`` or truncated: see :func:`check_message_text`).
    """
    if blocks is None:
        return None
    walk = _Walk("message")
    return _first_problem(lambda: walk.blocks(blocks, ("blocks",), MAX_MESSAGE_BLOCKS))


def check_view(view: dict[str, Any]) -> str | None:
    """Return why Slack would refuse this modal or Home tab view, or None when it is fine."""
    if not isinstance(view, dict):
        return "must be an object [json-pointer:/view]"
    kind = view.get("type")
    walk = _Walk(str(kind))

    def run() -> None:
        if kind not in VIEW_TYPES:
            _fail(("view", "type"), "must be one of modal, home")
        walk.blocks(walk._require(view, "blocks", ("view",)), ("view", "blocks"), MAX_VIEW_BLOCKS)
        if kind == "modal":
            walk.text(walk._require(view, "title", ("view",)), ("view", "title"), 24, plain_only=True)
        elif "title" in view:
            walk.text(view["title"], ("view", "title"), 24, plain_only=True)
        for key in ("submit", "close"):
            if key in view and view[key] is not None:
                walk.text(view[key], ("view", key), 24, plain_only=True)
        has_input = any(isinstance(b, dict) and b.get("type") == "input" for b in view["blocks"])
        if kind == "modal" and view.get("submit") is None and has_input:
            _fail(("view", "submit"), "submit is required when an input block is within the blocks array")
        walk._max_len(view.get("private_metadata"), 3000, ("view", "private_metadata"))
        walk._max_len(view.get("callback_id"), MAX_ID, ("view", "callback_id"))
        walk._max_len(view.get("external_id"), MAX_ID, ("view", "external_id"))

    return _first_problem(run)


def check_message_text(method: str, text: str | None) -> str | None:
    """Return ``msg_too_long`` when a message text over 40,000 characters is refused, else None.

    chat.postMessage does not refuse: Slack truncates its text (the method's error list has no ``msg_too_long``;
    chat.update, chat.postEphemeral and chat.scheduleMessage list it). Use :func:`truncate_message_text` there.
    """
    if text is None or len(text) <= MAX_MESSAGE_TEXT or method == "chat.postMessage":
        return None
    return "msg_too_long"


def truncate_message_text(text: str) -> str:
    """Return the text as chat.postMessage stores it: cut to 40,000 characters."""
    return text[:MAX_MESSAGE_TEXT]
