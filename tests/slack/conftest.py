"""A scripted Slack Web API over real HTTP (a few lines, not the sandbox), and the fake monotonic clock fixture."""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlparse

import pytest
from slack_sdk import WebClient

from tests.fakes import FakeMonotonic

TOKEN = "xoxb-test-token-never-logged"


@dataclass
class Reply:
    """One scripted answer: HTTP status, headers, JSON (dict) or raw (str) body, optional delay in real seconds."""

    status: int = 200
    body: dict[str, Any] | str = field(default_factory=lambda: {"ok": True})
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


def default_reply(method: str, args: dict[str, Any]) -> Reply:
    if method in {"chat.postMessage", "chat.update"}:
        return Reply(body={"ok": True, "channel": args.get("channel", "C1"), "ts": "1764000000.000100"})
    if method == "conversations.open":
        return Reply(body={"ok": True, "channel": {"id": "D0DM"}})
    if method == "users.info":
        return Reply(body={"ok": True, "user": {"id": args.get("user"), "name": "dana", "deleted": False}})
    return Reply()


class ScriptedSlack:
    """Answers Web API calls from per-method queues of Replies (default: success); records every request."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.tokens: list[tuple[str, str]] = []  # (method, bearer token) of every request
        self._script: dict[str, deque[Reply]] = defaultdict(deque)
        self._lock = threading.Lock()
        slack = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                url = urlparse(self.path)
                method = url.path.rsplit("/", 1)[-1]
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                args: dict[str, Any] = dict(parse_qsl(url.query))
                if raw.startswith("{"):
                    args.update(json.loads(raw))
                elif raw:
                    args.update(parse_qsl(raw))
                authorization = self.headers.get("Authorization") or ""
                reply = slack.record(method, args, authorization.removeprefix("Bearer "))
                if reply.delay:
                    time.sleep(reply.delay)
                body = reply.body if isinstance(reply.body, str) else json.dumps(reply.body)
                payload = body.encode()
                try:
                    self.send_response(reply.status)
                    content_type = "text/html" if isinstance(reply.body, str) else "application/json"
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(payload)))
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client timed out and went away

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/api/"

    def script(self, method: str, *replies: Reply) -> None:
        with self._lock:
            self._script[method].extend(replies)

    def record(self, method: str, args: dict[str, Any], token: str = "") -> Reply:
        with self._lock:
            self.requests.append((method, args))
            self.tokens.append((method, token))
            queue = self._script[method]
            return queue.popleft() if queue else default_reply(method, args)

    def calls(self, method: str) -> list[dict[str, Any]]:
        with self._lock:
            return [args for name, args in self.requests if name == method]

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def slack() -> Iterator[ScriptedSlack]:
    server = ScriptedSlack()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def clock() -> FakeMonotonic:
    return FakeMonotonic()


@pytest.fixture
def client(slack: ScriptedSlack) -> WebClient:
    return WebClient(token=TOKEN, base_url=slack.url, timeout=5)
