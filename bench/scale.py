"""Scale-out load test: 3 web and 3 worker processes on one PostgreSQL, many OAuth-installed workspaces, the sandbox
with rate limits on.

The default run is the issue's: 20 workspaces × 5,000 people, installed through the OAuth flow over HTTP; 200,000
pending nudges of which 20,000 come due during the run; a sustained 50 signed `/met` commands a second for 5
minutes, spread over the web processes (each command from a random person to a random colleague in the same
workspace). It reports:

- ack p50 / p99 / max and every command's fate: its 200 within 3 s, its confirmation on its response_url, its entry
  in the database (counted afterwards, by the note unique to it);
- nudges that came due: lost (not delivered when the run drains), duplicated (in two DMs), and crossed (delivered
  in another workspace than the nudge's own);
- Web API calls that crossed workspaces: a call whose token belongs to one workspace naming a person of another;
- every process's peak RSS, and the machine's load average.

The people are cached in the directory before the run (as after a first round), so a command makes no users.info
call; nudge settings are 24/7 so every due nudge may be sent at once.

.venv/bin/python -m bench.scale                          # the issue's run (~10 min with seeding and the drain)
.venv/bin/python -m bench.scale --quick                  # 4 workspaces x 500 people, 20/s for 60 s, 20,000 nudges
.venv/bin/python -m bench.scale --database-url postgresql://postgres@127.0.0.1:5432/test   (a private db is made)
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime, timedelta
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, insert, select

from bench.ack_latency import ConfirmationProbe, database, drive, free_port, target
from bench.followups_delivery import peak_rss_kb
from bot.sandbox.client import Driver, DriverResponse
from bot.sandbox.seed import WorkspaceSeed, default_workspace
from bot.sandbox.slack import FakeSlack, FakeSlackGrid
from storage import migrate
from storage.db import make_engine
from storage.models import InteractionRow, NudgeRow, NudgeSettingsRow, PersonRow, Workspace
from storage.secrets import TokenCipher

RAPPORT = Path(sys.executable).with_name("rapport")
ACK_DEADLINE = 3.0
DRAIN_LIMIT = 180.0  # seconds after the load to wait for confirmations and due nudges
TEAMS = ("Engineering", "Sales", "Support", "Design", "Finance", "People", "Legal", "Data", "Marketing", "Ops")
ZONES = ("America/Los_Angeles", "America/New_York", "Europe/London", "Europe/Berlin", "Asia/Kolkata", "Asia/Tokyo")
BATCH = 20_000

logger = logging.getLogger("bench.scale")


@dataclasses.dataclass(frozen=True)
class Shape:
    """The size of one run."""

    workspaces: int
    people: int
    rate: float
    seconds: int
    nudges: int
    due: int
    web: int
    workers: int


class CapturingDriver(Driver):
    """The sandbox driver's slash-command payloads (with a fresh response_url each), kept instead of sent."""

    def _deliver(self, kind: str, payload: dict[str, Any]) -> DriverResponse:
        return DriverResponse(status=0, body=urllib.parse.urlencode(payload), payload=payload)


def user_id(workspace: int, person: int) -> str:
    """Person ids unique across workspaces, so a post naming someone shows whose workspace it was meant for."""
    return f"U{workspace:02d}P{person:06d}"


def workspace_of(user: str) -> int | None:
    """The workspace index a bench person id names (None for seeded and other ids)."""
    if len(user) == 10 and user.startswith("U") and user[3] == "P":
        return int(user[1:3])
    return None


def make_fakes(shape: Shape, rng: random.Random) -> list[FakeSlack]:
    """One fake workspace per index, with ``people`` members in uneven teams and six time zones."""
    weights = [1 / (rank + 1) for rank in range(len(TEAMS))]
    fakes = []
    for index in range(shape.workspaces):
        seed: WorkspaceSeed = dataclasses.replace(
            default_workspace(), team_id=f"TSCALE{index:04d}", team_name=f"Scale {index}", domain=f"scale-{index}"
        )
        fake = FakeSlack(seed=seed)
        for person in range(shape.people):
            fake.add_user(
                f"p{index:02d}x{person:06d}",
                department=rng.choices(TEAMS, weights)[0],
                tz=rng.choice(ZONES),
                user_id=user_id(index, person),
            )
        fakes.append(fake)
    return fakes


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def _get(url: str, cookie: str = "") -> tuple[int, dict[str, str]]:
    browser = urllib.request.build_opener(_NoRedirects)
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with browser.open(request, timeout=30) as answer:
            return answer.status, dict(answer.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)


