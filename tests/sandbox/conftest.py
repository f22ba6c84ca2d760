"""Fixtures for the fake Slack: a started FakeSlack, a real WebClient on it, and a tiny Bolt app served over HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient

from bot.sandbox.seed import default_workspace
from bot.sandbox.slack import ALL_SCOPES, AppHome, FakeSlack


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    """A started fake Slack: default workspace, every scope and event, both App Home tabs on (not the manifest's)."""
    with FakeSlack(seed=default_workspace(), scopes=ALL_SCOPES, app_home=AppHome()) as started:
        started.subscribed_events = None
        started.escaped_commands = set()
        yield started


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    """A real slack_sdk WebClient talking to the fake over HTTP."""
    return WebClient(base_url=fake.api_url, token=fake.bot_token)
