"""FakeSlack: a local Slack (Web API over real HTTP, response_url hooks, Socket Mode) holding a seeded workspace."""

from __future__ import annotations

import copy
import json
import logging
import math
import secrets
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, replace
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import TYPE_CHECKING, Any

from bot.sandbox import hooks
from bot.sandbox.records import ApiCall, Conversation, FakeFile, FakeMessage
from bot.sandbox.seed import APP_ID, SeedChannel, SeedUser, WorkspaceSeed, default_workspace
from bot.sandbox.webapi import SlackApiFailure, WebApi, as_bool, parse_json_args

if TYPE_CHECKING:
    from bot.sandbox.driver import HttpDriver, SocketDriver
    from bot.sandbox.socket_mode import SocketModeServer

logger = logging.getLogger(__name__)

RESPONSE_URL_MAX_USES = 5
RESPONSE_URL_TTL_SECONDS = 30 * 60
SLACKBOT = SeedUser(handle="slackbot", id="USLACKBOT", real_name="Slackbot", display_name="Slackbot", is_bot=True)


class _AllScopes(frozenset[str]):
    """Stands for 'every scope granted' (no manifest, or ALL_SCOPES passed explicitly)."""

    def __contains__(self, item: object) -> bool:
        return True


ALL_SCOPES: frozenset[str] = _AllScopes()


@dataclass(frozen=True)
class AppHome:
    """The App Home switches of the app (manifest features.app_home); Slack enforces them."""

    home_tab_enabled: bool = True
    messages_tab_enabled: bool = True
    messages_tab_read_only_enabled: bool = False

    @classmethod
    def from_manifest(cls) -> AppHome:
        """The repository manifest's settings (manifest defaults when absent); all enabled without a manifest."""
        declared = hooks.manifest_app_home()
        if declared is None:
            return cls()
        return cls(
            home_tab_enabled=declared.get("home_tab_enabled", False),
            messages_tab_enabled=declared.get("messages_tab_enabled", False),
            messages_tab_read_only_enabled=declared.get("messages_tab_read_only_enabled", False),
        )


@dataclass
class Trigger:
    """A trigger_id minted by the driver: single use, valid 3 s."""

    user: str
    minted_at: float
    used: bool = False


@dataclass
class ResponseUrl:
    """A response_url minted by the driver: 5 uses in 30 minutes."""

    user: str
    channel: str
    kind: str  # "command" | "action"
    minted_at: float
    message_ts: str | None = None
    uses: int = 0


