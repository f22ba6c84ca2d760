"""The door, tried as an attacker would over real HTTP: only signed requests act, once, within 1 MiB.

Every test runs on SQLite and PostgreSQL (the ``bot`` fixture is parametrised by ``database_url``).
"""

from __future__ import annotations

import json
import logging
import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.embedded import EmbeddedBot
from bot.sandbox.client import sign
from bot.sandbox.slack import FakeSlack
from storage.models import InteractionRow, SeenRequestRow
from tests.e2e.conftest import settle, wait_for
from tests.e2e.door_helpers import Hostile, form, hostile_listener, interactive, post, row_counts

CHANNEL = "#coffee"


@pytest.fixture
def hostile() -> Iterator[Hostile]:
    yield from hostile_listener()


@pytest.fixture
def quiet(fake: FakeSlack, bot: EmbeddedBot) -> FakeSlack:
    """The fake with its call log emptied after the bot's start-up (auth.test), so tests count only their own calls."""
    fake.reset_calls()
    return fake


def command_fields(fake: FakeSlack, text: str, response_url: str | None = None, user: str = "lee") -> dict[str, str]:
    """A /met slash command as Slack posts it (response_url minted by the fake unless given)."""
    author = fake.user(user)
    channel = fake.channel_id(CHANNEL)
    return {
        "token": fake.verification_token,
        "team_id": fake.team_id,
        "team_domain": fake.seed.domain,
        "channel_id": channel,
        "channel_name": CHANNEL[1:],
        "user_id": author.id,
        "user_name": author.handle,
        "command": "/met",
        "text": text,
        "api_app_id": fake.app_id,
        "response_url": response_url or fake.mint_response_url(author.id, channel, "command"),
        "trigger_id": fake.mint_trigger(author.id),
    }


def interactions(bot: EmbeddedBot, team_id: str) -> int:
    with bot.container.engine.connect() as connection:
        count = connection.execute(
            select(func.count()).select_from(InteractionRow).where(InteractionRow.team_id == team_id)
        )
        return int(count.scalar_one())


def interactive_payload(fake: FakeSlack, kind: str, **fields: Any) -> dict[str, Any]:
    """An interactivity payload of ``kind`` from lee, with ``fields`` added."""
    lee = fake.user("lee")
    return {
        "type": kind,
        "team": {"id": fake.team_id, "domain": fake.seed.domain},
        "user": {"id": lee.id, "username": lee.handle, "team_id": fake.team_id},
        "api_app_id": fake.app_id,
        "token": fake.verification_token,
        "trigger_id": fake.mint_trigger(lee.id),
        **fields,
    }


def block_actions(fake: FakeSlack, response_url: str) -> dict[str, Any]:
    action = {"action_id": "met_undo", "block_id": "b", "type": "button", "value": "1", "action_ts": "1"}
    return interactive_payload(fake, "block_actions", response_url=response_url, actions=[action])


def view_submission(fake: FakeSlack, response_url: str, callback_id: str = "met_log_modal") -> dict[str, Any]:
    view = {"id": "V1", "type": "modal", "callback_id": callback_id, "state": {"values": {}}}
    urls = [{"block_id": "b", "action_id": "a", "channel_id": "C1", "response_url": response_url}]
    return interactive_payload(fake, "view_submission", view=view, response_urls=urls)


