"""`/met` ack latency and throughput: a real `rapport run` beside a bare Bolt app, alternating rounds, same fake Slack.

Both targets run in their own process on waitress with the same thread count and get the same Slack-signed
`/met @contact yesterday coffee — note …` commands from a separate load process (asyncio, one connection per
request, as Slack sends them). The bare app has one `/met` listener: ``ack()`` then ``respond("ok")``. Every
command is checked: its 200 within 3 s, its confirmation (a 2xx answer from the fake Slack on the command's own
response_url) and, for Rapport, its entry counted afterwards in the database.

Scenarios (each alternates Rapport and bare round by round, order swapped every round):
- open: open-loop 50 commands/s (a very busy workspace): ack p50/p99.
- closed: 50 concurrent clients, closed loop: ack p50/p99 and throughput.
- sweep: open-loop rates stepped up until a target no longer sustains them. Sustained = every 200 within 3 s, ack
  p99 < 1 s, every confirmation arrived and the last one within 3 s of the last command (the work keeps up).

.venv/bin/python -m bench.ack_latency                                   # SQLite, then PostgreSQL (private db)
.venv/bin/python -m bench.ack_latency --backends sqlite --quick         # shorter rounds
.venv/bin/python -m bench.ack_latency --backends sqlite --scenarios closed --rounds 2 --py-spy /tmp/met.txt
    # also profile Rapport with py-spy (not a dependency: `pip install py-spy`); --py-spy-gil for CPU only
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from slack_sdk.signature import SignatureVerifier
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from bench.cpu import MachineCpu, machine_cpu, machine_ticks, process_cpu
from bot.sandbox.client import Driver, DriverResponse
from bot.sandbox.seed import default_workspace
from bot.sandbox.slack import FakeSlack
from bot.settings import Settings
from storage.db import make_engine, normalise_url
from storage.models import InteractionRow

RAPPORT = Path(sys.executable).with_name("rapport")
ACK_DEADLINE = 3.0  # Slack shows the user an error when a command is not answered within 3 s
SUSTAINED_P99 = 1.0
KEEP_UP = 3.0  # seconds after the last command by which its confirmation must have arrived
DRAIN_LIMIT = 60.0  # bound on waiting for the confirmations of one round
AUTHORS = 60
CONTACTS = ("maya", "lee", "arjun", "sofia", "nora", "omar", "grace")
OPEN_RATE = 50
CLIENTS = 50
SWEEP_RATES = (10, 25, 50, 75, 100, 150, 200, 300, 400, 600, 800, 1000)


# ---- the bare Bolt app (run in its own process) --------------------------------------------------------------


def serve_bare(port: int, threads: int) -> None:
    """The framework's own cost: one `/met` listener that acks then responds "ok", on the same waitress."""
    from slack_bolt import Ack, App, Respond
    from slack_bolt.adapter.wsgi import SlackRequestHandler
    from slack_sdk import WebClient

    from bot.server import make_http_server

    app = App(
        client=WebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"]),
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        listener_executor=ThreadPoolExecutor(max_workers=threads),
    )

    @app.command("/met")
    def met(ack: Ack, respond: Respond) -> None:
        ack()
        respond("ok")

    handler = SlackRequestHandler(app, path="/slack/events")
    make_http_server(handler, "127.0.0.1", port, threads).run()


# ---- commands: built by the sandbox driver, signed when sent -------------------------------------------------


class CapturingDriver(Driver):
    """The sandbox driver's payloads (escaped text, fresh response_url and trigger_id), kept instead of sent."""

    def _deliver(self, kind: str, payload: dict[str, Any]) -> DriverResponse:
        return DriverResponse(status=0, body=urllib.parse.urlencode(payload), payload=payload)


@dataclasses.dataclass(frozen=True)
class Command:
    body: bytes
    hook_key: str
    note: str


