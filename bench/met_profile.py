"""Where one `/met` spends its CPU and its database round trips, in process, one command at a time.

The real WSGI stack (door → Bolt → `/met` → after-ack pool → reply) is called directly with Slack-signed requests;
the sandbox's fake Slack runs in this process on its own threads, which the figures leave out. For each command:
CPU of Rapport's threads (yappi, CPU clock) and the SQL statements it sent, by where they came from. With
``--concurrency N`` that many commands are in flight at once (threads calling the WSGI app), which shows what a
busy process adds to each command.

With PostgreSQL on this machine, it also prints the **database's CPU** per command: every postgres process's CPU
(from /proc) over the profiled commands, and per statement origin the CPU of the connection's own backend between
sending the statement and its result (/proc's clock ticks are 10 ms, so a figure is a sampled average; only
thousands of commands make it steady). This is how a query that read the author's whole log on every `/met` was
found (docs/benchmarks.md).

.venv/bin/python -m bench.met_profile                        # SQLite, 400 commands
.venv/bin/python -m bench.met_profile --database-url postgresql://postgres@127.0.0.1:5432/test --top 40
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import io
import os
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from slack_sdk.signature import SignatureVerifier
from sqlalchemy import event

from bench.ack_latency import AUTHORS, CapturingDriver, ConfirmationProbe, build_commands, database
from bench.cpu import postgres_cpu, process_cpu
from bot.sandbox.seed import default_workspace
from bot.sandbox.slack import FakeSlack


def _environ(body: bytes, secret: str) -> dict[str, Any]:
    timestamp = str(int(time.time()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body)
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/slack/events",
        "QUERY_STRING": "",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_X_SLACK_REQUEST_TIMESTAMP": timestamp,
        "HTTP_X_SLACK_SIGNATURE": signature,
        "wsgi.input": io.BytesIO(body),
    }


def _call(wsgi: Any, environ: dict[str, Any]) -> str:
    status: list[str] = []
    chunks = wsgi(environ, lambda s, h, *e: status.append(s))
    b"".join(chunks)
    return status[0]


class DatabaseCpu:
    """PostgreSQL's CPU while ``profile`` counts: every postgres process, and each statement's own backend."""

    def __init__(self) -> None:
        self.by_origin: collections.Counter[str] = collections.Counter()
        self._in_flight = threading.local()
        self._total_before = postgres_cpu()

    def started(self, origin: str, conn: Any) -> None:
        """A statement from ``origin`` is about to be sent on ``conn``."""
        backend = conn.connection.dbapi_connection.info.backend_pid
        self._in_flight.started = (origin, backend, process_cpu(backend, missing=0.0))

    def finished(self) -> None:
        """The statement started on this thread has its result."""
        started = getattr(self._in_flight, "started", None)
        if started is not None:
            origin, backend, before = started
            self.by_origin[origin] += process_cpu(backend, missing=0.0) - before
            self._in_flight.started = None

    def report(self, commands: int) -> None:
        """Print the CPU per command, in all and by statement origin."""
        total = (postgres_cpu() - self._total_before) / commands * 1e3
        print(f"PostgreSQL CPU (every postgres process): {total:.2f} ms/cmd; by statement origin:")
        for origin, seconds in self.by_origin.most_common():
            print(f"  {origin:60} {seconds / commands * 1e3:6.3f}")


def _statement_origin() -> str:
    """The first frame of ours below SQLAlchemy: which repository method sent the statement (past the shared
    helpers in storage/repositories/common.py, which every repository calls)."""
    frame: Any = sys._getframe(2)
    while frame is not None:
        filename = frame.f_code.co_filename
        if ("/storage/" in filename or "/bot/" in filename) and not filename.endswith("/repositories/common.py"):
            return f"{Path(filename).stem}.{frame.f_code.co_name}"
        frame = frame.f_back
    return "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url")
    parser.add_argument("--commands", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument(
        "--callers", action="append", help="print who calls this function (its bare name, e.g. deepcopy)"
    )
    args = parser.parse_args()
    import yappi  # measurement only, not a dependency: pip install yappi

    with (
        tempfile.TemporaryDirectory(prefix="met-profile-") as scratch,
        database(args.database_url, Path(scratch)) as database_url,
    ):
        profile(database_url, args, yappi)


def _print_functions(stats: Any, args: argparse.Namespace, n: int) -> None:
    """The top functions by inclusive and by own CPU per command, and the callers asked for."""
    stats.sort("ttot")
    print(f"top {args.top} by inclusive CPU (ms/cmd, all threads):")
    shown = 0
    for stat in stats:
        name = f"{Path(stat.module).stem}.{stat.name}"
        if "site-packages" in stat.module and shown > args.top // 2:
            continue
        print(f"  {stat.ttot / n * 1e3:7.3f} incl {stat.tsub / n * 1e3:7.3f} self  {stat.ncall / n:6.1f}x  {name}")
        shown += 1
        if shown >= args.top:
            break
    stats.sort("tsub")
    print(f"top {args.top} by own CPU (ms/cmd):")
    for stat in list(stats)[: args.top]:
        print(f"  {stat.tsub / n * 1e3:7.3f} self  {stat.ncall / n:6.1f}x  {Path(stat.module).stem}.{stat.name}")
    for wanted in args.callers or ():
        print(f"callers of {wanted} (ms/cmd inclusive through this caller):")
        rows = []
        for stat in stats:
            for child in stat.children:
                if child.name == wanted:
                    rows.append((child.ttot, child.ncall, f"{Path(stat.module).stem}.{stat.name}"))
        for total, calls, caller in sorted(rows, reverse=True)[:12]:
            print(f"  {total / n * 1e3:7.3f}  {calls / n:6.1f}x  {caller}")


def profile(database_url: str, args: argparse.Namespace, yappi: Any) -> None:
    """Warm up, then profile ``args.commands`` commands; print CPU per command and statements per command."""
    seed = dataclasses.replace(default_workspace(), team_id="T" + uuid.uuid4().hex[:10].upper())
    with FakeSlack(seed=seed) as fake:
        os.environ.update(
            SLACK_BOT_TOKEN=fake.bot_token,
            SLACK_SIGNING_SECRET=fake.signing_secret,
            SLACK_API_URL=fake.api_url,
            DATABASE_URL=database_url,
        )
        from bot.app import create_app
        from bot.container import build_container
        from bot.server import make_wsgi_app
        from bot.settings import Settings
        from storage import migrate

        settings = Settings()
        container = build_container(settings)
        migrate.upgrade(container.engine)
        app = create_app(container)
        wsgi = make_wsgi_app(app, container.engine, signing_secret=fake.signing_secret)
        probe = ConfirmationProbe(fake)
        driver = CapturingDriver(fake)
        authors = [fake.add_user(f"bench{index:03d}").handle for index in range(AUTHORS)]

        def send_all(label: str, count: int, concurrency: int) -> None:
            commands = build_commands(driver, authors, label, count)
            keys = [c.hook_key for c in commands]
            with ThreadPoolExecutor(concurrency, thread_name_prefix="waitress-like") as pool:
                statuses = list(pool.map(lambda c: _call(wsgi, _environ(c.body, fake.signing_secret)), commands))
            assert all(s.startswith("200") for s in statuses), collections.Counter(statuses)
            deadline = time.monotonic() + 60
            while probe.count(keys) < count and time.monotonic() < deadline:
                time.sleep(0.005 if concurrency == 1 else 0.05)

        send_all("warm1", AUTHORS, 1)
        send_all("warm2", 200, max(args.concurrency, 1))
        statements: collections.Counter[str] = collections.Counter()
        counting = threading.Event()
        database_cpu: DatabaseCpu | None = None

        @event.listens_for(container.engine, "before_cursor_execute")
        def count(conn: Any, cursor: Any, statement: str, params: Any, context: Any, executemany: bool) -> None:
            if counting.is_set():
                origin = _statement_origin()
                statements[origin] += 1
                if database_cpu is not None:
                    database_cpu.started(origin, conn)

        @event.listens_for(container.engine, "after_cursor_execute")
        def measured(conn: Any, cursor: Any, statement: str, params: Any, context: Any, executemany: bool) -> None:
            if database_cpu is not None:
                database_cpu.finished()

        yappi.set_clock_type("cpu")
        counting.set()
        if container.engine.dialect.name == "postgresql":
            database_cpu = DatabaseCpu()
        yappi.start()
        started = time.process_time()
        wall = time.perf_counter()
        send_all("profiled", args.commands, args.concurrency)
        wall = time.perf_counter() - wall
        yappi.stop()
        counting.clear()
        n = args.commands
        backend = database_url.split(":", 1)[0]
        print(f"{n} commands, concurrency {args.concurrency}, {backend}: wall {wall / n * 1e3:.2f} ms/cmd")
        print(f"process CPU (all threads, fake Slack included): {(time.process_time() - started) / n * 1e3:.2f} ms/cmd")
        by_name: collections.Counter[str] = collections.Counter()
        for t in yappi.get_thread_stats():
            by_name[t.name.rstrip("0123456789_-")] += t.ttot
        for name, total in by_name.most_common():
            print(f"  thread {name:32} {total / n * 1e3:6.2f} ms/cmd")
        if database_cpu is not None:
            database_cpu.report(n)
        print(f"SQL statements per command: {sum(statements.values()) / n:.2f}")
        for origin, total in statements.most_common():
            print(f"  {origin:60} {total / n:5.2f}")
        _print_functions(yappi.get_func_stats(), args, n)
        container.after_ack.executor.shutdown(wait=True)
        # The Home redraws each /met queued would otherwise run on against a database about to be dropped and a fake
        # Slack about to stop.
        container.services.home_refresh.shutdown(wait=True)
        container.engine.dispose()
    sys.stdout.flush()


if __name__ == "__main__":
    main()