def install(base_url: str, team_id: str) -> None:
    """ "Add to Slack" → Slack's authorize page (the grid) → back to the redirect, as a browser would."""
    status, headers = _get(f"{base_url}/slack/install")
    if status != 302:
        raise SystemExit(f"/slack/install answered {status}")
    cookie = headers["Set-Cookie"].split(";", 1)[0]
    status, headers = _get(f"{headers['Location']}&team={team_id}")
    if status != 302:
        raise SystemExit(f"the authorize page answered {status}")
    status, _ = _get(headers["Location"], cookie)
    if status != 200:
        raise SystemExit(f"the OAuth redirect answered {status} for {team_id}")


def seed(engine: Engine, shape: Shape, fakes: list[FakeSlack], start: float, rng: random.Random) -> dict[int, str]:
    """The directory cache, 24/7 nudge settings, and the nudges: ``due`` of them spread over the run, the rest later.

    Returns the ids of the nudges due during the run, with their workspace."""
    now = datetime.now(UTC)
    run_start = datetime.fromtimestamp(start, UTC)
    people = [(index, fake.team_id, user_id(index, person)) for index, fake in enumerate(fakes)
              for person in range(shape.people)]  # fmt: skip
    with engine.begin() as connection:
        known = set(connection.scalars(select(Workspace.team_id)))  # the installs made some
        missing = [{"team_id": f.team_id, "name": "", "created_at": now} for f in fakes if f.team_id not in known]
        if missing:
            connection.execute(insert(Workspace), missing)
        for chunk in _chunks(people):
            connection.execute(
                insert(PersonRow),
                [{"team_id": team, "user_id": user, "name": user.lower(), "tz": rng.choice(ZONES),
                  "department": rng.choice(TEAMS), "refreshed_at": now} for _, team, user in chunk],
            )  # fmt: skip
            connection.execute(
                insert(NudgeSettingsRow),
                [{"team_id": team, "user_id": user, "work_start_minute": 0, "work_end_minute": 0, "work_days": 127,
                  "default_follow_up_days": 7, "digest_enabled": True, "updated_at": now} for _, team, user in chunk],
            )  # fmt: skip
        rows = []
        for number in range(shape.nudges):
            index, team, user = people[number % len(people)]
            contact = user_id(index, rng.randrange(shape.people))
            if number < shape.due:
                due_at = run_start + timedelta(seconds=rng.uniform(0, shape.seconds))
            else:
                due_at = now + timedelta(days=rng.uniform(1, 60))
            rows.append((team, user, contact, due_at))
        for chunk in _chunks(rows):
            connection.execute(
                insert(NudgeRow),
                [{"team_id": team, "user_id": user, "contact_id": contact, "kind": "cadence", "due_at": due_at,
                  "available_at": due_at, "status": "pending", "attempts": 0, "in_doubt": False, "created_at": now,
                  "updated_at": now} for team, user, contact, due_at in chunk],
            )  # fmt: skip
        due = connection.execute(
            select(NudgeRow.id, NudgeRow.team_id).where(NudgeRow.due_at <= run_start + timedelta(seconds=shape.seconds))
        ).all()
    return {int(nudge): str(team) for nudge, team in due}


def _chunks(items: list[Any]) -> Iterator[list[Any]]:
    for offset in range(0, len(items), BATCH):
        yield items[offset : offset + BATCH]


@dataclasses.dataclass(frozen=True)
class Command:
    team: str
    body: bytes
    hook_key: str
    note: str


