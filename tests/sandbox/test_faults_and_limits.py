"""Fault injection and rate limits, seen through a real WebClient the way the bot sees them."""

from __future__ import annotations

import time
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.sandbox.slack import FakeSlack
from bot.sandbox.slack.faults import Fault


def failure(call: Any) -> SlackApiError:
    with pytest.raises(SlackApiError) as raised:
        call()
    return raised.value


def test_http_500_for_a_number_of_calls(fake: FakeSlack, client: WebClient) -> None:
    fake.faults.add(Fault(method="chat.postMessage", kind="http_500", count=1))
    error = failure(lambda: client.chat_postMessage(channel=fake.user("maya").id, text="x"))
    assert error.response.status_code == 500
    assert fake.messages("maya") == []
    client.chat_postMessage(channel=fake.user("maya").id, text="x")
    assert [m.text for m in fake.messages("maya")] == ["x"]
    assert len(fake.calls("chat.postMessage")) == 2


def test_ratelimit_storm_answers_429_with_retry_after(fake: FakeSlack, client: WebClient) -> None:
    fake.faults.add(Fault(method="users.*", kind="ratelimit", retry_after=7))
    error = failure(lambda: client.users_info(user=fake.user("maya").id))
    assert error.response.status_code == 429
    assert error.response.headers["Retry-After"] == "7"
    assert error.response["error"] == "ratelimited"
    assert client.auth_test()["ok"]


@pytest.mark.parametrize("kind", ["invalid_auth", "token_revoked"])
def test_auth_failures(fake: FakeSlack, client: WebClient, kind: str) -> None:
    fake.faults.add(Fault(method="*", kind=kind))  # type: ignore[arg-type]
    assert failure(client.auth_test).response["error"] == kind


def test_slow_response_trips_the_client_timeout(fake: FakeSlack, client: WebClient) -> None:
    impatient = WebClient(base_url=fake.api_url, token=fake.bot_token, timeout=0.2)  # type: ignore[arg-type]
    fake.faults.add(Fault(method="auth.test", kind="slow", delay=0.6, count=1))
    with pytest.raises(TimeoutError):
        impatient.auth_test()
    assert client.auth_test()["ok"]


def test_dropped_connection(fake: FakeSlack) -> None:
    no_retry = WebClient(base_url=fake.api_url, token=fake.bot_token, retry_handlers=[])
    fake.faults.add(Fault(method="auth.test", kind="drop", count=1))
    with pytest.raises(Exception) as raised:  # urllib surfaces the closed socket as a connection error
        no_retry.auth_test()
    assert not isinstance(raised.value, SlackApiError)
    assert no_retry.auth_test()["ok"]


def test_fault_window_ends(fake: FakeSlack, client: WebClient) -> None:
    fake.faults.add(Fault(method="auth.test", kind="http_500", until=time.monotonic() + 1.0))
    assert failure(client.auth_test).response.status_code == 500
    time.sleep(1.05)
    assert client.auth_test()["ok"]


def test_rate_limits_are_off_by_default_and_can_be_turned_on(fake: FakeSlack, client: WebClient) -> None:
    maya = fake.user("maya").id
    for _ in range(8):
        client.chat_postMessage(channel=maya, text="burst")
    fake.rate_limits.set_enabled(True)
    accepted = 0
    with pytest.raises(SlackApiError) as raised:
        for _ in range(50):
            client.chat_postMessage(channel=maya, text="burst")
            accepted += 1
    assert 1 <= accepted < 50
    assert raised.value.response.status_code == 429
    assert int(raised.value.response.headers["Retry-After"]) >= 1
    client.chat_postMessage(channel=fake.channel_id("coffee"), text="another channel has its own allowance")


def test_method_limit_override(fake: FakeSlack, client: WebClient) -> None:
    fake.rate_limits.set_enabled(True)
    fake.rate_limits.set_method_limit("users.info", 2)
    maya = fake.user("maya").id
    client.users_info(user=maya)
    client.users_info(user=maya)
    assert failure(lambda: client.users_info(user=maya)).response.status_code == 429
