"""The `rapport` command: run the bot, manage the database, try the sandbox."""

from __future__ import annotations

import argparse
import gc
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from importlib.metadata import PackageNotFoundError, version
from types import FrameType
from typing import TYPE_CHECKING, Any

from bot import logs
from bot.logs import configure_logging
from bot.settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from slack_bolt import App
    from slack_bolt.adapter.socket_mode import SocketModeHandler
    from sqlalchemy import Engine
    from waitress.server import BaseWSGIServer, MultiSocketServer

    from bot.container import Container
    from bot.metrics import SweepHealth

logger = logging.getLogger("rapport")

EXIT_OPERATOR_ERROR = 2  # argparse's code for a usage error: the operator has something to fix, not a crash
SETTINGS_DOC = "README.md → Configuration"


class OperatorError(Exception):
    """Something the operator must fix (database, Slack, revision); printed as one `rapport: …` line, exit 2."""


def _from_env(name: str) -> str | None:
    # `db upgrade` and early logging must not demand Slack tokens, so they read single values from env or .env.
    from dotenv import dotenv_values

    value = os.environ.get(name) or (dotenv_values(".env").get(name) if os.path.exists(".env") else None)
    return value or None


def _settings() -> Settings:
    return load_settings()


@contextmanager
def _database_errors(url: str) -> Iterator[None]:
    """Turn a database that cannot be opened, or a refused migration, into one operator line."""
    from sqlalchemy.exc import InterfaceError, OperationalError

    from storage.db import display_url
    from storage.migrate import MigrationError

    try:
        yield
    except MigrationError as error:
        raise OperatorError(str(error)) from None
    except (OperationalError, InterfaceError) as error:
        cause = " ".join(str(getattr(error, "orig", None) or error).split())[:300]
        raise OperatorError(f"cannot use the database at {display_url(url)} ({cause}): check DATABASE_URL") from None


@contextmanager
def _maintenance_engine() -> Iterator[Engine]:
    """An engine on DATABASE_URL for ``rapport db …`` (no Slack tokens needed); errors become one line."""
    from storage.db import check_url, make_engine

    url = _from_env("DATABASE_URL") or "sqlite:///rapport.db"
    try:
        check_url(url)
    except ValueError as error:
        raise OperatorError(f"Invalid setting DATABASE_URL: {error}.") from None
    engine = make_engine(url)
    try:
        with _database_errors(url):
            yield engine
    finally:
        engine.dispose()


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    """Apply migrations to DATABASE_URL without needing Slack tokens."""
    from storage import migrate

    with _maintenance_engine() as engine:
        migrate.upgrade(engine, args.revision)
        logger.info("database is at revision %s", migrate.current_revision(engine))
    return 0


def cmd_db_backup(args: argparse.Namespace) -> int:
    """Copy the SQLite database to a new file while the bot may be running (PostgreSQL: use pg_dump)."""
    from pathlib import Path

    from storage import migrate

    with _maintenance_engine() as engine:
        migrate.backup_sqlite(engine, Path(args.target))
    return 0


def cmd_keys_generate(args: argparse.Namespace) -> int:
    """Print a new encryption key for RAPPORT_ENCRYPTION_KEY."""
    from storage.secrets import TokenCipher

    sys.stdout.write(TokenCipher.generate_key() + "\n")
    return 0