def build_commands(fakes: list[FakeSlack], shape: Shape, rng: random.Random) -> list[Command]:
    """One `/met` per slot of the run, from a random person of a random workspace about a colleague there."""
    drivers = [CapturingDriver(fake) for fake in fakes]
    commands = []
    for number in range(int(shape.rate * shape.seconds)):
        index = rng.randrange(len(fakes))
        author, contact = rng.sample(range(shape.people), 2)
        note = f"scale-{number:06d}"
        text = f"<@{user_id(index, contact)}|p{contact}> yesterday coffee — {note}"
        sent = drivers[index].slash_command(user_id(index, author), "/met", text)
        hook_key = str(sent.payload["response_url"]).split("/hooks/commands/", 1)[1]
        commands.append(Command(fakes[index].team_id, sent.body.encode(), hook_key, note))
    return commands


@contextmanager
def worker(name: str, env: dict[str, str], directory: Path) -> Iterator[int]:
    """A `rapport run --role worker` process (output in ``directory``/``name``.log); yields its pid."""
    with (directory / f"{name}.log").open("wb") as sink:
        child = subprocess.Popen(
            [str(RAPPORT), "run", "--role", "worker"], env=env, stdout=sink, stderr=subprocess.STDOUT
        )
    try:
        yield child.pid
    finally:
        child.send_signal(signal.SIGTERM)
        try:
            child.wait(timeout=60)
        except subprocess.TimeoutExpired:
            logger.warning("%s did not stop within 60 s of SIGTERM; killed", name)
            child.kill()
            child.wait(timeout=10)


def environment(grid: FakeSlackGrid, database_url: str) -> dict[str, str]:
    """Settings for every process: OAuth installs, the grid as Slack, the private database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "RAPPORT_", "DATABASE_URL"))}
    env.update(
        SLACK_CLIENT_ID=grid.client_id,
        SLACK_CLIENT_SECRET=grid.client_secret,
        RAPPORT_ENCRYPTION_KEY=TokenCipher.generate_key(),
        SLACK_SIGNING_SECRET=next(iter(grid.fakes.values())).signing_secret,
        SLACK_API_URL=grid.api_url,
        DATABASE_URL=database_url,
        RAPPORT_SWEEP_SECONDS="1",
        RAPPORT_SWEEP_BATCH="500",
        RAPPORT_LOG_LEVEL="WARNING",
    )
    return env


@dataclasses.dataclass
class Figures:
    """What the run measured."""

    acks: list[tuple[float, float, int]]
    commands: list[Command]
    confirmed: int
    stored: int
    duplicated_entries: int
    due: dict[int, str]
    delivered: Counter[int]
    crossed_nudges: int
    crossed_calls: int
    unknown_token_calls: int
    rss_mb: dict[str, float]
    drained_in: float


def delivered_nudges(fakes: list[FakeSlack], due: dict[int, str]) -> tuple[Counter[int], int]:
    """Nudge ids found in each workspace's reminder DMs, and how many were in a workspace not their own."""
    counts: Counter[int] = Counter()
    crossed = 0
    for fake in fakes:
        recipients = {str(call.args.get("channel")) for call in fake.calls("chat.postMessage")}
        for user in recipients:
            if workspace_of(user) is None:
                continue
            for message in fake.messages(user):
                metadata = message.metadata or {}
                if metadata.get("event_type") != "rapport_nudge":
                    continue
                for nudge in metadata["event_payload"]["ids"]:
                    counts[int(nudge)] += 1
                    crossed += due.get(int(nudge), fake.team_id) != fake.team_id
    return counts, crossed


def crossed_calls(grid: FakeSlackGrid, fakes: list[FakeSlack]) -> tuple[int, int]:
    """Web API calls naming a bench person of another workspace than the token's, and calls with no known token."""
    team_index = {fake.team_id: index for index, fake in enumerate(fakes)}
    crossed = unknown = 0
    for call in grid.calls():
        if call.method == "oauth.v2.access":
            continue
        if call.team_id is None:
            unknown += 1
            continue
        for key in ("channel", "user", "users"):
            for named in str(call.args.get(key) or "").split(","):
                owner = workspace_of(named.strip())
                if owner is not None and owner != team_index[call.team_id]:
                    crossed += 1
    return crossed, unknown


