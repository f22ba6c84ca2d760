"""Drivers: Slack's side of the bot's inbound protocols (signed HTTP requests, or Socket Mode envelopes).

Payloads follow Slack's real samples (the team's shared slack-specs/payloads/: slash command form body,
block_actions, view_submission, view_closed, shortcuts, event_callback wrapper). Callers build a driver from the
fake: ``HttpDriver(fake, events_url)`` or ``SocketDriver(fake)``.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import http.client
import json
import logging
import re
import time
import urllib.parse
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.sandbox.elements import Shape, all_options, element_type
from bot.sandbox.slack.fake import FakeSlack
from bot.sandbox.slack.records import FakeMessage, iter_elements, plain_text

logger = logging.getLogger(__name__)

MAX_EVENT_RETRIES = 3


@dataclass
class DriverResponse:
    """What the bot answered (ack) to one delivery."""

    status: int
    body: str
    headers: dict[str, str] = field(default_factory=dict)
    timed_out: bool = False
    elapsed: float = 0.0
    attempts: int = 1
    payload: dict[str, Any] = field(default_factory=dict)
    history: list[DriverResponse] = field(default_factory=list)

    def json(self) -> Any:
        """The body parsed as JSON (None when empty)."""
        return json.loads(self.body) if self.body.strip() else None

    @property
    def ok(self) -> bool:
        """True when the bot acked in time with a 2xx."""
        return not self.timed_out and 200 <= self.status < 300


def sign(signing_secret: str, timestamp: str, body: bytes) -> str:
    """Slack's v0 request signature."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()


def _option_for(element: dict[str, Any], value: Any) -> dict[str, Any]:
    options = all_options(element)
    if value is None and options:
        return copy.deepcopy(options[0])
    for option in options:
        if option.get("value") == value:
            return copy.deepcopy(option)
    raise KeyError(f"no option with value {value!r} in {element.get('action_id')!r}")


def _as_list(value: Any) -> list[Any]:
    return [] if value is None else list(value) if isinstance(value, list | tuple) else [value]


def element_state(element: dict[str, Any], value: Any) -> dict[str, Any]:
    """The typed state Slack reports for an element set to `value` (selected_user, selected_option, value, ...)."""
    kind = element_type(element)
    key = kind.state_key or "value"
    state: dict[str, Any] = {"type": str(element.get("type"))}
    if kind.shape is Shape.TEXT:
        state[key] = None if value is None else str(value)
    elif kind.shape is Shape.OPTION:
        state[key] = None if value is None else _option_for(element, value)
    elif kind.shape is Shape.OPTIONS:
        state[key] = [_option_for(element, item) for item in _as_list(value)]
    elif kind.shape is Shape.IDS:
        state[key] = list(value or [])
    else:
        state[key] = value
    return state


def initial_value(element: dict[str, Any]) -> Any:
    """The value an element starts with (its initial_* field), in the driver's input form."""
    kind = element_type(element)
    start = element.get(kind.initial_key) if kind.initial_key else None
    if kind.shape is Shape.OPTION:
        return start.get("value") if isinstance(start, dict) else None
    if kind.shape is Shape.OPTIONS:
        return [option.get("value") for option in start or []]
    if kind.shape is Shape.IDS:
        return list(start) if start is not None else None
    return start


class SlackWouldNotDeliver(RuntimeError):
    """The event would never reach the bot on real Slack (not subscribed in the manifest, or bot not in channel)."""


MESSAGE_EVENT_BY_CHANNEL_TYPE = {
    "channel": "message.channels",
    "group": "message.groups",
    "im": "message.im",
    "mpim": "message.mpim",
}


