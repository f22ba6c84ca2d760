"""The log-privacy guard: no log record written while a test runs may hold private text or a secret.

Rapport's rule (docs/architecture.md → Trust rules): logs carry ids, never content. The guard knows what is private
because it sees what the test drivers send: every payload a driver delivers (HTTP or Socket Mode) is read for the
notes and tags of `/met`, the line of `/coffee intro`, text typed into modal fields and messages, the verification
token and every `response_url`; every fake Slack started during the test adds its bot and app tokens, signing
secret and verification token. Any `xoxb-`, `xoxp-`, `xapp-` token counts too.

Records are captured at DEBUG from the root logger with Rapport's own logging policy applied
(`bot.logs.apply_privacy_policy("DEBUG")`: what an operator gets with RAPPORT_LOG_LEVEL=DEBUG). Records from
`bot.sandbox` are left out: that is the fake Slack talking, which holds every payload by design.
"""

from __future__ import annotations

import functools
import html
import json
import logging
import re
import threading
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import pytest

from bot.logs import LIBRARY_FLOORS, apply_privacy_policy
from bot.sandbox.client import HttpDriver, SocketDriver
from bot.sandbox.slack import FakeSlack

MIN_LENGTH = 4  # shorter typed text ("ok", "hi") would match ordinary log words; ids and secrets are longer
TOKEN_PREFIXES = re.compile(r"\bxox[abpe]-|\bxapp-")
MET_NOTES = re.compile(r"(?:—|–|--|-|,|;|:)(?=\s|$)")  # the separators before /met notes (README → Using /met)
TAG = re.compile(r"(?<![\w<&])#([\w-]+)|<#[A-Z0-9]+\|([^>]+)>")
THE_FAKE = "bot.sandbox"


class Sensitive:
    """The private strings seen so far in this test, each with what kind of thing it is."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.texts: dict[str, str] = {}
        self.tags: set[str] = set()

    def add(self, kind: str, text: Any) -> None:
        """Remember `text` as typed, as Slack escapes it (&, <, >), without its tags, form-encoded and JSON-escaped."""
        if not isinstance(text, str):
            return
        plain = {text.strip(), html.unescape(text).strip(), " ".join(TAG.sub(" ", text).split())}
        encoded = {urllib.parse.quote_plus(form) for form in plain} | {json.dumps(form)[1:-1] for form in plain}
        for form in plain | encoded:
            if len(form) >= MIN_LENGTH and not form.isdigit():
                with self._lock:
                    self.texts.setdefault(form, kind)

    def add_fake(self, fake: FakeSlack) -> None:
        """The fake workspace's secrets."""
        self.add("bot token", fake.bot_token)
        self.add("app token", fake.app_token)
        self.add("signing secret", fake.signing_secret)
        self.add("verification token", fake.verification_token)

    def add_command(self, command: str, text: str) -> None:
        """Notes and tags of /met, the intro line of /coffee intro."""
        for match in TAG.finditer(text):
            tag = (match[1] or match[2] or "").strip("-")
            if len(tag) >= MIN_LENGTH:
                with self._lock:
                    self.tags.add(tag.lower())
        if command == "/met" and (separator := MET_NOTES.search(text)):
            self.add("note text", text[separator.end() :])
        if command == "/coffee" and text.strip().lower().startswith("intro "):
            self.add("intro line", text.strip()[len("intro ") :])

    def add_payload(self, payload: Any) -> None:
        """Everything private in one delivered payload (walked recursively)."""
        if isinstance(payload, list):
            for item in payload:
                self.add_payload(item)
            return
        if not isinstance(payload, Mapping):
            return
        if isinstance(payload.get("command"), str) and isinstance(payload.get("text"), str):
            self.add_command(payload["command"], payload["text"])
        if payload.get("type") == "plain_text_input":
            self.add("text typed into a modal", payload.get("value"))
        if payload.get("type") in {"message", "app_mention"}:
            self.add("message text", payload.get("text"))
        for key, value in payload.items():
            if key == "token":
                self.add("verification token", value)
            elif key == "response_url" and isinstance(value, str):
                self.add("response_url", value)
                self.add("response_url secret", value.rsplit("/", 1)[-1])
            else:
                self.add_payload(value)

    def found_in(self, text: str) -> list[str]:
        """What kinds of private things `text` contains (empty when it is clean)."""
        with self._lock:
            texts, tags = dict(self.texts), set(self.tags)
        found = [f"{kind} {value!r}" for value, kind in texts.items() if value in text]
        if match := TOKEN_PREFIXES.search(text):
            found.append(f"a Slack token ({match[0]}…)")
        words = {word.lower() for word in re.findall(r"#?[\w-]+", text)}
        found += [f"tag {tag!r}" for tag in tags if tag in words or f"#{tag}" in words]
        return found


class CapturingHandler(logging.Handler):
    """Keeps the rendered text (message, args, exception, stack) of every record outside the fake."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.rendered: list[tuple[str, str]] = []
        self._formatter = logging.Formatter()

    def emit(self, record: logging.LogRecord) -> None:
        """Render now (args may change later) and keep it."""
        if record.name == THE_FAKE or record.name.startswith(THE_FAKE + "."):
            return
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = f"{record.msg!s} {record.args!r}"
        parts = [message, repr(record.args)]
        if record.exc_info:
            parts.append(self._formatter.formatException(record.exc_info))
        if record.exc_text:
            parts.append(record.exc_text)
        if record.stack_info:
            parts.append(record.stack_info)
        self.rendered.append((record.name, "\n".join(parts)))


def _recording(method: Callable[..., Any], sensitive: Sensitive) -> Callable[..., Any]:
    @functools.wraps(method)
    def deliver(self: Any, *args: Any, **kwargs: Any) -> Any:
        sensitive.add_fake(self.fake)
        sensitive.add_payload(args[-1] if args else kwargs.get("payload"))
        return method(self, *args, **kwargs)

    return deliver


@contextmanager
def guard(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Sensitive, CapturingHandler]]:
    """Capture records and learn what is private for the duration of the block."""
    sensitive = Sensitive()
    # Every payload a driver sends, over HTTP or Socket Mode, goes through these two methods per transport.
    for driver in (HttpDriver, SocketDriver):
        for name in ("_deliver", "_deliver_event"):
            monkeypatch.setattr(driver, name, _recording(getattr(driver, name), sensitive))
    start = FakeSlack.start

    def start_and_remember(fake: FakeSlack) -> FakeSlack:
        sensitive.add_fake(fake)
        return start(fake)

    monkeypatch.setattr(FakeSlack, "start", start_and_remember)
    root = logging.getLogger()
    saved = {name: logging.getLogger(name).level for name in ("", *LIBRARY_FLOORS)}
    handler = CapturingHandler()
    apply_privacy_policy("DEBUG")
    root.addHandler(handler)
    try:
        yield sensitive, handler
    finally:
        root.removeHandler(handler)
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


def leaks(sensitive: Sensitive, handler: CapturingHandler) -> list[str]:
    """One line per leaking record: logger name, what leaked, and the start of the record."""
    problems = []
    for name, text in list(handler.rendered):
        if found := sensitive.found_in(text):
            excerpt = " ".join(text.split())[:200]
            problems.append(f"{name}: {', '.join(found)} in: {excerpt}")
    return problems
