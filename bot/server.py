"""HTTP mode: the door (size cap, signature, parsing, replay guard) in front of Bolt, served by waitress.

Decisions:
- **Verify first, on the raw bytes.** The door checks Slack's v0 signature with ``slack_sdk``'s
  ``SignatureVerifier`` before anything parses the body, calls Slack, writes or runs a listener. Headers are checked
  for shape first (a timestamp of ASCII digits, a ``v0=`` + 64 hex signature), because the verifier itself raises on
  a non-numeric timestamp or a non-ASCII signature — which is how an unsigned request once reached the error handler
  and made it POST to an attacker's ``response_url``. Bolt's own ``RequestVerification`` is therefore off (it would
  only repeat the check, and it logs whole request bodies when a check fails).
- **One parse.** The door parses the verified body once (form, ``payload=`` JSON, or JSON) and hands Bolt exactly
  that, so what was validated is what the listeners see (Bolt's own parser reads any form containing the word
  "payload" as an empty body).
- **Status codes.** Unsigned or badly signed: 401, whatever the body. Signed but malformed (content type, encoding,
  form/JSON shape): 400 and one log line without the body. Over 1 MiB: 413 before reading. Unknown paths: 404.
  Never a 5xx from the door, never a traceback.
- **Replays.** A request is processed once per (timestamp, signature); an Events API delivery once per
  ``event_id`` (Slack's retries carry a fresh signature). Both keys live in the database (``seen_requests``) so
  replicas agree; a replay gets 200 with an empty body, so Slack does not retry, and does nothing.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from prometheus_client import Counter, Histogram
from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_bolt.request.internals import build_context
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from waitress.server import create_server

from bot.metrics import ACK_SECONDS, CONTENT_TYPE, REQUESTS, SweepHealth, render, request_kind
from bot.services.ports import SeenRequests
from bot.settings import Settings
from storage.db import ping
from storage.repositories.requests import SqlSeenRequests

if TYPE_CHECKING:
    from waitress.server import BaseWSGIServer, MultiSocketServer

logger = logging.getLogger(__name__)

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
EVENTS_PATH = "/slack/events"
OAUTH_UNAVAILABLE = "Rapport could not handle this install step just now. Please try again in a minute.\n"
METRICS_PATH = "/metrics"
MAX_BODY_BYTES = 1024 * 1024
# Slack refuses timestamps more than five minutes off; a replay key only needs to outlive that window.
SIGNATURE_WINDOW = timedelta(minutes=5)
# Slack retries an event up to three times over about five minutes; an hour leaves a wide margin.
EVENT_KEY_LIFETIME = timedelta(hours=1)
CLOCK_SKEW = timedelta(minutes=1)
PURGE_EVERY_SECONDS = 60.0
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"

_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")
_MAX_FORM_FIELDS = 100


class Malformed(ValueError):
    """A signed request whose body Rapport cannot read; the message names the problem, never the content."""


@dataclass(frozen=True)
class Reply:
    """A plain HTTP answer from the door."""

    status: str
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"

    def send(self, start_response: Callable[..., Any]) -> Iterable[bytes]:
        """Start the response and return its body."""
        start_response(self.status, [("Content-Type", self.content_type), ("Content-Length", str(len(self.body)))])
        return [self.body]


UNAUTHORIZED = Reply("401 Unauthorized", b"invalid request\n")
BAD_REQUEST = Reply("400 Bad Request", b"bad request\n")
TOO_LARGE = Reply("413 Content Too Large", b"request too large\n")
NOT_FOUND = Reply("404 Not Found", b"not found\n")
NOT_ALLOWED = Reply("405 Method Not Allowed", b"method not allowed\n")
ALREADY_SEEN = Reply("200 OK")


def media_type(content_type: str) -> str:
    """``application/json; charset=utf-8`` → ``application/json``."""
    return content_type.split(";", 1)[0].strip().lower()


def parse_body(body: bytes, content_type: str) -> dict[str, Any]:
    """The request as Bolt expects it (form fields, the ``payload`` JSON, or the JSON object); raises Malformed."""
    kind = media_type(content_type)
    if kind not in {FORM, JSON}:
        raise Malformed("unsupported content type")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Malformed("body is not UTF-8") from None
    if kind == JSON:
        return _json_object(text, "JSON body")
    try:
        fields = parse_qsl(text, keep_blank_values=True, strict_parsing=True, max_num_fields=_MAX_FORM_FIELDS)
    except ValueError:
        raise Malformed("malformed form body") from None
    form = dict(fields)
    if "payload" in form:
        return _json_object(form["payload"], "payload")
    return form


def _json_object(text: str, what: str) -> dict[str, Any]:
    try:
        loaded = json.loads(text)
    except (ValueError, RecursionError):
        raise Malformed(f"{what} is not JSON") from None
    if not isinstance(loaded, dict):
        raise Malformed(f"{what} is not a JSON object")
    if "type" in loaded and not isinstance(loaded["type"], str):
        raise Malformed(f"{what} has a non-string type")
    return loaded


def event_id_of(body: dict[str, Any]) -> str | None:
    """The Events API ``event_id`` of an ``event_callback`` (raises Malformed when it is there but unusable)."""
    if body.get("type") != "event_callback":
        return None
    event_id = body.get("event_id")
    if not isinstance(event_id, str) or not 0 < len(event_id) <= 100 or not isinstance(body.get("event"), dict):
        raise Malformed("event_callback without a usable event_id and event")
    return event_id


def team_id_of(body: dict[str, Any]) -> str:
    """The team id a body names, for the replay table (informational; '' when none)."""
    team = body.get("team_id") or body.get("team")
    if isinstance(team, dict):
        team = team.get("id")
    return team if isinstance(team, str) else ""


class Door:
    """POST /slack/events: size cap, signature, one parse, replay guard; then Bolt."""

    def __init__(
        self,
        app: App,
        signing_secret: str,
        seen: SeenRequests | None,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self._app = app
        # An empty secret verifies nothing: every request gets 401 (fail closed).
        self._verifier = SignatureVerifier(signing_secret) if signing_secret else None
        self._seen = seen
        self._wall_clock = wall_clock
        self._next_purge = 0.0
        self._purge_lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        """Answer one request on the events path, counting it and timing its answer (the ack) by kind."""
        started = time.perf_counter()
        kind = ["unsigned"]  # until the signature is verified and the body read, a request is only that

        def counted(status: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
            requests, seconds = _meters(kind[0], status.split(" ", 1)[0])
            requests.inc()
            seconds.observe(time.perf_counter() - started)
            return start_response(status, headers, *exc_info)

        return self._answer(environ, counted, kind)

    def _answer(self, environ: dict[str, Any], start_response: Callable[..., Any], kind: list[str]) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "POST":
            return NOT_ALLOWED.send(start_response)
        length = _content_length(environ)
        if length is None:
            return UNAUTHORIZED.send(start_response)
        if length > MAX_BODY_BYTES:
            return TOO_LARGE.send(start_response)
        body = environ["wsgi.input"].read(length) if length else b""
        timestamp = str(environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", ""))
        signature = str(environ.get("HTTP_X_SLACK_SIGNATURE", ""))
        if not self._signed(body, timestamp, signature):
            logger.info("refused a request without a valid Slack signature (check SLACK_SIGNING_SECRET and the clock)")
            return UNAUTHORIZED.send(start_response)
        content_type = str(environ.get("CONTENT_TYPE", ""))
        kind[0] = "malformed"
        try:
            parsed = parse_body(body, content_type)
            event_id = event_id_of(parsed)
            kind[0] = request_kind(parsed)
        except Malformed as problem:
            logger.warning("refused a signed but malformed request: %s", problem)
            return BAD_REQUEST.send(start_response)
        if not self._first_time(timestamp, signature, event_id, parsed):
            return ALREADY_SEEN.send(start_response)
        return self._dispatch(environ, start_response, body, parsed, content_type, event_id)

    def _signed(self, body: bytes, timestamp: str, signature: str) -> bool:
        if self._verifier is None or not _TIMESTAMP.fullmatch(timestamp) or not _SIGNATURE.fullmatch(signature):
            return False
        try:
            return self._verifier.is_valid(body, timestamp, signature)
        except UnicodeDecodeError:
            # slack_sdk decodes the body before hashing; Slack only sends UTF-8, so this cannot be Slack's request.
            return False

    def _first_time(self, timestamp: str, signature: str, event_id: str | None, body: dict[str, Any]) -> bool:
        if self._seen is None:
            return True
        now = datetime.fromtimestamp(self._wall_clock(), UTC)
        sent_at = datetime.fromtimestamp(int(timestamp), UTC)
        keys = [("request", f"{timestamp}:{signature}", sent_at + SIGNATURE_WINDOW + CLOCK_SKEW)]
        if event_id is not None:
            keys.append(("event", event_id, now + EVENT_KEY_LIFETIME))
        try:
            first = self._seen.first_time(keys, team_id_of(body))
        except SQLAlchemyError:
            # Without the ledger the request is processed (its listener reports any database trouble to the user);
            # refusing would turn a database blip into silence.
            logger.warning("replay guard unavailable; processing the request unchecked", exc_info=True)
            return True
        if not first:
            logger.info("ignored a replayed request%s", " (event retry)" if event_id else "")
        self._maybe_purge(now)
        return first

    def _maybe_purge(self, now: datetime) -> None:
        # Opportunistic: at most once a minute per process, so no scheduler is needed in the web role.
        if not self._purge_lock.acquire(blocking=False):
            return
        try:
            if self._wall_clock() < self._next_purge:
                return
            self._next_purge = self._wall_clock() + PURGE_EVERY_SECONDS
            assert self._seen is not None
            removed = self._seen.purge(now)
            if removed:
                logger.debug("purged %d expired replay keys", removed)
        except SQLAlchemyError:
            logger.warning("could not purge expired replay keys", exc_info=True)
        finally:
            self._purge_lock.release()

    def _dispatch(
        self,
        environ: dict[str, Any],
        start_response: Callable[..., Any],
        body: bytes,
        parsed: dict[str, Any],
        content_type: str,
        event_id: str | None,
    ) -> Iterable[bytes]:
        headers: dict[str, str | Sequence[str]] = {
            name[5:].replace("_", "-").lower(): str(value)
            for name, value in environ.items()
            if name.startswith("HTTP_X_SLACK_")
        }
        headers["content-type"] = media_type(content_type)
        try:
            request = BoltRequest(body="", query=str(environ.get("QUERY_STRING", "")), headers=headers)
            request.raw_body = body.decode("utf-8")
            request.body = parsed
            request.context = build_context(BoltContext({}), parsed)
            response = self._app.dispatch(request)
        except Exception as error:  # Bolt reads fields of a shape it assumed; a signed oddity must not become a 500
            logger.warning("refused a signed request Bolt could not read: %s", type(error).__name__)
            return BAD_REQUEST.send(start_response)
        return _send_bolt(response, start_response)


@functools.cache
def _meters(kind: str, status: str) -> tuple[Counter, Histogram]:
    # The labelled children, looked up once: ``labels()`` validates and locks on every call (kinds and statuses
    # are small fixed sets, so the cache stays small).
    return REQUESTS.labels(kind=kind, status=status), ACK_SECONDS.labels(kind=kind)


def _content_length(environ: dict[str, Any]) -> int | None:
    raw = str(environ.get("CONTENT_LENGTH") or "0").strip()
    return int(raw) if raw.isascii() and raw.isdigit() else None


def _send_bolt(response: BoltResponse, start_response: Callable[..., Any]) -> Iterable[bytes]:
    status = response.status
    if status >= 500:
        # The error handler has already told the user; Slack must not see a server error (it would retry events).
        status = 200
    body = response.body.encode("utf-8") if isinstance(response.body, str) else b""
    headers = [
        (name, value)
        for name, values in (response.headers or {}).items()
        if name.lower() != "content-length"
        for value in values
    ]
    headers.append(("Content-Length", str(len(body))))
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else ""
    start_response(f"{status} {phrase}".strip(), headers)
    return [body]


def signing_secret_of(settings: Settings) -> str:
    """The configured signing secret ('' when unset: the door then refuses every request)."""
    return settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else ""


def make_wsgi_app(
    app: App,
    engine: Engine,
    *,
    signing_secret: str,
    seen: SeenRequests | None = None,
    ready: Callable[[], bool] | None = None,
) -> WSGIApp:
    """Route Slack traffic through the door to Bolt; answer health checks from ``ready`` and the database.

    ``signing_secret`` is required (an empty one refuses every request); ``seen`` defaults to the SQL ledger;
    ``ready`` says whether Slack accepted the token yet (None: always ready).
    """
    door = Door(app, signing_secret, seen if seen is not None else SqlSeenRequests(engine))

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO")
        if path == "/healthz" and environ.get("REQUEST_METHOD") in {"GET", "HEAD"}:
            slack_ok = ready is None or ready()
            healthy = slack_ok and ping(engine)
            body = b"ok\n" if healthy else b"database unreachable\n" if slack_ok else b"not ready\n"
            status = "200 OK" if healthy else "503 Service Unavailable"
            start_response(status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))])
            return [body]
        if path == EVENTS_PATH:
            return door(environ, start_response)
        if path == METRICS_PATH and environ.get("REQUEST_METHOD") in {"GET", "HEAD"}:
            return metrics_answer(start_response)
        if app.oauth_flow is not None and environ.get("REQUEST_METHOD") == "GET":
            return oauth_answer(app, environ, start_response)
        return NOT_FOUND.send(start_response)

    return wsgi


def oauth_answer(app: App, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """GET /slack/install and /slack/oauth_redirect: Bolt's OAuth flow (unsigned by nature; the state parameter,
    bound to a cookie and stored with an expiry, is what it checks)."""
    flow = app.oauth_flow
    assert flow is not None
    path = environ.get("PATH_INFO")
    if path not in {flow.install_path, flow.redirect_uri_path}:
        return NOT_FOUND.send(start_response)
    headers: dict[str, str | Sequence[str]] = {"cookie": str(environ.get("HTTP_COOKIE", ""))}
    request = BoltRequest(body="", query=str(environ.get("QUERY_STRING", "")), headers=headers)
    handle = flow.handle_installation if path == flow.install_path else flow.handle_callback
    try:
        response = handle(request)
    except Exception as error:  # e.g. the database is down: a page that says so, never a traceback
        logger.warning("the OAuth flow could not answer %s: %s", path, type(error).__name__)
        response = BoltResponse(status=503, body=OAUTH_UNAVAILABLE, headers={"content-type": "text/plain"})
    return _send_bolt(response, start_response)


def metrics_answer(start_response: Callable[..., Any]) -> Iterable[bytes]:
    """GET /metrics: the Prometheus text format."""
    body = render()
    start_response("200 OK", [("Content-Type", CONTENT_TYPE), ("Content-Length", str(len(body)))])
    return [body]


def make_worker_wsgi_app(health: SweepHealth, engine: Engine) -> WSGIApp:
    """The worker role's small HTTP face: /metrics, and /healthz that fails when sweeps stop finishing."""

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") not in {"GET", "HEAD"}:
            return NOT_ALLOWED.send(start_response)
        path = environ.get("PATH_INFO")
        if path == METRICS_PATH:
            return metrics_answer(start_response)
        if path != "/healthz":
            return NOT_FOUND.send(start_response)
        stale = health.stale()
        healthy = not stale and ping(engine)
        body = (
            b"ok\n"
            if healthy
            else (f"sweeps overdue: {', '.join(stale)}\n".encode() if stale else b"database unreachable\n")
        )
        status = "200 OK" if healthy else "503 Service Unavailable"
        start_response(status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))])
        return [body]

    return wsgi


