"""Block Kit → terminal text for `rapport demo` (pure: no I/O, no Slack).

Messages and modals are rendered line by line; every interactive element gets a number (`[1] Undo`) so the demo
can click it by that number (the caller decides the numbers, so they can stay put while a session goes on).
Mentions and channel links are shown the way Slack shows them (`<@U…|maya>` → `@maya`, `<#C…|coffee>` →
`#coffee`), Slack's escapes (&amp; &lt; &gt;) become characters again, emoji names become emoji (`:memo:` → 📝,
with the `emoji` package), *bold*, _italic_ and ~strike~ are shown with ANSI styles on a terminal and without their
markers elsewhere, and `> quotes` get a bar.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import emoji

from bot.sandbox.elements import Family, Shape, all_options, element_type

DIVIDER = "─" * 40
ACTIONS_LINE_WIDTH = 100  # a longer row of buttons is listed one per line
_ANGLE = re.compile(r"<([^<>]*)>")
_CODE = re.compile(r"(```.*?```|`[^`\n]*`)", re.DOTALL)
# Slack's emphasis: a marker pair around non-blank text, not inside a word (snake_case and URLs stay as they are).
_EMPHASIS = (
    (re.compile(r"(?<![\w*])\*(?=\S)([^*\n]*?\S)\*(?![\w*])"), "1"),  # *bold*
    (re.compile(r"(?<![\w_])_(?=\S)([^_\n]*?\S)_(?![\w_])"), "3"),  # _italic_
    (re.compile(r"(?<![\w~])~(?=\S)([^~\n]*?\S)~(?![\w~])"), "9"),  # ~strike~
)
QUOTE_BAR = "▎ "
# Numbers the interactive elements of one rendering: (block_id, element) → its number on screen.
NumberFn = Callable[[str | None, dict[str, Any]], int]


@dataclass(frozen=True)
class Directory:
    """Names the renderer shows for ids it meets in text (user id → handle, channel id → name), and whether the
    terminal shows styles (ANSI bold/italic/strike) or the text goes without them (scripts, pipes)."""

    users: Mapping[str, str] = field(default_factory=dict)
    channels: Mapping[str, str] = field(default_factory=dict)
    ansi: bool = False

    def user(self, user_id: str) -> str:
        """'@handle' for a known id, '@U…' otherwise."""
        return "@" + self.users.get(user_id, user_id)

    def channel(self, channel_id: str) -> str:
        """'#name' for a known id, '#C…' otherwise."""
        return "#" + self.channels.get(channel_id, channel_id)


@dataclass(frozen=True)
class Choice:
    """A numbered interactive element on screen: what `click N` acts on."""

    number: int
    action_id: str
    block_id: str | None
    element: dict[str, Any]

    @property
    def kind(self) -> str:
        """The element type (button, static_select, users_select, datepicker, ...)."""
        return str(self.element.get("type", ""))

    def options(self) -> list[tuple[str, str]]:
        """(label, value) of every option of a select, radio group, overflow or checkbox group."""
        return element_options(self.element)


@dataclass
class Screen:
    """Rendered lines plus the numbered choices they show."""

    lines: list[str] = field(default_factory=list)
    choices: list[Choice] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The lines joined with newlines."""
        return "\n".join(self.lines)