def unsigned_attacks(fake: FakeSlack, hostile: Hostile) -> dict[str, tuple[bytes, str, dict[str, str]]]:
    """(body, content type, headers) of requests that must all get 401 and do nothing."""
    maya = fake.user("maya")
    command = form(command_fields(fake, f"<@{maya.id}|maya> — unsigned", hostile.url))
    now = str(int(time.time()))
    wrong = sign("not-the-secret", now, command)
    stale = str(int(time.time()) - 600)
    return {
        "non-numeric timestamp": (command, "application/x-www-form-urlencoded", {"X-Slack-Request-Timestamp": "abc"}),
        "empty timestamp and signature": (
            command,
            "application/x-www-form-urlencoded",
            {"X-Slack-Request-Timestamp": "", "X-Slack-Signature": ""},
        ),
        "no headers": (command, "application/x-www-form-urlencoded", {}),
        "padded timestamp": (
            command,
            "application/x-www-form-urlencoded",
            {
                "X-Slack-Request-Timestamp": f" {now}",
                "X-Slack-Signature": sign(fake.signing_secret, f" {now}", command),
            },
        ),
        "non-ASCII signature": (
            command,
            "application/x-www-form-urlencoded",
            {"X-Slack-Request-Timestamp": now, "X-Slack-Signature": "v0=" + "é" * 64},
        ),
        "wrong secret": (
            command,
            "application/x-www-form-urlencoded",
            {"X-Slack-Request-Timestamp": now, "X-Slack-Signature": wrong},
        ),
        "stale timestamp": (
            command,
            "application/x-www-form-urlencoded",
            {"X-Slack-Request-Timestamp": stale, "X-Slack-Signature": sign(fake.signing_secret, stale, command)},
        ),
        "JSON body": (
            json.dumps({"command": "/met", "text": "x", "response_url": hostile.url}).encode(),
            "application/json",
            {"X-Slack-Request-Timestamp": "abc"},
        ),
        "block_actions with response_url": (
            interactive(block_actions(fake, hostile.url)),
            "application/x-www-form-urlencoded",
            {"X-Slack-Request-Timestamp": "abc"},
        ),
        "view_submission with response_urls": (
            interactive(view_submission(fake, hostile.url)),
            "application/x-www-form-urlencoded",
            {"X-Slack-Request-Timestamp": "1e9"},
        ),
        "malformed payload": (b"payload=%7B%7B%7B", "application/x-www-form-urlencoded", {}),
        "signed body that is not UTF-8": (
            b"text=caf\xe9",
            "application/x-www-form-urlencoded",
            {"X-Slack-Request-Timestamp": now, "X-Slack-Signature": sign(fake.signing_secret, now, b"text=caf\xe9")},
        ),
        "wrong content type": (command, "text/plain", {"X-Slack-Request-Timestamp": "abc"}),
        "url_verification": (
            json.dumps({"type": "url_verification", "challenge": "c", "token": "t"}).encode(),
            "application/json",
            {},
        ),
        "event": (
            json.dumps({"type": "event_callback", "event_id": "Ev1", "event": {"type": "app_uninstalled"}}).encode(),
            "application/json",
            {"X-Slack-Request-Timestamp": "-1"},
        ),
    }


ATTACKS = [
    "non-numeric timestamp",
    "empty timestamp and signature",
    "no headers",
    "padded timestamp",
    "non-ASCII signature",
    "wrong secret",
    "stale timestamp",
    "JSON body",
    "block_actions with response_url",
    "view_submission with response_urls",
    "malformed payload",
    "signed body that is not UTF-8",
    "wrong content type",
    "url_verification",
    "event",
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_an_unsigned_request_gets_401_and_does_nothing(
    bot: EmbeddedBot, quiet: FakeSlack, hostile: Hostile, attack: str
) -> None:
    body, content_type, headers = unsigned_attacks(quiet, hostile)[attack]
    before = row_counts(bot.container.engine)
    answer = post(bot, body, content_type, headers=headers)
    assert answer.status == 401
    assert b"Traceback" not in answer.body
    settle(bot.app, bot.container)  # anything the request might have started has finished
    assert hostile.hits == [], "no outbound call to the response_url"
    assert quiet.calls() == [], "no call to Slack"
    assert row_counts(bot.container.engine) == before, "no write"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"command=/met&text=x", "text/plain"),
        (b"<xml/>", "application/xml"),
        (b"command=/met&text=x", ""),
        (b"{not json", "application/json"),
        (b"[1, 2, 3]", "application/json"),
        (b'{"type": 7}', "application/json"),
        (b"payload=not-json", "application/x-www-form-urlencoded"),
        (b"payload=%5B%5D", "application/x-www-form-urlencoded"),
        (b"a=1&&&=&b", "application/x-www-form-urlencoded"),
        (json.dumps({"type": "event_callback", "event": {"type": "x"}}).encode(), "application/json"),
        (json.dumps({"type": "event_callback", "event_id": 5, "event": {}}).encode(), "application/json"),
    ],
)
def test_a_signed_malformed_request_gets_400_and_one_log_line(
    bot: EmbeddedBot, quiet: FakeSlack, caplog: pytest.LogCaptureFixture, body: bytes, content_type: str
) -> None:
    before = row_counts(bot.container.engine)
    with caplog.at_level(logging.DEBUG):
        answer = post(bot, body, content_type, secret=quiet.signing_secret)
    assert answer.status == 400
    lines = [r for r in caplog.records if r.name == "bot.server"]
    assert len(lines) == 1 and "malformed" in lines[0].getMessage()
    assert all(body.decode("latin-1") not in r.getMessage() for r in caplog.records), "no body in the log"
    assert quiet.calls() == []
    assert row_counts(bot.container.engine) == before


