"""Run the real bot in-process on a background HTTP server (the sandbox demo and end-to-end tests use this)."""

from __future__ import annotations

import logging
import threading
from types import TracebackType
from typing import Self

from bot.app import create_app
from bot.container import Container, build_container
from bot.server import EVENTS_PATH, make_http_server, make_wsgi_app, signing_secret_of
from bot.services.ports import Clock
from bot.settings import Settings
from storage import migrate

logger = logging.getLogger(__name__)


class EmbeddedBot:
    """The production app (same container, same WSGI stack, same waitress server) on 127.0.0.1 and a free port."""

    def __init__(self, settings: Settings, clock: Clock | None = None, threads: int = 8) -> None:
        self.container: Container = build_container(settings, clock=clock)
        migrate.upgrade(self.container.engine)
        self.app = create_app(self.container)
        wsgi = make_wsgi_app(self.app, self.container.engine, signing_secret=signing_secret_of(settings))
        self._server = make_http_server(wsgi, "127.0.0.1", 0, threads=threads)
        self._thread = threading.Thread(target=self._serve, name="rapport-http", daemon=True)

    def _serve(self) -> None:
        try:
            self._server.run()
        except OSError:
            logger.debug("embedded HTTP server stopped", exc_info=True)

    @property
    def base_url(self) -> str:
        """http://127.0.0.1:PORT"""
        port = getattr(self._server, "effective_port", None)
        return f"http://127.0.0.1:{port}"

    @property
    def events_url(self) -> str:
        """Where Slack (or the fake) sends commands, interactivity and events."""
        return self.base_url + EVENTS_PATH

    def start(self) -> Self:
        """Start serving in a daemon thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the database."""
        self._server.close()
        self._thread.join(timeout=5)
        self.container.services.home_refresh.wait_idle(5.0)
        self.container.services.home_refresh.shutdown()
        self.container.engine.dispose()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
