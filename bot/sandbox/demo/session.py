"""The demo session: the fake Slack's seeded workspace, the real bot, and one member's point of view.

Nothing leaves the machine: the fake Slack and the bot both listen on 127.0.0.1, the database is a throw-away SQLite
file in a temporary directory, and the bot's clock is a ManualClock that only `wait` moves. After every command the
session prints what the current member newly sees (ephemeral replies, DMs, channel messages, modals), rendered as
text with numbered buttons that `click N` presses. The commands themselves are read by ``shell``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import re
import shlex
import tempfile
import textwrap
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from pydantic import SecretStr

from bot.clock import ManualClock
from bot.embedded import EmbeddedBot
from bot.sandbox.client import DriverResponse, HttpDriver
from bot.sandbox.demo.parsing import (
    DEFAULT_START,
    DemoError,
    describe_duration,
    local_time,
    match_option,
    parse_start,
)
from bot.sandbox.demo.render import (
    Choice,
    Directory,
    Screen,
    element_options,
    mrkdwn,
    render_message,
    render_view,
)
from bot.sandbox.elements import Shape, element_type
from bot.sandbox.seed import SeedUser, default_workspace
from bot.sandbox.slack import FakeSlack, manifest
from bot.sandbox.slack.records import FakeMessage
from bot.scheduler import sweeps_for
from bot.settings import Settings

logger = logging.getLogger(__name__)

DEFAULT_USER = "lee"
DEFAULT_CHANNEL = "#general"
SETTLE_TIMEOUT_SECONDS = 10.0
WAIT_STEP = timedelta(hours=1)
OTHERS_LISTED = 8


@dataclasses.dataclass(frozen=True)
class Target:
    """What a numbered choice on screen belongs to: a message (channel, ts) or a view (view id)."""

    choice: Choice
    channel: str | None = None
    ts: str | None = None
    view_id: str | None = None

    @property
    def surface(self) -> tuple[str, ...]:
        """What the choice is drawn on: ('message', channel, ts) or ('view', view id)."""
        return ("view", self.view_id) if self.view_id is not None else ("message", str(self.channel), str(self.ts))


class InFlight:
    """Counts the bot's listener work still running, so the demo prints only after the bot has finished."""

    def __init__(self, *executors: Executor) -> None:
        self._count = 0
        self._idle = threading.Condition()
        for executor in executors:
            self._track(executor)

    def _track(self, executor: Executor) -> None:
        submit = executor.submit

        def tracked(fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
            with self._idle:
                self._count += 1

            def run() -> Any:
                try:
                    return fn(*args, **kwargs)
                finally:
                    with self._idle:
                        self._count -= 1
                        self._idle.notify_all()

            return submit(run)

        # Bolt's runner calls executor.submit for every listener; shadowing it on this instance is enough.
        setattr(executor, "submit", tracked)  # noqa: B010

    def wait_idle(self, timeout: float = SETTLE_TIMEOUT_SECONDS) -> bool:
        """Block until no listener is running; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._idle.wait(remaining)
        return True


class _ErrorCounter(logging.Handler):
    """Counts ERROR records (a failed listener or sweep) so the command that caused them is reported as failed."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


def _fingerprint(message: FakeMessage) -> str:
    data = json.dumps([message.text, message.blocks, message.attachments], sort_keys=True, default=str)
    return hashlib.sha1(data.encode()).hexdigest()


def _view_fingerprint(view: dict[str, Any]) -> str:
    data = json.dumps([view.get("id"), view.get("title"), view.get("blocks")], sort_keys=True, default=str)
    return hashlib.sha1(data.encode()).hexdigest()


class DemoSession:
    """The fake workspace, the embedded bot and one member's point of view; `execute` runs one command line."""

    def __init__(self, out: TextIO, user: str = DEFAULT_USER, start: str | None = None) -> None:
        self.out = out
        self.seed = default_workspace()
        self.user_handle = user
        self._check_member(user)
        zone = ZoneInfo(self.seed.user(user).tz)
        self.clock = ManualClock(parse_start(start or DEFAULT_START, zone))
        self.channel = DEFAULT_CHANNEL
        # Numbers stay with their buttons until `inbox` or `as` starts again from 1, so `click 10` still means what
        # the screen showed as [10] after `click 1` changed another message.
        self.targets: dict[int, Target] = {}
        self._numbers: dict[tuple[Any, ...], int] = {}
        self._next_number = 1
        self._looked_as: set[str] = set()
        self.failed = False
        self._seen: dict[str, dict[tuple[str, str], str]] = {}
        self._seen_view: dict[str, str | None] = {}
        self._tempdir = tempfile.TemporaryDirectory(prefix="rapport-demo-")
        self.workdir = Path(self._tempdir.name)
        self.errors = _ErrorCounter()
        # Interactive sessions wrap to the terminal and ask for a menu's option; scripts do neither (stable output).
        self.width: int | None = None
        self.ask: Callable[[str], str] | None = None
        self.ansi = False  # bold/italic as terminal styles (interactive sessions on a terminal)
        self._own_handlers: list[logging.Handler] = []
        self._root_level = logging.WARNING
        self.fake: FakeSlack | None = None
        self.bot: EmbeddedBot | None = None
        self.driver: HttpDriver | None = None
        self.inflight: InFlight | None = None

    # ---- lifecycle ---------------------------------------------------------------------------------------------

    def _check_member(self, handle: str) -> SeedUser:
        try:
            member = self.seed.user(handle.lstrip("@"))
        except KeyError:
            raise DemoError(f"there is no member called {handle!r} (try `people`)") from None
        if member.is_bot or member.deleted:
            raise DemoError(f"{handle} is {'a bot' if member.is_bot else 'deactivated'}; pick someone else")
        return member

    def open(self) -> None:
        """Start the fake Slack and the bot (both on loopback) with a fresh SQLite database."""
        self._log_to_file()
        self.fake = FakeSlack(seed=self.seed, wall_clock=lambda: self.clock.now().timestamp()).start()
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            slack_bot_token=SecretStr(self.fake.bot_token),
            slack_signing_secret=SecretStr(self.fake.signing_secret),
            slack_app_token=None,
            slack_api_url=self.fake.api_url,
            database_url=f"sqlite:///{self.workdir / 'rapport-demo.db'}",
        )
        self.bot = EmbeddedBot(settings, clock=self.clock).start()
        # Listeners, and the work /met does after its ack (a listener submits it before it returns).
        self.inflight = InFlight(self.bot.app.listener_runner.listener_executor, self.bot.container.after_ack.executor)
        self.driver = HttpDriver(self.fake, self.bot.events_url)
        self._mark_all_seen(self.me.id)
        self._looked_as.add(self.me.id)

    def close(self) -> None:
        """Stop everything and delete the temporary directory (database and log)."""
        if self.bot is not None:
            if self.inflight is not None:
                self.inflight.wait_idle(2.0)
            self.bot.stop()
            self.bot = None
        if self.fake is not None:
            self.fake.stop()
            self.fake = None
        root = logging.getLogger()
        for handler in self._own_handlers:
            root.removeHandler(handler)
            handler.close()
        self._own_handlers = []
        root.setLevel(self._root_level)
        self._tempdir.cleanup()

    def __enter__(self) -> DemoSession:
        try:
            self.open()
        except BaseException:
            self.close()  # a half-started sandbox still stops its servers and gives the terminal its logging back
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _log_to_file(self) -> None:
        # Every record goes to a file in the throw-away directory (`main` keeps them off the terminal).
        root = logging.getLogger()
        self._root_level = root.level
        log_file = logging.FileHandler(self.workdir / "rapport-demo.log", encoding="utf-8")
        log_file.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
        self._own_handlers = [log_file, self.errors]
        for handler in self._own_handlers:
            root.addHandler(handler)
        root.setLevel(min(root.level or logging.WARNING, logging.INFO))

    # ---- helpers -----------------------------------------------------------------------------------------------

    @property
    def me(self) -> SeedUser:
        """The member the person is acting as."""
        return self.seed.user(self.user_handle)

    def _fake(self) -> FakeSlack:
        assert self.fake is not None, "DemoSession.open() first"
        return self.fake

    def _driver(self) -> HttpDriver:
        assert self.driver is not None, "DemoSession.open() first"
        return self.driver

    def directory(self) -> Directory:
        """Id → name lookups for rendering."""
        fake = self._fake()
        users = {user.id: user.handle for user in fake.users()}
        channels = {channel.id: channel.name for channel in self.seed.channels}
        return Directory(users=users, channels=channels, ansi=self.ansi)

    def say(self, text: str = "") -> None:
        """Print a line (or several) of the transcript."""
        self.out.write(text + "\n")
        self.out.flush()

    def prompt(self) -> str:
        """'lee> ' in the default channel, 'lee in #coffee> ' elsewhere."""
        where = "" if self.channel == DEFAULT_CHANNEL else f" in {self.channel}"
        return f"{self.user_handle}{where}> "

    def settle(self) -> None:
        """Wait until the bot has finished reacting (its listeners ran and every reply reached the fake)."""
        assert self.inflight is not None and self.bot is not None
        # Listeners first (they queue Home redraws), then the redraws themselves.
        home = self.bot.container.services.home_refresh
        if not (self.inflight.wait_idle() and home.wait_idle(SETTLE_TIMEOUT_SECONDS)):
            self.say("⚠ Rapport is still busy after 10 s; showing what arrived so far.")
            self.failed = True

    # ---- what a member sees ----------------------------------------------------------------------------------

    def visible_messages(self, user_id: str) -> list[FakeMessage]:
        """Every message the member can see: conversations they belong to, plus their ephemerals anywhere."""
        fake = self._fake()
        messages: list[FakeMessage] = []
        for conversation in fake.conversations():
            member = user_id in conversation.members
            for message in fake.messages(conversation.id, as_user=user_id):
                if message.ephemeral_to == user_id or member:
                    messages.append(message)
        return sorted(messages, key=lambda m: (float(m.ts), m.channel))

    def _unseen(self, user_id: str) -> list[tuple[FakeMessage, bool]]:
        seen = self._seen.setdefault(user_id, {})
        fresh = []
        for message in self.visible_messages(user_id):
            key = (message.channel, message.ts)
            if seen.get(key) != _fingerprint(message):
                fresh.append((message, key in seen))
        return fresh

    def _mark_all_seen(self, user_id: str) -> None:
        seen = self._seen.setdefault(user_id, {})
        for message in self.visible_messages(user_id):
            seen[(message.channel, message.ts)] = _fingerprint(message)
        stack = self._fake().views(user_id)
        self._seen_view[user_id] = _view_fingerprint(stack[-1]) if stack else None

    def where(self, channel_id: str) -> str:
        """'#general', 'DM with Rapport', 'group DM with @maya, @nora'."""
        fake = self._fake()
        conversation = fake.conversation(channel_id)
        if conversation.kind == "im":
            return "DM with Rapport"
        if conversation.kind == "mpim":
            others = [fake.user(m).handle for m in conversation.members if m not in {self.me.id, fake.bot_user_id}]
            return "group DM with " + ", ".join("@" + handle for handle in others)
        return "#" + conversation.name

    def _author(self, message: FakeMessage) -> str:
        fake = self._fake()
        if message.user == fake.bot_user_id or message.bot_id == fake.bot_id:
            return "Rapport"
        try:
            return "@" + fake.user(message.user).handle
        except KeyError:
            return message.user or "someone"

    def show_news(self, timed: bool = False, heading: str | None = None) -> int:
        """Print what the current member has not seen yet; number its buttons; returns how many items."""
        me = self.me
        fresh = self._unseen(me.id)
        shown = 0
        if heading and fresh:
            self.say(heading)
        view_changed = self._view_changed(me.id)
        if view_changed and not self._fake().views(me.id):
            shown += self._show_view_change(me.id)  # "the form closed" reads best before the confirmation
        for message, updated in fresh:
            self._print_message(message, updated=updated, timed=timed)
            self._seen[me.id][(message.channel, message.ts)] = _fingerprint(message)
            shown += 1
        shown += self._show_view_change(me.id)
        return shown

    def _print_message(self, message: FakeMessage, updated: bool = False, timed: bool = False) -> None:
        labels = [self.where(message.channel), self._author(message)]
        if message.ephemeral_to:
            labels.append("only visible to you")
        if updated:
            labels.append("updated")
        if timed:
            labels.insert(0, local_time(datetime.fromtimestamp(float(message.ts), UTC), self.me.tz))
        surface = ("message", message.channel, message.ts)
        screen = render_message(
            message.text, message.blocks, message.attachments, self.directory(), number_of=self._numbering(surface)
        )
        self.say("  ┌ " + " · ".join(labels))
        self._print_screen(screen, "  │ ")
        self._show_targets(
            surface, [Target(choice, channel=message.channel, ts=message.ts) for choice in screen.choices]
        )

    def _numbering(self, surface: tuple[Any, ...]) -> Callable[[str | None, dict[str, Any]], int]:
        """Numbers for the elements drawn on one message or view: the same element keeps its number."""

        def number_of(block_id: str | None, element: dict[str, Any]) -> int:
            key = (surface, block_id, str(element.get("action_id", "")))
            if key not in self._numbers:
                self._numbers[key] = self._next_number
                self._next_number += 1
            return self._numbers[key]

        return number_of

    def _show_targets(self, surface: tuple[Any, ...], targets: list[Target]) -> None:
        """What the numbers of one redrawn message or view now point at (its vanished buttons lose theirs)."""
        for number, target in list(self.targets.items()):
            if target.surface == surface:
                del self.targets[number]
        self.targets.update((target.choice.number, target) for target in targets)

    def renumber(self) -> None:
        """Start numbering again from 1 (a new screen: `inbox`, or another person)."""
        self.targets = {}
        self._numbers = {}
        self._next_number = 1

    def _print_screen(self, screen: Screen, indent: str) -> None:
        for line in screen.lines or [""]:
            if self.width and len(indent + line) > self.width:
                # Wrapped lines keep the frame (│ borders) and the line's own indentation, so replies stay readable.
                lead = indent + line[: len(line) - len(line.lstrip(" │▎"))]
                for part in textwrap.wrap(
                    line.lstrip(" │▎"), width=max(20, self.width - len(lead)), break_on_hyphens=False
                ):
                    self.say(lead + part)
            else:
                self.say((indent + line).rstrip())

    def _view_changed(self, user_id: str) -> bool:
        stack = self._fake().views(user_id)
        current = _view_fingerprint(stack[-1]) if stack else None
        return current != self._seen_view.get(user_id)

    def _show_view_change(self, user_id: str) -> int:
        if not self._view_changed(user_id):
            return 0
        stack = self._fake().views(user_id)
        if not stack:
            self._seen_view[user_id] = None
            self.say("  (the form closed)")
            return 1
        view = stack[-1]
        self._seen_view[user_id] = _view_fingerprint(view)
        self._print_view(view)
        return 1

    def _print_view(self, view: dict[str, Any]) -> None:
        surface = ("view", str(view["id"]))
        screen = render_view(view, self.directory(), number_of=self._numbering(surface))
        self._print_screen(screen, "  ")
        self._show_targets(surface, [Target(choice, view_id=str(view["id"])) for choice in screen.choices])

    def others_with_news(self) -> list[tuple[str, int]]:
        """(handle, count) of other members with unseen messages (not marked as seen)."""
        counts = []
        for user in self.seed.users:
            if user.is_bot or user.deleted or user.id == self.me.id:
                continue
            count = len(self._unseen(user.id))
            if count:
                counts.append((user.handle, count))
        return sorted(counts, key=lambda pair: (-pair[1], pair[0]))

    # ---- commands ----------------------------------------------------------------------------------------------

    def attempt(self, command: Callable[[], object]) -> bool:
        """Run one command; False when it failed (the reason is printed: a DemoError, or an error Rapport logged)."""
        self.failed = False
        errors_before = self.errors.count
        try:
            command()
        except DemoError as error:
            self.say(f"⚠ {error}")
            self.failed = True
        if self.errors.count > errors_before:
            self.say(f"⚠ Rapport logged an error (see {self.workdir / 'rapport-demo.log'} while the demo runs).")
            self.failed = True
        return not self.failed

    def channel_arg(self, text: str) -> str:
        name = text.strip()
        if name.lower() in {"dm", "rapport", "@rapport"}:
            return "dm"
        if not name.startswith("#"):
            raise DemoError(f"channels start with #: {name!r}")
        try:
            conversation = self._fake().conversation(self._fake().channel_id(name))
        except KeyError:
            names = ", ".join("#" + channel.name for channel in self.seed.channels)
            raise DemoError(f"there is no channel {name} (channels: {names}, or `dm`)") from None
        if conversation.kind == "private" and self.me.id not in conversation.members:
            raise DemoError(f"{name} is private and you are not in it")
        return "#" + conversation.name

    def set_channel(self, text: str) -> None:
        """`channel #coffee` / `channel dm`: where slash commands are typed from now on."""
        if not text.strip():
            self.say(f"  You are typing in {self.channel if self.channel != 'dm' else 'your DM with Rapport'}.")
            return
        self.channel = self.channel_arg(text)
        self.say(f"  Now typing in {self.channel if self.channel != 'dm' else 'your DM with Rapport'}.")

    def escape_command_text(self, text: str) -> str:
        """What Slack sends for a should_escape command: &<> escaped, @handle and #channel turned into links."""
        fake = self._fake()
        escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

        def person(match: re.Match[str]) -> str:
            handle = match.group(1)
            if handle.lower() in {"here", "channel", "everyone"}:
                return f"<!{handle.lower()}>"
            try:
                user = fake.user(handle.lower())
            except KeyError:
                return match.group(0)
            return f"<@{user.id}|{user.handle}>"

        def channel(match: re.Match[str]) -> str:
            name = match.group(1)
            try:
                conversation = fake.conversation(fake.channel_id(name.lower()))
            except KeyError:
                return match.group(0)
            if conversation.kind == "private" and self.me.id not in conversation.members:
                return match.group(0)
            return f"<#{conversation.id}|{conversation.name}>"

        escaped = re.sub(r"(?<![\w@])@([A-Za-z0-9._-]*[A-Za-z0-9_])", person, escaped)
        return re.sub(r"(?<![\w#&])#([a-z0-9_-]+)", channel, escaped)

    def declared_commands(self) -> dict[str, bool] | None:
        """Slash commands the app declares → their should_escape flag (None without a manifest: anything goes)."""
        declared_app = manifest.read_manifest()
        if declared_app is None:
            return None
        declared = (declared_app.get("features") or {}).get("slash_commands") or []
        return {
            str(entry.get("command")): bool(entry.get("should_escape", False))
            for entry in declared
            if isinstance(entry, dict)
        }

    def slash(self, line: str, channel: str) -> None:
        """Type a slash command in ``channel`` ('#name' or 'dm')."""
        command, _, text = line.partition(" ")
        known = self.declared_commands()
        if known is not None and command not in known:
            listed = ", ".join(sorted(known))
            raise DemoError(f"{command} is not a valid command here: Rapport's manifest.yml declares {listed}.")
        where = None if channel == "dm" else channel
        typed = text.strip().replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        if known is None or known[command]:
            typed = self.escape_command_text(text.strip())
        response = self._driver().slash_command(self.user_handle, command, typed, where)
        self._after_delivery(response, command)

    def _after_delivery(self, response: DriverResponse, what: str, quiet: bool = False) -> None:
        if not response.ok:
            reason = "operation_timeout" if response.timed_out else f"dispatch_failed (HTTP {response.status})"
            self.say(f'⚠ {what} failed with the error "{reason}"')
            self.failed = True
        self.settle()
        self._show_ack_body(response)
        if not self.show_news() and response.ok and not quiet:
            self.say("  (nothing new)")

    def _show_ack_body(self, response: DriverResponse) -> None:
        # A slash command acked with a body shows that body as an ephemeral message (the fake does not store it).
        if response.payload.get("command") is None or not response.body.strip():
            return
        try:
            answer = response.json()
        except ValueError:
            answer = {"text": response.body}
        if isinstance(answer, dict) and (answer.get("text") or answer.get("blocks")):
            screen = render_message(str(answer.get("text") or ""), answer.get("blocks"), None, self.directory(), 10**6)
            self.say("  ┌ Rapport · only visible to you")
            self._print_screen(dataclasses.replace(screen, choices=[]), "  │ ")

    def _target(self, number: int) -> Target:
        if not self.targets and self._fake().views(self.me.id):
            raise DemoError("the form has no buttons: fill it with `submit field=value …`, or `cancel`")
        if not self.targets:
            raise DemoError("there is nothing to click on the screen")
        target = self.targets.get(number)
        if target is None and 1 <= number < self._next_number:
            raise DemoError(f"[{number}] is gone: its message or form changed (`inbox` shows your DM again)")
        if target is None:
            shown = sorted(self.targets)
            raise DemoError(f"there is no [{number}]: the buttons on screen are numbered {shown[0]} to {shown[-1]}")
        if target.view_id is not None and target.view_id not in self._open_view_ids():
            raise DemoError(f"[{number}] was on a form that is closed now")
        return target

    def click(self, number: int, choice_text: str | None) -> None:
        """Press button N (or pick ``choice_text`` in menu N) on the last screen."""
        target = self._target(number)
        element = target.choice.element
        if element.get("type") != "button" and choice_text is None and self.ask is not None:
            choice_text = self._ask_option(target.choice) or None
        value = self.element_value(element, choice_text) if element.get("type") != "button" else None
        if element.get("type") != "button" and value is None:
            options = " / ".join(label for label, _ in target.choice.options()) or "a value"
            raise DemoError(f"[{number}] is a menu: add your choice, e.g. click {number} … ({options})")
        driver = self._driver()
        home = self._fake().home(self.me.id)
        if home is not None and target.view_id == str(home["id"]):
            response = driver.click_in_view(self.user_handle, target.view_id, target.choice.action_id, value)
            self._after_delivery(response, "the click", quiet=True)
            self._print_home_if_changed(home)
            return
        if target.view_id is not None:
            response = driver.click_in_view(self.user_handle, target.view_id, target.choice.action_id, value)
        else:
            assert target.channel is not None and target.ts is not None
            try:
                message = self._fake().message(target.channel, target.ts)
            except KeyError:
                raise DemoError("that message is gone") from None
            response = driver.click(self.user_handle, message, target.choice.action_id, value)
        self._after_delivery(response, "the click")

    def _ask_option(self, choice: Choice) -> str:
        assert self.ask is not None
        options = choice.options()
        if options:
            listed = "  ".join(f"{n}) {label}" for n, (label, _) in enumerate(options, start=1))
            return self.ask(f"  {listed}\n  which one? ")
        hint = {"datepicker": "YYYY-MM-DD", "timepicker": "HH:MM"}.get(choice.kind, "@handle or #channel or text")
        return self.ask(f"  value ({hint})? ")

    @staticmethod
    def options_of(element: dict[str, Any]) -> list[tuple[str, str]]:
        """(label, value) of a menu's options."""
        return element_options(element)

    def element_value(self, element: dict[str, Any], text: str | None, positions: bool = True) -> Any:
        """The driver value for an element from what the person typed ('@maya', '3 days', '2026-11-20', ...)."""
        if text is None:
            return None
        kind = element_type(element)
        text = text.strip().strip('"')
        if kind.shape is Shape.ID:
            return self._ids(text)[0]
        if kind.shape is Shape.IDS:
            return self._ids(text)
        options = element_options(element)
        if options and kind.multiple:
            return [match_option(options, part, positions) for part in re.split(r"\s*,\s*", text) if part]
        if options:
            return match_option(options, text, positions)
        return text

    def _ids(self, text: str) -> list[str]:
        fake = self._fake()
        ids = []
        for part in re.split(r"[\s,]+", text):
            if not part:
                continue
            try:
                if part.startswith("#"):
                    ids.append(fake.channel_id(part))
                else:
                    ids.append(fake.user(part.lstrip("@").lower()).id)
            except KeyError:
                raise DemoError(f"no member or channel called {part!r}") from None
        if not ids:
            raise DemoError("name at least one person: @maya")
        return ids

    def _open_view(self) -> dict[str, Any]:
        stack = self._fake().views(self.me.id)
        if not stack:
            raise DemoError("there is no open form (`/met` on its own opens one)")
        return stack[-1]

    def submit(self, text: str) -> None:
        """`submit field=value …`: fill the open form's inputs and press its submit button."""
        view = self._open_view()
        try:
            pairs = shlex.split(text)
        except ValueError as error:
            raise DemoError(f"can't read that: {error}") from None
        inputs: dict[str, Any] = {}
        inputs_by_name = _inputs_by_name(view)
        fields = ", ".join(f"{label_of(block)} ({block['element'].get('action_id')}=)" for block in input_blocks(view))
        for pair in pairs:
            name, sep, raw = pair.partition("=")
            if not sep:
                raise DemoError(f"write field=value, not {pair!r} (fields: {fields})")
            found = inputs_by_name.get(name.lower())
            if found is None:
                raise DemoError(f"the form has no field {name!r} (fields: {fields})")
            element = found["element"]
            try:
                inputs[str(element.get("action_id"))] = self.element_value(element, raw, positions=False)
            except DemoError as error:
                raise DemoError(f"{label_of(found)}: {error}") from None
        response = self._driver().submit_view(self.user_handle, str(view["id"]), inputs)
        answer = response.json() if response.ok and response.body.strip().startswith("{") else None
        if isinstance(answer, dict) and answer.get("response_action") == "errors":
            labels = {str(b.get("block_id")): label_of(b) for b in view.get("blocks") or [] if isinstance(b, dict)}
            for block_id, message in (answer.get("errors") or {}).items():
                self.say(f"  ⚠ {labels.get(block_id, block_id)}: {mrkdwn(str(message), self.directory())}")
            self.say("  (the form stays open: fix it and submit again, or cancel)")
            self.failed = True
        self._after_delivery(response, "the form", quiet=self.failed)

    def cancel(self) -> None:
        """Close the open form (view_closed is sent when the app asked for it)."""
        view = self._open_view()
        response = self._driver().close_view(self.user_handle, str(view["id"]))
        if response is not None:
            self.settle()
        self.show_news()

    def _open_view_ids(self) -> set[str]:
        fake = self._fake()
        home = fake.home(self.me.id)
        return {str(view["id"]) for view in fake.views(self.me.id)} | ({str(home["id"])} if home else set())

    def home(self) -> None:
        """Open Rapport's Home tab (Slack sends app_home_opened) and show it, buttons numbered."""
        response = self._driver().app_home_opened(self.user_handle)
        if not response.ok:
            self.say(f"⚠ opening Home failed (HTTP {response.status})")
            self.failed = True
        self.settle()
        view = self._fake().home(self.me.id)
        if view is None:
            self.say("  Rapport has not drawn a Home tab for you.")
            return
        self.say("  ┌ Rapport · Home tab")
        self._print_view(view)

    def _print_home_if_changed(self, before: dict[str, Any]) -> None:
        after = self._fake().home(self.me.id)
        if after is not None and _view_fingerprint(after) != _view_fingerprint(before):
            self.say("  ┌ Rapport · Home tab (updated)")
            self._print_view(after)

    def inbox(self) -> None:
        """Show the member's DM and group DMs with Rapport again, oldest first (buttons numbered from 1 again)."""
        self.renumber()
        fake = self._fake()
        private = {c.id for c in fake.conversations(self.me.id) if c.kind in {"im", "mpim"}}
        messages = [m for m in self.visible_messages(self.me.id) if m.channel in private]
        if not messages:
            self.say("  Your DM with Rapport is empty.")
            return
        for message in messages:
            self._print_message(message, timed=True)
            self._seen.setdefault(self.me.id, {})[(message.channel, message.ts)] = _fingerprint(message)

    def wait(self, delta: timedelta) -> None:
        """Move the clock forward hour by hour, running every sweep after each step, then show what arrived."""
        fake = self._fake()
        assert self.bot is not None
        sweeps = sweeps_for(self.bot.container.services)
        target = self.clock.now() + delta
        while self.clock.now() < target:
            # Steps end on whole hours, however long the wait: work due at 10:00 is done at 10:00 (a coarser step
            # would be quicker, but would deliver it late, e.g. at 12:21).
            now = self.clock.now()
            boundary = now.replace(minute=0, second=0, microsecond=0) + WAIT_STEP
            self.clock.advance(min(boundary, target) - now)
            for sweep in sweeps:
                try:
                    sweep.run()
                except Exception:  # a failing sweep is reported and the demo goes on, like the scheduler does
                    logger.exception("sweep %s failed", sweep.job_id)
            fake.deliver_scheduled()
            self.settle()
        self.say(f"  ⏩ {describe_duration(delta)} later: {local_time(self.clock.now(), self.me.tz)} ({self.me.tz})")
        shown = self.show_news(timed=True)
        if not shown:
            self.say("  (nothing arrived for you)" if sweeps else "  (nothing arrived: Rapport schedules nothing yet)")
        others = self.others_with_news()
        if others:
            listed = ", ".join(f"@{handle} ({count})" for handle, count in others[:OTHERS_LISTED])
            more = f" and {len(others) - OTHERS_LISTED} more" if len(others) > OTHERS_LISTED else ""
            self.say(f"  Also new for others: {listed}{more} — `as <name>` to see theirs.")

    def switch_user(self, text: str) -> None:
        """`as maya`: act as another member; shows what they have not seen yet."""
        if not text.strip():
            raise DemoError("as whom? e.g. as maya (`people` lists everyone)")
        member = self._check_member(text.strip())
        self.user_handle = member.handle
        self.renumber()
        self.say(f"  You are now @{member.handle} ({member.real_name}, {member.title}, {member.department}).")
        self.say(f"  Local time: {local_time(self.clock.now(), member.tz)} ({member.tz}).")
        if self.channel != "dm" and self.channel != DEFAULT_CHANNEL:
            conversation = self._fake().conversation(self._fake().channel_id(self.channel))
            if member.id not in conversation.members:
                self.channel = DEFAULT_CHANNEL
                self.say(f"  They are not in that channel; typing in {DEFAULT_CHANNEL}.")
        # Someone you have not been before never looked: what they have is simply theirs, not news "since".
        heading = f"  Since you were last @{member.handle}:" if member.id in self._looked_as else "  Waiting for you:"
        self._looked_as.add(member.id)
        self.show_news(timed=True, heading=heading)

    def whoami(self) -> None:
        """Who the person is acting as, where they type, and their local time."""
        me = self.me
        where = "your DM with Rapport" if self.channel == "dm" else self.channel
        self.say(f"  @{me.handle} — {me.real_name}, {me.title} ({me.department})")
        self.say(f"  Local time: {local_time(self.clock.now(), me.tz)} ({me.tz}); typing in {where}.")

    def people(self) -> None:
        """The active members, by team."""
        members = [user for user in self.seed.users if not user.is_bot and not user.deleted]
        self.say(f"  {'handle':<9} {'name':<16} {'title':<27} {'team':<12} time zone")
        for user in sorted(members, key=lambda u: (u.department, u.handle)):
            self.say(f"  @{user.handle:<8} {user.real_name:<16} {user.title:<27} {user.department:<12} {user.tz}")


def label_of(block: dict[str, Any]) -> str:
    """An input block's label (its block_id when it has none)."""
    label = block.get("label")
    return str(label.get("text")) if isinstance(label, dict) else str(block.get("block_id"))


def input_blocks(view: dict[str, Any]) -> list[dict[str, Any]]:
    """The input blocks of a view (each with its element)."""
    return [
        block
        for block in view.get("blocks") or []
        if isinstance(block, dict) and block.get("type") == "input" and isinstance(block.get("element"), dict)
    ]


def _inputs_by_name(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for block in input_blocks(view):
        for name in (block["element"].get("action_id"), block.get("block_id"), label_of(block)):
            if name:
                found.setdefault(str(name).lower(), block)
    return found
