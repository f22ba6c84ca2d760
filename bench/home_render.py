"""The Home tab for a heavy user costs at most ~2x a light one: aggregates are indexed queries, not a scan.

Two people in one workspace: "heavy" with 10,000 logged meetings (spread over three years at arbitrary times, with
~600 different contacts in 12 teams and 30 time zones, notes, tags and follow-ups), "light" with their last 50.
Each run builds the whole tab (HomeService.view + the Block Kit builder, every query included) for both, on the
same database, median and best of several repeats taken in turn, and prints the ratio. The baseline the issue
names — loading the heavy user's last 50 meetings (`/met list`'s query, limit 50) — is printed beside it.

.venv/bin/python -m bench.home_render                       # SQLite (temp file)
.venv/bin/python -m bench.home_render --database-url postgresql://postgres@127.0.0.1:5432/test   # a private db
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import ManualClock
from bot.domain.insight.goals import Goal, GoalKind
from bot.domain.models import InteractionKind, Person
from bot.domain.nudges import NudgeKind, NudgeStatus
from bot.services.followups import FollowUpService
from bot.services.home import HomeService
from bot.services.insight import InsightService
from bot.services.people import PeopleService
from storage import migrate
from storage.db import make_engine, make_session_factory, normalise_url
from storage.models import InteractionRow, NudgeRow, ParticipantRow, TagRow
from storage.repositories.interactions import SqlInteractionRepository
from storage.uow import SqlUnitOfWork

NOW = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
TEAM = "TBENCHHOME"
HEAVY, LIGHT = "U0HEAVY001", "U0LIGHT001"
REPEATS = 15
ZONES = [f"Etc/GMT{offset:+d}" for offset in range(-12, 13)] + [
    "Asia/Kolkata", "Asia/Kathmandu", "Australia/Adelaide", "America/St_Johns", "Asia/Tehran",
]  # fmt: skip


class _NoSlack:
    """The directory is pre-filled; the bench never reaches Slack."""

    def fetch_person(self, team_id: str, user_id: str) -> Person | None:
        return None

    def fetch_all(self, team_id: str) -> list[Person]:
        return []

    def post_message(self, *args: object, **kwargs: object) -> object:
        raise RuntimeError("no Slack in this bench")


def seed(url: str, heavy: int, light: int, seed_value: int) -> None:
    rng = random.Random(seed_value)
    engine = make_engine(url)
    migrate.upgrade(engine)
    factory = make_session_factory(engine)
    contacts = [f"U{index:09d}" for index in range(600)]
    with SqlUnitOfWork(factory) as uow:
        uow.workspaces.ensure(TEAM, NOW)
        teams = [f"team-{index}" for index in range(12)]
        for user in [HEAVY, LIGHT, *contacts]:
            team = teams[min(11, int(rng.paretovariate(1.2)) - 1)]
            uow.people.upsert(Person(TEAM, user, user.lower(), tz=rng.choice(ZONES), department=team), NOW)
        uow.insight.set_goal(TEAM, HEAVY, Goal(GoalKind.NEW_PEOPLE, 4), NOW)
        uow.insight.set_goal(TEAM, LIGHT, Goal(GoalKind.NEW_PEOPLE, 4), NOW)
        uow.commit()
    rows, participants, tags, nudges = [], [], [], []
    next_id = 1
    for author, count in ((HEAVY, heavy), (LIGHT, light)):
        for _ in range(count):
            when = NOW - timedelta(seconds=rng.randrange(3 * 365 * 86400))
            rows.append(
                {"id": next_id, "team_id": TEAM, "author_id": author, "happened_at": when,
                 "kind": rng.choice(list(InteractionKind)).value, "notes": "talked about the launch " * 3,
                 "source": "command", "follow_up_days": None, "created_at": when}
            )  # fmt: skip
            who = rng.choice(contacts)
            participants.append({"interaction_id": next_id, "user_id": who, "team_id": TEAM})
            tags.append(
                {"interaction_id": next_id, "tag": rng.choice(["launch", "hiring", "ops", "q3"]), "team_id": TEAM}
            )
            status = rng.choice([NudgeStatus.DONE, NudgeStatus.SUPERSEDED, NudgeStatus.DISMISSED, NudgeStatus.PENDING])
            due = when + timedelta(days=7)
            nudges.append(
                {"team_id": TEAM, "user_id": author, "contact_id": who, "kind": NudgeKind.FOLLOW_UP.value,
                 "interaction_id": next_id, "due_at": due, "available_at": due, "status": status.value,
                 "attempts": 0, "in_doubt": False, "created_at": when, "updated_at": when,
                 "resolved_at": due if status is NudgeStatus.DONE else None}
            )  # fmt: skip
            next_id += 1
    with factory() as session:
        session.execute(InteractionRow.__table__.insert(), rows)
        session.execute(ParticipantRow.__table__.insert(), participants)
        session.execute(TagRow.__table__.insert(), tags)
        session.execute(NudgeRow.__table__.insert(), nudges)
        for author in (HEAVY, LIGHT):  # the per-contact roll-up /met keeps, for the bulk-loaded log
            SqlInteractionRepository(session).recount(TEAM, author, tuple(contacts))
        session.commit()
    if engine.dialect.name == "postgresql":
        # A live database has statistics (autovacuum analyses after bulk writes); without them the planner guesses
        # one row per table and nests loops the wrong way round.
        with engine.connect() as connection:
            connection.execute(text("ANALYZE"))
            connection.commit()
    engine.dispose()


def home_service(factory: sessionmaker[Session]) -> HomeService:
    """The Home tab's service as the container builds it, on a pre-filled directory and a fixed clock."""

    def uow() -> SqlUnitOfWork:
        return SqlUnitOfWork(factory)

    clock = ManualClock(NOW)
    people = PeopleService(uow, _NoSlack(), clock, ttl=timedelta(days=3650))
    insight = InsightService(uow, people, clock)
    followups = FollowUpService(uow, people, clock, _NoSlack(), lambda *a: ("", []), threads=1)  # type: ignore[arg-type]
    return HomeService(uow, people, insight, followups, clock)