class Driver:
    """Payload builders shared by the HTTP and Socket Mode drivers; subclasses implement `_deliver`."""

    def __init__(self, fake: FakeSlack, ack_timeout: float = 3.0) -> None:
        self.fake = fake
        self.ack_timeout = ack_timeout

    # transport -------------------------------------------------------------------------------------------

    def _deliver(self, kind: str, payload: dict[str, Any]) -> DriverResponse:
        raise NotImplementedError

    def _deliver_event(self, payload: dict[str, Any]) -> DriverResponse:
        raise NotImplementedError

    # common pieces ---------------------------------------------------------------------------------------

    def _user_ref(self, user: str) -> dict[str, Any]:
        found = self.fake.user(user)
        return {"id": found.id, "username": found.handle, "name": found.handle, "team_id": self.fake.team_id}

    def _team(self) -> dict[str, Any]:
        return {"id": self.fake.team_id, "domain": self.fake.seed.domain}

    def _channel_ref(self, channel_id: str) -> dict[str, Any]:
        conversation = self.fake.conversation(channel_id)
        name = "directmessage" if conversation.kind == "im" else conversation.name
        return {"id": channel_id, "name": name}

    def _resolve_channel(self, user: str, channel: str | None) -> str:
        if channel is None:
            return self.fake.dm_channel(user)
        if channel.startswith("#"):
            return self.fake.channel_id(channel)
        if channel[:1] in {"U", "W"}:
            return self.fake.dm_channel(channel)
        try:
            self.fake.conversation(channel)
            return channel
        except KeyError:
            pass
        try:
            return self.fake.channel_id(channel)
        except KeyError:
            return self.fake.dm_channel(self.fake.user(channel).id)  # a handle: the bot's DM with that user

    def _action_ts(self) -> str:
        return f"{time.time():.6f}"

    def _current_view(self, view: Mapping[str, Any] | str) -> dict[str, Any]:
        view_id = view if isinstance(view, str) else str(view["id"])
        return self.fake.view(view_id)

    # slash commands --------------------------------------------------------------------------------------

    def escape_command_text(self, text: str) -> str:
        """What Slack sends for a should_escape command: typed @handle / #channel become <@U…|handle> / <#C…|name>."""

        def user(match: re.Match[str]) -> str:
            try:
                found = self.fake.user(match.group(1).lower())
            except KeyError:
                return match.group(0)
            return f"<@{found.id}|{found.handle}>"

        def channel(match: re.Match[str]) -> str:
            try:
                return f"<#{self.fake.channel_id(match.group(1))}|{match.group(1)}>"
            except KeyError:
                return match.group(0)

        escaped = re.sub(r"(?<![<\w])@([A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*)", user, text)
        return re.sub(r"(?<![<\w])#([a-z0-9_-]+)", channel, escaped)

    def slash_command(self, user: str, command: str, text: str = "", channel: str | None = None) -> DriverResponse:
        """Send a slash command as `user` typed it in `channel` (default: their DM with the bot).

        For commands the manifest declares with should_escape, typed @handles and #channels are escaped as Slack
        does; text that is already escaped (<@U…|name>) passes unchanged.
        """
        author = self.fake.user(user)
        channel_id = self._resolve_channel(author.id, channel)
        command = command if command.startswith("/") else "/" + command
        if command in self.fake.escaped_commands:
            text = self.escape_command_text(text)
        payload = {
            "token": self.fake.verification_token,
            "team_id": self.fake.team_id,
            "team_domain": self.fake.seed.domain,
            "channel_id": channel_id,
            "channel_name": self._channel_ref(channel_id)["name"],
            "user_id": author.id,
            "user_name": author.handle,
            "command": command,
            "text": text,
            "api_app_id": self.fake.app_id,
            "is_enterprise_install": "false",
            "response_url": self.fake.mint_response_url(author.id, channel_id, "command"),
            "trigger_id": self.fake.mint_trigger(author.id),
        }
        response = self._deliver("slash_commands", payload)
        if response.ok and response.body.strip():
            self.fake.show_command_ack(author.id, channel_id, response.body)
        return response

    # block actions ---------------------------------------------------------------------------------------

    def _action(self, block_id: str | None, element: dict[str, Any], value: Any) -> dict[str, Any]:
        kind = element.get("type")
        action: dict[str, Any] = {"action_id": element.get("action_id"), "block_id": block_id}
        if kind == "button":
            action.update({"text": element.get("text"), "value": element.get("value") if value is None else value})
            if element.get("style"):
                action["style"] = element["style"]
            action["type"] = "button"
        elif kind == "overflow":
            action.update({"type": "overflow", "selected_option": _option_for(element, value)})
        else:
            action.update(element_state(element, value))
        action["action_ts"] = self._action_ts()
        return action

    def click(self, user: str, message: FakeMessage, action_id: str, value: Any = None) -> DriverResponse:
        """Click a button (or choose `value` in a select/picker) in a message the fake holds."""
        clicker = self.fake.user(user)
        current = self.fake.message(message.channel, message.ts)
        if current.ephemeral_to not in (None, clicker.id):
            raise PermissionError(f"{user} cannot see this ephemeral message")
        block_id, element = self._find_element(current.blocks, action_id)
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": self._user_ref(clicker.id),
            "api_app_id": self.fake.app_id,
            "token": self.fake.verification_token,
            "container": {
                "type": "message",
                "message_ts": current.ts,
                "channel_id": current.channel,
                "is_ephemeral": current.ephemeral_to is not None,
            },
            "trigger_id": self.fake.mint_trigger(clicker.id),
            "team": self._team(),
            "enterprise": None,
            "is_enterprise_install": False,
            "channel": self._channel_ref(current.channel),
        }
        if current.ephemeral_to is None:
            payload["message"] = current.to_api()
        payload["state"] = {"values": {}}
        payload["response_url"] = self.fake.mint_response_url(clicker.id, current.channel, "action", current.ts)
        payload["actions"] = [self._action(block_id, element, value)]
        return self._deliver("interactive", payload)

    @staticmethod
    def _find_element(blocks: list[dict[str, Any]], action_id: str) -> tuple[str | None, dict[str, Any]]:
        for block_id, element in iter_elements(blocks):
            if element.get("action_id") == action_id:
                return block_id, element
        raise KeyError(f"no element with action_id {action_id!r}")

    def click_in_view(
        self, user: str, view: Mapping[str, Any] | str, action_id: str, value: Any = None
    ) -> DriverResponse:
        """Click/choose an element inside a modal or the Home tab."""
        clicker = self.fake.user(user)
        current = self._current_view(view)
        block_id, element = self._find_element(current.get("blocks") or [], action_id)
        if element.get("type") != "button" and block_id is not None:
            self.fake.modals.set_state(current["id"], block_id, str(action_id), element_state(element, value))
            current = self._current_view(current["id"])
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": self._user_ref(clicker.id),
            "api_app_id": self.fake.app_id,
            "token": self.fake.verification_token,
            "container": {"type": "view", "view_id": current["id"]},
            "trigger_id": self.fake.mint_trigger(clicker.id),
            "team": self._team(),
            "enterprise": None,
            "is_enterprise_install": False,
            "view": current,
            "actions": [self._action(block_id, element, value)],
        }
        return self._deliver("interactive", payload)

    # views ------------------------------------------------------------------------------------------------

    def view_state(self, view: Mapping[str, Any], inputs: Mapping[str, Any]) -> dict[str, Any]:
        """state.values for a view: each input element set from `inputs` (by action_id) or its initial value."""
        values: dict[str, dict[str, Any]] = {}
        known: set[str] = set()
        for block in view.get("blocks") or []:
            if block.get("type") != "input" or not isinstance(block.get("element"), dict):
                continue
            element = block["element"]
            action_id = str(element.get("action_id"))
            known.add(action_id)
            value = inputs[action_id] if action_id in inputs else initial_value(element)
            values.setdefault(str(block.get("block_id")), {})[action_id] = element_state(element, value)
        stored = (view.get("state") or {}).get("values") or {}
        for block_id, actions in stored.items():
            for action_id, state in actions.items():
                if action_id not in known:
                    values.setdefault(block_id, {})[action_id] = state
        unknown = set(inputs) - known - {a for actions in stored.values() for a in actions}
        if unknown:
            raise KeyError(f"no input element with action_id {sorted(unknown)}")
        return {"values": values}

    def submit_view(
        self, user: str, view: Mapping[str, Any] | str, inputs: Mapping[str, Any] | None = None
    ) -> DriverResponse:
        """Submit a modal with `inputs` ({action_id: value}); applies the bot's response_action to the stack."""
        submitter = self.fake.user(user)
        current = self._current_view(view)
        current["state"] = self.view_state(current, inputs or {})
        self.fake.modals.store_state(current["id"], current["state"])
        payload = {
            "type": "view_submission",
            "team": self._team(),
            "user": self._user_ref(submitter.id),
            "api_app_id": self.fake.app_id,
            "token": self.fake.verification_token,
            "trigger_id": self.fake.mint_trigger(submitter.id),
            "view": current,
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }
        response = self._deliver("interactive", payload)
        if response.ok:
            try:
                answer = response.json()
            except ValueError:
                answer = None
            self.fake.modals.apply_response(submitter.id, current["id"], answer if isinstance(answer, dict) else None)
        return response

    def close_view(self, user: str, view: Mapping[str, Any] | str) -> DriverResponse | None:
        """The user closes a modal (X/Cancel): view_closed is sent only when notify_on_close."""
        closer = self.fake.user(user)
        current = self._current_view(view)
        is_cleared = self.fake.modals.close(closer.id, current["id"])
        if not current.get("notify_on_close"):
            return None
        payload = {
            "type": "view_closed",
            "team": self._team(),
            "user": self._user_ref(closer.id),
            "api_app_id": self.fake.app_id,
            "token": self.fake.verification_token,
            "view": current,
            "is_cleared": is_cleared,
            "is_enterprise_install": False,
            "enterprise": None,
        }
        return self._deliver("interactive", payload)

    # shortcuts --------------------------------------------------------------------------------------------

    def shortcut(self, user: str, callback_id: str) -> DriverResponse:
        """A global shortcut."""
        caller = self.fake.user(user)
        payload = {
            "type": "shortcut",
            "token": self.fake.verification_token,
            "action_ts": self._action_ts(),
            "team": self._team(),
            "user": {"id": caller.id, "username": caller.handle, "team_id": self.fake.team_id},
            "is_enterprise_install": False,
            "enterprise": None,
            "callback_id": callback_id,
            "trigger_id": self.fake.mint_trigger(caller.id),
        }
        return self._deliver("interactive", payload)

    def message_shortcut(self, user: str, message: FakeMessage, callback_id: str) -> DriverResponse:
        """A message shortcut on a message the fake holds."""
        caller = self.fake.user(user)
        current = self.fake.message(message.channel, message.ts)
        payload = {
            "type": "message_action",
            "token": self.fake.verification_token,
            "action_ts": self._action_ts(),
            "team": self._team(),
            "user": {"id": caller.id, "name": caller.handle, "team_id": self.fake.team_id},
            "channel": self._channel_ref(current.channel),
            "is_enterprise_install": False,
            "enterprise": None,
            "callback_id": callback_id,
            "trigger_id": self.fake.mint_trigger(caller.id),
            "response_url": self.fake.mint_response_url(caller.id, current.channel, "action", current.ts),
            "message_ts": current.ts,
            "message": current.to_api(),
        }
        return self._deliver("interactive", payload)

    # events -----------------------------------------------------------------------------------------------

    def event_payload(self, event: Mapping[str, Any]) -> dict[str, Any]:
        """The event_callback wrapper Slack puts around an event."""
        body = dict(event)
        if body.get("type") not in {"app_uninstalled", "tokens_revoked"}:  # these two carry no event_ts
            body.setdefault("event_ts", self._action_ts())
        channel = body.get("channel")
        context = f"1-{body.get('type')}-{self.fake.team_id}-{channel}" if isinstance(channel, str) else ""
        return {
            "token": self.fake.verification_token,
            "team_id": self.fake.team_id,
            "context_team_id": self.fake.team_id,
            "context_enterprise_id": None,
            "api_app_id": self.fake.app_id,
            "event": body,
            "type": "event_callback",
            "event_id": "Ev" + uuid.uuid4().hex[:10].upper(),
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": self.fake.team_id,
                    "user_id": self.fake.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": context,
        }

    def check_delivery(self, event: Mapping[str, Any]) -> None:
        """Raise SlackWouldNotDeliver for an event Slack would not send (unsubscribed, or bot not in channel)."""
        kind = str(event.get("type"))
        subscription = kind
        if kind == "message":
            subscription = MESSAGE_EVENT_BY_CHANNEL_TYPE.get(str(event.get("channel_type")), "message.channels")
        subscribed = self.fake.subscribed_events
        if subscribed is not None and subscription not in subscribed:
            raise SlackWouldNotDeliver(f"{subscription} is not in the manifest's bot_events")
        channel = event.get("channel")
        if kind in {"message", "app_mention"} and isinstance(channel, str):
            try:
                members = self.fake.conversation(channel).members
            except KeyError:
                return
            if self.fake.bot_user_id not in members:
                raise SlackWouldNotDeliver(f"the bot is not a member of {channel}")

    def event(self, event: Mapping[str, Any]) -> DriverResponse:
        """Deliver an Events API event (wrapped in event_callback), retried like Slack when the bot is slow/fails.

        Raises SlackWouldNotDeliver when the manifest does not subscribe to it (fake.subscribed_events) or,
        for messages and mentions, when the bot is not in the channel.
        """
        self.check_delivery(event)
        return self._deliver_event(self.event_payload(event))

    def app_home_opened(self, user: str, tab: str = "home") -> DriverResponse:
        """The user opens the app's Home (or Messages) tab."""
        opener = self.fake.user(user)
        if tab == "home" and not self.fake.app_home.home_tab_enabled:
            raise PermissionError("the app has no Home tab (manifest features.app_home.home_tab_enabled)")
        event: dict[str, Any] = {
            "type": "app_home_opened",
            "user": opener.id,
            "channel": self.fake.dm_channel(opener.id),
            "tab": tab,
            "event_ts": self._action_ts(),
        }
        home = self.fake.home(opener.id)
        if home is not None:
            event["view"] = home
        return self.event(event)

    def app_mention(self, user: str, channel: str, text: str) -> DriverResponse:
        """A member mentions the bot in a channel (message stored; the bot gets `app_mention`)."""
        author = self.fake.user(user)
        channel_id = self._resolve_channel(author.id, channel)
        stored = self.fake.post_as_user(author.id, channel_id, text)
        event = {
            "type": "app_mention",
            "user": author.id,
            "text": text,
            "ts": stored.ts,
            "team": self.fake.team_id,
            "channel": channel_id,
            "event_ts": stored.ts,
        }
        return self.event(event)

    def member_joined_channel(self, user: str, channel: str, inviter: str | None = None) -> DriverResponse:
        """A member joins a channel (membership updated; the bot gets `member_joined_channel`)."""
        member = self.fake.user(user)
        channel_id = self._resolve_channel(member.id, channel)
        self.fake.join(channel_id, member.id)
        kind = self.fake.conversation(channel_id).kind
        event: dict[str, Any] = {
            "type": "member_joined_channel",
            "user": member.id,
            "channel": channel_id,
            "channel_type": "C" if kind == "public" else "G",
            "team": self.fake.team_id,
            "event_ts": self._action_ts(),
        }
        if inviter:
            event["inviter"] = self.fake.user(inviter).id
        return self.event(event)

    def uninstall_app(self) -> list[DriverResponse]:
        """The workspace uninstalls the app: tokens are revoked, then tokens_revoked and app_uninstalled arrive."""
        self.fake.revoke_tokens()
        revoked = {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": [self.fake.bot_user_id]}}
        return [self.event(revoked), self.event({"type": "app_uninstalled"})]

    def message(self, user: str, channel: str, text: str, thread_ts: str | None = None) -> DriverResponse:
        """A member writes a message (stored in the fake) and the bot gets the `message` event."""
        author = self.fake.user(user)
        channel_id = self._resolve_channel(author.id, channel)
        home = self.fake.app_home
        if self.fake.conversation(channel_id).kind == "im" and (
            not home.messages_tab_enabled or home.messages_tab_read_only_enabled
        ):
            raise PermissionError("the app's Messages tab does not accept messages (manifest features.app_home)")
        stored = self.fake.post_as_user(author.id, channel_id, text, thread_ts=thread_ts)
        kind = self.fake.conversation(channel_id).kind
        event = {
            "type": "message",
            "user": author.id,
            "text": text,
            "ts": stored.ts,
            "team": self.fake.team_id,
            "channel": channel_id,
            "event_ts": stored.ts,
            "channel_type": {"public": "channel", "private": "group"}.get(kind, kind),
        }
        if thread_ts:
            event["thread_ts"] = thread_ts
        return self.event(event)


class HttpDriver(Driver):
    """Sends Slack-signed HTTP requests to the bot's events URL (HTTP mode)."""

    def __init__(
        self,
        fake: FakeSlack,
        events_url: str,
        ack_timeout: float = 3.0,
        retry_delays: tuple[float, ...] = (0.0, 0.0, 0.0),
    ) -> None:
        super().__init__(fake, ack_timeout)
        self.events_url = events_url
        self.retry_delays = retry_delays

    def _post(self, body: bytes, content_type: str, extra_headers: Mapping[str, str] | None = None) -> DriverResponse:
        url = urllib.parse.urlsplit(self.events_url)
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": sign(self.fake.signing_secret, timestamp, body),
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
            **(extra_headers or {}),
        }
        path = url.path or "/"
        if url.query:
            path += "?" + url.query
        started = time.monotonic()
        connection = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port or 80, timeout=self.ack_timeout)
        try:
            connection.request("POST", path, body=body, headers=headers)
            answer = connection.getresponse()
            text = answer.read().decode("utf-8", errors="replace")
            return DriverResponse(
                status=answer.status,
                body=text,
                headers={name: value for name, value in answer.getheaders()},
                elapsed=time.monotonic() - started,
            )
        except TimeoutError:
            logger.info("bot did not ack within %.1fs", self.ack_timeout)
            return DriverResponse(status=0, body="", timed_out=True, elapsed=time.monotonic() - started)
        except (ConnectionError, http.client.HTTPException) as error:
            logger.info("bot unreachable: %s", type(error).__name__)
            return DriverResponse(status=0, body="", elapsed=time.monotonic() - started)
        finally:
            connection.close()

    def _deliver(self, kind: str, payload: dict[str, Any]) -> DriverResponse:
        if kind == "slash_commands":
            body = urllib.parse.urlencode(payload).encode()
            response = self._post(body, "application/x-www-form-urlencoded")
        elif kind == "interactive":
            body = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()
            response = self._post(body, "application/x-www-form-urlencoded")
        else:
            response = self._post(json.dumps(payload).encode(), "application/json")
        response.payload = payload
        return response

    def _deliver_event(self, payload: dict[str, Any]) -> DriverResponse:
        body = json.dumps(payload).encode()
        history: list[DriverResponse] = []
        response = self._post(body, "application/json")
        history.append(response)
        for attempt in range(1, MAX_EVENT_RETRIES + 1):
            if response.ok or (0 < response.status < 500):
                break
            reason = "http_timeout" if response.timed_out else "http_error" if response.status else "connection_failed"
            delay = self.retry_delays[attempt - 1] if attempt - 1 < len(self.retry_delays) else 0.0
            if delay:
                time.sleep(delay)
            response = self._post(
                body, "application/json", {"X-Slack-Retry-Num": str(attempt), "X-Slack-Retry-Reason": reason}
            )
            history.append(response)
        response.attempts = len(history)
        response.history = history
        response.payload = payload
        return response

    def url_verification(
        self, challenge: str = "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"
    ) -> DriverResponse:
        """Slack's URL verification handshake."""
        payload = {"token": self.fake.verification_token, "challenge": challenge, "type": "url_verification"}
        response = self._post(json.dumps(payload).encode(), "application/json")
        response.payload = payload
        return response