class GracefulStop:
    """Closes a waitress server after the requests it is serving have finished (up to ``timeout`` s).

    Closing at once (from the SIGTERM handler) closed waitress's wake-up pipe under a handler thread that was still
    finishing a response, which then failed with EBADF and logged a traceback.
    """

    def __init__(self, server: BaseWSGIServer | MultiSocketServer, timeout: float = 5.0) -> None:
        self._server = server
        self._timeout = timeout

    def close(self) -> None:
        """Let in-flight requests finish, then close the sockets."""
        dispatcher = getattr(self._server, "task_dispatcher", None)
        if dispatcher is not None:
            dispatcher.shutdown(cancel_pending=False, timeout=self._timeout)
        self._server.close()


def make_http_server(wsgi: WSGIApp, host: str, port: int, threads: int) -> BaseWSGIServer | MultiSocketServer:
    """A production WSGI server (waitress); call ``.run()`` to serve and ``.close()`` to stop."""
    return create_server(
        wsgi,
        host=host,
        port=port,
        threads=threads,
        ident="rapport",
        clear_untrusted_proxy_headers=True,
        # Slack's payloads are a few KB; waitress answers 413 itself past this (its default is 1 GB). It refuses a
        # length equal to its limit, hence the + 1: exactly 1 MiB is accepted, one byte more is not.
        max_request_body_size=MAX_BODY_BYTES + 1,
    )
