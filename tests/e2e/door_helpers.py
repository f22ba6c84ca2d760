"""Helpers for the door tests: raw HTTP to the bot, a hostile listener posing as a response_url, row counts."""

from __future__ import annotations

import http.client
import json
import threading
import time
import urllib.parse
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sqlalchemy import Engine, func, select

from bot.embedded import EmbeddedBot
from bot.sandbox.client import sign
from bot.server import EVENTS_PATH
from storage.models import Base


@dataclass
class Answer:
    """What the bot answered to one raw request."""

    status: int
    body: bytes
    elapsed: float


@dataclass
class Hostile:
    """A local HTTP listener standing in for an attacker's response_url; records every request it receives."""

    server: ThreadingHTTPServer
    hits: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        """A URL on this listener."""
        return f"http://127.0.0.1:{self.server.server_address[1]}/anything"


def hostile_listener() -> Iterator[Hostile]:
    """Start a Hostile listener on a free port; stop it afterwards."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            hits.append(self.path + " " + self.rfile.read(length).decode("utf-8", "replace")[:300])
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_GET = do_POST

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Hostile(server, hits)
    finally:
        server.shutdown()
        server.server_close()


def post(
    bot: EmbeddedBot,
    body: bytes,
    content_type: str = "application/x-www-form-urlencoded",
    *,
    secret: str | None = None,
    timestamp: str | None = None,
    headers: Mapping[str, str] | None = None,
    path: str = EVENTS_PATH,
    method: str = "POST",
    timeout: float = 10.0,
) -> Answer:
    """Send one raw request; signed with ``secret`` when given (timestamp defaults to now)."""
    sent: dict[str, str] = {"Content-Type": content_type}
    if secret is not None:
        stamp = timestamp if timestamp is not None else str(int(time.time()))
        sent["X-Slack-Request-Timestamp"] = stamp
        sent["X-Slack-Signature"] = sign(secret, stamp, body)
    elif timestamp is not None:
        sent["X-Slack-Request-Timestamp"] = timestamp
    sent.update(headers or {})
    port = int(bot.base_url.rsplit(":", 1)[1])
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.putrequest(method, path, skip_accept_encoding=True)
        for name, value in sent.items():
            connection.putheader(name, value.encode("latin-1"))
        connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        answer = connection.getresponse()
        return Answer(answer.status, answer.read(), time.monotonic() - started)
    finally:
        connection.close()


def form(fields: Mapping[str, Any]) -> bytes:
    """A form-encoded body."""
    return urllib.parse.urlencode(fields).encode()


def interactive(payload: Mapping[str, Any]) -> bytes:
    """An interactivity body: ``payload=<json>``."""
    return form({"payload": json.dumps(payload)})


def row_counts(engine: Engine) -> dict[str, int]:
    """Rows in every table (the door tests' measure of 'no writes')."""
    with engine.connect() as connection:
        return {
            table.name: int(connection.execute(select(func.count()).select_from(table)).scalar_one())
            for table in Base.metadata.sorted_tables
        }