class SocketDriver(Driver):
    """Sends envelopes over the Socket Mode websocket the bot opened, and waits for acks."""

    def __init__(self, fake: FakeSlack, ack_timeout: float = 3.0, connect_timeout: float = 5.0) -> None:
        super().__init__(fake, ack_timeout)
        self.connect_timeout = connect_timeout

    def wait_connected(self, timeout: float | None = None) -> None:
        """Block until a bot connection received `hello`."""
        self.fake.socket_server().wait_for_connection(timeout or self.connect_timeout)

    def _send_envelope(
        self, kind: str, payload: dict[str, Any], extra: Mapping[str, Any] | None = None
    ) -> DriverResponse:
        server = self.fake.socket_server()
        server.wait_for_connection(self.connect_timeout)
        envelope: dict[str, Any] = {
            "envelope_id": str(uuid.uuid4()),
            "payload": payload,
            "type": kind,
            "accepts_response_payload": kind != "events_api",
            **(extra or {}),
        }
        started = time.monotonic()
        ack = server.send_and_wait(envelope, self.ack_timeout)
        elapsed = time.monotonic() - started
        if ack is None:
            return DriverResponse(status=0, body="", timed_out=True, elapsed=elapsed, payload=payload)
        answer = ack.get("payload")
        body = json.dumps(answer) if answer not in (None, "", {}) else ""
        return DriverResponse(status=200, body=body, elapsed=elapsed, payload=payload)

    def _deliver(self, kind: str, payload: dict[str, Any]) -> DriverResponse:
        return self._send_envelope(kind, payload)

    def _deliver_event(self, payload: dict[str, Any]) -> DriverResponse:
        history = [self._send_envelope("events_api", payload)]
        while history[-1].timed_out and len(history) <= MAX_EVENT_RETRIES:
            history.append(
                self._send_envelope("events_api", payload, {"retry_attempt": len(history), "retry_reason": "timeout"})
            )
        response = history[-1]
        response.attempts = len(history)
        response.history = history
        return response


__all__ = ["Driver", "DriverResponse", "HttpDriver", "SocketDriver", "element_state", "plain_text", "sign"]
