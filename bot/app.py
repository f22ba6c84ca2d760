"""Creates the Bolt App and registers every listener.

Decisions:
- **Signatures are checked by the door** (``bot/server.py``) on the raw bytes before Bolt sees a request, so Bolt's
  own ``RequestVerification`` is off: it would repeat the check, and it logs whole request bodies (notes, the
  ``response_url``, the verification token) when one fails. Socket Mode needs no signature (the socket is
  authenticated by the app-level token).
- **Replies go only to Slack.** A global middleware drops a ``response_url`` that is not on Slack's hooks host (or
  the configured API's origin, for the sandbox), so neither ``respond()`` nor the error handler can be pointed
  elsewhere.
- **The answer leaves the moment ``ack()`` is called.** Bolt's threaded runner submits the listener to its executor
  and then looks every 10 ms whether it has acked (on average 5 ms added to every answer, and a wake-up of every
  waiting request thread a hundred times a second). ``AckWaitingExecutor`` makes that submit wait on the ack's
  own event instead (or the listener's end, at most Bolt's 3 s), so Bolt finds the answer at its first look.
  Rejected: ``process_before_response`` (the answer would wait for the listener's whole work after its ack).
- **Whatever a listener raises, the request is answered.** Bolt's threaded runner resets ``ack.response`` to None
  when a listener raises just after acking, which turned such errors into a 3 s hang; ``FirstAnswerStands`` keeps
  the first answer. The error handler answers with 200 (a modal gets a pushed "something went wrong" view, so the
  form underneath keeps what was typed) and tells the user, off the request thread.
- **OAuth installs** (``settings.oauth_enabled``): Bolt's own OAuth flow serves ``/slack/install`` (straight to
  Slack's authorize page) and ``/slack/oauth_redirect``, with Rapport's installation and state stores
  (storage/installations.py), bot tokens only (``installation_store_bot_only``, the rows the sweeps read too) and
  token rotation. Each request is authorized from the store, so a listener's ``client`` holds its own workspace's
  token. A finished install resumes a workspace's held work (``WorkspaceService.installed``).
"""

from __future__ import annotations

import contextvars
import json
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urljoin

from slack_bolt import Ack, App, BoltRequest, BoltResponse
from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_bolt.error import BoltError
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient
from sqlalchemy.exc import SQLAlchemyError

from bot import logs
from bot.container import Container
from bot.services.ports import SeenRequests
from bot.slack.clients import NoInstallation
from bot.slack.response_urls import is_allowed_response_url
from handlers import register_all
from handlers.middleware import direct
from handlers.reply import team_id_of
from storage.installations import OAuthStateStore
from storage.repositories.requests import SqlSeenRequests

logger = logging.getLogger(__name__)

SORRY = (
    ":face_with_head_bandage: Sorry — something went wrong on my side and I couldn't finish that. "
    "Please try again in a moment."
)
# Said only with the whole command echoed back: a failure can come after part of the work was saved, so the user
# is told how to check rather than promised that nothing happened.
SORRY_TYPED = "Here is what you typed, so you don't have to type it again:"
CHECK_FIRST = {"/met": "`/met list` shows whether it was logged before you try again."}
SORRY_VIEW_TEXT = (
    ":face_with_head_bandage: Sorry — something went wrong on my side and I couldn't save that. "
    "Close this and your form is still there, as you filled it in; please try again in a moment."
)
EVENT_KEY_LIFETIME = timedelta(hours=1)
ACK_WAIT_SECONDS = 3.0  # Bolt's own ack timeout: past it Bolt gives up on the listener's answer anyway


class StartupError(Exception):
    """The app cannot start (e.g. Slack rejected the token); the message is one line for the operator."""


class FirstAnswerStands(Ack):
    """An ``ack`` whose first answer cannot be taken back (Bolt resets it to None when a listener raises after)."""

    _answer: BoltResponse | None = None

    def __init__(self) -> None:
        self.answered = threading.Event()  # before Ack.__init__, which sets response (to None) through the setter
        super().__init__()

    @property
    def response(self) -> BoltResponse | None:
        return self._answer

    @response.setter
    def response(self, value: BoltResponse | None) -> None:
        if self._answer is None:
            self._answer = value
            if value is not None:
                self.answered.set()