def run(shape: Shape, database_url: str, directory: Path, seed_value: int) -> Figures:
    """Start everything, install, seed, load, drain, and collect the figures."""
    rng = random.Random(seed_value)
    logger.warning("building %d workspaces x %d people", shape.workspaces, shape.people)
    fakes = make_fakes(shape, rng)
    with ExitStack() as stack:
        grid = stack.enter_context(FakeSlackGrid(fakes))
        for fake in fakes:
            fake.rate_limits.set_enabled(True)
        probes = {fake.team_id: ConfirmationProbe(fake) for fake in fakes}
        engine = make_engine(database_url)
        migrate.upgrade(engine)
        env = environment(grid, database_url)
        webs = [
            stack.enter_context(
                target(f"web{number}", [str(RAPPORT), "run", "--role", "web"], env, directory / f"web{number}.log")
            )
            for number in range(shape.web)
        ]
        front = webs[0][0].removesuffix("/slack/events")
        grid.redirect_uri = f"{front}/slack/oauth_redirect"
        for fake in fakes:
            install(front, fake.team_id)
        logger.warning("installed %d workspaces; seeding %d nudges", len(fakes), shape.nudges)
        start = time.time() + 30 + shape.nudges / 4_000  # seeding and worker start-up come first
        due = seed(engine, shape, fakes, start, rng)
        commands = build_commands(fakes, shape, rng)
        workers = [
            stack.enter_context(worker(f"worker{number}", {**env, "RAPPORT_METRICS_PORT": str(free_port())}, directory))
            for number in range(shape.workers)
        ]
        delay = start - time.time()
        if delay > 0:
            time.sleep(delay)
        logger.warning("load: %.0f commands/s for %d s over %d web processes", shape.rate, shape.seconds, shape.web)
        acks = load(webs, env["SLACK_SIGNING_SECRET"], commands, shape)
        drained_in = drain(engine, probes, commands, due, start + shape.seconds)
        rss = {f"web{n}": peak_rss_kb(pid) / 1024 for n, (_, pid) in enumerate(webs)}
        rss.update({f"worker{n}": peak_rss_kb(pid) / 1024 for n, pid in enumerate(workers)})
        stored, duplicated = entries(engine)
        delivered, crossed_nudges = delivered_nudges(fakes, due)
        crossed, unknown = crossed_calls(grid, fakes)
        confirmed = sum(probes[command.team].count([command.hook_key]) for command in commands)
        engine.dispose()
    return Figures(acks, commands, confirmed, stored, duplicated, due, delivered, crossed_nudges, crossed, unknown,
                   rss, drained_in)  # fmt: skip


