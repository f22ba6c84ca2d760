"""FakeSlack: a local Slack (Web API over real HTTP, response_url hooks, Socket Mode) holding a seeded workspace.

It puts the pieces together and is what tests and drivers hold: the workspace (``state``, ``modals``), the Web API
on it (``webapi``), response_urls (``responses``) and the HTTP server (``server``). A Web API call passes, in
order, fault injection, the token check, rate limits and argument/scope validation before its method runs.
Inspection methods (``messages``, ``views``, ``calls``, ...) hand out copies.
"""

from __future__ import annotations

import logging
import math
import secrets
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, Literal, cast

from bot.sandbox.seed import SeedUser, WorkspaceSeed, default_workspace
from bot.sandbox.slack import manifest
from bot.sandbox.slack.errors import SlackApiFailure, parse_json_args
from bot.sandbox.slack.faults import Fault, FaultInjector, fault_response
from bot.sandbox.slack.modals import ModalStacks
from bot.sandbox.slack.ratelimit import RateLimiter
from bot.sandbox.slack.records import ApiCall, Conversation, FakeFile, FakeMessage
from bot.sandbox.slack.responses import ResponseUrls
from bot.sandbox.slack.server import DROP_CONNECTION, SlackHttpServer
from bot.sandbox.slack.socket_mode import SocketModeServer
from bot.sandbox.slack.state import ALL_SCOPES, AppHome, SlackState
from bot.sandbox.slack.validation import ChannelType, MethodCatalog
from bot.sandbox.slack.webapi import WebApi

logger = logging.getLogger(__name__)

