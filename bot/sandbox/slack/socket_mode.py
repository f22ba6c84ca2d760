"""Slack's side of Socket Mode: the websocket apps.connections.open points at; sends envelopes, collects acks."""

from __future__ import annotations

import json
import logging
import threading
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve

logger = logging.getLogger(__name__)


class SocketModeServer:
    """A websocket server speaking Slack's Socket Mode frames (hello, envelopes, disconnect)."""

    def __init__(self, host: str = "127.0.0.1", app_id: str = "A0RAPPORT1") -> None:
        self._host = host
        self._app_id = app_id
        self._server: Server | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._connected = threading.Condition(self._lock)
        self._connections: list[ServerConnection] = []
        self._draining: set[int] = set()  # ids of connections told to disconnect: no new envelopes for them
        self._pending: dict[str, tuple[threading.Event, list[dict[str, Any]]]] = {}
        self.received: list[dict[str, Any]] = []

    def start(self) -> None:
        """Listen on a free loopback port in a daemon thread."""
        self._server = serve(self._handle, self._host, 0)
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-slack-socket", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Close every connection and stop listening."""
        if self._server is not None:
            self._server.shutdown()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    @property
    def port(self) -> int:
        """The port the server listens on."""
        if self._server is None:
            raise RuntimeError("socket mode server not started")
        return int(self._server.socket.getsockname()[1])

    def url(self, ticket: str) -> str:
        """The wss-like URL apps.connections.open hands out (plain ws:// on loopback)."""
        return f"ws://{self._host}:{self.port}/link/?ticket={ticket}&app_id={self._app_id}"

    def connection_count(self) -> int:
        """How many bot connections are open and usable (not told to disconnect)."""
        with self._lock:
            return len(self._usable())

    def _usable(self) -> list[ServerConnection]:
        return [connection for connection in self._connections if id(connection) not in self._draining]

    def wait_for_connection(self, timeout: float) -> None:
        """Block until at least one usable bot connection is open (TimeoutError otherwise)."""
        with self._connected:
            if not self._connected.wait_for(lambda: bool(self._usable()), timeout=timeout):
                raise TimeoutError("no Socket Mode connection from the bot")

    def _handle(self, connection: ServerConnection) -> None:
        hello = {
            "type": "hello",
            "num_connections": self.connection_count() + 1,
            "debug_info": {"host": "applink-fake-slack", "build_number": 1, "approximate_connection_time": 18060},
            "connection_info": {"app_id": self._app_id},
        }
        connection.send(json.dumps(hello))
        with self._connected:
            self._connections.append(connection)
            self._connected.notify_all()
        try:
            for raw in connection:
                self._on_message(raw)
        except ConnectionClosed:
            logger.debug("socket mode connection closed")
        finally:
            with self._lock:
                if connection in self._connections:
                    self._connections.remove(connection)
                self._draining.discard(id(connection))

    def _on_message(self, raw: str | bytes) -> None:
        try:
            message = json.loads(raw)
        except ValueError:
            logger.warning("socket mode: non-JSON frame from the bot")
            return
        if not isinstance(message, dict):
            return
        with self._lock:
            self.received.append(message)
            waiting = self._pending.get(str(message.get("envelope_id")))
        if waiting is not None:
            waiting[1].append(message)
            waiting[0].set()

    def send_and_wait(self, envelope: dict[str, Any], timeout: float) -> dict[str, Any] | None:
        """Send an envelope on the newest connection; return the bot's ack, or None if none came within timeout."""
        envelope_id = str(envelope["envelope_id"])
        done = threading.Event()
        box: list[dict[str, Any]] = []
        with self._lock:
            usable = self._usable()
            if not usable:
                raise ConnectionError("no Socket Mode connection")
            connection = usable[-1]
            self._pending[envelope_id] = (done, box)
        try:
            connection.send(json.dumps(envelope))
            done.wait(timeout)
            return box[0] if box else None
        finally:
            with self._lock:
                self._pending.pop(envelope_id, None)

    def disconnect(self, reason: str = "warning") -> None:
        """Ask the bot to reconnect, as Slack does before recycling a connection."""
        message = {
            "type": "disconnect",
            "reason": reason,
            "debug_info": {"host": "applink-fake-slack"},
            "connection_info": {"app_id": self._app_id},
        }
        with self._lock:
            connections = self._usable()
            self._draining.update(id(connection) for connection in connections)
        for connection in connections:
            connection.send(json.dumps(message))
