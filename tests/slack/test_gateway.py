"""SlackGateway against a scripted Slack over real HTTP: classification, Retry-After, pacing, retries."""

from __future__ import annotations

import logging
import socket

import pytest
from slack_sdk import WebClient

from bot.slack.errors import LOCALLY_RATE_LIMITED, SlackGatewayError
from bot.slack.gateway import SlackGateway, method_from_url
from bot.slack.ratelimit import Rate, RateLimits
from tests.fakes import FakeMonotonic

from .conftest import TOKEN, Reply, ScriptedSlack

PERMANENT = [
    "user_not_found",
    "channel_not_found",
    "not_in_channel",
    "is_archived",
    "cannot_dm_bot",
    "users_not_found",
    "user_disabled",
    "msg_too_long",
    "invalid_blocks",
    "no_text",
    "something_slack_added_later",
]
TRANSIENT = ["fatal_error", "internal_error", "service_unavailable", "request_timeout"]


def make_gateway(client: WebClient, clock: FakeMonotonic, **kwargs: object) -> SlackGateway:
    return SlackGateway(client, clock=clock, sleep=clock.sleep, **kwargs)  # type: ignore[arg-type]


def test_post_message_succeeds(slack: ScriptedSlack, client: WebClient, clock: FakeMonotonic) -> None:
    gateway = make_gateway(client, clock)
    result = gateway.post_message("U0DANA", "You met Dana 7 days ago. Follow up?", blocks=[{"type": "divider"}])
    assert result.ok and not result.retryable and result.error is None
    assert result.ts == "1764000000.000100" and result.channel == "U0DANA"
    [sent] = slack.calls("chat.postMessage")
    assert sent["text"] == "You met Dana 7 days ago. Follow up?" and sent["blocks"] == [{"type": "divider"}]
    assert gateway.stats().ok == 1


@pytest.mark.parametrize("code", PERMANENT)
def test_permanent_errors_end_without_retry(
    slack: ScriptedSlack, client: WebClient, clock: FakeMonotonic, code: str
) -> None:
    slack.script("chat.postMessage", Reply(body={"ok": False, "error": code}))
    result = make_gateway(client, clock).post_message("U0GONE", "hello")
    assert (result.ok, result.retryable, result.permanent, result.error) == (False, False, True, code)
    assert len(slack.calls("chat.postMessage")) == 1
    assert clock.sleeps == []


@pytest.mark.parametrize("code", TRANSIENT)
def test_transient_error_codes_are_retryable(
    slack: ScriptedSlack, client: WebClient, clock: FakeMonotonic, code: str
) -> None:
    slack.script("chat.postMessage", Reply(body={"ok": False, "error": code}))
    result = make_gateway(client, clock).post_message("U0DANA", "hello")
    assert (result.ok, result.retryable, result.error) == (False, True, code)


def test_server_error_is_retried_once_inline(slack: ScriptedSlack, client: WebClient, clock: FakeMonotonic) -> None:
    slack.script("chat.postMessage", Reply(status=500, body={"ok": False, "error": "internal_error"}))
    result = make_gateway(client, clock, retry_backoff=0.5).post_message("U0DANA", "hello")
    assert result.ok
    assert len(slack.calls("chat.postMessage")) == 2
    assert clock.sleeps == [0.5]


def test_persistent_server_errors_come_back_retryable(
    slack: ScriptedSlack, client: WebClient, clock: FakeMonotonic
) -> None:
    page = "<html><body>502 Bad Gateway</body></html>"
    slack.script("chat.postMessage", Reply(status=502, body=page), Reply(status=503, body=page))
    result = make_gateway(client, clock).post_message("U0DANA", "hello")
    assert (result.ok, result.retryable, result.error) == (False, True, "http_503")
    assert len(slack.calls("chat.postMessage")) == 2


def test_short_retry_after_is_honoured_inline(slack: ScriptedSlack, client: WebClient, clock: FakeMonotonic) -> None:
    slack.script(
        "chat.postMessage", Reply(status=429, body={"ok": False, "error": "ratelimited"}, headers={"Retry-After": "1"})
    )
    gateway = make_gateway(client, clock)
    result = gateway.post_message("U0DANA", "hello")
    assert result.ok
    assert clock.sleeps == [1.0]  # slept exactly Retry-After before the second attempt
    assert len(slack.calls("chat.postMessage")) == 2
    assert gateway.stats().rate_limited_by_slack == 1