def unescape(text: str) -> str:
    """Slack's three escapes back to characters (&amp; last, so '&amp;lt;' stays '&lt;')."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def mrkdwn(text: str, directory: Directory | None = None) -> str:
    """Slack mrkdwn → terminal text: mentions, channels, special mentions, dates and links resolved; unescaped."""
    names = directory or Directory()

    def replace(match: re.Match[str]) -> str:
        inner = match.group(1)
        target, _, label = inner.partition("|")
        if target.startswith("@"):
            return "@" + label if label else names.user(target[1:])
        if target.startswith("#"):
            return "#" + label if label else names.channel(target[1:])
        if target.startswith("!subteam^"):
            return label or "@group"
        if target.startswith("!date^"):
            return label or target
        if target.startswith("!"):
            return "@" + target[1:]
        if label:
            return f"{label} ({target})"
        return target.removeprefix("mailto:")

    lines = unescape(styled(_ANGLE.sub(replace, text), ansi=names.ansi)).split("\n")
    return "\n".join(QUOTE_BAR + line[1:].lstrip() if line.startswith(">") else line for line in lines)


def styled(text: str, ansi: bool = False) -> str:
    """mrkdwn emphasis as ANSI styles (or just without its markers) and emoji names as emoji; code is left alone."""
    parts = _CODE.split(text)
    for index in range(0, len(parts), 2):  # even parts are outside `code`
        part = parts[index]
        for pattern, code in _EMPHASIS:
            part = pattern.sub(lambda m, c=code: f"\033[{c}m{m.group(1)}\033[0m" if ansi else m.group(1), part)
        parts[index] = emoji.emojize(part, language="alias")
    return "".join(parts)


def text_of(obj: Any, directory: Directory | None = None) -> str:
    """A text object (plain_text or mrkdwn) as terminal text."""
    if not isinstance(obj, dict):
        return "" if obj is None else str(obj)
    text = str(obj.get("text", ""))
    if obj.get("type") == "mrkdwn":
        return mrkdwn(text, directory)
    # plain_text shows emoji names as emoji unless the object says emoji: false.
    return unescape(emoji.emojize(text, language="alias") if obj.get("emoji", True) else text)


def element_options(element: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(label, value) of every option, option groups flattened."""
    return [(text_of(option.get("text")), str(option.get("value", ""))) for option in all_options(element)]


def _selected_labels(element: Mapping[str, Any], directory: Directory) -> list[str]:
    kind = element_type(element)
    start = element.get(kind.initial_key) if kind.initial_key else None
    if start in (None, "", []):
        return []
    starts = start if kind.multiple else [start]
    if kind.shape in {Shape.OPTION, Shape.OPTIONS}:
        return [text_of(option.get("text")) for option in starts if isinstance(option, dict)]
    if kind.family is Family.USERS:
        return [directory.user(str(user)) for user in starts]
    if kind.family is Family.CONVERSATIONS:
        return [directory.channel(str(channel)) for channel in starts]
    return [str(start)]


@dataclass(frozen=True)
class _Shown:
    """What describe_element knows about one element."""

    element: Mapping[str, Any]
    multiple: bool
    names: Directory
    placeholder: str
    selected: list[str]

    @property
    def options(self) -> list[tuple[str, str]]:
        return element_options(self.element)

    def head(self, fallback: str) -> str:
        return ", ".join(self.selected) or self.placeholder or fallback

    def first(self, fallback: str) -> str:
        return self.selected[0] if self.selected else self.placeholder or fallback


def _button(shown: _Shown) -> str:
    label = text_of(shown.element.get("text"), shown.names)
    return f"{label} ↗ {shown.element['url']}" if shown.element.get("url") else label


def _select(shown: _Shown) -> str:
    options = " / ".join(label for label, _ in shown.options)
    return f"{shown.head('Choose')} ▾ ({options})" if options else f"{shown.head('Choose')} ▾"


def _checkboxes(shown: _Shown) -> str:
    return " ".join(("☑ " if label in shown.selected else "☐ ") + label for label, _ in shown.options)


_DESCRIBE: Mapping[Family, Callable[[_Shown], str]] = {
    Family.BUTTON: _button,
    Family.OVERFLOW: lambda shown: "⋯ (" + " / ".join(label for label, _ in shown.options) + ")",
    Family.CHECKBOXES: _checkboxes,
    Family.SELECT: _select,
    Family.MULTI_SELECT: _select,
    Family.USERS: lambda shown: f"{shown.head('Choose people')} ▾ (@handle{', @handle…' if shown.multiple else ''})",
    Family.CONVERSATIONS: lambda shown: f"{shown.head('Choose a channel')} ▾ (#channel)",
    Family.DATE: lambda shown: f"📅 {shown.first('YYYY-MM-DD')} ▾",
    Family.TIME: lambda shown: f"🕘 {shown.first('HH:MM')} ▾",
    Family.DATETIME: lambda shown: f"📅 {shown.selected[0] if shown.selected else 'date and time'} ▾",
    Family.TEXT: lambda shown: f"✎ {shown.first('text')}",
}


