"""When something breaks inside Rapport, the user hears about it and keeps their text; no traceback reaches Slack."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from bot.clock import ManualClock
from bot.embedded import EmbeddedBot
from bot.sandbox.client import HttpDriver
from bot.sandbox.slack import FakeSlack
from tests.e2e.conftest import NOW, bot_settings, wait_for


def test_an_internal_failure_is_reported_to_the_user(fake: FakeSlack, tmp_path: Path) -> None:
    settings = bot_settings(fake, f"sqlite:///{tmp_path / 'broken.db'}")
    with EmbeddedBot(settings, clock=ManualClock(NOW)) as bot:
        with bot.container.engine.begin() as connection:  # simulate a database gone wrong under the bot
            connection.execute(text("DROP TABLE interaction_participants"))
        slack = HttpDriver(fake, bot.events_url)
        maya = fake.user("maya")
        typed = f"<@{maya.id}|maya> lunch — the plan"
        assert slack.slash_command("lee", "/met", typed, channel="#coffee").ok
        [reply] = wait_for(
            lambda: fake.messages(fake.channel_id("#coffee"), as_user=fake.user("lee").id), what="an apology"
        )
    assert "something went wrong on my side" in reply.text
    assert f"so you don't have to type it again:\n/met {typed}" in reply.text
    assert "`/met list` shows whether it was logged" in reply.text
    assert "was lost" not in reply.text  # a promise it cannot keep when the failure came after a write
    assert "Traceback" not in reply.text and "sqlite" not in reply.text.lower()
