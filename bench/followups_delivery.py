"""Delivery throughput: 10,000 due nudges to 10,000 different people through a real `rapport run --role worker`
against the sandbox with rate limits on and a workspace-wide chat.postMessage limit of 100/s.

Prints the total time (the limit allows 100 s), lost and duplicated nudges (from the metadata of the DMs the
sandbox holds), 429s the sandbox answered (total and after the first second) and the worker's peak RSS.

.venv/bin/python -m bench.followups_delivery                                   # SQLite file
.venv/bin/python -m bench.followups_delivery --database-url postgresql://postgres@127.0.0.1:5432/test  (private db)
.venv/bin/python -m bench.followups_delivery --people 2000                     # quicker
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, func, insert, select, text
from sqlalchemy.engine import make_url

from bot.sandbox.seed import default_workspace
from bot.sandbox.slack import FakeSlack
from storage import migrate
from storage.db import make_engine, normalise_url
from storage.models import NudgeRow, NudgeSettingsRow, PersonRow, Workspace

RAPPORT = Path(sys.executable).with_name("rapport")
POST_LIMIT = 100.0


def seed(engine: Engine, fake: FakeSlack, people: int) -> set[int]:
    """One due nudge for each of ``people`` new members (cached in the directory, working hours 24/7)."""
    now = datetime.now(UTC)
    team = fake.team_id
    users = [fake.add_user(f"bench{index:05d}", user_id=f"UB{index:07d}").id for index in range(people)]
    contacts = [fake.user(handle).id for handle in ("maya", "lee", "arjun", "sofia", "nora")]
    with engine.begin() as connection:
        connection.execute(insert(Workspace), [{"team_id": team, "name": "", "created_at": now}])
        connection.execute(
            insert(PersonRow),
            [
                {"team_id": team, "user_id": user, "name": user.lower(), "tz": "UTC", "refreshed_at": now}
                for user in users + contacts
            ],
        )
        connection.execute(
            insert(NudgeSettingsRow),
            [
                {
                    "team_id": team,
                    "user_id": user,
                    "work_start_minute": 0,
                    "work_end_minute": 0,
                    "work_days": 127,
                    "default_follow_up_days": 7,
                    "digest_enabled": True,
                    "updated_at": now,
                }
                for user in users
            ],
        )
        connection.execute(
            insert(NudgeRow),
            [
                {
                    "team_id": team,
                    "user_id": user,
                    "contact_id": contacts[index % len(contacts)],
                    "kind": "cadence",
                    "due_at": now - timedelta(hours=2),
                    "available_at": now - timedelta(hours=2),
                    "status": "pending",
                    "attempts": 0,
                    "in_doubt": False,
                    "created_at": now,
                    "updated_at": now,
                }
                for index, user in enumerate(users)
            ],
        )
        return set(connection.execute(select(NudgeRow.id).where(NudgeRow.team_id == team)).scalars())


class PostLimitProbe:
    """Counts the sandbox's chat.postMessage answers (accepted, 429) with their time, wrapping its limiter."""

    def __init__(self, fake: FakeSlack) -> None:
        self.accepted: list[float] = []
        self.refused: list[float] = []
        self._lock = threading.Lock()
        limiter = fake.rate_limits
        original = limiter.check

        def check(method: str, channel: str | None = None, team: str = "") -> Any:
            answer = original(method, channel=channel, team=team)
            if method == "chat.postMessage":
                with self._lock:
                    (self.accepted if answer is None else self.refused).append(time.monotonic())
            return answer

        limiter.check = check


def peak_rss_kb(pid: int) -> int:
    """VmHWM of a live process, in kB (0 when unreadable)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return 0
    return 0


def unsent(engine: Engine, team: str) -> int:
    with engine.connect() as connection:
        return int(
            connection.scalar(
                select(func.count()).select_from(NudgeRow).where(NudgeRow.team_id == team, NudgeRow.status != "sent")
            )
            or 0
        )


def run(database_url: str, people: int, threads: int, log: Path) -> None:
    """Seed, start one worker, wait until everything is sent, print the figures."""
    engine = make_engine(database_url)
    migrate.upgrade(engine)
    seed_workspace = dataclasses.replace(default_workspace(), team_id="T" + uuid.uuid4().hex[:10].upper())
    with FakeSlack(seed=seed_workspace) as fake:
        ids = seed(engine, fake, people)
        fake.rate_limits.set_enabled(True)
        fake.rate_limits.set_workspace_post_limit(POST_LIMIT)
        probe = PostLimitProbe(fake)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "RAPPORT_", "DATABASE_URL"))}
        env.update(
            SLACK_BOT_TOKEN=fake.bot_token,
            SLACK_SIGNING_SECRET=fake.signing_secret,
            SLACK_API_URL=fake.api_url,
            DATABASE_URL=database_url,
            RAPPORT_SWEEP_SECONDS="1",
            RAPPORT_SWEEP_BATCH="1000",
            RAPPORT_SWEEP_THREADS=str(threads),
            RAPPORT_SLACK_POSTS_PER_SECOND=str(POST_LIMIT),
            RAPPORT_LOG_LEVEL="WARNING",
        )
        started = time.monotonic()
        with log.open("wb") as sink:
            worker = subprocess.Popen(
                [str(RAPPORT), "run", "--role", "worker"], env=env, stdout=sink, stderr=subprocess.STDOUT
            )
        peak = 0
        try:
            while unsent(engine, fake.team_id):
                peak = max(peak, peak_rss_kb(worker.pid))
                if worker.poll() is not None:
                    raise SystemExit(f"worker exited early; see {log}")
                time.sleep(0.5)
            peak = max(peak, peak_rss_kb(worker.pid))
        finally:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=60)
        finished = time.monotonic()
        counts: Counter[int] = Counter()
        for index in range(people):
            for message in fake.messages(f"UB{index:07d}"):
                if message.metadata and message.metadata.get("event_type") == "rapport_nudge":
                    counts.update(message.metadata["event_payload"]["ids"])
    engine.dispose()
    first, last = probe.accepted[0], probe.accepted[-1]
    late_429 = sum(1 for moment in probe.refused if moment > first + 1.0)
    ideal = people / POST_LIMIT
    print(f"database: {make_url(database_url).get_backend_name()}, people: {people:,}, worker threads: {threads}")
    span = last - first
    print(f"  first to last accepted post: {span:7.1f} s   (limit allows {ideal:.0f} s; ratio {span / ideal:.3f})")
    print(f"  worker start to all sent:    {finished - started:7.1f} s   (includes start-up and the first 1 s tick)")
    print(f"  lost: {len(ids - set(counts))}   duplicated: {sum(1 for c in counts.values() if c > 1)}")
    print(f"  429s from the sandbox: {len(probe.refused)} in total, {late_429} after the first second")
    print(f"  worker peak RSS: {peak / 1024:.1f} MB")


def main() -> None:
    """Parse arguments and run once."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--database-url", default=None, help="PostgreSQL server URL (a private database is made)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        log = Path(directory) / "worker.log"
        if args.database_url is None:
            run(f"sqlite:///{directory}/delivery.db", args.people, args.threads, log)
            return
        admin_url = normalise_url(args.database_url)
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        name = f"rapport_bench_{uuid.uuid4().hex[:8]}"
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            run(
                make_url(admin_url).set(database=name).render_as_string(hide_password=False),
                args.people,
                args.threads,
                log,
            )
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
