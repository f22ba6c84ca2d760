"""The record of what the fake Slack was asked: Web API calls, response_url posts, response_action answers."""

from __future__ import annotations

import copy
from typing import Any

from bot.sandbox.slack.errors import SlackApiFailure, parse_json_args
from bot.sandbox.slack.records import ApiCall


class CallLog:
    """Every Web API call (and response_url / response_action answer) the fake received, in order."""

    def __init__(self) -> None:
        self._calls: list[ApiCall] = []

    def record(self, method: str, args: dict[str, Any]) -> None:
        """Record one call (JSON-string arguments decoded, as a test wants to read them)."""
        try:
            decoded = parse_json_args(args)
        except SlackApiFailure:
            decoded = args
        self._calls.append(ApiCall(method=method, args=copy.deepcopy(decoded)))

    def calls(self, method: str | None = None) -> list[ApiCall]:
        """The recorded calls, optionally only one method."""
        return [call for call in self._calls if method is None or call.method == method]

    def clear(self) -> None:
        """Forget the recorded calls."""
        self._calls.clear()