class FakeSlack:
    """A fake Slack workspace served over loopback HTTP; see the module docstring of bot.sandbox for the tour."""

    def __init__(
        self,
        seed: WorkspaceSeed | None = None,
        scopes: set[str] | frozenset[str] | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        host: str = "127.0.0.1",
        app_home: AppHome | None = None,
    ) -> None:
        self.seed = seed or default_workspace()
        self.team_id = self.seed.team_id
        self.bot_user_id = self.seed.bot.id
        self.bot_id = self.seed.bot.bot_id
        self.app_id = APP_ID
        self.bot_token = f"xoxb-{self.team_id}-{secrets.token_hex(6)}"
        self.app_token = f"xapp-1-{self.app_id}-{secrets.token_hex(6)}"
        self.signing_secret = secrets.token_hex(16)
        self.verification_token = secrets.token_hex(12)
        # None = read manifest.yml's bot scopes; no manifest = every scope granted (ALL_SCOPES).
        self.scopes: frozenset[str] = frozenset(scopes) if scopes is not None else _manifest_scopes()
        if scopes is ALL_SCOPES:
            self.scopes = ALL_SCOPES
        self.app_home = app_home if app_home is not None else AppHome.from_manifest()
        # Commands whose text Slack escapes (@maya → <@U…|maya>); from manifest.yml, editable by tests.
        self.escaped_commands: set[str] = hooks.manifest_escaped_commands() or set()
        # Bot events the app subscribes to (message.im, app_home_opened, ...); None = every event is delivered.
        self.subscribed_events: set[str] | None = hooks.manifest_bot_events()
        self._clock = clock
        self._wall_clock = wall_clock
        self._host = host
        self._lock = threading.RLock()
        self._users: dict[str, SeedUser] = {user.id: user for user in self.seed.users}
        self._users.setdefault(SLACKBOT.id, SLACKBOT)
        self._conversations: dict[str, Conversation] = {}
        for channel in self.seed.channels:
            self._add_conversation(channel)
        self._messages: dict[str, list[FakeMessage]] = {}
        self._calls: list[ApiCall] = []
        self._views: dict[str, dict[str, Any]] = {}
        self._view_owner: dict[str, str] = {}
        self._modal_stacks: dict[str, list[str]] = {}
        self._homes: dict[str, str] = {}
        self._triggers: dict[str, Trigger] = {}
        self._response_urls: dict[str, ResponseUrl] = {}
        self._scheduled: dict[str, tuple[int, int, FakeMessage]] = {}  # id -> (post_at, created, message)
        self._files: dict[str, FakeFile] = {}
        self._counter = 0
        self._last_ts = 0.0
        self._revoked = False
        self._api = WebApi(self)
        self._catalog = self._load_optional(hooks.load_catalog)
        self._blockkit = self._load_optional(hooks.load_blockkit)
        # RateLimiter (off by default: fake.rate_limits.set_enabled(True)) and FaultInjector, when present.
        self.rate_limits: Any = self._load_optional(lambda: hooks.make_rate_limiter(clock, self._catalog))
        self.faults: Any = self._load_optional(lambda: hooks.make_fault_injector(clock))
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._socket_server: SocketModeServer | None = None

    @staticmethod
    def _load_optional(loader: Callable[[], Any]) -> Any:
        try:
            return loader()
        except Exception:  # a half-written optional module must not take the whole fake down
            logger.exception("optional sandbox module failed to load")
            return None

    # ---- lifecycle -----------------------------------------------------------------------------------------

    def start(self) -> FakeSlack:
        """Serve on 127.0.0.1:<free port> in a daemon thread."""
        if self._server is not None:
            return self
        handler = type("FakeSlackHandler", (_Handler,), {"fake": self})
        self._server = _Server((self._host, 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-slack", daemon=True
        )
        self._thread.start()
        logger.info("fake Slack listening on %s", self.base_url)
        return self

    def stop(self) -> None:
        """Stop the HTTP server (and the Socket Mode server if started)."""
        if self._socket_server is not None:
            self._socket_server.stop()
            self._socket_server = None
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """http://127.0.0.1:PORT (no trailing slash)."""
        if self._server is None:
            raise RuntimeError("FakeSlack is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def api_url(self) -> str:
        """The WebClient base_url: http://127.0.0.1:PORT/api/."""
        return f"{self.base_url}/api/"

    # ---- drivers -------------------------------------------------------------------------------------------

    def http_driver(self, events_url: str, ack_timeout: float = 3.0) -> HttpDriver:
        """A driver that sends Slack-signed HTTP requests to the bot's events URL."""
        from bot.sandbox.driver import HttpDriver

        return HttpDriver(self, events_url, ack_timeout=ack_timeout)

    def socket_driver(self, ack_timeout: float = 3.0, connect_timeout: float = 5.0) -> SocketDriver:
        """A driver that sends envelopes over the Socket Mode websocket the bot opened."""
        from bot.sandbox.driver import SocketDriver

        return SocketDriver(self, ack_timeout=ack_timeout, connect_timeout=connect_timeout)

    def socket_server(self) -> SocketModeServer:
        """The Socket Mode websocket server (started on first use)."""
        with self._lock:
            if self._socket_server is None:
                from bot.sandbox.socket_mode import SocketModeServer

                self._socket_server = SocketModeServer(host=self._host, app_id=self.app_id)
                self._socket_server.start()
            return self._socket_server

    def _socket_mode_url(self, ticket: str) -> str | None:
        return self.socket_server().url(ticket)

    # ---- workspace -----------------------------------------------------------------------------------------

    def user(self, handle: str) -> SeedUser:
        """The user with this handle (or id)."""
        with self._lock:
            for user in self._users.values():
                if handle in (user.handle, user.id):
                    return user
        raise KeyError(handle)

    def users(self) -> list[SeedUser]:
        """All users, including bots and deactivated users."""
        with self._lock:
            return list(self._users.values())

    def channel_id(self, name: str) -> str:
        """The id of the channel with this name ('#coffee' or 'coffee')."""
        with self._lock:
            for conversation in self._conversations.values():
                if conversation.is_channel_like and conversation.name == name.lstrip("#"):
                    return conversation.id
        raise KeyError(name)

    def conversation(self, channel_id: str) -> Conversation:
        """A copy of the stored conversation."""
        with self._lock:
            return copy.deepcopy(self._conversations[channel_id])

    def conversations(self, member: str | None = None) -> list[Conversation]:
        """Copies of every conversation (channels, DMs, group DMs), optionally only those `member` is in."""
        with self._lock:
            member_id = self.user(member).id if member else None
            return [
                copy.deepcopy(conversation)
                for conversation in self._conversations.values()
                if member_id is None or member_id in conversation.members
            ]

    def add_user(
        self,
        handle: str,
        real_name: str = "",
        *,
        title: str = "",
        department: str = "",
        tz: str = "UTC",
        is_bot: bool = False,
        channels: tuple[str, ...] = (),
        user_id: str | None = None,
    ) -> SeedUser:
        """Add a member to the workspace (and to the given channel names or ids)."""
        with self._lock:
            self._counter += 1
            user = SeedUser(
                handle=handle,
                id=user_id or f"U0NEW{self._counter:05d}",
                real_name=real_name or handle.title(),
                title=title,
                department=department,
                tz=tz,
                display_name=handle,
                email=f"{handle}@rapport.example",
                is_bot=is_bot,
                bot_id=f"B0NEW{self._counter:05d}" if is_bot else "",
            )
            self._users[user.id] = user
            for channel in channels:
                self.join(channel, user.id)
            return user

    def deactivate(self, user: str) -> None:
        """Deactivate a member (users.info then says deleted: true)."""
        with self._lock:
            found = self.user(user)
            self._users[found.id] = replace(found, deleted=True)

    def join(self, channel: str, user: str) -> None:
        """Add a user (handle or id; the bot too) to a channel (name or id)."""
        with self._lock:
            conversation = self._conversations.get(channel) or self._conversations[self.channel_id(channel)]
            user_id = self.user(user).id
            if user_id not in conversation.members:
                conversation.members.append(user_id)

    def leave(self, channel: str, user: str) -> None:
        """Remove a user from a channel."""
        with self._lock:
            conversation = self._conversations.get(channel) or self._conversations[self.channel_id(channel)]
            user_id = self.user(user).id
            if user_id in conversation.members:
                conversation.members.remove(user_id)

    def dm_channel(self, user_ids: str | list[str] | tuple[str, ...]) -> str:
        """The id conversations.open returns for these users (D… for one, G… for 2–8); opens it if needed."""
        ids = [user_ids] if isinstance(user_ids, str) else list(user_ids)
        ids = [self.user(user).id for user in ids if self.user(user).id != self.bot_user_id]
        with self._lock:
            if len(ids) == 1:
                return self._open_im(ids[0])[0].id
            return self._open_mpim(ids)[0].id

    def post_as_user(self, user: str, channel: str, text: str, thread_ts: str | None = None) -> FakeMessage:
        """Store a message written by a member (channel id/name, or a user id meaning that user's DM with the bot)."""
        with self._lock:
            author = self.user(user)
            if channel[:1] in {"U", "W"}:
                conversation = self._open_im(author.id if channel == self.bot_user_id else channel)[0]
            else:
                conversation = self._conversations.get(channel) or self._conversations[self.channel_id(channel)]
            message = FakeMessage(
                ts=self._mint_ts(), channel=conversation.id, user=author.id, text=text, thread_ts=thread_ts
            )
            message.team = self.team_id
            self._store_message(message)
            return copy.deepcopy(message)

    # ---- inspection ----------------------------------------------------------------------------------------

    def messages(self, channel_or_user_id: str, as_user: str | None = None) -> list[FakeMessage]:
        """Messages in a conversation as `as_user` sees them (ephemerals only theirs); a user id = the bot DM."""
        with self._lock:
            self._deliver_due_scheduled()
            channel_id = self._resolve_inspected(channel_or_user_id)
            if channel_id is None:
                return []
            viewer = self.user(as_user).id if as_user else None
            return [
                copy.deepcopy(message)
                for message in self._messages.get(channel_id, [])
                if message.ephemeral_to is None or message.ephemeral_to == viewer
            ]

    def _resolve_inspected(self, channel_or_user_id: str) -> str | None:
        if channel_or_user_id in self._conversations:
            return channel_or_user_id
        if channel_or_user_id.startswith("#"):
            return self.channel_id(channel_or_user_id)
        try:
            user = self.user(channel_or_user_id)
        except KeyError:
            return None
        for conversation in self._conversations.values():
            if conversation.kind == "im" and conversation.im_user == user.id:
                return conversation.id
        return None

    def message(self, channel: str, ts: str) -> FakeMessage:
        """The stored message with this ts (any visibility)."""
        with self._lock:
            channel_id = self._resolve_inspected(channel) or channel
            for message in self._messages.get(channel_id, []):
                if message.ts == ts:
                    return copy.deepcopy(message)
        raise KeyError((channel, ts))

    def views(self, user: str) -> list[dict[str, Any]]:
        """The user's modal stack, root first (copies)."""
        with self._lock:
            user_id = self.user(user).id
            return [copy.deepcopy(self._views[view_id]) for view_id in self._modal_stacks.get(user_id, [])]

    def view(self, view_id: str) -> dict[str, Any]:
        """The current version of a view (modal or home) by id."""
        with self._lock:
            return copy.deepcopy(self._views[view_id])

    def home(self, user: str) -> dict[str, Any] | None:
        """The Home tab view published for the user, or None."""
        with self._lock:
            view_id = self._homes.get(self.user(user).id)
            return copy.deepcopy(self._views[view_id]) if view_id else None

    def calls(self, method: str | None = None) -> list[ApiCall]:
        """Every Web API call received, in order (optionally only one method)."""
        with self._lock:
            return [call for call in self._calls if method is None or call.method == method]

    def reset_calls(self) -> None:
        """Forget the recorded calls."""
        with self._lock:
            self._calls.clear()

    def deliver_scheduled(self) -> int:
        """Post every scheduled message whose post_at the wall clock has reached; returns how many."""
        with self._lock:
            return self._deliver_due_scheduled()

    def _deliver_due_scheduled(self) -> int:
        now = self._wall_clock()
        due = sorted((post_at, key) for key, (post_at, _, _) in self._scheduled.items() if post_at <= now)
        for _, key in due:
            message = self._scheduled.pop(key)[2]
            message.ts = self._mint_ts()
            self._store_message(message)
        return len(due)

    def files(self) -> list[FakeFile]:
        """Every uploaded file (copies), with content and where it was shared."""
        with self._lock:
            return [copy.deepcopy(file) for file in self._files.values()]

    def handle_upload(self, file_id: str, content: bytes) -> tuple[int, str]:
        """The upload URL of files.getUploadURLExternal: store the bytes (the length must match)."""
        with self._lock:
            file = self._files.get(file_id)
            if file is None or file.content is not None:
                return 404, "Not Found"
            file.content = content
            return 200, f"OK - {len(content)}"

    # ---- minting -------------------------------------------------------------------------------------------

    def _next_id(self, prefix: str) -> str:
        self._counter += 1
        return f"{prefix}0{self._counter:08d}"

    def _mint_ts(self) -> str:
        now = max(self._wall_clock(), self._last_ts + 0.000001)
        self._last_ts = round(now, 6)
        return f"{self._last_ts:.6f}"

    def mint_trigger(self, user: str) -> str:
        """A fresh trigger_id for the user (what Slack sends with every interaction)."""
        with self._lock:
            self._counter += 1
            trigger_id = f"{self._counter}.{int(self._wall_clock())}.{secrets.token_hex(16)}"
            self._triggers[trigger_id] = Trigger(user=self.user(user).id, minted_at=self._clock())
            return trigger_id

    def mint_response_url(self, user: str, channel: str, kind: str, message_ts: str | None = None) -> str:
        """A fresh response_url on this fake (commands: ephemeral by default; actions: tied to a message)."""
        with self._lock:
            self._counter += 1
            key = f"{self.team_id}/{self._counter}/{secrets.token_urlsafe(16)}"
            self._response_urls[key] = ResponseUrl(
                user=self.user(user).id, channel=channel, kind=kind, minted_at=self._clock(), message_ts=message_ts
            )
            section = "commands" if kind == "command" else "actions"
            return f"{self.base_url}/hooks/{section}/{key}"

    def _open_im(self, user_id: str) -> tuple[Conversation, bool]:
        for conversation in self._conversations.values():
            if conversation.kind == "im" and conversation.im_user == user_id:
                return conversation, True
        conversation = Conversation(
            id=self._next_id("D"),
            name=user_id,
            kind="im",
            members=[user_id, self.bot_user_id],
            created=int(self._wall_clock()),
            im_user=user_id,
        )
        self._conversations[conversation.id] = conversation
        return conversation, False

    def _open_mpim(self, user_ids: list[str]) -> tuple[Conversation, bool]:
        wanted = {*user_ids, self.bot_user_id}
        for conversation in self._conversations.values():
            if conversation.kind == "mpim" and set(conversation.members) == wanted:
                return conversation, True
        handles = sorted(self._users[user_id].handle for user_id in wanted)
        conversation = Conversation(
            id=self._next_id("G"),
            name="mpdm-" + "--".join(handles) + "-1",
            kind="mpim",
            members=[self.bot_user_id, *user_ids],
            created=int(self._wall_clock()),
        )
        self._conversations[conversation.id] = conversation
        return conversation, False

    def _add_conversation(self, channel: SeedChannel) -> None:
        self._conversations[channel.id] = Conversation(
            id=channel.id,
            name=channel.name,
            kind="private" if channel.is_private else "public",
            members=list(channel.members),
            created=1_600_000_000,
            is_general=channel.is_general,
            topic=channel.topic,
            purpose=channel.purpose,
        )

    def _store_message(self, message: FakeMessage) -> None:
        self._messages.setdefault(message.channel, []).append(message)

    def _has_scope(self, scope: str) -> bool:
        if scope == "chat:write.public" and self.scopes is ALL_SCOPES:
            # Only an explicit grant lets the bot post where it is not a member; tests want not_in_channel by default.
            return False
        return scope in self.scopes

    def _check_blocks(self, blocks: list[dict[str, Any]]) -> None:
        if self._blockkit is None:
            if len(blocks) > 50:
                raise SlackApiFailure("invalid_blocks", errors=["no more than 50 items allowed [json-pointer:/blocks]"])
            return
        reason = self._blockkit.check_message_blocks(blocks)
        if reason:
            raise SlackApiFailure("invalid_blocks", errors=[reason], response_metadata={"messages": [reason]})

    def _check_view(self, view: dict[str, Any]) -> None:
        if self._blockkit is None:
            return
        reason = self._blockkit.check_view(view)
        if reason:
            raise SlackApiFailure("invalid_blocks", errors=[reason], response_metadata={"messages": [reason]})

    def _new_view(self, view: dict[str, Any], user_id: str, previous: str | None = None) -> dict[str, Any]:
        view_id = self._next_id("V")
        stack = self._modal_stacks.get(user_id, [])
        stored = self._view_record(view, view_id)
        stored["previous_view_id"] = previous
        stored["root_view_id"] = stack[0] if previous and stack else view_id
        self._views[view_id] = stored
        self._view_owner[view_id] = user_id
        return copy.deepcopy(stored)

    def _replace_view(self, view_id: str, view: dict[str, Any]) -> dict[str, Any]:
        current = self._views[view_id]
        stored = self._view_record(view, view_id)
        stored["previous_view_id"] = current.get("previous_view_id")
        stored["root_view_id"] = current.get("root_view_id")
        self._views[view_id] = stored
        return copy.deepcopy(stored)

    def _view_record(self, view: dict[str, Any], view_id: str) -> dict[str, Any]:
        stored: dict[str, Any] = {
            "id": view_id,
            "team_id": self.team_id,
            "type": view.get("type"),
            "blocks": copy.deepcopy(view.get("blocks") or []),
            "private_metadata": view.get("private_metadata") or "",
            "callback_id": view.get("callback_id") or "",
            "state": {"values": {}},
            "hash": f"{int(self._wall_clock())}.{secrets.token_hex(4)}",
            "title": view.get("title"),
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "close": view.get("close"),
            "submit": view.get("submit"),
            "previous_view_id": None,
            "root_view_id": view_id,
            "app_id": self.app_id,
            "external_id": view.get("external_id") or "",
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }
        if view.get("type") == "home":
            for key in ("close", "submit", "title"):
                if stored[key] is None:
                    del stored[key]
        return stored

    # ---- modal stack changes the driver makes (what the Slack client does) -----------------------------------

    def _set_view_state(self, view_id: str, block_id: str, action_id: str, state: dict[str, Any]) -> None:
        with self._lock:
            values = self._views[view_id].setdefault("state", {}).setdefault("values", {})
            values.setdefault(block_id, {})[action_id] = state

    def _store_view_state(self, view_id: str, state: dict[str, Any]) -> None:
        with self._lock:
            self._views[view_id]["state"] = copy.deepcopy(state)

    def _apply_view_response(self, user_id: str, view_id: str, answer: dict[str, Any] | None) -> None:
        """Apply a view_submission ack: errors keep the modal, update/push/clear change the stack, else it closes."""
        with self._lock:
            stack = self._modal_stacks.setdefault(user_id, [])
            action = (answer or {}).get("response_action")
            new_view = (answer or {}).get("view")
            if answer:
                self._calls.append(ApiCall(method="response_action", args=copy.deepcopy(answer)))
            if action == "errors":
                return
            if action in {"update", "push"} and isinstance(new_view, dict):
                reason = self._blockkit.check_view(new_view) if self._blockkit is not None else None
                if reason:
                    # Slack shows the user an error and leaves the modal as it was.
                    logger.warning("response_action %s refused: invalid view: %s", action, reason)
                    return
            if action == "update" and isinstance(new_view, dict):
                self._replace_view(view_id, new_view)
                return
            if action == "push" and isinstance(new_view, dict):
                if len(stack) >= 3:
                    logger.warning("response_action push refused: stack already has 3 views")
                    return
                stored = self._new_view(new_view, user_id, previous=stack[-1] if stack else None)
                stack.append(stored["id"])
                return
            if action == "clear":
                stack.clear()
                return
            if view_id in stack:
                del stack[stack.index(view_id) :]

    def _close_view(self, user_id: str, view_id: str) -> bool:
        """The user closes a modal; True when the whole stack was cleared (clear_on_close)."""
        with self._lock:
            stack = self._modal_stacks.setdefault(user_id, [])
            if self._views[view_id].get("clear_on_close") or (stack and stack[0] == view_id):
                cleared = bool(self._views[view_id].get("clear_on_close"))
                stack.clear()
                return cleared
            if view_id in stack:
                del stack[stack.index(view_id) :]
            return False

    # ---- Web API entry point -------------------------------------------------------------------------------

    def handle_api(
        self, method: str, args: dict[str, Any], token: str | None
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        """Run one Web API call: (HTTP status, JSON body, extra headers). Faults and rate limits apply first."""
        public_args = {key: value for key, value in args.items() if key != "token"}
        with self._lock:
            self._calls.append(ApiCall(method=method, args=_decoded(public_args)))
            self._deliver_due_scheduled()
        fault = self.faults.match(method) if self.faults is not None else None
        if fault is not None:
            outcome = self._apply_fault(fault)
            if outcome is not None:
                return outcome
        error = self._check_token(method, token)
        if error is not None:
            return 200, {"ok": False, "error": error}, {}
        if self.rate_limits is not None:
            with self._lock:
                channel = self._rate_limit_channel(public_args.get("channel"))
            retry_after = self.rate_limits.check(method, channel=channel, team=self.team_id)
            if retry_after is not None:
                seconds = max(1, math.ceil(retry_after))
                logger.info("%s rate limited: retry after %ss", method, seconds)
                return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(seconds)}
        with self._lock:
            try:
                parsed = parse_json_args(public_args)
                self._validate(method, parsed, token_type="app" if token == self.app_token else "bot")
                handler = self._api.handlers.get(method)
                if handler is None:
                    return 200, {"ok": False, "error": "unknown_method"}, {}
                body = handler(parsed)
            except SlackApiFailure as failure:
                logger.debug("%s refused: %s", method, failure.error)
                return 200, {"ok": False, "error": failure.error, **failure.extra}, {}
        return 200, {"ok": True, **body}, {}

    def _rate_limit_channel(self, channel: Any) -> str | None:
        """The conversation id a call posts to (a user id counts as the bot's DM with them)."""
        if not isinstance(channel, str) or not channel:
            return None
        if channel[:1] in {"U", "W"}:
            for conversation in self._conversations.values():
                if conversation.kind == "im" and conversation.im_user == channel:
                    return conversation.id
        return channel

    def revoke_tokens(self) -> None:
        """The app was uninstalled or its tokens revoked: every later call with them answers token_revoked."""
        with self._lock:
            self._revoked = True

    def restore_tokens(self) -> None:
        """Undo revoke_tokens (the app was reinstalled)."""
        with self._lock:
            self._revoked = False

    def _check_token(self, method: str, token: str | None) -> str | None:
        if not token:
            return "not_authed"
        if self._revoked and token in {self.bot_token, self.app_token}:
            return "token_revoked"
        if method == "apps.connections.open":
            if token == self.app_token:
                return None
            return "not_allowed_token_type" if token == self.bot_token else "invalid_auth"
        if token == self.app_token:
            return "not_allowed_token_type"
        return None if token == self.bot_token else "invalid_auth"

    def _validate(self, method: str, args: dict[str, Any], token_type: str) -> None:
        if self._catalog is None or (method not in self._catalog and method in self._api.handlers):
            return  # a method the fake implements but the packaged catalog does not describe
        granted = self.scopes
        error = self._catalog.check_call(
            method, args, granted, channel_type=self._channel_type(args.get("channel")), token_type=token_type
        )
        if error is not None:
            raise SlackApiFailure(error.error, **dict(error.extra or {}))
        # slack_sdk adds team_id to every call when the client knows it (org-wide apps); Slack accepts it anywhere.
        unknown = [name for name in self._catalog.unknown_args(method, args) if name != "team_id"]
        if unknown:
            logger.warning("%s called with arguments Slack does not document: %s", method, unknown)

    def _channel_type(self, channel: Any) -> str | None:
        """public/private/im/mpim of a channel argument the fake knows (a user id means an im)."""
        if not isinstance(channel, str) or not channel:
            return None
        if channel[:1] in {"U", "W"}:
            return "im"
        conversation = self._conversations.get(channel)
        return conversation.kind if conversation is not None else None

    def _apply_fault(self, fault: Any) -> tuple[int, dict[str, Any], dict[str, str]] | None:
        """Render a matched fault: (status, body, headers), (-1, ...) to drop the connection, None to go on."""
        logger.info("fault injected: %s", fault.kind)
        rendered = hooks.fault_response(fault)
        if rendered is None:
            return None
        if rendered.drop:
            return -1, {}, {}
        if rendered.delay:
            time.sleep(rendered.delay)
        if rendered.status is None:
            return None
        return int(rendered.status), dict(rendered.body or {}), dict(rendered.headers)

    # ---- response_url --------------------------------------------------------------------------------------

    def handle_response_url(self, key: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Honour a POST to a response_url like Slack: ephemeral by default, replace/delete the original."""
        with self._lock:
            hook = self._response_urls.get(key)
            if hook is None:
                return 404, {"ok": False, "error": "no_such_url"}
            if self._clock() - hook.minted_at > RESPONSE_URL_TTL_SECONDS:
                return 404, {"ok": False, "error": "expired_url"}
            if hook.uses >= RESPONSE_URL_MAX_USES:
                return 404, {"ok": False, "error": "used_url"}
            hook.uses += 1
            self._calls.append(ApiCall(method="response_url", args=copy.deepcopy(body)))
            try:
                body = parse_json_args(body)
                return 200, self._respond(hook, body)
            except SlackApiFailure as failure:
                return 400, {"ok": False, "error": failure.error, **failure.extra}

    def show_command_ack(self, user: str, channel: str, body: str) -> None:
        """Show a slash command ack body as Slack does: JSON or plain text, ephemeral unless in_channel."""
        try:
            loaded = json.loads(body)
        except ValueError:
            loaded = {"text": body}
        if not isinstance(loaded, dict) or not (loaded.get("text") or loaded.get("blocks")):
            return
        with self._lock:
            hook = ResponseUrl(user=self.user(user).id, channel=channel, kind="command", minted_at=self._clock())
            try:
                self._respond(hook, parse_json_args(loaded))
            except SlackApiFailure as failure:
                logger.warning("slash command ack body refused: %s", failure.error)

    def _respond(self, hook: ResponseUrl, body: dict[str, Any]) -> dict[str, Any]:
        original = None
        if hook.message_ts is not None:
            original = next((m for m in self._messages.get(hook.channel, []) if m.ts == hook.message_ts), None)
        if as_bool(body.get("delete_original")):
            if original is None:
                raise SlackApiFailure("message_not_found")
            self._messages[hook.channel].remove(original)
            return {"ok": True}
        text = str(body.get("text") or "")
        blocks = body.get("blocks") or []
        if not text and not blocks and not body.get("attachments"):
            raise SlackApiFailure("no_text")
        if blocks:
            self._check_blocks(blocks)
        if as_bool(body.get("replace_original")):
            if original is None:
                raise SlackApiFailure("message_not_found")
            original.text = text
            original.blocks = blocks
            original.edited = True
            return {"ok": True}
        conversation = self._conversations.get(hook.channel)
        if conversation is None:
            raise SlackApiFailure("channel_not_found")
        in_channel = body.get("response_type") == "in_channel"
        message = FakeMessage(
            ts=self._mint_ts(),
            channel=conversation.id,
            user=self.bot_user_id,
            text=text,
            blocks=blocks,
            ephemeral_to=None if in_channel else hook.user,
            thread_ts=str(body["thread_ts"]) if body.get("thread_ts") else None,
            bot_id=self.bot_id,
            app_id=self.app_id,
            team=self.team_id,
        )
        self._store_message(message)
        return {"ok": True}


def _decoded(args: dict[str, Any]) -> dict[str, Any]:
    """A copy of call arguments with JSON-string values (blocks, view, ...) decoded, as the recorded call shows them."""
    try:
        return copy.deepcopy(parse_json_args(args))
    except SlackApiFailure:
        return copy.deepcopy(args)


def _manifest_scopes() -> frozenset[str]:
    scopes = hooks.manifest_bot_scopes()
    return ALL_SCOPES if scopes is None else frozenset(scopes)


class _Server(ThreadingHTTPServer):
    """Threaded HTTP server with a listen backlog for bursts (the default 5 drops SYNs: 1 s client retries)."""

    request_queue_size = 128
    daemon_threads = True


class _Handler(BaseHTTPRequestHandler):
    """HTTP plumbing: /api/<method> and /hooks/... ."""

    fake: FakeSlack
    server_version = "FakeSlack/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("http: " + format, *args)

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def _read_body(self) -> tuple[bytes, str]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        return raw, (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()

    def _dispatch(self) -> None:
        parsed_url = urllib.parse.urlsplit(self.path)
        raw, content_type = self._read_body()
        if parsed_url.path.startswith("/hooks/"):
            self._hook(parsed_url.path, raw)
            return
        if parsed_url.path.startswith("/upload/v1/"):
            status, text = self.fake.handle_upload(parsed_url.path.rsplit("/", 1)[-1], raw)
            self._send_text(status, text)
            return
        if not parsed_url.path.startswith("/api/"):
            self._send(404, {"ok": False, "error": "unknown_method"}, {})
            return
        method = parsed_url.path[len("/api/") :].strip("/")
        args: dict[str, Any] = dict(urllib.parse.parse_qsl(parsed_url.query, keep_blank_values=True))
        if raw:
            if content_type == "application/json":
                try:
                    loaded = json.loads(raw.decode("utf-8"))
                except ValueError:
                    self._send(200, {"ok": False, "error": "invalid_json"}, {})
                    return
                if isinstance(loaded, dict):
                    args.update(loaded)
            else:
                args.update(urllib.parse.parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
        token = None
        authorization = self.headers.get("Authorization") or ""
        if authorization.lower().startswith("bearer "):
            token = authorization[7:].strip()
        if not token and args.get("token"):
            token = str(args["token"])
        status, body, headers = self.fake.handle_api(method, args, token)
        if status == -1:
            self.close_connection = True
            self.connection.close()
            return
        self._send(status, body, headers)

    def _hook(self, path: str, raw: bytes) -> None:
        key = path.split("/", 3)[3] if path.count("/") >= 3 else ""
        try:
            body = json.loads(raw.decode("utf-8") or "{}")
        except ValueError:
            body = dict(urllib.parse.parse_qsl(raw.decode("utf-8")))
            if "payload" in body:
                body = json.loads(body["payload"])
        status, answer = self.fake.handle_response_url(key, body if isinstance(body, dict) else {})
        self._send(status, answer, {})

    def _send_text(self, status: int, text: str) -> None:
        data = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _send(self, status: int, body: dict[str, Any], headers: dict[str, str]) -> None:
        data = json.dumps(body).encode("utf-8")
        try:
            self.send_response(status, HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "")
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            logger.debug("client went away before the answer")