def build_commands(driver: CapturingDriver, authors: list[str], label: str, count: int) -> list[Command]:
    """``count`` `/met` commands from the bench authors, each with a note unique to the run."""
    commands = []
    for index in range(count):
        note = f"{label}-{index:05d}"
        contact = CONTACTS[index % len(CONTACTS)]
        sent = driver.slash_command(authors[index % len(authors)], "/met", f"@{contact} yesterday coffee — {note}")
        hook_key = str(sent.payload["response_url"]).split("/hooks/commands/", 1)[1]
        commands.append(Command(body=sent.body.encode(), hook_key=hook_key, note=note))
    return commands


class ConfirmationProbe:
    """Records the moment of the first 2xx answer on each response_url (wraps the fake's response_url handler)."""

    def __init__(self, fake: FakeSlack) -> None:
        self.confirmed: dict[str, float] = {}
        self._lock = threading.Lock()
        original = fake.handle_response_url

        def handle(key: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
            status, answer = original(key, body)
            if 200 <= status < 300:
                with self._lock:
                    self.confirmed.setdefault(key, time.time())
            return status, answer

        fake.handle_response_url = handle  # type: ignore[method-assign]

    def count(self, keys: list[str]) -> int:
        with self._lock:
            return sum(1 for key in keys if key in self.confirmed)

    def times(self, keys: list[str]) -> list[float]:
        with self._lock:
            return [self.confirmed[key] for key in keys if key in self.confirmed]


# ---- the load process ----------------------------------------------------------------------------------------


async def _post(host: str, port: int, path: str, secret: str, body: bytes) -> tuple[float, float, int]:
    """One signed POST on its own connection: (sent at, seconds to the full answer, status; 0 = none in 3 s)."""
    verifier = SignatureVerifier(secret)
    sent_at = time.time()
    started = time.perf_counter()
    timestamp = str(int(sent_at))
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\nX-Slack-Request-Timestamp: {timestamp}\r\n"
        f"X-Slack-Signature: {verifier.generate_signature(timestamp=timestamp, body=body)}\r\n"
        "User-Agent: Slackbot 1.0 (+https://api.slack.com/robots)\r\nConnection: close\r\n\r\n"
    )

    async def exchange() -> int:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            writer.write(head.encode() + body)
            await writer.drain()
            answer = await reader.read()
        finally:
            writer.close()
        return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else 0

    try:
        status = await asyncio.wait_for(exchange(), ACK_DEADLINE)
    except (TimeoutError, OSError, ValueError, IndexError):
        status = 0
    return sent_at, time.perf_counter() - started, status


async def _open_loop(url: str, secret: str, bodies: list[bytes], rate: float) -> list[tuple[float, float, int]]:
    parts = urllib.parse.urlsplit(url)
    loop = asyncio.get_running_loop()
    start = loop.time()
    tasks = []
    for index, body in enumerate(bodies):
        delay = start + index / rate - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(_post(parts.hostname or "", parts.port or 80, parts.path, secret, body)))
    return list(await asyncio.gather(*tasks))


async def _closed_loop(url: str, secret: str, bodies: list[bytes], clients: int) -> list[tuple[float, float, int]]:
    parts = urllib.parse.urlsplit(url)
    results: list[tuple[float, float, int]] = [(0.0, 0.0, 0)] * len(bodies)
    queue = iter(range(len(bodies)))

    async def client() -> None:
        for index in queue:
            results[index] = await _post(parts.hostname or "", parts.port or 80, parts.path, secret, bodies[index])

    await asyncio.gather(*(client() for _ in range(clients)))
    return results


def drive(url: str, secret: str, bodies: list[bytes], mode: str, level: float) -> list[tuple[float, float, int]]:
    """Send ``bodies`` open loop at ``level``/s or closed loop with ``level`` clients (runs in the load process)."""
    if not url.startswith("http://127.0.0.1:"):
        raise ValueError("benchmarks talk only to 127.0.0.1")
    runner = _open_loop if mode == "open" else _closed_loop
    return asyncio.run(runner(url, secret, bodies, level if mode == "open" else int(level)))  # type: ignore[arg-type]


