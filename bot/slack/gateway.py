"""The outbound Slack gateway: the only code that calls WebClient for scheduled work.

Every call is paced by a client-side limiter (per method tier, per channel for chat.postMessage, and a
workspace-wide post ceiling) so Slack seldom has to say 429, and every outcome is classified (``SendOutcome``).

Blocking vs "retry later": sweeps hold rows under a lease, so a call must never block for long. The gateway
therefore only ever waits briefly:

* pacing waits of at most ``max_wait`` seconds (the limiter's reserved slot), slept *before* the call;
* one inline retry, via slack_sdk's retry handlers attached to ``client.retry_handlers``, for a connection error or
  a 5xx (after ``retry_backoff`` s), and for a 429 whose ``Retry-After`` is at most ``max_inline_retry_after`` s.

Per workspace: each call names the workspace it acts for (``team_id=``); the call is made with that workspace's own
client (``bot.slack.clients.SlackClients``: its bot token) and paced in that workspace's buckets, as Slack counts its
rate limits per workspace and app. A workspace with no usable token gets ``not_authed`` back (its auth breaker then
holds its work); single-workspace mode has one client and one set of buckets.

Anything longer comes back at once as ``SendOutcome(retryable=True, retry_after=seconds)``: the sweep stores
"retry at now + retry_after" on the row and moves on, and the lease stays short. A 429's Retry-After also shuts
the method's bucket in the shared limiter, so every thread holds off (they get ``rate_limited_locally`` results
with the remaining wait instead of hitting Slack again). The gateway sets ``client.retry_handlers`` itself, so
give it its own WebClient, not the Bolt app's.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from http.client import HTTPException
from typing import Any
from urllib.parse import urlparse

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web import SlackResponse

from bot.slack.clients import NoInstallation, SlackClients
from bot.slack.errors import (
    DEFAULT_RETRY_AFTER,
    LOCALLY_RATE_LIMITED,
    RATE_LIMITED,
    SendOutcome,
    SlackGatewayError,
    classify_api_error,
    classify_network_error,
    retry_after_seconds,
)
from bot.slack.ratelimit import POST_METHOD, RateLimiter, RateLimits

logger = logging.getLogger(__name__)

Sleep = Callable[[float], None]
USER_GONE_ERRORS = frozenset({"user_not_found", "users_not_found", "user_not_visible"})


def method_from_url(url: str) -> str:
    """'https://slack.com/api/chat.postMessage?x=1' → 'chat.postMessage'."""
    return urlparse(url).path.rstrip("/").rsplit("/", 1)[-1]


def _sleep_then_retry(state: RetryState, sleep: Sleep, seconds: float) -> None:
    state.next_attempt_requested = True
    sleep(seconds)
    state.increment_current_attempt()


class _BackoffThroughInjectedSleep(RetryHandler):
    """Mixin: slack_sdk's handlers call time.sleep; ours sleep through the gateway's injectable ``sleep``."""

    _sleep: Sleep

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        _sleep_then_retry(state, self._sleep, self.interval_calculator.calculate_sleep_duration(state.current_attempt))


class InjectedSleepConnectionErrorRetryHandler(_BackoffThroughInjectedSleep, ConnectionErrorRetryHandler):
    """slack_sdk's connection-error retry (URLError, resets, disconnects) after a fixed ``backoff``."""

    def __init__(self, sleep: Sleep, max_retry_count: int, backoff: float) -> None:
        ConnectionErrorRetryHandler.__init__(
            self, max_retry_count=max_retry_count, interval_calculator=FixedValueRetryIntervalCalculator(backoff)
        )
        self._sleep = sleep


class AnyServerErrorRetryHandler(_BackoffThroughInjectedSleep, ServerErrorRetryHandler):
    """slack_sdk's server-error retry, for every 5xx (not only 500/503), after a fixed ``backoff``."""

    def __init__(self, sleep: Sleep, max_retry_count: int, backoff: float) -> None:
        ServerErrorRetryHandler.__init__(
            self, max_retry_count=max_retry_count, interval_calculator=FixedValueRetryIntervalCalculator(backoff)
        )
        self._sleep = sleep

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return response is not None and 500 <= response.status_code < 600


