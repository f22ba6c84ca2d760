"""End-to-end fixtures: the sandbox's fake Slack over real HTTP and the real bot on waitress."""

from __future__ import annotations

import dataclasses
import http.client
import json
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from datetime import UTC, datetime
from typing import Any, TypeVar

import pytest
from slack_bolt import App

from bot.clock import ManualClock
from bot.container import Container
from bot.embedded import EmbeddedBot
from bot.sandbox.client import HttpDriver, sign
from bot.sandbox.seed import default_workspace
from bot.sandbox.slack import FakeSlack
from bot.settings import Settings
from tests.e2e.log_guard import guard, leaks

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


def drain(executor: Executor, threads: int, timeout: float = 10.0) -> None:
    """Return once everything submitted to ``executor`` (a pool of ``threads``) before this call has finished.

    ``threads`` tasks that wait for one another occupy every thread at once, and a pool takes tasks in order, so by
    then each earlier task has ended. A fixed sleep would only make that likely.
    """
    everyone = threading.Barrier(threads + 1, timeout=timeout)
    for _ in range(threads):
        executor.submit(everyone.wait)
    everyone.wait()


def settle(app: App, container: Container) -> None:
    """Return once the bot has finished all it started for the requests answered so far: its listeners first (they
    may hand work on), then the after-ack pool. The barrier before asserting that something did *not* happen."""
    drain(app.listener_runner.listener_executor, container.settings.rapport_http_threads)
    drain(container.after_ack.executor, container.settings.rapport_after_ack_threads)
    assert container.services.home_refresh.wait_idle(10.0), "Home redraws still running"


def post_interactive(bot: EmbeddedBot, fake: FakeSlack, payload: dict[str, Any]) -> tuple[int, str, float]:
    """Sign and POST an interactive payload the way Slack does, for payloads the driver would not build (values our
    UI never offers, a changed private_metadata); returns (status, body, seconds until the answer)."""
    body = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()
    timestamp = str(int(time.time()))
    url = urllib.parse.urlsplit(bot.events_url)
    connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=10)
    started = time.monotonic()
    try:
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": sign(fake.signing_secret, timestamp, body),
        }
        connection.request("POST", url.path, body=body, headers=headers)
        answer = connection.getresponse()
        return answer.status, answer.read().decode(), time.monotonic() - started
    finally:
        connection.close()


def view_submission(fake: FakeSlack, user: str, view: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A view_submission payload for ``view`` submitted by ``user``, with ``changes`` applied to the view."""
    return {
        "type": "view_submission",
        "team": {"id": fake.team_id},
        "user": {"id": fake.user(user).id, "team_id": fake.team_id},
        "api_app_id": fake.app_id,
        "token": fake.verification_token,
        "view": {**view, **changes},
        "response_urls": [],
    }


@pytest.fixture(autouse=True)
def no_private_text_in_logs(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail the test if any log record (DEBUG and up, every logger but the fake's) holds private text or a secret."""
    with guard(monkeypatch) as (sensitive, handler):
        yield
    if found := leaks(sensitive, handler):
        pytest.fail("private text or a secret reached the logs:\n" + "\n".join(found[:10]), pytrace=False)


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    """A fake Slack whose workspace id is unique to the test (tests share a database per worker)."""
    seed = dataclasses.replace(default_workspace(), team_id="T" + uuid.uuid4().hex[:10].upper())
    with FakeSlack(seed=seed) as slack:
        yield slack


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


def bot_settings(fake: FakeSlack, database_url: str, **overrides: Any) -> Settings:
    """Settings for the real app talking to ``fake`` over HTTP (no .env read); ``overrides`` are Settings fields."""
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        slack_bot_token=fake.bot_token,
        slack_signing_secret=fake.signing_secret,
        slack_api_url=fake.api_url,
        database_url=database_url,
        **overrides,
    )


@pytest.fixture
def bot(fake: FakeSlack, database_url: str, clock: ManualClock) -> Iterator[EmbeddedBot]:
    """The real app, configured only through Settings, talking to the fake over HTTP."""
    with EmbeddedBot(bot_settings(fake, database_url), clock=clock) as running:
        yield running


@pytest.fixture
def slack(fake: FakeSlack, bot: EmbeddedBot) -> HttpDriver:
    """Sends Slack-signed requests to the running bot."""
    return HttpDriver(fake, bot.events_url)
