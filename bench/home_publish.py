"""Publishing Home for 5,000 people after a change stays inside views.publish's tier: no 429 after the first second.

The sandbox's fake Slack runs over loopback HTTP with its rate limits ON (token buckets per method tier, as Slack
documents them; views.publish is Tier 4, 100/min). Everybody in a 5,000-person workspace (each with a couple of
meetings, so every tab is a real one) gets their tab redrawn through ``HomeRefresher.publish_many`` — the bulk path —
with the real gateway pacing it. ``--scale`` multiplies the fake's allowance and the gateway's tier rates alike
(60: 6,000/min), so the run takes a minute instead of fifty; the shape (paced to the tier, no 429) is the same.

Prints publishes/s against the tier's rate, the 429s Slack sent (in the first second and after it: must be 0),
the total time and the load average.

.venv/bin/python -m bench.home_publish                      # 5,000 people, scale 60
.venv/bin/python -m bench.home_publish --people 500 --scale 6
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import tempfile
import time
from datetime import timedelta
from typing import Any

from slack_sdk import WebClient

from bench.home_render import NOW, home_service
from bot.domain.models import InteractionKind, InteractionSource, NewInteraction, Person
from bot.sandbox.slack import FakeSlack
from bot.sandbox.slack.ratelimit import TIER_PER_MINUTE
from bot.services.home_refresh import HomeRefresher
from bot.slack.gateway import SlackGateway
from bot.slack.ratelimit import TIER_RATES, Rate, RateLimits
from handlers.blocks.home import home_view
from storage import migrate
from storage.db import make_engine, make_session_factory
from storage.uow import SqlUnitOfWork

TIER = 4  # views.publish


class RateLimitClock(logging.Handler):
    """Notes when the fake Slack answered views.publish with a 429 (it logs each one it sends)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.times: list[float] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("views.publish rate limited"):
            self.times.append(time.monotonic())


def seed(fake: FakeSlack, url: str, people: int, rng: random.Random) -> list[str]:
    engine = make_engine(url)
    migrate.upgrade(engine)
    factory = make_session_factory(engine)
    teams = [f"team-{index}" for index in range(12)]
    users = [
        fake.add_user(
            f"bulk{index}", department=rng.choice(teams), tz=rng.choice(["UTC", "Europe/Paris", "Asia/Tokyo"])
        )
        for index in range(people)
    ]
    with SqlUnitOfWork(factory) as uow:
        uow.workspaces.ensure(fake.team_id, NOW)
        for user in users:
            uow.people.upsert(Person(fake.team_id, user.id, user.handle, tz=user.tz, department=user.department), NOW)
        for index, user in enumerate(users):
            for meeting in range(2):
                when = NOW - timedelta(days=rng.randrange(1, 80), minutes=meeting)
                contact = users[(index + rng.randrange(1, people)) % people].id
                new = NewInteraction(
                    fake.team_id, user.id, when, InteractionKind.COFFEE, "", InteractionSource.COMMAND, (contact,)
                )
                uow.interactions.add(new, when)
        uow.commit()
    engine.dispose()
    return [user.id for user in users]


def scaled_limits(scale: float) -> RateLimits:
    """The gateway's default tier rates, times ``scale`` (the same factor as the fake's)."""
    tiers = {tier: Rate(per_second=rate.per_second * scale, burst=rate.burst) for tier, rate in TIER_RATES.items()}
    return RateLimits(tier_rates=tiers)


def run(people: int, scale: float, workers: int, seed_value: int) -> dict[str, Any]:
    rng = random.Random(seed_value)
    fake = FakeSlack().start()
    try:
        with tempfile.TemporaryDirectory() as directory:
            url = f"sqlite:///{directory}/publish.db"
            users = seed(fake, url, people, rng)
            engine = make_engine(url)
            home = home_service(make_session_factory(engine))
            observer = RateLimitClock()
            fake_log = logging.getLogger("bot.sandbox.slack.fake")
            fake_log.setLevel(logging.INFO)
            fake_log.addHandler(observer)
            fake_log.propagate = False
            client = WebClient(token=fake.bot_token, base_url=fake.api_url)
            gateway = SlackGateway(client, limits=scaled_limits(scale))
            refresher = HomeRefresher(home, gateway, home_view, workers=workers, settle=0.0)
            fake.rate_limits.set_scale(scale)
            fake.rate_limits.set_enabled(True)
            started = time.monotonic()
            refresher.publish_many(fake.team_id, users)
            assert refresher.wait_idle(3600), "bulk publish did not finish"
            elapsed = time.monotonic() - started
            stats = refresher.stats()
            attempts = len(fake.calls("views.publish"))
            engine.dispose()
            refresher.shutdown()
    finally:
        fake.stop()
    first_second = sum(1 for at in observer.times if at - started <= 1.0)
    return {
        "people": people,
        "scale": scale,
        "tier_per_s": TIER_PER_MINUTE[TIER] * scale / 60.0,
        "published": stats.published,
        "failed": stats.failed,
        "attempts": attempts,
        "elapsed": elapsed,
        "rate": stats.published / elapsed,
        "429_first_second": first_second,
        "429_after": len(observer.times) - first_second,
        "load": os.getloadavg()[0],
    }


def main() -> None:
    """Seed, publish everyone's tab, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=5_000)
    parser.add_argument("--scale", type=float, default=60.0, help="x Slack's documented allowance, fake and gateway")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    result = run(args.people, args.scale, args.workers, args.seed)
    print(f"load {result['load']:.1f}, scale {result['scale']:g} (views.publish tier: {result['tier_per_s']:.1f}/s)")
    print("| people | published | failed | calls | total | publishes/s | tier/s | 429 in 1st s | 429 after |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    print(
        f"| {result['people']:,} | {result['published']:,} | {result['failed']} | {result['attempts']:,} "
        f"| {result['elapsed']:.1f} s "
        f"| {result['rate']:.1f} | {result['tier_per_s']:.1f} | {result['429_first_second']} "
        f"| {result['429_after']} |"
    )
    print(f"at scale 1 (Slack's own 100/min) the same run takes ~{result['people'] / (100 / 60) / 60:.0f} min")
    if result["429_after"]:
        raise SystemExit("429s after the first second: the bulk path is not inside the tier")


if __name__ == "__main__":
    main()
