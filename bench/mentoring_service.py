"""The mentoring product around the engine, timed on a real database: a cycle job (read the pool, run the engine,
store every suggestion) and its send job (one DM per mentee through a recording Slack port).

    python -m bench.mentoring_service [MENTEES] [MENTORS] [DATABASE_URL]

Profiles come from bench.mentoring's seeded generator (40 Zipf skills, teams, zones); the default database is a
fresh SQLite file. Figures and the load average are printed; nothing is asserted.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from typing import Any

from bench.mentoring import make_workspace
from bot.clock import ManualClock
from bot.domain.models import Person
from bot.domain.outcomes import SendOutcome
from bot.services.breakers import AuthBreakers
from bot.services.mentoring import MentoringService
from bot.services.people import PeopleService
from handlers.blocks.mentoring import MentoringMessages
from storage import migrate
from storage.db import make_engine, make_session_factory
from storage.uow import SqlUnitOfWork

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)
TEAM = "TBENCHMENTOR"
ADMIN = "UADMIN"


class CountingSlack:
    """The MentoringSlack port: every post counted, nothing sent."""

    def __init__(self) -> None:
        self.posts = 0

    def is_admin(self, user_id: str, *, team_id: str = "") -> bool:
        return user_id == ADMIN

    def open_group(self, user_ids: Any, *, team_id: str = "") -> tuple[SendOutcome, str | None]:
        return SendOutcome.success(), "G1"

    def check_auth(self, team_id: str) -> SendOutcome:
        return SendOutcome.success()

    def post_message(self, channel: str, text: str, blocks: Any = None, **_: Any) -> SendOutcome:
        self.posts += 1
        return SendOutcome.success(ts="1.0", channel=channel)


class NoDirectory:
    def fetch_person(self, team_id: str, user_id: str) -> Person | None:
        return None


def main(mentees: int, mentors: int, url: str) -> None:
    engine = make_engine(url)
    migrate.upgrade(engine)
    factory = make_session_factory(engine)

    def uow() -> SqlUnitOfWork:
        return SqlUnitOfWork(factory)

    workspace = make_workspace(mentees, mentors, seed=1)
    people = {p.user_id: p for p in (*workspace.cycle.mentees, *workspace.cycle.mentors)}
    started = time.perf_counter()
    with uow() as unit:
        unit.workspaces.ensure(TEAM, NOW)
        skills = sorted({s for p in people.values() for s in (*p.profile.teaches, *p.profile.learns)})
        unit.mentor_profiles.add_skills(TEAM, skills, NOW)
        for p in people.values():
            unit.people.upsert(Person(TEAM, p.user_id, p.user_id.lower(), department=p.team), NOW)
            unit.mentor_profiles.save(TEAM, p.profile, False, NOW)
        unit.commit()
    seeded = time.perf_counter() - started
    clock = ManualClock(NOW)
    slack = CountingSlack()
    service = MentoringService(
        uow, PeopleService(uow, NoDirectory(), clock), slack, MentoringMessages(), clock,
        AuthBreakers(uow, slack, clock), seed_source=lambda: 1,
    )  # fmt: skip
    started = time.perf_counter()
    service.cycles.run(TEAM, None, lambda: None)  # what the cycle job does: read, match, store, queue the send
    matched = time.perf_counter() - started
    started = time.perf_counter()
    sent = service.sweep(team_id=TEAM)
    elapsed = time.perf_counter() - started
    load = os.getloadavg()
    print(f"database {engine.dialect.name}; {mentees} mentees x {mentors} mentors ({len(people)} profiles)")
    print(f"seeding profiles: {seeded:.2f} s")
    print(f"cycle job (read the pool, match, store): {matched:.2f} s")
    each = elapsed / max(1, slack.posts) * 1000
    print(f"send job ({sent.claimed} job): {elapsed:.2f} s for {slack.posts} DMs ({each:.1f} ms each)")
    print(f"load average: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    engine.dispose()


if __name__ == "__main__":
    args = sys.argv[1:]
    n_mentees = int(args[0]) if args else 2000
    n_mentors = int(args[1]) if len(args) > 1 else 667
    default = f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    main(n_mentees, n_mentors, args[2] if len(args) > 2 else default)
