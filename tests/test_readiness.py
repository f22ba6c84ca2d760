"""bot/readiness.py: the one-line causes of a failed auth.test (the end-to-end tests cover refused and DNS)."""

from __future__ import annotations

import socket

import pytest
from slack_sdk import WebClient

from bot.readiness import SlackUnreachable, check_token


def test_a_slack_that_never_answers_is_a_timeout_in_one_line() -> None:
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts connections, never answers
        api_url = f"http://127.0.0.1:{silent.getsockname()[1]}/api/"
        with pytest.raises(SlackUnreachable) as raised:
            check_token(WebClient(token="xoxb-test", base_url=api_url), api_url, timeout=0.3)
    line = str(raised.value)
    assert line.startswith("cannot reach Slack at 127.0.0.1:") and "timed out" in line and "\n" not in line
    assert line.endswith("check SLACK_API_URL and the network")
