"""The `rapport` command: run the bot, manage the database, try the sandbox."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType
from typing import TYPE_CHECKING

from bot.settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from slack_bolt import App

    from bot.container import Container

logger = logging.getLogger("rapport")


def configure_logging(level: str = "INFO") -> None:
    """Log to stderr with timestamps; quiet the chattiest libraries."""
    logging.basicConfig(
        level=getattr(logging, level, logging.INFO),
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # A sweep outlasting its interval is expected under load (coalesce + max_instances=1 skip the extra run).
    logging.getLogger("apscheduler.scheduler").addFilter(
        lambda record: "maximum number of running instances" not in record.getMessage()
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # Bolt reads SLACK_BOT_TOKEN itself and warns that the client we pass wins; that is intended.
    logging.getLogger("slack_bolt.App").addFilter(lambda record: "will be unused" not in record.getMessage())


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as error:
        raise SystemExit(f"rapport: {error}") from None


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    """Apply migrations to DATABASE_URL without needing Slack tokens."""
    from storage import migrate
    from storage.db import make_engine

    url = os.environ.get("DATABASE_URL") or _database_url_from_dotenv() or "sqlite:///rapport.db"
    engine = make_engine(url)
    try:
        migrate.upgrade(engine, args.revision)
        logger.info("database is at revision %s", migrate.current_revision(engine))
    finally:
        engine.dispose()
    return 0


def _database_url_from_dotenv() -> str | None:
    # `db upgrade` must not demand Slack tokens, so it reads only DATABASE_URL from .env.
    from dotenv import dotenv_values

    value = dotenv_values(".env").get("DATABASE_URL") if os.path.exists(".env") else None
    return value or None


def cmd_run(args: argparse.Namespace) -> int:
    """Start the bot: Socket Mode when SLACK_APP_TOKEN is set, otherwise HTTP; plus sweeps unless --role web."""
    from bot.app import StartupError, create_app
    from bot.container import build_container
    from bot.scheduler import build_scheduler
    from storage import migrate

    settings = _settings()
    configure_logging(settings.rapport_log_level)
    container = build_container(settings)
    migrate.upgrade(container.engine)

    stop = threading.Event()
    closers: list[tuple[str, object]] = []

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        logger.info("received %s, shutting down", signal.Signals(signum).name)
        stop.set()
        for _name, closer in closers:
            close = getattr(closer, "close", None) or getattr(closer, "shutdown", None)
            if callable(close):
                close()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    scheduler = None
    if args.role in {"all", "worker"}:
        scheduler = build_scheduler(container.services, settings.rapport_sweep_seconds)
        scheduler.start()
        logger.info("sweeps running every %ss", settings.rapport_sweep_seconds)

    try:
        if args.role in {"all", "web"}:
            try:
                app = create_app(container)
            except StartupError as error:
                raise SystemExit(f"rapport: {error}") from None
            if settings.socket_mode:
                _run_socket_mode(app, container, settings, stop)
            else:
                _run_http(app, container, args, settings, closers)
        else:
            logger.info("worker running (no Slack traffic served); Ctrl-C to stop")
            stop.wait()
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=True)
        container.engine.dispose()
        logger.info("stopped")
    return 0


def _run_http(
    app: App, container: Container, args: argparse.Namespace, settings: Settings, closers: list[tuple[str, object]]
) -> None:
    from bot.server import EVENTS_PATH, make_http_server, make_wsgi_app, signing_secret_of

    port = args.port or settings.port
    wsgi = make_wsgi_app(app, container.engine, signing_secret=signing_secret_of(settings))
    server = make_http_server(wsgi, args.host, port, settings.rapport_http_threads)
    closers.append(("http", server))
    logger.info("HTTP mode: listening on http://%s:%s%s (health: /healthz)", args.host, port, EVENTS_PATH)
    try:
        server.run()
    except OSError:
        # waitress raises when its sockets are closed by the signal handler; that is a normal stop.
        logger.debug("HTTP server stopped", exc_info=True)


def _run_socket_mode(app: App, container: Container, settings: Settings, stop: threading.Event) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    assert settings.slack_app_token is not None
    handler = SocketModeHandler(app, settings.slack_app_token.get_secret_value(), web_client=container.client)
    handler.connect()
    logger.info("Socket Mode: connected to Slack")
    try:
        stop.wait()
    finally:
        handler.close()


def cmd_demo(args: argparse.Namespace) -> int:
    """The offline sandbox: fake Slack workspace + the real bot, driven from the terminal or a script."""
    from bot.sandbox.demo import main as demo_main

    return demo_main(script=args.script, user=args.user, start=args.start)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for `rapport`."""
    parser = argparse.ArgumentParser(prog="rapport", description="Rapport: strategic networking inside Slack.")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="start the bot (Socket Mode if SLACK_APP_TOKEN is set, else HTTP)")
    run.add_argument("--port", type=int, default=None, help="HTTP port (default: PORT or 3000)")
    run.add_argument("--host", default="0.0.0.0", help="HTTP bind address (default: 0.0.0.0)")
    run.add_argument(
        "--role", choices=("all", "web", "worker"), default="all", help="web: Slack traffic; worker: sweeps"
    )
    run.set_defaults(func=cmd_run)

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    upgrade = db_sub.add_parser("upgrade", help="apply migrations to DATABASE_URL")
    upgrade.add_argument("revision", nargs="?", default="head")
    upgrade.set_defaults(func=cmd_db_upgrade)

    demo = sub.add_parser("demo", help="try Rapport offline: a local Slack workspace and the bot, in your terminal")
    demo.add_argument("--script", metavar="FILE", help="run FILE's commands ('-': stdin), print the transcript")
    demo.add_argument("--as", dest="user", default="lee", metavar="HANDLE", help="the member you act as (default: lee)")
    demo.add_argument("--start", metavar="WHEN", help="clock start in your zone (default: 2026-11-30T09:00, a Monday)")
    demo.set_defaults(func=cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `rapport` console script."""
    args = build_parser().parse_args(argv)
    configure_logging()
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
