"""A large channel's first coffee round, paced by Slack's rate limits: one users.info per unknown member (before)
against one users.list fill (after).

The first round in a channel whose people Rapport has never looked up must learn every member's team and time zone
before it can group them. Looking them up one by one is paced by users.info (Tier 4, ~100 a minute); filling the
directory from users.list (Tier 2, 200 people a page) takes a page per 200. The rest of the round (one
conversations.open per group at Tier 3, then the intro post) is the same either way.

Everything runs for real (the sandbox's HTTP Web API with its rate limits on, the bot's WebClient and gateway, the
coffee service on a real database) except time: Slack's limits are minutes long, so the sandbox, the gateway's
limiter, the WebClient's 429 back-off and the coffee service share one virtual clock that moves when something
sleeps or when the sweep has nothing due. "Slack-paced minutes" is that clock: how long the round takes against
Slack's limits. Wall seconds are the CPU cost of the same run.

.venv/bin/python -m bench.directory_fill                       # 2,000 people, both strategies
.venv/bin/python -m bench.directory_fill --people 300 --quick  # quicker
.venv/bin/python -m bench.directory_fill --database-url postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import random
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import Engine

from bot.clock import ManualClock
from bot.domain.coffee import ProgramSettings
from bot.sandbox.seed import default_workspace
from bot.sandbox.slack import FakeSlack
from bot.services.coffee import CoffeeService
from bot.services.people import FreshPeople, PeopleService
from bot.services.ports import DirectoryLookupError, UnitOfWork
from bot.slack.coffee import SlackCoffeeAdapter
from bot.slack.directory import SlackUserDirectory
from bot.slack.gateway import ShortRateLimitRetryHandler, SlackGateway
from bot.slack.ratelimit import RateLimits
from handlers.blocks.coffee import CoffeeMessages
from storage import migrate
from storage.db import make_engine, make_session_factory, normalise_url
from storage.uow import SqlUnitOfWork

START = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)  # a Wednesday, working hours in Europe and the Americas
CHANNEL = "coffee"
TEAMS = ("Engineering", "Sales", "Support", "Design", "Finance", "People", "Legal", "Data", "Marketing", "Ops")
ZONES = (
    "America/Los_Angeles",
    "America/New_York",
    "America/Sao_Paulo",
    "Europe/London",
    "Europe/Berlin",
    "Africa/Lagos",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
)
IDLE_STEP = timedelta(seconds=5)  # how far the clock moves when the sweep finds nothing due yet
MAX_SLACK_HOURS = 6  # give up (and say so) past this much Slack-paced time


class VirtualTime:
    """One clock for the sandbox, the gateway, the WebClient's back-off and the services; sleeping moves it."""

    def __init__(self, start: datetime) -> None:
        self.clock = ManualClock(start)
        self._start = start
        self.slept = 0.0
        self._lock = threading.Lock()

    def monotonic(self) -> float:
        """Seconds since the start."""
        return (self.clock.now() - self._start).total_seconds()

    def time(self) -> float:
        """Epoch seconds."""
        return self.clock.now().timestamp()

    def sleep(self, seconds: float) -> None:
        """Sleep in virtual time (one thread sleeps at a time here: the sweep is sequential)."""
        if seconds > 0:
            with self._lock:
                self.slept += seconds
            self.clock.advance(timedelta(seconds=seconds))


def virtual_429_retry(time_source: VirtualTime) -> ShortRateLimitRetryHandler:
    """The directory client's 429 handling (one retry after Retry-After, as slack_sdk's handler the container adds),
    sleeping on the virtual clock."""
    return ShortRateLimitRetryHandler(time_source.sleep, float("inf"), lambda method, seconds: None)


class OneByOnePeople(PeopleService):
    """The lookup the coffee pool made before the bulk fill: one ``get`` (users.info when unknown) per member."""

    def fresh(self, team_id: str, user_ids: list[str]) -> FreshPeople:
        """Every member looked up on their own, as the old pool loop did."""
        people = {}
        missing = set()
        for user_id in dict.fromkeys(user_ids):
            try:
                person = self.get(team_id, user_id)
            except DirectoryLookupError:
                continue
            if person is None:
                missing.add(user_id)
            else:
                people[user_id] = person
        return FreshPeople(people, frozenset(missing))


@dataclasses.dataclass
class Outcome:
    """One strategy's figures."""

    strategy: str
    slack_minutes: float
    wall_seconds: float
    groups: int
    pooled: int
    calls: Counter[str]
    throttled: Counter[str]


class ThrottleCounter(logging.Handler):
    """Counts the 429s the sandbox answered, by method (from its "rate limited" log line)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.by_method: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        """Count one 429."""
        if "rate limited" in record.msg and record.args:
            self.by_method[str(record.args[0])] += 1  # type: ignore[index]


def add_people(fake: FakeSlack, count: int, rng: random.Random) -> None:
    """``count`` new members of #coffee, in uneven teams (Zipf-like) and ten time zones."""
    weights = [1 / (rank + 1) for rank in range(len(TEAMS))]
    for index in range(count):
        fake.add_user(
            f"member{index:05d}",
            department=rng.choices(TEAMS, weights)[0],
            tz=rng.choice(ZONES),
            title="Engineer",
            channels=(CHANNEL,),
            user_id=f"UM{index:07d}",
        )


def intros_posted(fake: FakeSlack) -> int:
    """Group DMs the bot has posted an intro in."""
    return sum(
        1 for conversation in fake.conversations() if conversation.kind == "mpim" and fake.messages(conversation.id)
    )