# ---- targets ------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_listening(port: int, process: subprocess.Popen[bytes], log: Path, limit: float = 240.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"target exited early; see {log}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"target did not listen within {limit:.0f} s; see {log}")


@contextmanager
def target(name: str, command: list[str], env: dict[str, str], log: Path) -> Iterator[tuple[str, int]]:
    """Start a server process; yields (events URL, pid)."""
    port = free_port()
    with log.open("wb") as sink:
        process = subprocess.Popen([*command, "--port", str(port)], env=env, stdout=sink, stderr=subprocess.STDOUT)
    try:
        wait_listening(port, process, log)
        yield f"http://127.0.0.1:{port}/slack/events", process.pid
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


# ---- rounds and figures -------------------------------------------------------------------------------------


@dataclasses.dataclass
class Round:
    target: str
    mode: str
    level: float
    commands: int
    acks: list[float]  # seconds, answered commands only
    failed: int  # no 200 within 3 s
    confirmed: int
    stored: int | None
    duration: float  # first send to last send
    throughput: float  # commands answered per second of sending
    keep_up: float  # last confirmation minus last send
    cpu_ms: float = float("nan")  # the target process's CPU (all threads) per command, sending to last confirmation
    started: float = 0.0  # wall clock (epoch seconds) at the first send, to line rounds up with other records
    machine: MachineCpu | None = None  # the whole machine over the same span

    def p(self, q: float) -> float:
        if self.failed and q >= 1 - self.failed / self.commands:
            return float("inf")
        ordered = sorted(self.acks)
        return ordered[min(len(ordered) - 1, int(q * self.commands))] if ordered else float("inf")

    @property
    def sustained(self) -> bool:
        return (
            not self.failed
            and self.p(0.99) < SUSTAINED_P99
            and self.confirmed == self.commands
            and self.keep_up <= KEEP_UP
        )


class Bench:
    """One fake Slack, one database, two targets; runs rounds and checks every command."""

    def __init__(self, fake: FakeSlack, database_url: str, pool: ProcessPoolExecutor) -> None:
        self.fake = fake
        self.database_url = database_url
        self.pool = pool
        self.probe = ConfirmationProbe(fake)
        self.driver = CapturingDriver(fake)
        self.authors = [fake.add_user(f"bench{index:03d}").handle for index in range(AUTHORS)]
        self.engine = make_engine(database_url)
        self.urls: dict[str, str] = {}
        self.pids: dict[str, int] = {}
        self.rounds: list[Round] = []
        self._labels = 0

    def stored(self, label: str) -> int:
        with self.engine.connect() as connection:
            return int(
                connection.scalar(
                    select(func.count(func.distinct(InteractionRow.notes))).where(
                        InteractionRow.team_id == self.fake.team_id, InteractionRow.notes.like(f"{label}-%")
                    )
                )
                or 0
            )

    def run_round(self, name: str, mode: str, level: float, count: int, record: bool = True) -> Round:
        self._labels += 1
        label = f"{name[0]}{self._labels:04d}"
        commands = build_commands(self.driver, self.authors, label, count)
        cpu_before = process_cpu(self.pids.get(name))
        ticks_before = machine_ticks()
        started = time.time()
        results = self.pool.submit(
            drive, self.urls[name], self.fake.signing_secret, [c.body for c in commands], mode, level
        ).result()
        keys = [c.hook_key for c in commands]
        deadline = time.monotonic() + DRAIN_LIMIT
        while self.probe.count(keys) < count and time.monotonic() < deadline:
            time.sleep(0.2)
        cpu = process_cpu(self.pids.get(name)) - cpu_before
        machine = machine_cpu(ticks_before, machine_ticks(), cpu, count)
        answered = [latency for _, latency, status in results if status == 200 and latency <= ACK_DEADLINE]
        sends = [sent for sent, _, _ in results]
        last_send = max(sends)
        span = max(last_send - min(sends), 1e-9)
        confirmations = self.probe.times(keys)
        self.fake.reset_calls()  # the fake keeps every call; the probe has what the bench needs
        result = Round(
            target=name,
            mode=mode,
            level=level,
            commands=count,
            acks=answered,
            failed=count - len(answered),
            confirmed=len(confirmations),
            stored=self.stored(label) if name == "rapport" else None,
            duration=span,
            throughput=len(answered) / (span + statistics.median(answered or [0.0])),
            keep_up=(max(confirmations) - last_send) if confirmations else float("inf"),
            cpu_ms=cpu * 1000 / count,
            started=started,
            machine=machine,
        )
        if record:
            self.rounds.append(result)
        return result