def timed(functions: list[Callable[[], object]], repeats: int = REPEATS) -> list[tuple[float, float]]:
    """(median, best) of ``repeats`` runs of each function, taken in turn (one of each per round), so that a change
    in the shared machine's load touches them alike; the best is the steadier estimate of the work."""
    samples: list[list[float]] = [[] for _ in functions]
    for _ in range(repeats):
        for function, taken in zip(functions, samples, strict=True):
            started = time.perf_counter()
            function()
            taken.append(time.perf_counter() - started)
    return [(statistics.median(taken), min(taken)) for taken in samples]


def _ms(times: tuple[float, float]) -> str:
    return f"{times[0] * 1000:.1f} / {times[1] * 1000:.1f} ms"


def _ratio(top: tuple[float, float], bottom: tuple[float, float]) -> str:
    return f"{top[0] / bottom[0]:.2f}x / {top[1] / bottom[1]:.2f}x"


def run(url: str, heavy: int, light: int, seed_value: int, repeats: int = REPEATS) -> None:
    from handlers.blocks.home import home_view

    seed(url, heavy, light, seed_value)
    engine = make_engine(url)
    factory = make_session_factory(engine)

    def uow() -> SqlUnitOfWork:
        return SqlUnitOfWork(factory)

    home = home_service(factory)

    def last_50() -> None:
        with uow() as unit:
            unit.interactions.list_for_author(TEAM, HEAVY, limit=50)

    for user in (HEAVY, LIGHT):
        home_view(home.view(TEAM, user))  # warm caches and the connection pool
    heavy_s, light_s, last_50_s = timed(
        [lambda: home_view(home.view(TEAM, HEAVY)), lambda: home_view(home.view(TEAM, LIGHT)), last_50], repeats
    )
    blocks = len(home_view(home.view(TEAM, HEAVY))["blocks"])
    load = os.getloadavg()[0]
    backend = make_url(url).get_backend_name()
    print(f"backend {backend}, load {load:.1f}, median / best of {repeats}, taken in turn")
    print("| person | meetings | Home tab (all queries + blocks) | blocks |")
    print("| --- | --- | --- | --- |")
    print(f"| heavy | {heavy:,} | {_ms(heavy_s)} | {blocks} |")
    print(f"| light | {light:,} | {_ms(light_s)} | |")
    print(f"| heavy: load last 50 meetings only | 50 | {_ms(last_50_s)} | |")
    print(f"ratio heavy Home / heavy last-50 load: {_ratio(heavy_s, last_50_s)} (the issue's target <= 2x)")
    print(f"ratio heavy / light Home: {_ratio(heavy_s, light_s)} (what history adds)")
    engine.dispose()


def main() -> None:
    """Seed, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--heavy", type=int, default=10_000)
    parser.add_argument("--light", type=int, default=50)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--repeats", type=int, default=REPEATS, help="runs of each measurement (median and best)")
    args = parser.parse_args()
    if args.database_url:
        admin_url = normalise_url(args.database_url)
        name = f"rapport_bench_home_{uuid.uuid4().hex[:8]}"
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            run(
                make_url(admin_url).set(database=name).render_as_string(hide_password=False),
                args.heavy,
                args.light,
                args.seed,
                args.repeats,
            )
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
        return
    with tempfile.TemporaryDirectory() as directory:
        run(f"sqlite:///{directory}/home.db", args.heavy, args.light, args.seed, args.repeats)


if __name__ == "__main__":
    main()
