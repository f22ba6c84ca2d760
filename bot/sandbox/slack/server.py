"""The fake Slack's HTTP plumbing: /api/<method>, /hooks/<response_url key>, /upload/v1/<file id> on loopback, and
/oauth/v2/authorize for routes that serve installs (bot.sandbox.slack.grid).

It parses requests and writes answers; what an answer says is up to the ``Routes`` it is given (FakeSlack).
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import threading
import urllib.parse
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol

logger = logging.getLogger(__name__)

DROP_CONNECTION = -1  # the status a route returns to close the connection without an answer


class Routes(Protocol):
    """What the HTTP server serves."""

    def handle_api(
        self, method: str, args: dict[str, Any], token: str | None
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        """One Web API call: (status or DROP_CONNECTION, JSON body, extra headers)."""
        ...

    def handle_response_url(self, key: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """One POST to a response_url: (status, JSON body)."""
        ...

    def handle_upload(self, file_id: str, content: bytes) -> tuple[int, str]:
        """The bytes of an uploaded file: (status, text body)."""
        ...

    # Optional: ``handle_authorize(query) -> (status, headers)`` serves GET /oauth/v2/authorize (installs).


class _Server(ThreadingHTTPServer):
    """Threaded HTTP server with a listen backlog for bursts (the default 5 drops SYNs: 1 s client retries)."""

    request_queue_size = 128
    daemon_threads = True


class SlackHttpServer:
    """Serves ``routes`` on host:<free port> in a daemon thread."""

    def __init__(self, routes: Routes, host: str = "127.0.0.1") -> None:
        self._routes = routes
        self._host = host
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start listening (a no-op when already started)."""
        if self._server is not None:
            return
        handler = type("FakeSlackHandler", (_Handler,), {"routes": self._routes})
        self._server = _Server((self._host, 0), handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-slack", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop listening and wait for the serving thread."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    @property
    def running(self) -> bool:
        """True between start and stop."""
        return self._server is not None

    @property
    def base_url(self) -> str:
        """http://127.0.0.1:PORT (no trailing slash)."""
        if self._server is None:
            raise RuntimeError("the fake Slack is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"


class _Handler(BaseHTTPRequestHandler):
    """Parses one request and hands it to the routes."""

    routes: Routes
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
        authorize = getattr(self.routes, "handle_authorize", None)
        if parsed_url.path == "/oauth/v2/authorize" and callable(authorize):
            query = dict(urllib.parse.parse_qsl(parsed_url.query, keep_blank_values=True))
            status, headers = authorize(query)
            self._send_text(status, "", headers)
            return
        if parsed_url.path.startswith("/upload/v1/"):
            status, text = self.routes.handle_upload(parsed_url.path.rsplit("/", 1)[-1], raw)
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
        elif authorization.lower().startswith("basic "):  # oauth.v2.access: the app's client id and secret
            try:
                client_id, _, client_secret = base64.b64decode(authorization[6:].strip()).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                client_id = client_secret = ""
            args.setdefault("client_id", client_id)
            args.setdefault("client_secret", client_secret)
        if not token and args.get("token"):
            token = str(args["token"])
        status, body, headers = self.routes.handle_api(method, args, token)
        if status == DROP_CONNECTION:
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
        status, answer = self.routes.handle_response_url(key, body if isinstance(body, dict) else {})
        self._send(status, answer, {})

    def _send_text(self, status: int, text: str, headers: dict[str, str] | None = None) -> None:
        data = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
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