def test_long_retry_after_returns_retry_later_and_holds_everyone_off(
    slack: ScriptedSlack, client: WebClient, clock: FakeMonotonic
) -> None:
    slack.script(
        "chat.postMessage", Reply(status=429, body={"ok": False, "error": "ratelimited"}, headers={"Retry-After": "30"})
    )
    gateway = make_gateway(client, clock, max_wait=5.0)
    result = gateway.post_message("U0DANA", "hello")
    assert (result.ok, result.retryable, result.error, result.retry_after) == (False, True, "ratelimited", 30.0)
    assert clock.sleeps == []  # the sweep was not blocked

    # Any other post (another channel, another thread) is held back locally without asking Slack again.
    clock.advance(10)
    held = gateway.post_message("U0LEE", "hello")
    assert (held.retryable, held.error) == (True, LOCALLY_RATE_LIMITED)
    assert held.retry_after == pytest.approx(20.0)
    assert len(slack.calls("chat.postMessage")) == 1

    # Other methods have their own buckets.
    assert gateway.publish_home("U0LEE", {"type": "home", "blocks": []}).ok

    clock.advance(20)
    assert gateway.post_message("U0LEE", "hello").ok
    stats = gateway.stats()
    assert (stats.rate_limited_by_slack, stats.rate_limited_locally) == (1, 1)


def test_ratelimited_without_retry_after_defaults_to_a_second(
    slack: ScriptedSlack, client: WebClient, clock: FakeMonotonic
) -> None:
    slack.script("chat.postMessage", Reply(status=200, body={"ok": False, "error": "ratelimited"}))
    result = make_gateway(client, clock).post_message("U0DANA", "hello")
    assert (result.retryable, result.error, result.retry_after) == (True, "ratelimited", 1.0)


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_connection_refused_is_retryable_after_one_inline_retry(clock: FakeMonotonic) -> None:
    client = WebClient(token=TOKEN, base_url=f"http://127.0.0.1:{unused_port()}/api/", timeout=2)
    result = make_gateway(client, clock, retry_backoff=0.25).post_message("U0DANA", "hello")
    assert (result.ok, result.retryable, result.error) == (False, True, "connection_error")
    assert clock.sleeps == [0.25]


def test_timeout_is_retryable(slack: ScriptedSlack, clock: FakeMonotonic) -> None:
    slack.script("chat.postMessage", Reply(delay=1.0))
    client = WebClient(token=TOKEN, base_url=slack.url, timeout=0.2)  # type: ignore[arg-type]
    result = make_gateway(client, clock).post_message("U0DANA", "hello")
    assert (result.ok, result.retryable, result.error) == (False, True, "timeout")


def test_posts_are_paced_by_the_workspace_ceiling(client: WebClient, clock: FakeMonotonic) -> None:
    limits = RateLimits(posts=Rate(per_second=10.0, burst=1))
    gateway = make_gateway(client, clock, limits=limits)
    for index in range(5):
        assert gateway.post_message(f"U{index}", "hello").ok
    assert clock.sleeps == pytest.approx([0.1, 0.1, 0.1, 0.1])


def test_posts_to_one_channel_are_paced_to_one_per_second(client: WebClient, clock: FakeMonotonic) -> None:
    limits = RateLimits(posts=Rate(per_second=100.0, burst=1), posts_per_channel=Rate(per_second=1.0, burst=1))
    gateway = make_gateway(client, clock, limits=limits)
    for _ in range(3):
        assert gateway.post_message("C0GENERAL", "hello").ok
    assert gateway.post_message("C0RANDOM", "hello").ok  # another channel is not held up by the first
    assert clock.sleeps == pytest.approx([1.0, 1.0, 0.01])


def test_tier_methods_are_paced_by_their_tier(client: WebClient, clock: FakeMonotonic) -> None:
    limits = RateLimits(
        tier_rates={1: Rate.per_minute(1), 2: Rate.per_minute(20), 3: Rate.per_minute(50), 4: Rate.per_minute(100)}
    )
    gateway = make_gateway(client, clock, limits=limits)
    gateway.open_conversation(["U1"])
    gateway.open_conversation(["U2"])
    assert clock.sleeps == pytest.approx([60 / 50])  # conversations.open is Tier 3


