"""The response_url allow-rule: Slack's hooks host, or the configured API's origin (the sandbox), nothing else."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.slack.response_urls import is_allowed_response_url

SLACK_API = "https://slack.com/api/"
SANDBOX_API = "http://127.0.0.1:8123/api/"


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.slack.com/commands/T0001/123/abc",
        "https://hooks.slack.com/actions/T0001/123/abc",
        "https://HOOKS.slack.com/commands/T0001/1/x",
        "https://hooks.slack.com:443/commands/T0001/1/x",
    ],
)
def test_slack_hooks_are_allowed(url: str) -> None:
    assert is_allowed_response_url(url, SLACK_API)
    assert is_allowed_response_url(url, SANDBOX_API)


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.slack.com/commands/T0001/1/x",  # not TLS
        "https://hooks.slack.com:8443/commands/T0001/1/x",
        "https://hooks.slack.com.evil.example/commands",
        "https://evil.example/hooks.slack.com/commands",
        "https://hooks.slack.com@evil.example/commands",
        "https://user:pw@hooks.slack.com/commands",
        "https://hooks.slack.com\\@evil.example/",
        "https://hooks.slack.com /commands",
        "https://hooks.slack.com:99999/x",
        "https://[::1/x",
        "javascript:alert(1)",
        "file:///etc/passwd",
        "//hooks.slack.com/commands",
        "http://127.0.0.1:9999/anything",
        "http://127.0.0.1:8123.evil/x",
        "",
        "https://hooks.slack.com/" + "a" * 3000,
    ],
)
def test_everything_else_is_refused(url: str) -> None:
    assert not is_allowed_response_url(url, SLACK_API)
    assert not is_allowed_response_url(url, SANDBOX_API)


@pytest.mark.parametrize("value", [None, 42, ["https://hooks.slack.com/x"], {"url": "https://hooks.slack.com/x"}])
def test_non_strings_are_refused(value: object) -> None:
    assert not is_allowed_response_url(value, SLACK_API)


def test_the_sandbox_api_origin_is_allowed_only_on_its_port() -> None:
    assert is_allowed_response_url("http://127.0.0.1:8123/hooks/commands/abc", SANDBOX_API)
    assert is_allowed_response_url("http://127.0.0.1:8123/hooks/commands/abc", "http://127.0.0.1:8123/api")
    assert not is_allowed_response_url("http://127.0.0.1:8124/hooks/commands/abc", SANDBOX_API)
    assert not is_allowed_response_url("https://127.0.0.1:8123/hooks/commands/abc", SANDBOX_API)
    assert not is_allowed_response_url("http://localhost:8123/hooks/commands/abc", SANDBOX_API)


@given(st.text(max_size=300))
def test_the_rule_never_raises(url: str) -> None:
    allowed = is_allowed_response_url(url, SANDBOX_API)
    assert not allowed or url.lower().startswith(("https://hooks.slack.com", "http://127.0.0.1:8123"))
