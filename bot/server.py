"""HTTP mode: a WSGI app (Bolt at POST /slack/events, GET /healthz) served by waitress."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy import Engine
from waitress.server import create_server

from storage.db import ping

if TYPE_CHECKING:
    from waitress.server import BaseWSGIServer, MultiSocketServer

logger = logging.getLogger(__name__)

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
EVENTS_PATH = "/slack/events"


def make_wsgi_app(app: App, engine: Engine, ready: Callable[[], bool] | None = None) -> WSGIApp:
    """Route Slack traffic to Bolt; answer health checks from ``ready`` (Slack accepted the token) and the database."""
    bolt = SlackRequestHandler(app, path=EVENTS_PATH)

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz" and environ.get("REQUEST_METHOD") in {"GET", "HEAD"}:
            slack_ok = ready is None or ready()
            healthy = slack_ok and ping(engine)
            body = b"ok\n" if healthy else b"database unreachable\n" if slack_ok else b"not ready\n"
            status = "200 OK" if healthy else "503 Service Unavailable"
            start_response(status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))])
            return [body]
        return bolt(environ, start_response)

    return wsgi


def make_http_server(wsgi: WSGIApp, host: str, port: int, threads: int) -> BaseWSGIServer | MultiSocketServer:
    """A production WSGI server (waitress); call ``.run()`` to serve and ``.close()`` to stop."""
    return create_server(
        wsgi, host=host, port=port, threads=threads, ident="rapport", clear_untrusted_proxy_headers=True
    )