__all__ = ["ALL_SCOPES", "AppHome", "FakeSlack"]


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
        seed = seed or default_workspace()
        # None = read manifest.yml's bot scopes; no manifest = every scope granted (ALL_SCOPES).
        if scopes is ALL_SCOPES:
            granted: frozenset[str] = ALL_SCOPES
        elif scopes is not None:
            granted = frozenset(scopes)
        else:
            declared = manifest.manifest_bot_scopes()
            granted = ALL_SCOPES if declared is None else frozenset(declared)
        self.state = SlackState(
            seed,
            scopes=granted,
            app_home=app_home if app_home is not None else AppHome.from_manifest(),
            clock=clock,
            wall_clock=wall_clock,
        )
        self.seed = seed
        self.team_id = self.state.team_id
        self.bot_user_id = self.state.bot_user_id
        self.bot_id = self.state.bot_id
        self.app_id = self.state.app_id
        self.bot_token = f"xoxb-{self.team_id}-{secrets.token_hex(6)}"
        self.app_token = f"xapp-1-{self.app_id}-{secrets.token_hex(6)}"
        # Bot tokens minted by OAuth installs (bot.sandbox.slack.grid): each valid like bot_token until revoked or
        # past its expiry (wall-clock seconds; None: never expires).
        self.issued_tokens: dict[str, float | None] = {}
        self.signing_secret = secrets.token_hex(16)
        self.verification_token = secrets.token_hex(12)
        # Commands whose text Slack escapes (@maya → <@U…|maya>); from manifest.yml, editable by tests.
        self.escaped_commands: set[str] = manifest.manifest_escaped_commands() or set()
        # Bot events the app subscribes to (message.im, app_home_opened, ...); None = every event is delivered.
        self.subscribed_events: set[str] | None = manifest.manifest_bot_events()
        self.catalog = MethodCatalog.load()
        # Off by default: fake.rate_limits.set_enabled(True).
        self.rate_limits = RateLimiter(catalog=self.catalog, clock=clock, enabled=False)
        self.faults = FaultInjector(clock=clock)
        self.responses = ResponseUrls(self.state)
        self._host = host
        # Where Slack is reached when a grid (bot.sandbox.slack.grid) fronts several workspaces: response_urls and
        # upload URLs point there, as they point at one Slack host whatever the workspace. None: this server.
        self.front_url: str | None = None
        self._server = SlackHttpServer(self, host)
        self._socket_server: SocketModeServer | None = None
        self._socket_lock = threading.Lock()
        self._api = WebApi(
            self.state,
            upload_url=lambda file_id: f"{self.front_url or self.base_url}/upload/v1/{file_id}",
            socket_mode_url=lambda: self.socket_server().url(secrets.token_hex(8)),
        )

    # ---- the app's installation ------------------------------------------------------------------------------

    @property
    def scopes(self) -> frozenset[str]:
        """The bot scopes the app was granted (ALL_SCOPES: every one)."""
        return self.state.scopes

    @scopes.setter
    def scopes(self, granted: frozenset[str]) -> None:
        self.state.scopes = granted

    @property
    def app_home(self) -> AppHome:
        """The App Home switches Slack enforces."""
        return self.state.app_home

    @app_home.setter
    def app_home(self, switches: AppHome) -> None:
        self.state.app_home = switches

    @property
    def modals(self) -> ModalStacks:
        """Views and modal stacks (the drivers change them the way the Slack client does)."""
        return self.state.modals

    # ---- lifecycle -----------------------------------------------------------------------------------------

    def start(self) -> FakeSlack:
        """Serve on 127.0.0.1:<free port> in a daemon thread."""
        if not self._server.running:
            self._server.start()
            logger.info("fake Slack listening on %s", self.base_url)
        return self

    def stop(self) -> None:
        """Stop the HTTP server (and the Socket Mode server if started)."""
        with self._socket_lock:
            if self._socket_server is not None:
                self._socket_server.stop()
                self._socket_server = None
        self._server.stop()

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """http://127.0.0.1:PORT (no trailing slash)."""
        return self._server.base_url

    @property
    def api_url(self) -> str:
        """The WebClient base_url: http://127.0.0.1:PORT/api/."""
        return f"{self.base_url}/api/"

    def socket_server(self) -> SocketModeServer:
        """The Socket Mode websocket server (started on first use)."""
        with self._socket_lock:
            if self._socket_server is None:
                self._socket_server = SocketModeServer(host=self._host, app_id=self.app_id)
                self._socket_server.start()
            return self._socket_server

    # ---- workspace -----------------------------------------------------------------------------------------

    def user(self, handle: str) -> SeedUser:
        """The user with this handle (or id)."""
        return self.state.user(handle)

    def users(self) -> list[SeedUser]:
        """All users, including bots and deactivated users."""
        return self.state.users()

    def channel_id(self, name: str) -> str:
        """The id of the channel with this name ('#coffee' or 'coffee')."""
        return self.state.channel_id(name)

    def conversation(self, channel_id: str) -> Conversation:
        """A copy of the stored conversation (KeyError when unknown)."""
        found = self.state.find_conversation_record(channel_id)
        if found is None:
            raise KeyError(channel_id)
        return found.copy()

    def conversations(self, member: str | None = None) -> list[Conversation]:
        """Copies of every conversation (channels, DMs, group DMs), optionally only those `member` is in."""
        member_id = self.user(member).id if member else None
        with self.state.lock:
            return [
                conversation.copy()
                for conversation in self.state.conversation_records()
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

        def make(serial: int) -> SeedUser:
            return SeedUser(
                handle=handle,
                id=user_id or f"U0NEW{serial:05d}",
                real_name=real_name or handle.title(),
                title=title,
                department=department,
                tz=tz,
                display_name=handle,
                email=f"{handle}@rapport.example",
                is_bot=is_bot,
                bot_id=f"B0NEW{serial:05d}" if is_bot else "",
            )

        with self.state.lock:
            user = self.state.add_user(make)
            for channel in channels:
                self.state.join(channel, user.id)
            return user

    def deactivate(self, user: str) -> None:
        """Deactivate a member (users.info then says deleted: true)."""
        self.state.deactivate(user)

    def join(self, channel: str, user: str) -> None:
        """Add a user (handle or id; the bot too) to a channel (name or id)."""
        self.state.join(channel, user)

    def leave(self, channel: str, user: str) -> None:
        """Remove a user from a channel."""
        self.state.leave(channel, user)

    def archive(self, channel: str) -> None:
        """Archive a channel (name or id): posting there answers is_archived (the fake has no conversations.archive)."""
        self.state.archive(channel)

    def dm_channel(self, user_ids: str | list[str] | tuple[str, ...]) -> str:
        """The id conversations.open returns for these users (D… for one, G… for 2–8); opens it if needed."""
        ids = [user_ids] if isinstance(user_ids, str) else list(user_ids)
        ids = [self.user(user).id for user in ids if self.user(user).id != self.bot_user_id]
        if len(ids) == 1:
            return self.state.open_im(ids[0])[0].id
        return self.state.open_mpim(ids)[0].id

    def post_as_user(self, user: str, channel: str, text: str, thread_ts: str | None = None) -> FakeMessage:
        """Store a message written by a member (channel id/name, or a user id meaning that user's DM with the bot)."""
        state = self.state
        with state.lock:
            author = self.user(user)
            if channel[:1] in {"U", "W"}:
                conversation = state.open_im(author.id if channel == self.bot_user_id else channel)[0]
            else:
                conversation = state.channel_record(channel)
            message = FakeMessage(
                ts=state.ids.ts(), channel=conversation.id, user=author.id, text=text, thread_ts=thread_ts
            )
            message.team = self.team_id
            state.store_message(message)
            return message.copy()

    # ---- inspection ----------------------------------------------------------------------------------------

    def messages(self, channel_or_user_id: str, as_user: str | None = None) -> list[FakeMessage]:
        """Messages in a conversation as `as_user` sees them (ephemerals only theirs); a user id = the bot DM."""
        state = self.state
        with state.lock:
            state.deliver_due()
            channel_id = state.resolve(channel_or_user_id)
            if channel_id is None:
                return []
            viewer = self.user(as_user).id if as_user else None
            return [
                message.copy()
                for message in state.messages_in(channel_id)
                if message.ephemeral_to is None or message.ephemeral_to == viewer
            ]

    def message(self, channel: str, ts: str) -> FakeMessage:
        """The stored message with this ts (any visibility)."""
        state = self.state
        with state.lock:
            found = state.find_message_record(state.resolve(channel) or channel, ts)
            if found is None:
                raise KeyError((channel, ts))
            return found.copy()

    def views(self, user: str) -> list[dict[str, Any]]:
        """The user's modal stack, root first (copies)."""
        return self.modals.stack(self.user(user).id)

    def view(self, view_id: str) -> dict[str, Any]:
        """The current version of a view (modal or home) by id."""
        return self.modals.view(view_id)

    def home(self, user: str) -> dict[str, Any] | None:
        """The Home tab view published for the user, or None."""
        return self.modals.home(self.user(user).id)

    def calls(self, method: str | None = None) -> list[ApiCall]:
        """Every Web API call received, in order (optionally only one method)."""
        with self.state.lock:
            return self.state.log.calls(method)

    def reset_calls(self) -> None:
        """Forget the recorded calls."""
        with self.state.lock:
            self.state.log.clear()

    def deliver_scheduled(self) -> int:
        """Post every scheduled message whose post_at the wall clock has reached; returns how many."""
        return self.state.deliver_due()

    def files(self) -> list[FakeFile]:
        """Every uploaded file (copies), with content and where it was shared."""
        return self.state.files()

    # ---- what drivers mint ---------------------------------------------------------------------------------

    def mint_trigger(self, user: str) -> str:
        """A fresh trigger_id for the user (what Slack sends with every interaction)."""
        return self.state.mint_trigger(self.user(user).id)

    def mint_response_url(self, user: str, channel: str, kind: str, message_ts: str | None = None) -> str:
        """A fresh response_url on this fake (commands: ephemeral by default; actions: tied to a message)."""
        path = self.responses.mint(self.user(user).id, channel, kind, message_ts)
        return f"{self.front_url or self.base_url}/hooks/{path}"

    def show_command_ack(self, user: str, channel: str, body: str) -> None:
        """Show a slash command ack body as Slack does: JSON or plain text, ephemeral unless in_channel."""
        self.responses.show_command_ack(self.user(user).id, channel, body)

    # ---- tokens --------------------------------------------------------------------------------------------

    def revoke_tokens(self) -> None:
        """The app was uninstalled or its tokens revoked: every later call with them answers token_revoked."""
        with self.state.lock:
            self.state.revoked = True
            self.issued_tokens.clear()

    def restore_tokens(self) -> None:
        """Undo revoke_tokens (the app was reinstalled)."""
        with self.state.lock:
            self.state.revoked = False

    def issue_bot_token(self, lifetime: float | None = None) -> str:
        """A new bot token for this workspace (an OAuth install or a token refresh), valid until revoked or, with a
        ``lifetime``, until that many seconds have passed."""
        token = f"xoxb-{self.team_id}-{secrets.token_hex(8)}"
        with self.state.lock:
            self.issued_tokens[token] = None if lifetime is None else self.state.wall_clock() + lifetime
        return token

    def expire_tokens(self) -> None:
        """Every minted token that expires at all has expired (time passed): calls with them say token_expired."""
        with self.state.lock:
            for token, expires_at in self.issued_tokens.items():
                if expires_at is not None:
                    self.issued_tokens[token] = 0.0

    def revoke_issued(self, token: str | None = None) -> None:
        """Revoke one minted token (a refreshed one), or every one of them (an uninstall)."""
        with self.state.lock:
            if token is None:
                self.issued_tokens.clear()
            else:
                self.issued_tokens.pop(token, None)

    def owns_token(self, token: str) -> bool:
        """Whether ``token`` is one of this workspace's (configured, app-level or minted; revoked or not)."""
        return token in {self.bot_token, self.app_token} or token.startswith(f"xoxb-{self.team_id}-")

    def _check_token(self, method: str, token: str | None) -> str | None:
        if not token:
            return "not_authed"
        if self.state.revoked and token in {self.bot_token, self.app_token}:
            return "token_revoked"
        if token.startswith(f"xoxb-{self.team_id}-") and token != self.bot_token:
            if token not in self.issued_tokens:
                return "token_revoked"
            expires_at = self.issued_tokens[token]
            return "token_expired" if expires_at is not None and expires_at <= self.state.wall_clock() else None
        if method == "apps.connections.open":
            if token == self.app_token:
                return None
            return "not_allowed_token_type" if token == self.bot_token else "invalid_auth"
        if token == self.app_token:
            return "not_allowed_token_type"
        return None if token == self.bot_token else "invalid_auth"

    # ---- HTTP routes (bot.sandbox.slack.server.Routes) ---------------------------------------------------------

    def handle_api(
        self, method: str, args: dict[str, Any], token: str | None
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        """Run one Web API call: (HTTP status, JSON body, extra headers). Faults and rate limits apply first."""
        state = self.state
        public_args = {key: value for key, value in args.items() if key != "token"}
        with state.lock:
            state.log.record(method, public_args)
            state.deliver_due()
        fault = self.faults.match(method)
        if fault is not None:
            outcome = self._apply_fault(fault)
            if outcome is not None:
                return outcome
        error = self._check_token(method, token)
        if error is not None:
            return 200, {"ok": False, "error": error}, {}
        with state.lock:
            channel = self._rate_limit_channel(public_args.get("channel"))
        retry_after = self.rate_limits.check(method, channel=channel, team=self.team_id)
        if retry_after is not None:
            seconds = max(1, math.ceil(retry_after))
            logger.info("%s rate limited: retry after %ss", method, seconds)
            return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(seconds)}
        with state.lock:
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

    def handle_response_url(self, key: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Honour a POST to a response_url like Slack: ephemeral by default, replace/delete the original."""
        return self.responses.handle(key, body)

    def handle_upload(self, file_id: str, content: bytes) -> tuple[int, str]:
        """The upload URL of files.getUploadURLExternal: store the bytes."""
        if not self.state.upload(file_id, content):
            return 404, "Not Found"
        return 200, f"OK - {len(content)}"

    def _rate_limit_channel(self, channel: Any) -> str | None:
        """The conversation id a call posts to (a user id counts as the bot's DM with them)."""
        if not isinstance(channel, str) or not channel:
            return None
        if channel[:1] in {"U", "W"}:
            im = self.state.im_of(channel)
            return im.id if im is not None else channel
        return channel

    def _validate(self, method: str, args: dict[str, Any], token_type: Literal["bot", "app"]) -> None:
        if method not in self.catalog and method in self._api.handlers:
            return  # a method the fake implements but the packaged catalog does not describe
        error = self.catalog.check_call(
            method, args, self.scopes, channel_type=self._channel_type(args.get("channel")), token_type=token_type
        )
        if error is not None:
            raise SlackApiFailure(error.error, **dict(error.extra or {}))
        # slack_sdk adds team_id to every call when the client knows it (org-wide apps); Slack accepts it anywhere.
        unknown = [name for name in self.catalog.unknown_args(method, args) if name != "team_id"]
        if unknown:
            logger.warning("%s called with arguments Slack does not document: %s", method, unknown)

    def _channel_type(self, channel: Any) -> ChannelType | None:
        """public/private/im/mpim of a channel argument the fake knows (a user id means an im)."""
        if not isinstance(channel, str) or not channel:
            return None
        if channel[:1] in {"U", "W"}:
            return "im"
        conversation = self.state.find_conversation_record(channel)
        return cast(ChannelType, conversation.kind) if conversation is not None else None

    def _apply_fault(self, fault: Fault) -> tuple[int, dict[str, Any], dict[str, str]] | None:
        """Render a matched fault: (status, body, headers), DROP_CONNECTION to drop it, None to go on."""
        logger.info("fault injected: %s", fault.kind)
        rendered = fault_response(fault)
        if rendered.drop:
            return DROP_CONNECTION, {}, {}
        if rendered.delay:
            time.sleep(rendered.delay)
        if rendered.status is None:
            return None
        return int(rendered.status), dict(rendered.body or {}), dict(rendered.headers)
