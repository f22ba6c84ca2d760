"""End-to-end fixtures: the sandbox's fake Slack over real HTTP and the real bot on waitress."""

from __future__ import annotations

import dataclasses
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import TypeVar

import pytest

from bot.clock import ManualClock
from bot.embedded import EmbeddedBot
from bot.sandbox.client import HttpDriver
from bot.sandbox.seed import default_workspace
from bot.sandbox.slack import FakeSlack
from bot.settings import Settings

T = TypeVar("T")

# Wednesday 25 Nov 2026, 17:00 UTC: 09:00 in Los Angeles, 12:00 in New York, 18:00 in Berlin.
NOW = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)


def wait_for(probe: Callable[[], T | None], timeout: float = 5.0, what: str = "condition") -> T:
    """Poll until ``probe`` returns something truthy (the bot answers asynchronously after its ack)."""
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    """A fake Slack whose workspace id is unique to the test (tests share a database per worker)."""
    seed = dataclasses.replace(default_workspace(), team_id="T" + uuid.uuid4().hex[:10].upper())
    with FakeSlack(seed=seed) as slack:
        yield slack


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def bot(fake: FakeSlack, database_url: str, clock: ManualClock) -> Iterator[EmbeddedBot]:
    """The real app, configured only through Settings, talking to the fake over HTTP."""
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        slack_bot_token=fake.bot_token,
        slack_signing_secret=fake.signing_secret,
        slack_api_url=fake.api_url,
        database_url=database_url,
    )
    with EmbeddedBot(settings, clock=clock) as running:
        yield running


@pytest.fixture
def slack(fake: FakeSlack, bot: EmbeddedBot) -> HttpDriver:
    """Sends Slack-signed requests to the running bot."""
    return HttpDriver(fake, bot.events_url)