def describe_element(element: Mapping[str, Any], directory: Directory | None = None) -> str:
    """One element as a short label: 'Undo', 'Snooze ▾ (1 day / 3 days)', 'Pick people ▾ (@handle…)'."""
    names = directory or Directory()
    kind = element_type(element)
    describe = _DESCRIBE.get(kind.family)
    if describe is None:
        return f"[{element.get('type', '')}]"
    placeholder = text_of(element.get("placeholder"), names)
    return describe(_Shown(element, kind.multiple, names, placeholder, _selected_labels(element, names)))


class _Renderer:
    def __init__(self, directory: Directory, first_number: int, number_of: NumberFn | None) -> None:
        self.directory = directory
        self.screen = Screen()
        self.next_number = first_number
        self.number_of = number_of

    def text(self, obj: Any) -> str:
        return text_of(obj, self.directory)

    def add(self, text: str, indent: str = "") -> None:
        for line in text.split("\n"):
            self.screen.lines.append((indent + line).rstrip())

    def choice(self, block_id: str | None, element: dict[str, Any]) -> str:
        if self.number_of is not None:
            number = self.number_of(block_id, element)
        else:
            number = self.next_number
            self.next_number += 1
        self.screen.choices.append(Choice(number, str(element.get("action_id", "")), block_id, element))
        return f"[{number}] {describe_element(element, self.directory)}"

    def element_inline(self, block_id: str | None, element: Any) -> str:
        if not isinstance(element, dict):
            return ""
        kind = element.get("type")
        if kind == "image":
            return f"[image: {element.get('alt_text', '')}]"
        if kind in {"mrkdwn", "plain_text"}:
            return self.text(element)
        return self.choice(block_id, element)

    def block(self, block: Any) -> None:
        if not isinstance(block, dict):
            return
        draw = {
            "section": self.section,
            "header": self.header,
            "divider": lambda _: self.add(DIVIDER),
            "context": self.context,
            "actions": self.actions,
            "image": lambda b: self.add(f"[image: {self.text(b.get('title')) or b.get('alt_text', '')}]"),
            "input": self.input,
            "rich_text": lambda b: self.add(rich_text(b, self.directory)),
            "file": lambda _: self.add("[file]"),
            "video": lambda b: self.add(f"[video: {self.text(b.get('title'))}]"),
        }.get(str(block.get("type")))
        if draw is None:
            self.add(f"[{block.get('type')} block]")
        else:
            draw(block)

    def header(self, block: dict[str, Any]) -> None:
        title = self.text(block.get("text"))
        self.add(title)
        self.add("═" * min(len(title), 60))

    def context(self, block: dict[str, Any]) -> None:
        parts = [self.element_inline(block.get("block_id"), element) for element in block.get("elements") or []]
        self.add("  ".join(part for part in parts if part), indent="  ")

    def actions(self, block: dict[str, Any]) -> None:
        elements = block.get("elements") or []
        parts = [part for part in (self.element_inline(block.get("block_id"), e) for e in elements) if part]
        joined = "  ".join(parts)
        self.add(joined if len(joined) <= ACTIONS_LINE_WIDTH else "\n".join(parts))

    def section(self, block: dict[str, Any]) -> None:
        block_id = block.get("block_id")
        body = self.text(block.get("text")) if block.get("text") else ""
        accessory = block.get("accessory")
        tail = self.element_inline(block_id, accessory) if isinstance(accessory, dict) else ""
        if body and tail and "\n" not in body and len(body) + len(tail) < 100:
            self.add(f"{body}  {tail}")
        else:
            if body:
                self.add(body)
            if tail:
                self.add(tail, indent="  ")
        for field_obj in block.get("fields") or []:
            self.add(" ".join(line.strip() for line in self.text(field_obj).split("\n") if line.strip()), "  ")

    def input(self, block: dict[str, Any]) -> None:
        element: dict[str, Any] = block["element"] if isinstance(block.get("element"), dict) else {}
        label = self.text(block.get("label"))
        name = str(element.get("action_id", ""))
        optional = " (optional)" if block.get("optional") else ""
        self.add(f"{label}{optional}: {describe_element(element, self.directory)}    ← {name}=…")
        if block.get("hint"):
            self.add(self.text(block.get("hint")), indent="    ")