def cmd_keys_rotate(args: argparse.Namespace) -> int:
    """Re-encrypt every stored token with the first key of RAPPORT_ENCRYPTION_KEY (the others still decrypt)."""
    from storage.installations import EncryptedInstallationStore
    from storage.secrets import EncryptionKeyError, TokenCipher

    keys = _from_env("RAPPORT_ENCRYPTION_KEY")
    if not keys:
        raise OperatorError(
            "Missing setting RAPPORT_ENCRYPTION_KEY: the new key first, then the old ones, comma-separated."
        )
    try:
        cipher = TokenCipher.from_setting(keys)
        with _maintenance_engine() as engine:
            changed = EncryptedInstallationStore("", engine, cipher).rotate_keys()
    except EncryptionKeyError as error:
        raise OperatorError(str(error)) from None
    logger.info("re-encrypted the tokens of %d stored installs and bots with the newest key", changed)
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """Start the bot: Socket Mode when SLACK_APP_TOKEN is set, otherwise HTTP; plus sweeps unless --role web."""
    from bot.container import build_container

    settings = _settings()
    configure_logging(settings.rapport_log_level, settings.rapport_log_format)
    container = build_container(settings)
    try:
        return _run(args, settings, container)
    finally:
        container.engine.dispose()


def _run(args: argparse.Namespace, settings: Settings, container: Container) -> int:
    from bot.app import StartupError, create_app
    from bot.metrics import SweepHealth, watch_database
    from bot.scheduler import build_scheduler
    from bot.server import GracefulStop
    from storage import migrate
    from storage.stats import operational_snapshot

    with _database_errors(settings.database_url):
        migrate.upgrade(container.engine)
    app = socket_mode = None
    if args.role in {"all", "web"}:
        if settings.socket_mode:
            _check_slack(container, settings)
        try:
            app = create_app(container)
        except StartupError as error:
            raise OperatorError(str(error)) from None
        if settings.socket_mode:
            socket_mode = _connect_socket_mode(app, container, settings)  # before sweeps: a refusal stops here

    stop = threading.Event()
    closers: list[object] = []

    def shutdown() -> None:
        stop.set()
        for closer in closers:
            close = getattr(closer, "close", None) or getattr(closer, "shutdown", None)
            if callable(close):
                close()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        logger.info("received %s, shutting down", signal.Signals(signum).name)
        shutdown()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    watch_database(lambda: operational_snapshot(container.engine), id(container.engine))
    _freeze_startup_heap()
    scheduler = None
    if args.role in {"all", "worker"}:
        health = SweepHealth(settings.rapport_sweep_seconds)
        scheduler = build_scheduler(container.services, settings.rapport_sweep_seconds, health)
        scheduler.start()
        logger.info("sweeps running every %ss", settings.rapport_sweep_seconds)
        if args.role == "worker":
            closers.append(GracefulStop(_serve_worker_health(health, container, settings)))

    try:
        if app is None:
            logger.info("worker running (no Slack traffic served); Ctrl-C to stop")
            stop.wait()
        elif socket_mode is not None:
            logger.info("Socket Mode: connected to Slack")
            stop.wait()
        else:
            _run_http(app, container, args, settings, closers, shutdown)
    finally:
        if socket_mode is not None:
            socket_mode.close()
        if scheduler is not None:
            scheduler.shutdown(wait=True)
        # Commands already acked finish before the database goes: an acked /met is never dropped on a stop.
        container.after_ack.executor.shutdown(wait=True)
        # Home redraws already queued get a few seconds; one left over is redrawn at the person's next open.
        container.services.home_refresh.wait_idle(5.0)
        container.services.home_refresh.shutdown()
        logger.info("stopped")
    return 0


def _freeze_startup_heap() -> None:
    """Move everything start-up made (modules, classes, the container) out of the collector's way.

    Those objects live as long as the process, but every full pass of the cyclic collector walks them all again:
    under load one pass held the interpreter lock for 50-130 ms, which every request in flight waited out (issue
    #14, docs/benchmarks.md). ``gc.freeze`` moves them to a permanent generation that later passes skip; start-up
    garbage is collected first so none of it is kept.
    """
    gc.collect()
    gc.freeze()
    if logger.isEnabledFor(logging.DEBUG):  # counting walks every frozen object
        logger.debug("froze %d start-up objects out of the cyclic collector's passes", gc.get_freeze_count())


