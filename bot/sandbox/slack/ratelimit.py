"""Slack's Web API rate limits for the fake Slack: token buckets per method tier, per channel for chat.postMessage.

Slack documents limits per method *tier* ("Tier 2: 20+ per minute", ...) and tolerates short bursts; a call over
the limit gets HTTP 429 with ``Retry-After: <seconds>``. We model each limit as a token bucket:

* Tier 1..4 methods: ``TIER_PER_MINUTE`` calls a minute per (workspace, method); the bucket holds one minute's
  allowance, so a burst of that many calls is accepted at once and then calls trickle back at the tier's rate.
* ``chat.postMessage`` (Slack's "Special" tier): about 1 message per second per (workspace, channel), with bursts
  of ``POST_BURST_SECONDS`` seconds' worth; plus an optional workspace-wide ceiling in messages per second.
* Other "Special" methods (auth.test, chat.getPermalink, oauth.v2.access): Slack publishes no number and they are
  generous in practice; ``SPECIAL_PER_MINUTE`` (600/min) keeps them out of the way.

A refused call does not consume anything. Thread-safe; deterministic with an injected clock.
Changing scale, limits or enabling resets all counters (tests change settings between phases).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from bot.sandbox.slack.validation import MethodCatalog

TIER_PER_MINUTE: dict[int, float] = {1: 1.0, 2: 20.0, 3: 50.0, 4: 100.0}
DEFAULT_TIER = 3  # for methods the catalog does not know (the most common tier)
SPECIAL_PER_MINUTE = 600.0
POST_PER_SECOND = 1.0
POST_BURST_SECONDS = 5.0
POST_METHOD = "chat.postMessage"
_EPSILON = 1e-9

Limit = tuple[tuple[str, ...], float, float]


@dataclass
class _Bucket:
    """Tokens left and when they were last refilled."""

    capacity: float
    rate: float  # tokens per second
    tokens: float
    updated: float

    def refill(self, now: float) -> None:
        elapsed = max(0.0, now - self.updated)
        self.tokens = min(self.capacity, self.tokens + elapsed * self.rate)
        self.updated = now

    def wait(self) -> float:
        """Return the seconds until one token is available (0 when one is)."""
        if self.tokens >= 1.0 - _EPSILON:  # float drift must not refuse a call that is exactly on time
            return 0.0
        return (1.0 - self.tokens) / self.rate


def retry_after_header(seconds: float) -> str:
    """Render a wait as Slack's Retry-After header value: whole seconds, at least 1."""
    return str(max(1, math.ceil(seconds)))


class RateLimiter:
    """Decide whether a Web API call is within Slack's rate limits; count it when it is."""

    def __init__(
        self,
        catalog: MethodCatalog | None = None,
        clock: Callable[[], float] = time.monotonic,
        scale: float = 1.0,
        enabled: bool = True,
    ) -> None:
        self._catalog = catalog if catalog is not None else MethodCatalog.load()
        self._clock = clock
        self._lock = threading.Lock()
        self._scale = self._valid_scale(scale)
        self._enabled = enabled
        self._method_limits: dict[str, float] = {}
        self._workspace_post_per_second: float | None = None
        self._buckets: dict[tuple[str, ...], _Bucket] = {}

    @staticmethod
    def _valid_scale(scale: float) -> float:
        if scale <= 0:
            raise ValueError("scale must be positive")
        return scale

    # -- settings --------------------------------------------------------------------------------------------------
    def set_scale(self, scale: float) -> None:
        """Multiply every allowance by ``scale`` (10 = ten times more calls); resets the counters."""
        with self._lock:
            self._scale = self._valid_scale(scale)
            self._buckets.clear()

    def set_enabled(self, enabled: bool) -> None:
        """Turn rate limiting on or off; resets the counters."""
        with self._lock:
            self._enabled = enabled
            self._buckets.clear()

    def set_method_limit(self, method: str, per_minute: float | None) -> None:
        """Override a method's allowance in calls per minute (per channel for chat.postMessage); None restores it."""
        with self._lock:
            if per_minute is None:
                self._method_limits.pop(method, None)
            elif per_minute <= 0:
                raise ValueError("per_minute must be positive")
            else:
                self._method_limits[method] = per_minute
            self._buckets.clear()

    def set_workspace_post_limit(self, per_second: float | None) -> None:
        """Cap chat.postMessage across all channels of a workspace (messages per second); None removes the cap."""
        with self._lock:
            if per_second is not None and per_second <= 0:
                raise ValueError("per_second must be positive")
            self._workspace_post_per_second = per_second
            self._buckets.clear()

    def reset(self) -> None:
        """Forget every call counted so far."""
        with self._lock:
            self._buckets.clear()

    # -- the check -------------------------------------------------------------------------------------------------
    def check(self, method: str, channel: str | None = None, team: str = "") -> float | None:
        """Return None when the call is allowed (and count it), else the seconds to put in Retry-After."""
        with self._lock:
            if not self._enabled:
                return None
            now = self._clock()
            buckets = [
                self._bucket(key, rate, capacity, now) for key, rate, capacity in self._limits(method, channel, team)
            ]
            for bucket in buckets:
                bucket.refill(now)
            wait = max((bucket.wait() for bucket in buckets), default=0.0)
            if wait > 0.0:
                return wait
            for bucket in buckets:
                bucket.tokens = max(0.0, bucket.tokens - 1.0)
            return None

    def _limits(self, method: str, channel: str | None, team: str) -> list[Limit]:
        """Return (bucket key, tokens per second, capacity) of every limit the call counts against."""
        scale = self._scale
        if method == POST_METHOD:
            per_second = self._method_limits.get(method, POST_PER_SECOND * 60.0) / 60.0 * scale
            limits: list[Limit] = [
                (("post", team, channel or ""), per_second, max(1.0, per_second * POST_BURST_SECONDS))
            ]
            if self._workspace_post_per_second is not None:
                ceiling = self._workspace_post_per_second * scale
                limits.append((("post-workspace", team), ceiling, max(1.0, ceiling)))
            return limits
        per_minute = self._method_limits.get(method)
        if per_minute is None:
            tier = self._catalog.tier(method) if method in self._catalog else DEFAULT_TIER
            per_minute = SPECIAL_PER_MINUTE if tier == "special" else TIER_PER_MINUTE[int(tier)]
        per_minute *= scale
        return [(("method", team, method), per_minute / 60.0, max(1.0, per_minute))]

    def _bucket(self, key: tuple[str, ...], rate: float, capacity: float, now: float) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = _Bucket(capacity=capacity, rate=rate, tokens=capacity, updated=now)
            self._buckets[key] = bucket
        return bucket