# The ack of the request a thread is dispatching, with that thread's id (a listener thread inherits a copy of the
# request's context, and must never wait for an answer it is meant to give).
_dispatching: contextvars.ContextVar[tuple[int, FirstAnswerStands] | None] = contextvars.ContextVar(
    "rapport_dispatching", default=None
)


def mark_dispatching(ack: FirstAnswerStands) -> None:
    """Record ``ack`` as the answer the current thread's request is waiting for (see AckWaitingExecutor)."""
    _dispatching.set((threading.get_ident(), ack))


class AckWaitingExecutor(logs.ContextThreadPoolExecutor):
    """Bolt's listener executor; a listener submitted while its request is dispatched returns once it has acked.

    Bolt submits the listener from the request thread and then polls ``ack.response`` every 10 ms; waiting here on
    the ack's event (or the listener's end) means that poll finds the answer at once. See the module docstring.
    """

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        """Start ``fn`` on a listener thread; on the request's own thread, wait until the request is answered."""
        future = super().submit(fn, *args, **kwargs)
        dispatching = _dispatching.get()
        if dispatching is not None and dispatching[0] == threading.get_ident():
            answered = dispatching[1].answered
            future.add_done_callback(lambda _done: answered.set())
            answered.wait(ACK_WAIT_SECONDS)
        return future


def response_url_of(body: dict[str, Any]) -> Any:
    """The payload's ``response_url`` (commands, messages) or the first of ``response_urls`` (modals)."""
    url = body.get("response_url")
    if url:
        return url
    urls = body.get("response_urls")
    if isinstance(urls, list) and urls and isinstance(urls[0], dict):
        return urls[0].get("response_url")
    return None


def user_id_of(body: dict[str, Any]) -> str | None:
    """The acting user's id in a command or an interactive payload."""
    user = body.get("user")
    candidate = user.get("id") if isinstance(user, dict) else body.get("user_id")
    return candidate if isinstance(candidate, str) and candidate[:1] in {"U", "W"} else None


def sorry_text(body: dict[str, Any]) -> str:
    """The apology; a command is echoed back so the user can retype it (Slack sends command text escaped)."""
    text = SORRY
    command, typed = body.get("command"), body.get("text")
    if isinstance(command, str) and command:
        # Slack caps command text far below a message's 40,000 characters, so the echo is never cut.
        text += f"\n{SORRY_TYPED}\n{command} {typed if isinstance(typed, str) else ''}".rstrip()
        if check := CHECK_FIRST.get(command):
            text += f"\n{check}"
    return text


def sorry_view() -> dict[str, Any]:
    """A modal pushed over a form whose submission failed (the form underneath keeps what was typed)."""
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Rapport"},
        "close": {"type": "plain_text", "text": "Back to the form"},
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": SORRY_VIEW_TEXT}}],
    }


def tell_user_something_broke(body: dict[str, Any], api_url: str, client: WebClient | None) -> None:
    """Apologise through the payload's response_url when Slack's, else by DM; never to any other URL."""
    response_url = response_url_of(body)
    text = sorry_text(body)
    try:
        if is_allowed_response_url(response_url, api_url):
            WebhookClient(response_url, timeout=5).send(text=text, response_type="ephemeral", replace_original=False)
            return
        user_id = user_id_of(body)
        if client is not None and user_id and body.get("type") in {"block_actions", "shortcut", "message_action"}:
            client.chat_postMessage(channel=user_id, text=text)
    except (SlackApiError, OSError):
        logger.warning("could not tell the user about an error", exc_info=True)