def alternate(bench: Bench, mode: str, level: float, count: int, rounds: int) -> list[Round]:
    """``rounds`` rounds per target, alternating, the order swapped every round (ABBA…)."""
    done = []
    for index in range(rounds):
        order = ("rapport", "bare") if index % 2 == 0 else ("bare", "rapport")
        for name in order:
            done.append(bench.run_round(name, mode, level, count))
            print("   ", describe(done[-1]), flush=True)
    return done


def sweep(bench: Bench, seconds: float, rates: tuple[int, ...], refine: int) -> dict[str, int]:
    """Highest open-loop rate each target sustains: rates stepped up until one fails, then ``refine`` halvings of
    the gap between the last rate sustained and the first that was not; the targets alternate at each step."""
    best = {"rapport": 0, "bare": 0}
    failed_at: dict[str, int] = {}

    def attempt(name: str, rate: int) -> None:
        result = bench.run_round(name, "open", rate, int(rate * seconds))
        print("   ", describe(result), flush=True)
        if result.sustained:
            best[name] = rate
        else:
            failed_at[name] = rate

    for step, rate in enumerate(rates):
        for name in ("rapport", "bare") if step % 2 == 0 else ("bare", "rapport"):
            if name not in failed_at:
                attempt(name, rate)
        if len(failed_at) == 2:
            break
    for step in range(refine):
        for name in ("rapport", "bare") if step % 2 == 0 else ("bare", "rapport"):
            middle = (best[name] + failed_at[name]) // 2 if name in failed_at else 0
            if middle > best[name]:
                attempt(name, middle)
    return best


def ms(value: float) -> str:
    return "   >3 s" if value == float("inf") else f"{value * 1000:6.0f} ms"


def describe(r: Round) -> str:
    load = f"{r.level:.0f}/s open" if r.mode == "open" else f"{r.level:.0f} clients"
    stored = "" if r.stored is None else f" stored {r.stored}/{r.commands}"
    machine = (
        ""
        if r.machine is None
        else f"  machine busy {r.machine.busy:4.0%} steal {r.machine.steal:3.0%}"
        f" others {r.machine.others_ms_per_command:4.1f} ms/cmd"
    )
    return (
        f"{time.strftime('%H:%M:%S', time.localtime(r.started))} {r.target:7} {load:>11}"
        f" n={r.commands:5}  p50 {ms(r.p(0.5))}  p99 {ms(r.p(0.99))}  max {ms(r.p(1.0))}"
        f"  {r.throughput:6.1f}/s  cpu {r.cpu_ms:4.1f} ms/cmd  no 200 in 3 s: {r.failed}"
        f"  confirmed {r.confirmed}/{r.commands} (last +{r.keep_up:.1f} s){stored}{machine}"
    )