def rich_text(block: Mapping[str, Any], directory: Directory | None = None) -> str:
    """A rich_text block (sections, lists, quotes, preformatted) as plain lines."""
    names = directory or Directory()

    def inline(elements: list[Any]) -> str:
        out: list[str] = []
        for element in elements or []:
            kind = element.get("type")
            if kind == "text":
                out.append(str(element.get("text", "")))
            elif kind == "link":
                url = str(element.get("url", ""))
                out.append(f"{element['text']} ({url})" if element.get("text") else url)
            elif kind == "user":
                out.append(names.user(str(element.get("user_id", ""))))
            elif kind == "channel":
                out.append(names.channel(str(element.get("channel_id", ""))))
            elif kind == "emoji":
                out.append(f":{element.get('name', '')}:")
            elif kind == "usergroup":
                out.append("@group")
            elif kind == "broadcast":
                out.append("@" + str(element.get("range", "here")))
        return "".join(out)

    lines: list[str] = []
    for part in block.get("elements") or []:
        kind = part.get("type")
        if kind == "rich_text_list":
            bullet_ordered = part.get("style") == "ordered"
            for index, item in enumerate(part.get("elements") or [], start=1):
                lines.append(
                    ("  " * int(part.get("indent", 0)))
                    + (f"{index}. " if bullet_ordered else "• ")
                    + inline(item.get("elements") or [])
                )
        elif kind == "rich_text_quote":
            lines.extend("> " + line for line in inline(part.get("elements") or []).split("\n"))
        elif kind == "rich_text_preformatted":
            lines.append("```\n" + inline(part.get("elements") or []) + "\n```")
        else:
            lines.append(inline(part.get("elements") or []))
    return "\n".join(lines)


def render_blocks(
    blocks: list[dict[str, Any]],
    directory: Directory | None = None,
    first_number: int = 1,
    number_of: NumberFn | None = None,
) -> Screen:
    """Blocks as lines; interactive elements numbered by ``number_of``, else in order from ``first_number``."""
    renderer = _Renderer(directory or Directory(), first_number, number_of)
    for block in blocks or []:
        renderer.block(block)
    return renderer.screen


def render_message(
    text: str,
    blocks: list[dict[str, Any]] | None = None,
    attachments: list[dict[str, Any]] | None = None,
    directory: Directory | None = None,
    first_number: int = 1,
    number_of: NumberFn | None = None,
) -> Screen:
    """A message: its blocks (or its text when it has none), then attachments prefixed with '│ '."""
    names = directory or Directory()
    screen = (
        render_blocks(blocks or [], names, first_number, number_of)
        if blocks
        else Screen(lines=mrkdwn(text, names).split("\n"))
    )
    number = first_number + len(screen.choices)
    for attachment in attachments or []:
        if attachment.get("blocks"):
            inner = render_blocks(attachment["blocks"], names, number, number_of)
        else:
            parts = [attachment.get("pretext"), attachment.get("title"), attachment.get("text")]
            lines = [mrkdwn(str(part), names) for part in parts if part]
            for field_obj in attachment.get("fields") or []:
                lines.append(f"{field_obj.get('title', '')}: {mrkdwn(str(field_obj.get('value', '')), names)}")
            inner = Screen(lines="\n".join(lines).split("\n") if lines else [])
        screen.lines.extend("│ " + line if line else "│" for line in inner.lines)
        screen.choices.extend(inner.choices)
        number += len(inner.choices)
    return screen


def render_view(
    view: Mapping[str, Any],
    directory: Directory | None = None,
    first_number: int = 1,
    number_of: NumberFn | None = None,
) -> Screen:
    """A modal (title, inputs with their field names, submit/close) or a Home tab."""
    names = directory or Directory()
    screen = render_blocks(list(view.get("blocks") or []), names, first_number, number_of)
    if view.get("type") == "home":
        return screen
    title = text_of(view.get("title"), names)
    head = [f"┌─ {title} " + "─" * max(0, 36 - len(title))]
    body = ["│ " + line if line else "│" for line in screen.lines]
    actions = []
    has_inputs = any(block.get("type") == "input" for block in view.get("blocks") or [] if isinstance(block, dict))
    if view.get("submit") or has_inputs:
        actions.append(f"submit field=value … ({text_of(view.get('submit'), names) or 'Submit'})")
    actions.append(f"cancel ({text_of(view.get('close'), names) or 'Close'})")
    foot = ["└─ " + " · ".join(actions)]
    return Screen(lines=head + body + foot, choices=screen.choices)
