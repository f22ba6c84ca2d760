"""Socket Mode has no signature to check, but a redelivered event is still processed once (by event_id)."""

from __future__ import annotations

import logging

import pytest

from bot.app import create_app
from bot.clock import ManualClock
from bot.container import build_container
from bot.sandbox.client import SocketDriver
from bot.sandbox.slack import FakeSlack
from bot.settings import Settings
from storage import migrate
from tests.e2e.conftest import settle, wait_for
from tests.sandbox.bolt_app import serve_socket_mode


def test_a_redelivered_socket_mode_event_is_processed_once(
    fake: FakeSlack, database_url: str, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        slack_bot_token=fake.bot_token,
        slack_app_token=fake.app_token,
        slack_api_url=fake.api_url,
        database_url=database_url,
    )
    container = build_container(settings, clock=clock)
    migrate.upgrade(container.engine)
    app = create_app(container)
    marker = f"tokens revoked in team {fake.team_id}"
    try:
        with serve_socket_mode(app, fake), caplog.at_level(logging.INFO):
            driver = SocketDriver(fake)
            driver.wait_connected()
            payload = driver.event_payload({"type": "tokens_revoked", "tokens": {"bot": [fake.bot_user_id]}})
            # The same envelope payload twice, as Slack redelivers an event it thinks was not acknowledged.
            assert driver._deliver_event(payload).ok
            wait_for(lambda: any(marker in r.getMessage() for r in caplog.records), what="the event handled")
            assert driver._deliver_event(payload).ok
            settle(app, container)
        assert sum(marker in r.getMessage() for r in caplog.records) == 1
    finally:
        container.engine.dispose()
