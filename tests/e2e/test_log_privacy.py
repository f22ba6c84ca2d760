"""What reaches the logs when something goes wrong: ids, never the request's content (the autouse guard checks)."""

from __future__ import annotations

import logging

import pytest

from bot.embedded import EmbeddedBot
from bot.sandbox.client import HttpDriver
from bot.sandbox.slack import FakeSlack
from tests.e2e.log_guard import CapturingHandler, Sensitive, leaks


def test_a_request_signed_with_another_secret_is_refused_without_logging_its_body(
    bot: EmbeddedBot, fake: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    # The most common set-up error: a mistyped signing secret. Bolt used to log the whole body at INFO.
    caplog.set_level(logging.INFO)
    with FakeSlack() as mistyped:  # same people, a different signing secret
        answer = HttpDriver(mistyped, bot.events_url).slash_command(
            "lee", "/met", "@maya coffee — the budget cut nobody knows about yet #layoffs", channel="#coffee"
        )
        assert answer.status == 401
        assert mistyped.calls("response_url") == []
    assert not fake.calls("chat.postMessage")
    # The guard fixture fails this test if the note, the tag, the response_url or the token was logged.


def test_the_guard_sees_a_leak_in_a_message_its_arguments_or_a_traceback() -> None:
    sensitive, handler = Sensitive(), CapturingHandler()
    sensitive.add_command("/met", "<@U1|maya> coffee — a quiet word about Dana #promotion")
    sensitive.add_payload({"response_url": "http://127.0.0.1:9/hooks/commands/T1/1/AbCdEfGhIjKlMnOpQrSt"})
    log = logging.getLogger("tests.guard")
    log.addHandler(handler)
    log.propagate = False
    try:
        log.error("note was %s", "a quiet word about Dana")
        log.error("tags %s", ["promotion"])
        log.error("posting to AbCdEfGhIjKlMnOpQrSt failed")
        try:
            raise ValueError("xoxb-123-456")
        except ValueError:
            log.exception("listener failed")
        log.info("logged interaction 7 team=T1 people=1")
    finally:
        log.removeHandler(handler)
    found = leaks(sensitive, handler)
    assert len(found) == 4, found
    assert "note text" in found[0] and "tag 'promotion'" in found[1]
    assert "response_url secret" in found[2] and "a Slack token" in found[3]
