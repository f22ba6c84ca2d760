"""A WebClient that counts its calls for the metrics endpoint: by method and result, and every 429 Slack sent."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot.metrics import SLACK_CALLS, SLACK_RATE_LIMITED


def _method_of(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0] or "unknown"


class RateLimitCounter(RetryHandler):
    """Never retries; counts each 429 before the handlers that do retry see it (so retried 429s count too)."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is not None and response.status_code == 429:
            SLACK_RATE_LIMITED.labels(method=_method_of(request.url)).inc()
        return False


class MeteredWebClient(WebClient):
    """slack_sdk's WebClient, counting each call's final result: ok, Slack's error code, or a network failure."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.retry_handlers.insert(0, RateLimitCounter(max_retry_count=0))

    def api_call(self, api_method: str, **kwargs: Any) -> Any:
        """Make the call and count its outcome."""
        try:
            response = super().api_call(api_method, **kwargs)
        except SlackApiError as error:
            code = error.response.get("error") if error.response is not None else None
            result = "ratelimited" if error.response is not None and error.response.status_code == 429 else "error"
            SLACK_CALLS.labels(method=api_method, result=result if code is None else _bounded(code)).inc()
            raise
        except Exception:
            SLACK_CALLS.labels(method=api_method, result="network_error").inc()
            raise
        SLACK_CALLS.labels(method=api_method, result="ok").inc()
        return response


def _bounded(code: object) -> str:
    # Slack's error codes are a fixed vocabulary, but a fake or proxy could send anything: keep labels tame.
    text = str(code)
    return text if len(text) <= 40 and text.replace("_", "").isalnum() else "error"