def summary(rounds: list[Round], mode: str, level: float) -> None:
    by: dict[str, list[Round]] = {"rapport": [], "bare": []}
    for r in rounds:
        if r.mode == mode and r.level == level:
            by[r.target].append(r)
    if not by["rapport"] or not by["bare"]:
        return
    figures: dict[str, dict[str, float]] = {}
    for name, mine in by.items():
        acks = sorted(a for r in mine for a in r.acks)
        total = sum(r.commands for r in mine)
        failed = sum(r.failed for r in mine)
        merged = Round(name, mode, mine[0].level, total, acks, failed, 0, None, 0, 0, 0)
        figures[name] = {
            "p50": merged.p(0.5),
            "p99": merged.p(0.99),
            "throughput": statistics.median(r.throughput for r in mine),
            "lag": max(r.keep_up for r in mine),
            "cpu": statistics.median(r.cpu_ms for r in mine),
        }
    heading = f"open loop {level:.0f}/s" if mode == "open" else f"{level:.0f} clients"
    print(f"  {heading}, {len(by['rapport'])} rounds each:")
    for name in ("rapport", "bare"):
        f = figures[name]
        print(
            f"    {name:7}  p50 {ms(f['p50'])}  p99 {ms(f['p99'])}  {f['throughput']:6.1f} acks/s"
            f"  {f['cpu']:4.1f} ms CPU/cmd (medians)  last confirmation up to {f['lag']:.1f} s after the last command"
        )
    ours, theirs = figures["rapport"], figures["bare"]
    print(
        f"    ratio    p50 {ours['p50'] / theirs['p50']:.2f}x  p99 {ours['p99'] / theirs['p99']:.2f}x"
        f"  throughput {ours['throughput'] / theirs['throughput']:.2f}x"
        f"  CPU per command {ours['cpu'] / theirs['cpu']:.2f}x"
    )


def run(database_url: str, args: argparse.Namespace, directory: Path) -> None:
    """Start both targets against one fake Slack and one database; run the scenarios; print the figures."""
    seed = dataclasses.replace(default_workspace(), team_id="T" + uuid.uuid4().hex[:10].upper())
    with FakeSlack(seed=seed) as fake, ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "RAPPORT_", "DATABASE_URL"))}
        env.update(
            SLACK_BOT_TOKEN=fake.bot_token,
            SLACK_SIGNING_SECRET=fake.signing_secret,
            SLACK_API_URL=fake.api_url,
            DATABASE_URL=database_url,
            RAPPORT_HTTP_THREADS=str(args.threads),
        )
        env.update(dict(item.split("=", 1) for item in args.rapport_env))
        bench = Bench(fake, database_url, pool)
        rapport = [str(RAPPORT), "run"]
        bare = [sys.executable, "-m", "bench.ack_latency", "--serve-bare", "--threads", str(args.threads)]
        with (
            target("rapport", rapport, env, directory / "rapport.log") as (rapport_url, rapport_pid),
            target("bare", bare, env, directory / "bare.log") as (bare_url, bare_pid),
        ):
            bench.urls = {"rapport": rapport_url, "bare": bare_url}
            bench.pids = {"rapport": rapport_pid, "bare": bare_pid}
            backend = make_url(database_url).get_backend_name()
            print(f"database: {backend}; waitress threads {args.threads}; rapport pid {rapport_pid}", flush=True)
            # Warm-up (not counted): every author once, one at a time, so the directory cache and workspace row
            # exist (concurrent first use is the hardening issue's), then a short burst for imports and pools.
            for name in ("rapport", "bare"):
                bench.run_round(name, "closed", 1, AUTHORS, record=False)
                bench.run_round(name, "closed", 8, 200, record=False)
            profiler = start_py_spy(args.py_spy, rapport_pid, args.py_spy_gil) if args.py_spy else None
            scale = 0.5 if args.quick else 1.0
            if "open" in args.scenarios:
                print(f"  open loop {OPEN_RATE} commands/s:", flush=True)
                alternate(bench, "open", OPEN_RATE, int(500 * scale), args.rounds)
            if "closed" in args.scenarios:
                print(f"  closed loop, {CLIENTS} clients:", flush=True)
                alternate(bench, "closed", CLIENTS, int(600 * scale), args.rounds)
            if profiler is not None:
                stop_py_spy(profiler)
            best = {}
            if "sweep" in args.scenarios:
                print(f"  sweep (open loop, {args.sweep_seconds * scale:.0f} s per step):", flush=True)
                best = sweep(bench, args.sweep_seconds * scale, SWEEP_RATES, args.sweep_refine)
        print(f"\n== {backend}: summary ==")
        summary(bench.rounds, "open", OPEN_RATE)
        summary(bench.rounds, "closed", CLIENTS)
        if best:
            ratio = best["rapport"] / best["bare"] if best["bare"] else float("nan")
            print(
                f"  max sustained (p99 ack < 1 s, all confirmed, keeping up): rapport {best['rapport']}/s,"
                f" bare {best['bare']}/s, ratio {ratio:.2f}"
            )
        checked = [r for r in bench.rounds if r.target == "rapport"]
        total = sum(r.commands for r in checked)
        print(
            f"  every rapport command: 200 in 3 s {total - sum(r.failed for r in checked)}/{total},"
            f" confirmed {sum(r.confirmed for r in checked)}/{total}, stored {sum(r.stored or 0 for r in checked)}"
            f"/{total}"
        )
        bench.engine.dispose()


