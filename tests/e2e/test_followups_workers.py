"""Real `rapport run --role worker` processes delivering nudges against the sandbox: several replicas on one
PostgreSQL database, and a worker killed with SIGKILL mid-sweep — every nudge is delivered exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, insert, select

from bot.sandbox.slack import ALL_SCOPES, FakeSlack
from bot.sandbox.slack.faults import Fault
from storage import migrate
from storage.db import make_engine
from storage.models import NudgeRow, NudgeSettingsRow, PersonRow, Workspace
from tests.conftest import create_postgres_database, drop_postgres_database
from tests.e2e.conftest import wait_for

RAPPORT = Path(sys.executable).with_name("rapport")


def seed(engine: Engine, fake: FakeSlack, recipients: int, nudges: int) -> set[int]:
    """``nudges`` due follow-ups spread over ``recipients`` new people (cached, 24/7 working hours)."""
    now = datetime.now(UTC)
    team = fake.team_id
    users = [fake.add_user(f"worker{index:05d}", user_id=f"UW{index:07d}").id for index in range(recipients)]
    with engine.begin() as connection:
        connection.execute(insert(Workspace), [{"team_id": team, "name": "", "created_at": now}])
        connection.execute(
            insert(PersonRow),
            [
                {"team_id": team, "user_id": user, "name": user.lower(), "tz": "UTC", "refreshed_at": now}
                for user in users
            ],
        )
        connection.execute(
            insert(NudgeSettingsRow),
            [
                {"team_id": team, "user_id": user, "work_start_minute": 0, "work_end_minute": 0, "work_days": 127}
                | {"default_follow_up_days": 7, "digest_enabled": True, "updated_at": now}
                for user in users
            ],
        )
        rows = [
            {
                "team_id": team,
                "user_id": users[index % recipients],
                "contact_id": users[(index + 1) % recipients],
                "kind": "cadence",
                "due_at": now - timedelta(hours=1, seconds=index),
                "available_at": now - timedelta(hours=1, seconds=index),
                "status": "pending",
                "attempts": 0,
                "in_doubt": False,
                "created_at": now,
                "updated_at": now,
            }
            for index in range(nudges)
        ]
        connection.execute(insert(NudgeRow), rows)
        ids = connection.execute(select(NudgeRow.id).where(NudgeRow.team_id == team)).scalars().all()
    return set(ids)


def worker_env(fake: FakeSlack, database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "RAPPORT_", "DATABASE_URL"))}
    env.update(
        SLACK_BOT_TOKEN=fake.bot_token,
        SLACK_SIGNING_SECRET=fake.signing_secret,
        SLACK_API_URL=fake.api_url,
        DATABASE_URL=database_url,
        RAPPORT_SWEEP_SECONDS="1",
        RAPPORT_LOG_LEVEL="INFO",
    )
    env.update(extra)
    return env


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as sink:
        return subprocess.Popen(
            [str(RAPPORT), "run", "--role", "worker"], env=env, cwd=log.parent, stdout=sink, stderr=subprocess.STDOUT
        )


def stop_worker(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)


def delivered(fake: FakeSlack, recipients: int) -> Counter[int]:
    counts: Counter[int] = Counter()
    for index in range(recipients):
        for message in fake.messages(f"UW{index:07d}"):
            if message.metadata and message.metadata.get("event_type") == "rapport_nudge":
                counts.update(message.metadata["event_payload"]["ids"])
    return counts


def unsent(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(NudgeRow).where(NudgeRow.status != "sent")) or 0)


@pytest.fixture
def postgres() -> Iterator[tuple[str, Engine]]:
    url, admin = create_postgres_database("rapport_workers")
    engine = make_engine(url)
    migrate.upgrade(engine)
    yield url, engine
    engine.dispose()
    drop_postgres_database(url, admin)


@pytest.mark.slow
def test_three_workers_on_postgres_deliver_5000_nudges_exactly_once(
    postgres: tuple[str, Engine], tmp_path: Path
) -> None:
    url, engine = postgres
    with FakeSlack() as fake:
        ids = seed(engine, fake, recipients=1000, nudges=5000)
        env = worker_env(
            fake, url, RAPPORT_SLACK_POSTS_PER_SECOND="300", RAPPORT_SWEEP_BATCH="250", RAPPORT_SWEEP_THREADS="8"
        )
        workers = [start_worker(env, tmp_path / f"worker{index}.log") for index in range(3)]
        try:
            wait_for(lambda: unsent(engine) == 0, timeout=120, what="every nudge sent")
        finally:
            for worker in workers:
                stop_worker(worker)
        counts = delivered(fake, 1000)
    assert set(counts) == ids, f"lost: {len(ids - set(counts))}"
    duplicated = {nudge_id: count for nudge_id, count in counts.items() if count > 1}
    assert duplicated == {}


def test_a_worker_killed_mid_sweep_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'rapport.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    # im:history and im:write let the next worker check whether the killed one's in-flight posts reached Slack.
    with FakeSlack(scopes=ALL_SCOPES) as fake:
        ids = seed(engine, fake, recipients=200, nudges=200)
        slow = fake.faults.add(Fault(method="chat.postMessage", kind="slow", delay=0.2))
        env = worker_env(
            fake,
            url,
            RAPPORT_SLACK_POSTS_PER_SECOND="100",
            RAPPORT_SWEEP_BATCH="40",
            RAPPORT_SWEEP_THREADS="8",
            RAPPORT_SWEEP_LEASE_SECONDS="5",
        )
        first = start_worker(env, tmp_path / "first.log")
        try:
            wait_for(lambda: len(fake.calls("chat.postMessage")) >= 30, timeout=60, what="the first worker posting")
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
        finally:
            if first.poll() is None:
                first.kill()
        time.sleep(0.5)  # let the fake finish the posts that were in flight: Slack accepted them, nobody recorded it
        partly = delivered(fake, 200)
        assert 0 < len(partly) < len(ids), "killed mid-sweep"
        fake.faults.remove(slow)
        second = start_worker(env, tmp_path / "second.log")
        try:
            wait_for(lambda: unsent(engine) == 0, timeout=90, what="the second worker finishing")
        finally:
            stop_worker(second)
        counts = delivered(fake, 200)
    engine.dispose()
    assert set(counts) == ids, f"lost: {len(ids - set(counts))}"
    assert {nudge_id: count for nudge_id, count in counts.items() if count > 1} == {}
    # The posts in flight when the first worker died were found in the DM history rather than sent again.
    assert "already delivered before a crash" in (tmp_path / "second.log").read_text()