def test_a_wait_longer_than_max_wait_is_not_slept(
    slack: ScriptedSlack, client: WebClient, clock: FakeMonotonic
) -> None:
    limits = RateLimits(posts_per_channel=Rate(per_second=0.1, burst=1))
    gateway = make_gateway(client, clock, limits=limits, max_wait=5.0)
    assert gateway.post_message("C0GENERAL", "one").ok
    refused = gateway.post_message("C0GENERAL", "two")
    assert (refused.retryable, refused.error, refused.retry_after) == (True, LOCALLY_RATE_LIMITED, pytest.approx(10.0))
    assert clock.sleeps == [] and len(slack.calls("chat.postMessage")) == 1


def test_update_message_and_publish_home(slack: ScriptedSlack, client: WebClient, clock: FakeMonotonic) -> None:
    gateway = make_gateway(client, clock)
    updated = gateway.update_message("D0DM", "1764000000.000100", "Done ✓", blocks=[])
    assert updated.ok and updated.ts == "1764000000.000100"
    assert gateway.publish_home("U0DANA", {"type": "home", "blocks": []}).ok
    [home] = slack.calls("views.publish")
    assert home["user_id"] == "U0DANA"


def test_open_conversation(slack: ScriptedSlack, client: WebClient, clock: FakeMonotonic) -> None:
    gateway = make_gateway(client, clock)
    assert gateway.open_conversation(["U1", "U2"]) == "D0DM"
    assert slack.calls("conversations.open")[0]["users"] == "U1,U2"
    slack.script("conversations.open", Reply(body={"ok": False, "error": "user_disabled"}))
    with pytest.raises(SlackGatewayError) as raised:
        gateway.open_conversation(["U3"])
    assert raised.value.result.permanent and raised.value.result.error == "user_disabled"


def test_user_info_is_cached_and_tells_gone_from_unreachable(
    slack: ScriptedSlack, client: WebClient, clock: FakeMonotonic
) -> None:
    gateway = make_gateway(client, clock, user_cache_seconds=60.0)
    user = gateway.user_info("U0DANA")
    assert user is not None and user["name"] == "dana"
    assert gateway.user_info("U0DANA") == user
    assert len(slack.calls("users.info")) == 1
    clock.advance(61)
    gateway.user_info("U0DANA")
    assert len(slack.calls("users.info")) == 2

    slack.script("users.info", Reply(body={"ok": False, "error": "user_not_found"}))
    assert gateway.user_info("U0GONE") is None
    slack.script("users.info", Reply(status=500, body="oops"), Reply(status=500, body="oops"))
    with pytest.raises(SlackGatewayError) as raised:
        gateway.user_info("U0OTHER")
    assert raised.value.result.retryable


def test_failures_are_logged_without_token_or_text(
    slack: ScriptedSlack, client: WebClient, clock: FakeMonotonic, caplog: pytest.LogCaptureFixture
) -> None:
    slack.script("chat.postMessage", Reply(body={"ok": False, "error": "channel_not_found"}))
    with caplog.at_level(logging.DEBUG):
        make_gateway(client, clock).post_message("C0GONE", "private note: salary talk")
    # slack_sdk itself logs request bodies at DEBUG: keep it at INFO or above in production.
    ours = [r.getMessage() for r in caplog.records if r.name.startswith("bot.") or r.levelno >= logging.INFO]
    assert any("channel_not_found" in message for message in ours)
    assert not any("salary" in message or TOKEN in message for message in ours)


def test_method_from_url() -> None:
    assert method_from_url("https://slack.com/api/chat.postMessage?x=1") == "chat.postMessage"


@pytest.mark.parametrize("code", ["invalid_auth", "token_revoked", "account_inactive", "not_authed", "token_expired"])
def test_auth_errors_are_refusals_that_keep_the_work(
    slack: ScriptedSlack, client: WebClient, clock: FakeMonotonic, code: str
) -> None:
    slack.script("chat.postMessage", Reply(body={"ok": False, "error": code}))
    gateway = make_gateway(client, clock)
    result = gateway.post_message("U0DANA", "hello")
    assert (result.ok, result.auth_refused, result.retryable, result.permanent) == (False, True, True, False)
    assert len(slack.calls("chat.postMessage")) == 1 and clock.sleeps == []
    slack.script("auth.test", Reply(body={"ok": False, "error": code}))
    assert gateway.check_auth("T1").auth_refused
    slack.script("auth.test", Reply(body={"ok": True, "team_id": "T1", "user_id": "UBOT"}))
    assert gateway.check_auth("T1").ok