class ShortRateLimitRetryHandler(RateLimitErrorRetryHandler):
    """slack_sdk's 429 retry, only when Retry-After is short; tells the limiter first so other threads hold off."""

    def __init__(self, sleep: Sleep, max_wait: float, on_rate_limited: Callable[[str, float], None]) -> None:
        super().__init__(max_retry_count=1)
        self._sleep = sleep
        self._max_wait = max_wait
        self._on_rate_limited = on_rate_limited

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is None or response.status_code != 429:
            return False
        retry_after = retry_after_seconds(response.headers)
        return (retry_after if retry_after is not None else DEFAULT_RETRY_AFTER) <= self._max_wait

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        headers = response.headers if response is not None else None
        retry_after = retry_after_seconds(headers)
        seconds = retry_after if retry_after is not None else DEFAULT_RETRY_AFTER
        self._on_rate_limited(method_from_url(request.url), seconds)
        _sleep_then_retry(state, self._sleep, seconds)


@dataclass(frozen=True, slots=True)
class GatewayStats:
    """Counters since the gateway was built (for benchmarks and health output)."""

    calls: int
    ok: int
    rate_limited_by_slack: int
    rate_limited_locally: int
    retryable_failures: int
    permanent_failures: int


class SlackGateway:
    """Rate-limited, classified access to the Slack Web API for scheduled work; safe to share between threads."""

    def __init__(
        self,
        client: WebClient | SlackClients,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = time.sleep,
        *,
        limits: RateLimits | None = None,
        max_wait: float = 5.0,
        max_inline_retry_after: float = 1.0,
        inline_retries: int = 1,
        retry_backoff: float = 0.5,
        user_cache_seconds: float = 300.0,
        user_cache_size: int = 10_000,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._limits = limits or RateLimits()
        self._limiter = RateLimiter(clock)
        self._max_wait = max_wait
        self._user_cache_seconds = user_cache_seconds
        self._user_cache_size = user_cache_size
        self._user_cache: OrderedDict[tuple[str, str], tuple[float, dict[str, Any] | None]] = OrderedDict()
        self._lock = threading.Lock()
        self._counts = dict.fromkeys(GatewayStats.__slots__, 0)
        self._retry = (max_inline_retry_after, inline_retries, retry_backoff)
        self._clients = SlackClients.single(client) if isinstance(client, WebClient) else client
        # Clients that have the gateway's retry handlers (weak: a replaced token's client is let go).
        self._prepared: weakref.WeakSet[WebClient] = weakref.WeakSet()
        if isinstance(client, WebClient):
            self._prepare(client, self._clients.rate_key(None))

    def _prepare(self, client: WebClient, key: str) -> None:
        """Install the gateway's retry handlers on a workspace's client (once; its 429s shut that key's buckets)."""
        inline_retry_after, inline_retries, retry_backoff = self._retry
        handlers: list[RetryHandler] = [
            ShortRateLimitRetryHandler(
                self._sleep, inline_retry_after, lambda method, seconds: self._on_rate_limited(key, method, seconds)
            ),
            AnyServerErrorRetryHandler(self._sleep, inline_retries, retry_backoff),
            InjectedSleepConnectionErrorRetryHandler(self._sleep, inline_retries, retry_backoff),
        ]
        # Keep handlers that only observe (the metrics' 429 counter never retries), ahead of ours.
        observers = [handler for handler in client.retry_handlers if handler.max_retry_count == 0]
        client.retry_handlers = [*observers, *handlers]
        self._prepared.add(client)

    def _client_for(self, team_id: str | None) -> WebClient:
        """The workspace's client, with the gateway's retry handlers; raises NoInstallation."""
        client = self._clients.for_team(team_id)
        with self._lock:
            if client not in self._prepared:
                self._prepare(client, self._clients.rate_key(team_id))
        return client

    @property
    def limiter(self) -> RateLimiter:
        """The shared limiter (exposed for tests and diagnostics)."""
        return self._limiter

    def stats(self) -> GatewayStats:
        """A snapshot of the call counters."""
        with self._lock:
            return GatewayStats(**self._counts)

    # --- public calls (each names the workspace it acts for: ``team_id``) -------------------------------------------

    def post_message(
        self,
        channel: str,
        text: str,
        blocks: list[dict[str, Any]] | None = None,
        *,
        team_id: str | None = None,
        **kwargs: Any,
    ) -> SendOutcome:
        """chat.postMessage; a DM can use the user's ID as ``channel`` (no conversations.open needed)."""
        arguments: dict[str, Any] = {"channel": channel, "text": text, **kwargs}
        if blocks is not None:
            arguments["blocks"] = blocks
        response, result = self._call(team_id, POST_METHOD, channel, lambda c: c.chat_postMessage(**arguments))
        if response is None:
            return result
        return SendOutcome.success(ts=_str_or_none(response.get("ts")), channel=_str_or_none(response.get("channel")))

    def update_message(
        self,
        channel: str,
        ts: str,
        text: str,
        blocks: list[dict[str, Any]] | None = None,
        *,
        team_id: str | None = None,
        **kwargs: Any,
    ) -> SendOutcome:
        """chat.update of a message the bot posted."""
        arguments: dict[str, Any] = {"channel": channel, "ts": ts, "text": text, **kwargs}
        if blocks is not None:
            arguments["blocks"] = blocks
        response, result = self._call(team_id, "chat.update", channel, lambda c: c.chat_update(**arguments))
        if response is None:
            return result
        return SendOutcome.success(ts=_str_or_none(response.get("ts")), channel=_str_or_none(response.get("channel")))

    def open_conversation(self, user_ids: list[str] | tuple[str, ...], *, team_id: str | None = None) -> str:
        """conversations.open for a DM or group DM; returns the channel ID or raises SlackGatewayError."""
        users = ",".join(user_ids)
        response, result = self._call(team_id, "conversations.open", None, lambda c: c.conversations_open(users=users))
        channel = response.get("channel") if response is not None else None
        if isinstance(channel, dict) and isinstance(channel.get("id"), str):
            return str(channel["id"])
        if result.ok:
            result = SendOutcome.failed("malformed_response")
        raise SlackGatewayError("conversations.open", result)

    def open_dm(self, user_id: str, *, team_id: str | None = None) -> tuple[SendOutcome, str | None]:
        """conversations.open for a 1:1 DM: the outcome and the D… channel id (needs im:write)."""
        response, result = self._call(
            team_id, "conversations.open", None, lambda c: c.conversations_open(users=user_id)
        )
        channel = response.get("channel") if response is not None else None
        if isinstance(channel, dict) and isinstance(channel.get("id"), str):
            return result, str(channel["id"])
        return (result if not result.ok else SendOutcome.failed("malformed_response")), None

    def recent_messages(
        self, channel: str, oldest: float | None = None, limit: int = 100, *, team_id: str | None = None
    ) -> tuple[SendOutcome, list[dict[str, Any]]]:
        """conversations.history with message metadata, newest first (needs im:history for a DM)."""
        arguments: dict[str, Any] = {"channel": channel, "limit": limit, "include_all_metadata": True}
        if oldest is not None:
            arguments["oldest"] = f"{oldest:.6f}"
        response, result = self._call(
            team_id, "conversations.history", None, lambda c: c.conversations_history(**arguments)
        )
        messages = response.get("messages") if response is not None else None
        return result, [m for m in messages if isinstance(m, dict)] if isinstance(messages, list) else []

    def check_auth(self, team_id: str) -> SendOutcome:
        """auth.test with the workspace's own token: does it work?"""
        response, result = self._call(team_id, "auth.test", None, lambda c: c.auth_test())
        return result if response is None else SendOutcome.success()

    def publish_home(self, user_id: str, view: dict[str, Any], *, team_id: str | None = None) -> SendOutcome:
        """views.publish of a user's Home tab."""
        response, result = self._call(
            team_id, "views.publish", None, lambda c: c.views_publish(user_id=user_id, view=view)
        )
        return result if response is None else SendOutcome.success()

    def user_info(self, user_id: str, *, team_id: str | None = None) -> dict[str, Any] | None:
        """users.info (cached per workspace for ``user_cache_seconds``); None when Slack says the user does not exist.

        Raises SlackGatewayError for anything else (rate limits, network, auth), so a caller never mistakes an
        outage for a deleted user.
        """
        now = self._clock()
        key = (self._clients.rate_key(team_id), user_id)
        with self._lock:
            cached = self._user_cache.get(key)
            if cached is not None and cached[0] > now:
                self._user_cache.move_to_end(key)
                return cached[1]
        response, result = self._call(team_id, "users.info", None, lambda c: c.users_info(user=user_id))
        if response is None and result.error not in USER_GONE_ERRORS:
            raise SlackGatewayError("users.info", result)
        user = response.get("user") if response is not None else None
        value = user if isinstance(user, dict) else None
        with self._lock:
            self._user_cache[key] = (now + self._user_cache_seconds, value)
            self._user_cache.move_to_end(key)
            while len(self._user_cache) > self._user_cache_size:
                self._user_cache.popitem(last=False)
        return value

    def forget_team(self, team_id: str) -> None:
        """Drop what the gateway holds for a workspace (its client and cached users): it was uninstalled."""
        self._clients.forget(team_id)
        key = self._clients.rate_key(team_id)
        with self._lock:
            for cached in [cached for cached in self._user_cache if cached[0] == key]:
                del self._user_cache[cached]

    # --- machinery ------------------------------------------------------------------------------------------------

    def _on_rate_limited(self, key: str, method: str, seconds: float) -> None:
        """Slack said 429: shut the workspace's method bucket for Retry-After so every thread sharing us holds off."""
        self._count("rate_limited_by_slack")
        self._limiter.penalize(f"{key}/{method}", self._limits.method_rate(method), seconds)
        logger.warning("Slack rate-limited %s; holding off %.1f s", method, seconds)

    def _count(self, name: str) -> None:
        with self._lock:
            self._counts[name] += 1

    def _call(
        self, team_id: str | None, method: str, channel: str | None, send: Callable[[WebClient], SlackResponse]
    ) -> tuple[SlackResponse | None, SendOutcome]:
        """Pace, perform and classify one call with the workspace's client; the response is None on failure."""
        key = self._clients.rate_key(team_id)
        try:
            client = self._client_for(team_id)
        except NoInstallation as missing:
            result = SendOutcome.refused(missing.error)
            self._record_failure(method, channel, result)
            return None, result
        refused = self._pace(key, method, channel)
        if refused is not None:
            self._count("rate_limited_locally")
            return None, refused
        self._count("calls")
        try:
            response = send(client)
        except SlackApiError as error:
            result = classify_api_error(error)
            if result.error == RATE_LIMITED:
                self._on_rate_limited(key, method, result.retry_after or DEFAULT_RETRY_AFTER)
            self._record_failure(method, channel, result)
            return None, result
        except (OSError, HTTPException) as error:  # what urllib raises: URLError, timeouts, resets, disconnects
            result = classify_network_error(error)
            self._record_failure(method, channel, result)
            return None, result
        except SlackClientError as error:  # e.g. a malformed base URL: a configuration error, not transient
            logger.exception("Slack %s could not be sent (%s)", method, type(error).__name__)
            result = SendOutcome.failed(type(error).__name__)
            self._count("permanent_failures")
            return None, result
        self._count("ok")
        return response, SendOutcome.success()

    def _pace(self, key: str, method: str, channel: str | None) -> SendOutcome | None:
        """Wait for a slot in the workspace's buckets (at most ``max_wait`` in all), or say how long it would take.

        The channel's bucket is reserved first and the shared method bucket only once that wait is over: reserving
        both at once would park a shared slot seconds ahead and stall every other thread's posts behind it.
        """
        budget = self._max_wait
        for name, rate in reversed(self._limits.buckets(method, channel)):
            reservation = self._limiter.reserve([(f"{key}/{name}", rate)], max(budget, 0.0))
            if not reservation.granted:
                return SendOutcome.retry_later(LOCALLY_RATE_LIMITED, reservation.wait)
            if reservation.wait > 0:
                self._sleep(reservation.wait)
                budget -= reservation.wait
        return None

    def _record_failure(self, method: str, channel: str | None, result: SendOutcome) -> None:
        # Never log tokens or message text: method, channel ID and Slack's error code are enough to act on.
        self._count("retryable_failures" if result.retryable else "permanent_failures")
        kind = "token refused" if result.auth_refused else "retryable" if result.retryable else "permanent"
        logger.warning("Slack %s failed for channel %s: %s (%s)", method, channel or "-", result.error, kind)


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None