def start_py_spy(out: str, pid: int, gil: bool) -> subprocess.Popen[bytes]:
    """Sample Rapport (all threads, idle frames left out; with ``gil`` only the thread holding the GIL, i.e. where
    the CPU goes) into collapsed stacks while the rounds run."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    command = [spy, "record", "--pid", str(pid), "--format", "raw", "--rate", "200", "--output", out, "--nonblocking"]
    if gil:
        command.append("--gil")
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop_py_spy(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGINT)
    process.wait(timeout=60)


@contextmanager
def database(url: str | None, directory: Path) -> Iterator[str]:
    """A fresh SQLite file, or a private PostgreSQL database dropped afterwards."""
    if url is None:
        yield f"sqlite:///{directory}/ack.db"
        return
    admin_url = normalise_url(url)
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"rapport_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main(argv: list[str] | None = None) -> None:
    """Parse arguments; serve the bare app, or run the benchmark on each backend."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--scenarios", default="open,closed,sweep")
    parser.add_argument("--rounds", type=int, default=4, help="rounds per target and scenario")
    parser.add_argument("--sweep-seconds", type=float, default=6.0)
    parser.add_argument("--sweep-refine", type=int, default=2, help="halvings after the first failing rate")
    parser.add_argument(
        "--threads",
        type=int,
        default=Settings.model_fields["rapport_http_threads"].default,
        help="waitress and listener threads, both targets (default: Rapport's own default)",
    )
    parser.add_argument("--rapport-env", action="append", default=[], help="KEY=VALUE for rapport run")
    parser.add_argument("--quick", action="store_true", help="half-length rounds and steps")
    parser.add_argument("--py-spy", default=None, help="collapsed stacks of Rapport during open/closed rounds")
    parser.add_argument("--py-spy-gil", action="store_true", help="sample only the thread holding the GIL")
    parser.add_argument("--keep-logs", default=None, help="copy each target's log into this folder")
    parser.add_argument("--serve-bare", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_bare:
        serve_bare(args.port, args.threads)
        return
    args.scenarios = set(args.scenarios.split(","))
    print(f"uptime: {os.getloadavg()} (1, 5, 15 min load); {os.cpu_count()} CPUs", flush=True)
    for backend in args.backends.split(","):
        with (
            tempfile.TemporaryDirectory() as raw,
            database(None if backend == "sqlite" else args.postgres_url, Path(raw)) as url,
        ):
            run(url, args, Path(raw))
            if args.keep_logs:
                Path(args.keep_logs).mkdir(parents=True, exist_ok=True)
                for log in Path(raw).glob("*.log"):
                    shutil.copy(log, Path(args.keep_logs) / f"{log.stem}-{backend}.log")
    print(f"uptime: {os.getloadavg()} (1, 5, 15 min load)", flush=True)


if __name__ == "__main__":
    main()