def send_raw_headers_then_body(port: int, length: int, sent: int) -> tuple[bytes, float]:
    """Announce ``length`` bytes, send ``sent`` of them (stopping if the server hangs up), read the answer."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(
            b"POST /slack/events HTTP/1.1\r\nHost: rapport\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            + f"Content-Length: {length}\r\nX-Slack-Request-Timestamp: abc\r\n\r\n".encode()
        )
        chunk = b"a" * 65536
        try:
            for _ in range(sent // len(chunk)):
                sock.sendall(chunk)
        except OSError:
            pass  # the server answered 413 and closed without reading the rest: that is the point
        return sock.recv(100), time.monotonic() - started


def test_a_10_mb_body_is_refused_with_413_without_being_read(bot: EmbeddedBot, quiet: FakeSlack) -> None:
    port = int(bot.base_url.rsplit(":", 1)[1])
    ten_mb = 10 * 1024 * 1024
    head, _elapsed = send_raw_headers_then_body(port, ten_mb, ten_mb)
    assert head.startswith(b"HTTP/1.1 413")
    head, _elapsed = send_raw_headers_then_body(port, ten_mb, 0)
    assert head.startswith(b"HTTP/1.1 413"), "refused on the announced length, before any body arrives"
    head, _elapsed = send_raw_headers_then_body(port, 1024 * 1024 + 1, 1024 * 1024 + 1)
    assert head.startswith(b"HTTP/1.1 413"), "1 MiB is the cap"
    assert quiet.calls() == []


def test_paths_and_methods(bot: EmbeddedBot) -> None:
    assert post(bot, b"", path="/slack/events", method="GET").status == 405
    assert post(bot, b"x=1", path="/slack/other").status == 404
    assert post(bot, b"x=1", path="/").status == 404
    assert post(bot, b"", path="/healthz", method="GET").status == 200


def test_a_replayed_command_is_processed_once(bot: EmbeddedBot, quiet: FakeSlack) -> None:
    maya = quiet.user("maya")
    body = form(command_fields(quiet, f"<@{maya.id}|maya> coffee — replayed"))
    stamp = str(int(time.time()))
    first = post(bot, body, secret=quiet.signing_secret, timestamp=stamp)
    assert first.status == 200
    wait_for(lambda: interactions(bot, quiet.team_id) == 1, what="the first /met stored")
    again = post(bot, body, secret=quiet.signing_secret, timestamp=stamp)
    assert (again.status, again.body) == (200, b""), "a replay is answered, so Slack does not retry, and empty"
    wait_for(lambda: len(quiet.calls("response_url")) >= 1, what="the reply to the first /met")
    settle(bot.app, bot.container)
    assert interactions(bot, quiet.team_id) == 1
    assert len(quiet.calls("response_url")) == 1, "the replay sent nothing"


def test_concurrent_replays_store_one_entry(bot: EmbeddedBot, quiet: FakeSlack) -> None:
    maya = quiet.user("maya")
    body = form(command_fields(quiet, f"<@{maya.id}|maya> lunch — at once"))
    stamp = str(int(time.time()))
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda _: post(bot, body, secret=quiet.signing_secret, timestamp=stamp), range(8)))
    assert [a.status for a in answers] == [200] * 8
    wait_for(lambda: interactions(bot, quiet.team_id) == 1, what="one /met stored")
    settle(bot.app, bot.container)
    assert interactions(bot, quiet.team_id) == 1
    with bot.container.engine.connect() as connection:
        keys = connection.execute(
            select(func.count()).select_from(SeenRequestRow).where(SeenRequestRow.key.like(f"{stamp}:%"))
        ).scalar_one()
    assert keys >= 1


def test_event_retries_are_processed_once(bot: EmbeddedBot, quiet: FakeSlack, caplog: pytest.LogCaptureFixture) -> None:
    event = {
        "token": quiet.verification_token,
        "team_id": quiet.team_id,
        "api_app_id": quiet.app_id,
        "event": {"type": "tokens_revoked", "tokens": {"bot": [quiet.bot_user_id]}, "event_ts": "1.0"},
        "type": "event_callback",
        "event_id": "Ev" + quiet.team_id,
        "event_time": int(time.time()),
    }
    body = json.dumps(event).encode()
    marker = f"tokens revoked in team {quiet.team_id}"
    with caplog.at_level(logging.INFO):
        assert post(bot, body, "application/json", secret=quiet.signing_secret).status == 200
        wait_for(lambda: any(marker in r.getMessage() for r in caplog.records), what="the event handled")
        for attempt in (1, 2, 3):
            retry = post(
                bot,
                body,
                "application/json",
                secret=quiet.signing_secret,
                timestamp=str(int(time.time()) + attempt),  # a retry is signed afresh
                headers={"X-Slack-Retry-Num": str(attempt), "X-Slack-Retry-Reason": "http_timeout"},
            )
            assert (retry.status, retry.body) == (200, b"")
        settle(bot.app, bot.container)
    assert sum(marker in r.getMessage() for r in caplog.records) == 1


def test_a_signed_command_never_replies_to_a_foreign_response_url(
    bot: EmbeddedBot, quiet: FakeSlack, hostile: Hostile
) -> None:
    maya = quiet.user("maya")
    body = form(command_fields(quiet, f"<@{maya.id}|maya> coffee — foreign url", hostile.url))
    assert post(bot, body, secret=quiet.signing_secret).status == 200
    settle(bot.app, bot.container)
    assert hostile.hits == []
    assert [c for c in quiet.calls() if c.method == "response_url"] == []


def test_url_verification_when_signed(bot: EmbeddedBot, quiet: FakeSlack) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "abc123", "token": quiet.verification_token})
    answer = post(bot, body.encode(), "application/json", secret=quiet.signing_secret)
    assert answer.status == 200 and b"abc123" in answer.body


def test_a_command_mentioning_payload_is_read(bot: EmbeddedBot, quiet: FakeSlack) -> None:
    maya = quiet.user("maya")
    body = form(command_fields(quiet, f"<@{maya.id}|maya> coffee — the payload team"))
    assert post(bot, body, secret=quiet.signing_secret).status == 200
    wait_for(lambda: interactions(bot, quiet.team_id) == 1, what="the /met stored")


@pytest.fixture
def failing_listeners(bot: EmbeddedBot) -> EmbeddedBot:
    """Listeners that raise, registered on the real app: after ack(), before ack(), and in a modal submission."""

    @bot.app.command("/boom-after-ack")
    def boom_after_ack(ack: Any) -> None:
        ack()
        raise RuntimeError("after ack")

    @bot.app.command("/boom-before-ack")
    def boom_before_ack(ack: Any) -> None:
        raise RuntimeError("before ack")

    @bot.app.view("boom_view")
    def boom_view(ack: Any) -> None:
        raise RuntimeError("in a submission")

    return bot


def test_whatever_a_listener_raises_the_request_is_answered_and_the_user_told(
    failing_listeners: EmbeddedBot, quiet: FakeSlack
) -> None:
    bot = failing_listeners
    for command in ["/boom-after-ack"] * 10 + ["/boom-before-ack"] * 3:
        fields = command_fields(quiet, "typed text") | {"command": command}
        answer = post(bot, form(fields), secret=quiet.signing_secret, timeout=2.5)
        assert answer.status == 200, command  # the timeout above fails the test if Bolt hangs for its 3 s
    lee = quiet.user("lee").id
    apologies = wait_for(
        lambda: (
            [m for m in quiet.messages(quiet.channel_id(CHANNEL), as_user=lee) if "went wrong" in m.text]
            if len(quiet.calls("response_url")) >= 13
            else None
        ),
        what="an apology for every failure",
    )
    assert all("so you don't have to type it again:\n/boom" in m.text for m in apologies)


def test_a_failing_modal_submission_pushes_an_apology_over_the_form(
    failing_listeners: EmbeddedBot, quiet: FakeSlack
) -> None:
    payload = view_submission(quiet, "", callback_id="boom_view")
    payload.pop("response_urls")
    answer = post(failing_listeners, interactive(payload), secret=quiet.signing_secret, timeout=2.5)
    assert answer.status == 200
    pushed = json.loads(answer.body)
    assert pushed["response_action"] == "push"
    assert "something went wrong" in json.dumps(pushed["view"])