def create_app(container: Container, seen: SeenRequests | None = None) -> App:
    """The Bolt app for this container (signatures are verified by the door in HTTP mode; see bot/server.py)."""
    settings = container.settings
    try:
        app = App(
            client=container.client,
            signing_secret=settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else "",
            request_verification_enabled=False,
            listener_executor=AckWaitingExecutor(settings.rapport_http_threads, "rapport-listener"),
            logger=logs.bolt_logger(),
            raise_error_for_unhandled_request=False,
            # No auth.test at construction: a Slack blip must not stop start-up (see bot/readiness.py).
            token_verification_enabled=False,
            oauth_settings=oauth_settings(container),
            installation_store_bot_only=True if container.installation_store is not None else None,
        )
    except BoltError as error:
        raise StartupError(f"the Slack app could not be set up: {error}") from None
    seen = seen if seen is not None else SqlSeenRequests(container.engine)
    apologies = ThreadPoolExecutor(max_workers=2, thread_name_prefix="rapport-apology")

    def guard_request(request: BoltRequest, next_: Callable[[], None]) -> BoltResponse | None:
        context = request.context
        ack = FirstAnswerStands()
        context["ack"] = ack
        mark_dispatching(ack)
        if context.get("response_url") and not is_allowed_response_url(context["response_url"], settings.api_url):
            logger.warning("dropped a response_url that is not Slack's")
            del context["response_url"]
            # A respond() holding the foreign URL may already exist in the context; without it, Bolt makes a new
            # one from the context when a listener asks for it.
            context.pop("respond", None)
        if request.mode == "socket_mode" and not _first_socket_event(seen, request.body):
            return BoltResponse(status=200, body="")
        next_()
        return None

    app.middleware(direct(guard_request))

    @app.error
    def handle_error(
        error: Exception, body: dict[str, Any], response: BoltResponse | None, client: WebClient
    ) -> BoltResponse | None:
        logger.error("listener failed", exc_info=error)
        apologies.submit(tell_user_something_broke, dict(body or {}), settings.api_url, client)
        if response is None:  # already answered by ack()
            return None
        if isinstance(body, dict) and body.get("type") == "view_submission":
            answer = {"response_action": "push", "view": sorry_view()}
            return BoltResponse(status=200, body=json.dumps(answer), headers={"content-type": "application/json"})
        return BoltResponse(status=200, body="")

    def after_ack_failed(error: Exception, body: dict[str, Any]) -> None:
        # Work done after the ack (handlers/after_ack.py) has no response to change: log it and tell the user.
        logger.error("work after ack failed", exc_info=error)
        tell_user_something_broke(dict(body or {}), settings.api_url, _client_for(container, dict(body or {})))

    container.after_ack.handle_errors_with(after_ack_failed)
    logs.install(app)
    register_all(app, container.services, container.after_ack)
    return app


def oauth_settings(container: Container) -> OAuthSettings | None:
    """Bolt's OAuth flow on Rapport's stores, or None in single-workspace mode."""
    settings, store = container.settings, container.installation_store
    if store is None:
        return None
    workspaces = container.services.workspaces

    def installed(args: SuccessArgs) -> BoltResponse:
        if args.installation.team_id:
            workspaces.installed(args.installation.team_id)
        return args.default.success(args)

    def failed(args: FailureArgs) -> BoltResponse:
        logger.warning("an OAuth install failed: %s", args.reason)
        return args.default.failure(args)

    oauth = OAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret.get_secret_value() if settings.slack_client_secret else None,
        scopes=settings.scopes,
        redirect_uri=settings.slack_redirect_uri,
        # Slack's authorize page sits beside its Web API (https://slack.com/oauth/v2/authorize); the sandbox's too.
        authorization_url=urljoin(settings.api_url, "../oauth/v2/authorize"),
        install_page_rendering_enabled=False,
        callback_options=CallbackOptions(success=installed, failure=failed),
        installation_store=store,
        installation_store_bot_only=True,
        token_rotation_expiration_minutes=settings.rapport_token_rotation_minutes,
        state_store=OAuthStateStore(container.engine),
        logger=logs.bolt_logger(),
    )
    if isinstance(oauth.authorize, InstallationStoreAuthorize):
        # auth.test once per token rather than before every request's ack: the token itself is still read from the
        # store each time, so a deleted one is never used and a refreshed one is a new key.
        oauth.authorize.cache_enabled = True
    return oauth


def _client_for(container: Container, body: dict[str, Any]) -> WebClient | None:
    """The client of the payload's workspace (None when it has no usable token)."""
    try:
        return container.clients.for_team(team_id_of(body) or None)
    except NoInstallation:
        return None


def _first_socket_event(seen: SeenRequests, body: dict[str, Any]) -> bool:
    """Socket Mode redelivers an unacknowledged event; process each ``event_id`` once, like the HTTP door."""
    event_id = body.get("event_id") if body.get("type") == "event_callback" else None
    if not isinstance(event_id, str) or not event_id:
        return True
    try:
        return seen.first_time([("event", event_id, datetime.now(UTC) + EVENT_KEY_LIFETIME)], "")
    except SQLAlchemyError:
        logger.warning("replay guard unavailable; processing the event unchecked", exc_info=True)
        return True