def _serve_worker_health(
    health: SweepHealth, container: Container, settings: Settings
) -> BaseWSGIServer | MultiSocketServer:
    """The worker's /metrics and /healthz on RAPPORT_METRICS_PORT, served from a thread; returns the server."""
    from bot.server import make_http_server, make_worker_wsgi_app

    try:
        server = make_http_server(
            make_worker_wsgi_app(health, container.engine), "0.0.0.0", settings.rapport_metrics_port, 2
        )
    except OSError as error:
        port = settings.rapport_metrics_port
        raise OperatorError(
            f"cannot listen on port {port} ({error.strerror or error}): check RAPPORT_METRICS_PORT"
        ) from None
    threading.Thread(target=server.run, name="rapport-worker-http", daemon=True).start()
    logger.info("worker: metrics and health on port %s (/metrics, /healthz)", settings.rapport_metrics_port)
    return server


def _check_slack(container: Container, settings: Settings) -> None:
    """Socket Mode needs Slack for everything: one auth.test now, one operator line if it fails."""
    from bot.readiness import SlackRejected, SlackUnreachable, check_token

    if settings.oauth_enabled:
        return  # each workspace's token is checked when it is used (a refused one pauses only that workspace)
    try:
        check_token(container.client, settings.api_url)
    except (SlackRejected, SlackUnreachable) as error:
        raise OperatorError(str(error)) from None


def _run_http(
    app: App,
    container: Container,
    args: argparse.Namespace,
    settings: Settings,
    closers: list[object],
    shutdown: Callable[[], None],
) -> None:
    from bot.readiness import SlackReadiness
    from bot.server import EVENTS_PATH, GracefulStop, make_http_server, make_wsgi_app, signing_secret_of

    # Serve at once; /healthz says "not ready" until Slack accepts the token (a blip at deploy time is retried).
    # With OAuth installs there is no one token to check: each workspace's is checked when it is used.
    readiness = (
        None
        if settings.oauth_enabled
        else SlackReadiness(container.client, settings.api_url, on_rejected=lambda _line: shutdown())
    )
    wsgi = logs.in_fresh_context(
        make_wsgi_app(app, container.engine, signing_secret=signing_secret_of(settings), ready=readiness)
    )
    port = args.port or settings.port
    try:
        server = make_http_server(wsgi, args.host, port, settings.rapport_http_threads)
    except OSError as error:
        raise OperatorError(f"cannot listen on {args.host}:{port} ({error.strerror or error}): check PORT") from None
    closers.append(GracefulStop(server))
    logger.info("HTTP mode: listening on http://%s:%s%s (health: /healthz)", args.host, port, EVENTS_PATH)
    if readiness is not None:
        readiness.start()
    try:
        server.run()
    except OSError:
        # waitress raises when its sockets are closed by the signal handler; that is a normal stop.
        logger.debug("HTTP server stopped", exc_info=True)
    finally:
        if readiness is not None:
            readiness.stop()
    if readiness is not None and readiness.rejection:
        raise OperatorError(readiness.rejection)


def _connect_socket_mode(app: App, container: Container, settings: Settings) -> SocketModeHandler:
    from slack_bolt.adapter.socket_mode import SocketModeHandler
    from slack_sdk.errors import SlackApiError, SlackClientError

    from bot.readiness import describe_unreachable

    class Handler(SocketModeHandler):
        def handle(self, client: Any, req: Any) -> None:
            # Each envelope starts with no log context from the previous one handled on this thread.
            logs.in_fresh_context(super().handle)(client, req)

    assert settings.slack_app_token is not None
    handler = Handler(app, settings.slack_app_token.get_secret_value(), web_client=container.client)
    try:
        # slack_sdk logs its own multi-line ERROR for a refused first connection; our one line replaces it.
        with _dropping(handler.client.logger, "Failed to retrieve WSS URL"):
            handler.connect()
    except SlackApiError as error:
        data = error.response.data
        code = data.get("error") if isinstance(data, dict) else f"HTTP {error.response.status_code}"
        raise OperatorError(
            f"Slack refused to open a Socket Mode connection ({code}): check SLACK_APP_TOKEN (an app-level "
            "xapp- token with connections:write)"
        ) from None
    except (OSError, SlackClientError) as error:
        raise OperatorError(describe_unreachable(error, settings.api_url)) from None
    return handler