def run_round(database_url: str, people: int, strategy: str, seed: int) -> Outcome:
    """Seed a workspace, start a round in #coffee and sweep until every group has its intro."""
    time_source = VirtualTime(START)
    engine = make_engine(database_url)
    migrate.upgrade(engine)
    workspace = dataclasses.replace(default_workspace(), team_id="T" + uuid.uuid4().hex[:10].upper())
    with FakeSlack(seed=workspace, clock=time_source.monotonic, wall_clock=time_source.time) as fake:
        add_people(fake, people, random.Random(seed))
        fake.rate_limits.set_enabled(True)
        coffee, organiser = build_coffee(engine, fake, time_source, strategy)
        channel = fake.channel_id(CHANNEL)
        settings = ProgramSettings(cadence_weeks=2, weekday=2, local_minute=600, tz="UTC")
        saved = coffee.save_settings(fake.team_id, channel, organiser, settings)
        if not saved.ok:
            raise SystemExit(f"could not set the channel up: {saved.message}")
        fake.reset_calls()
        counter = ThrottleCounter()
        sandbox_log = logging.getLogger("bot.sandbox.slack.fake")
        sandbox_log.setLevel(logging.INFO)
        sandbox_log.propagate = False
        sandbox_log.addHandler(counter)
        started_wall = time.perf_counter()
        started = time_source.monotonic()
        if not coffee.start_now(fake.team_id, channel, organiser).ok:
            raise SystemExit("could not start the round")
        expected = sweep_until_introduced(coffee, fake, time_source)
        slack_minutes = (time_source.monotonic() - started) / 60
        wall = time.perf_counter() - started_wall
        calls = Counter(call.method for call in fake.calls())
        sandbox_log.removeHandler(counter)
        throttled = counter.by_method
    engine.dispose()
    return Outcome(strategy, slack_minutes, wall, expected, people, calls, throttled)


def build_coffee(engine: Engine, fake: FakeSlack, time_source: VirtualTime, strategy: str) -> tuple[CoffeeService, str]:
    """The coffee service as the container builds it, on the virtual clock; the organiser is a seeded admin."""
    session_factory = make_session_factory(engine)

    def uow_factory() -> UnitOfWork:
        return SqlUnitOfWork(session_factory)

    directory_client = WebClient(token=fake.bot_token, base_url=fake.api_url, timeout=10)
    directory_client.retry_handlers.append(virtual_429_retry(time_source))
    people_class = OneByOnePeople if strategy == "one-by-one" else PeopleService
    people = people_class(uow_factory, SlackUserDirectory(directory_client), time_source.clock)
    gateway = SlackGateway(
        WebClient(token=fake.bot_token, base_url=fake.api_url, timeout=10),
        clock=time_source.monotonic,
        sleep=time_source.sleep,
        limits=RateLimits.with_post_ceiling(5.0, 1),
    )
    channel_client = WebClient(token=fake.bot_token, base_url=fake.api_url, timeout=10)
    channel_client.retry_handlers.append(virtual_429_retry(time_source))
    coffee = CoffeeService(
        uow_factory,
        people,
        SlackCoffeeAdapter(gateway, channel_client),
        CoffeeMessages(),
        time_source.clock,
        lease=timedelta(seconds=120),
        seed_source=lambda: 7,
    )
    return coffee, fake.user("maya").id


def sweep_until_introduced(coffee: CoffeeService, fake: FakeSlack, time_source: VirtualTime) -> int:
    """Sweep (moving the clock when nothing is due) until every group of the round has its intro; the group count."""
    deadline = time_source.monotonic() + MAX_SLACK_HOURS * 3600
    while time_source.monotonic() < deadline:
        report = coffee.sweep(team_id=fake.team_id)
        if report.claimed:
            continue
        groups = len(fake.calls("conversations.open"))
        if groups and intros_posted(fake) >= groups and not report.retried:
            return groups
        time_source.clock.advance(IDLE_STEP)
    raise SystemExit(f"the round did not finish within {MAX_SLACK_HOURS} Slack-paced hours")


def report(outcomes: Sequence[Outcome], people: int) -> None:
    """Print the strategies side by side."""
    print(f"\nFirst round in a {people:,}-person channel (sandbox rate limits on; load {os.getloadavg()[0]:.1f})")
    print(f"{'strategy':<12} {'Slack-paced':>12} {'wall':>8} {'groups':>7} {'users.info':>11} {'users.list':>11} "
          f"{'conv.open':>10} {'429s':>6}")  # fmt: skip
    for outcome in outcomes:
        print(
            f"{outcome.strategy:<12} {outcome.slack_minutes:>9.1f} min {outcome.wall_seconds:>6.1f} s "
            f"{outcome.groups:>7} {outcome.calls['users.info']:>11} {outcome.calls['users.list']:>11} "
            f"{outcome.calls['conversations.open']:>10} {sum(outcome.throttled.values()):>6}"
        )
    if len(outcomes) == 2 and outcomes[1].slack_minutes:
        print(f"one-by-one ÷ bulk, Slack-paced time: {outcomes[0].slack_minutes / outcomes[1].slack_minutes:.2f}×")


def main(argv: Sequence[str] | None = None) -> None:
    """Run both strategies on the same workspace shape and print them."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--strategies", default="one-by-one,bulk")
    parser.add_argument("--quick", action="store_true", help="300 people")
    args = parser.parse_args(argv)
    people = 300 if args.quick else args.people
    logging.basicConfig(level=logging.ERROR)
    outcomes: list[Any] = []
    with tempfile.TemporaryDirectory() as scratch:
        for strategy in args.strategies.split(","):
            url = args.database_url or f"sqlite:///{Path(scratch) / f'{strategy}.db'}"
            outcomes.append(run_round(normalise_url(url), people, strategy, args.seed))
    report(outcomes, people)


if __name__ == "__main__":
    main()