def load(
    webs: list[tuple[str, int]], secret: str, commands: list[Command], shape: Shape
) -> list[tuple[float, float, int]]:
    """Open-loop commands at ``shape.rate`` in all, each web process taking its share, from separate processes."""
    shares = [[command.body for command in commands[number :: len(webs)]] for number in range(len(webs))]
    with ProcessPoolExecutor(max_workers=len(webs), mp_context=get_context("spawn")) as pool:
        futures = [
            pool.submit(drive, url, secret, share, "open", shape.rate / len(webs))
            for (url, _), share in zip(webs, shares, strict=True)
        ]
        results = [future.result() for future in futures]
    ordered: list[tuple[float, float, int]] = []
    for number in range(len(commands)):
        ordered.append(results[number % len(webs)][number // len(webs)])
    return ordered


def drain(engine: Engine, probes: dict[str, ConfirmationProbe], commands: list[Command], due: dict[int, str],
          load_end: float) -> float:  # fmt: skip
    """Wait until every confirmation arrived and every nudge due in the run is sent (bounded); seconds it took."""
    deadline = time.time() + DRAIN_LIMIT
    keys: dict[str, list[str]] = {}
    for command in commands:
        keys.setdefault(command.team, []).append(command.hook_key)
    while time.time() < deadline:
        confirmed = sum(probes[team].count(team_keys) for team, team_keys in keys.items())
        with engine.connect() as connection:
            unsent = connection.scalar(
                select(func.count()).select_from(NudgeRow).where(NudgeRow.id.in_(list(due)), NudgeRow.status != "sent")
            ) if len(due) <= 30_000 else 0  # fmt: skip
        if confirmed >= len(commands) and not unsent:
            break
        time.sleep(1.0)
    return max(0.0, time.time() - load_end)


def entries(engine: Engine) -> tuple[int, int]:
    """Distinct bench notes stored, and notes stored more than once."""
    with engine.connect() as connection:
        counts = connection.execute(
            select(InteractionRow.notes, func.count()).where(InteractionRow.notes.like("%scale-%"))
            .group_by(InteractionRow.notes)
        ).all()  # fmt: skip
    return len(counts), sum(1 for _, count in counts if count > 1)


def report(shape: Shape, figures: Figures, database_url: str) -> None:
    """Print the figures."""
    answered = [seconds for _, seconds, status in figures.acks if status == 200]
    on_time = sum(1 for _, seconds, status in figures.acks if status == 200 and seconds <= ACK_DEADLINE)
    total = len(figures.commands)
    quantiles = statistics.quantiles(answered, n=100) if len(answered) > 1 else [0.0] * 99
    lost_nudges = len(set(figures.due) - set(figures.delivered))
    duplicated_nudges = sum(1 for count in figures.delivered.values() if count > 1)
    print(f"\nScale-out run: {shape.workspaces} workspaces x {shape.people:,} people, {shape.web} web + "
          f"{shape.workers} worker processes, {database_url.split(':', 1)[0]}")  # fmt: skip
    print(f"  load average at the end: {' / '.join(f'{value:.1f}' for value in os.getloadavg())} (2 vCPUs)")
    print(f"  commands: {total:,} at {shape.rate:.0f}/s for {shape.seconds} s")
    print(
        f"    ack p50 {quantiles[49] * 1000:.0f} ms, p99 {quantiles[98] * 1000:.0f} ms, "
        f"max {max(answered or [0]) * 1000:.0f} ms"
    )
    print(f"    200 within 3 s: {on_time:,}/{total:,}   confirmed: {figures.confirmed:,}/{total:,}   "
          f"stored: {figures.stored:,}/{total:,}   stored twice: {figures.duplicated_entries}")  # fmt: skip
    print(f"  nudges: {shape.nudges:,} pending, {len(figures.due):,} due during the run")
    print(f"    delivered: {len(set(figures.due) & set(figures.delivered)):,}   lost: {lost_nudges}   "
          f"duplicated: {duplicated_nudges}   in another workspace: {figures.crossed_nudges}")  # fmt: skip
    print(f"  Web API calls naming another workspace's person: {figures.crossed_calls}   "
          f"with a token no workspace issued: {figures.unknown_token_calls}")  # fmt: skip
    print(f"  drained {figures.drained_in:.1f} s after the load ended")
    print("  peak RSS: " + ", ".join(f"{name} {mb:.0f} MB" for name, mb in figures.rss_mb.items()))


def main(argv: list[str] | None = None) -> None:
    """Parse arguments and run once."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/test",
                        help="PostgreSQL server URL (a private database is made and dropped)")  # fmt: skip
    parser.add_argument("--workspaces", type=int, default=20)
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--seconds", type=int, default=300)
    parser.add_argument("--nudges", type=int, default=200_000)
    parser.add_argument("--due", type=int, default=20_000)
    parser.add_argument("--web", type=int, default=3)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="4 x 500 people, 20/s for 60 s, 20,000 nudges")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(message)s")
    shape = Shape(args.workspaces, args.people, args.rate, args.seconds, args.nudges, args.due, args.web, args.workers)
    if args.quick:
        shape = Shape(4, 500, 20.0, 60, 20_000, 2_000, args.web, args.workers)
    with tempfile.TemporaryDirectory() as scratch, database(args.database_url, Path(scratch)) as url:
        figures = run(shape, url, Path(scratch), args.seed)
        report(shape, figures, url)


if __name__ == "__main__":
    main()