@contextmanager
def _dropping(target: logging.Logger, prefix: str) -> Iterator[None]:
    def drop(record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(prefix)

    target.addFilter(drop)
    try:
        yield
    finally:
        target.removeFilter(drop)


def cmd_demo(args: argparse.Namespace) -> int:
    """The offline sandbox: fake Slack workspace + the real bot, driven from the terminal or a script."""
    from bot.sandbox.demo import main as demo_main

    return demo_main(script=args.script, user=args.user, start=args.start)


def _package_version() -> str:
    try:
        return version("rapport")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "unknown"


def _settings_epilog() -> str:
    """The main settings, from the descriptions in bot/settings.py, and where the full table is."""
    rows = [
        f"  {name.upper():<22} {field.description}"
        for name, field in Settings.model_fields.items()
        if field.description
    ]
    return "\n".join([f"settings (environment or .env; every setting and its default: {SETTINGS_DOC}):", *rows])


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for `rapport`."""
    parser = argparse.ArgumentParser(prog="rapport", description="Rapport: strategic networking inside Slack.")
    parser.add_argument("--version", action="version", version=f"rapport {_package_version()}")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser(
        "run",
        help="start the bot (Socket Mode if SLACK_APP_TOKEN is set, else HTTP)",
        description="Start the bot: Socket Mode if SLACK_APP_TOKEN is set, else HTTP (POST /slack/events, "
        "GET /healthz). Migrations are applied first.",
        epilog=_settings_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
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
    backup = db_sub.add_parser("backup", help="copy the SQLite database to TARGET while the bot runs")
    backup.add_argument("target", metavar="TARGET", help="a new file, e.g. backups/rapport-2026-12-07.db")
    backup.set_defaults(func=cmd_db_backup)

    keys = sub.add_parser("keys", help="encryption keys for the tokens of multi-workspace installs")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True)
    keys_sub.add_parser("generate", help="print a new key").set_defaults(func=cmd_keys_generate)
    keys_sub.add_parser(
        "rotate", help="re-encrypt stored tokens with the first key of RAPPORT_ENCRYPTION_KEY"
    ).set_defaults(func=cmd_keys_rotate)

    demo = sub.add_parser("demo", help="try Rapport offline: a local Slack workspace and the bot, in your terminal")
    demo.add_argument("--script", metavar="FILE", help="run FILE's commands ('-': stdin), print the transcript")
    demo.add_argument("--as", dest="user", default="lee", metavar="HANDLE", help="the member you act as (default: lee)")
    demo.add_argument("--start", metavar="WHEN", help="clock start in your zone (default: 2026-11-30T09:00, a Monday)")
    demo.set_defaults(func=cmd_demo)
    return parser


def _fail(lines: Sequence[str]) -> int:
    # Plain lines, not log records: this is the command's answer to the operator, readable in any log format.
    sys.stderr.write("".join(f"rapport: {line}\n" for line in lines))
    sys.stderr.flush()
    return EXIT_OPERATOR_ERROR


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `rapport` console script."""
    args = build_parser().parse_args(argv)
    # Until settings are read (`run` configures again from them); invalid values are reported by the settings.
    configure_logging(_from_env("RAPPORT_LOG_LEVEL") or "INFO", _from_env("RAPPORT_LOG_FORMAT") or "text")
    try:
        return int(args.func(args))
    except SettingsError as error:
        return _fail(error.problems)
    except OperatorError as error:
        return _fail([str(error)])


if __name__ == "__main__":
    raise SystemExit(main())
