"""Client-side rate limiting for Slack Web API calls, so Slack rarely has to answer 429.

Each limit is a token bucket, implemented as GCRA ("virtual scheduling"): per bucket we keep one number, the
theoretical arrival time (TAT) of the next call. A call may go at ``max(now, TAT - tolerance)`` and then pushes
TAT one emission interval further. Reserving a future slot under the lock and sleeping *outside* it lets any number
of threads share one limiter and still come out evenly spaced.

Slack's limits are per app, per workspace, per method: Tier 1–4 methods get a per-minute allowance each;
``chat.postMessage`` is "special": about one message per second per channel, with short bursts, plus a
workspace-wide ceiling ("several hundred messages per minute") that Slack does not publish exactly.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

Clock = Callable[[], float]


@dataclass(frozen=True, slots=True)
class Rate:
    """A steady rate with a burst allowance (calls that may go back to back after a quiet spell)."""

    per_second: float
    burst: int = 1

    def __post_init__(self) -> None:
        if self.per_second <= 0:
            raise ValueError("per_second must be positive")
        if self.burst < 1:
            raise ValueError("burst must be at least 1")

    @classmethod
    def per_minute(cls, calls: float, burst: int = 1) -> Rate:
        """A rate given as calls per minute, as Slack's tiers are documented."""
        return cls(per_second=calls / 60.0, burst=burst)

    @property
    def interval(self) -> float:
        """Seconds between calls at the steady rate."""
        return 1.0 / self.per_second

    @property
    def tolerance(self) -> float:
        """How far ahead of the steady schedule a burst may run, in seconds."""
        return (self.burst - 1) * self.interval


# Slack's documented minimum allowances ("Tier 3: 50+ per minute"); bursts of ~10 s worth of calls.
TIER_RATES: Mapping[int, Rate] = {
    1: Rate.per_minute(1, burst=1),
    2: Rate.per_minute(20, burst=3),
    3: Rate.per_minute(50, burst=8),
    4: Rate.per_minute(100, burst=16),
}
# Tiers from Slack's method reference (docs.slack.dev, mirrored in shared/slack-specs/method-reference).
METHOD_TIERS: Mapping[str, int] = {
    "chat.update": 3,
    "chat.delete": 3,
    "chat.postEphemeral": 4,
    "conversations.open": 3,
    "conversations.info": 3,
    "conversations.members": 4,
    "reactions.add": 3,
    "users.info": 4,
    "users.list": 2,
    "users.lookupByEmail": 3,
    "views.publish": 4,
    "views.open": 4,
    "views.update": 4,
}
DEFAULT_TIER = 3
POST_METHOD = "chat.postMessage"


@dataclass(frozen=True, slots=True)
class RateLimits:
    """The allowances the gateway paces itself to (per app and workspace, i.e. per bot token).

    ``posts`` is the workspace-wide ceiling for chat.postMessage. Slack's own is unpublished ("several hundred per
    minute"); 5/s is a safe default. It is *per process*: with N worker processes, give each 1/N of the ceiling.
    """

    posts: Rate = field(default_factory=lambda: Rate(per_second=5.0, burst=10))
    posts_per_channel: Rate = field(default_factory=lambda: Rate(per_second=1.0, burst=3))
    tier_rates: Mapping[int, Rate] = field(default_factory=lambda: dict(TIER_RATES))
    method_tiers: Mapping[str, int] = field(default_factory=lambda: dict(METHOD_TIERS))

    @classmethod
    def with_post_ceiling(cls, per_second: float, burst: int = 1) -> RateLimits:
        """Default limits with a given workspace-wide chat.postMessage ceiling."""
        return cls(posts=Rate(per_second=per_second, burst=burst))

    def method_rate(self, method: str) -> Rate:
        """The per-method allowance (for chat.postMessage: the workspace-wide ceiling)."""
        if method == POST_METHOD:
            return self.posts
        return self.tier_rates[self.method_tiers.get(method, DEFAULT_TIER)]

    def buckets(self, method: str, channel: str | None = None) -> list[tuple[str, Rate]]:
        """The buckets one call draws from: its method, and for chat.postMessage also its channel."""
        buckets = [(method, self.method_rate(method))]
        if method == POST_METHOD and channel:
            buckets.append((f"{method}#{channel}", self.posts_per_channel))
        return buckets


@dataclass(frozen=True, slots=True)
class Reservation:
    """The limiter's answer: ``granted`` with ``wait`` seconds to sleep first, or refused with the wait needed."""

    granted: bool
    wait: float


class RateLimiter:
    """Thread-safe GCRA limiter over named buckets; ``clock`` is monotonic seconds (injectable for tests)."""

    def __init__(self, clock: Clock = time.monotonic, *, prune_above: int = 10_000) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._tat: dict[str, float] = {}
        self._prune_above = prune_above
        self._inserts_since_prune = 0

    def reserve(self, buckets: Sequence[tuple[str, Rate]], max_wait: float = math.inf) -> Reservation:
        """Reserve the earliest slot all ``buckets`` allow, unless that is more than ``max_wait`` seconds away."""
        with self._lock:
            now = self._clock()
            start = now
            for key, rate in buckets:
                tat = self._tat.get(key, now)
                start = max(start, tat - rate.tolerance)
            wait = start - now
            if wait > max_wait:
                return Reservation(granted=False, wait=wait)
            for key, rate in buckets:
                if key not in self._tat:
                    self._inserts_since_prune += 1
                self._tat[key] = max(self._tat.get(key, now), start) + rate.interval
            self._maybe_prune(now)
            return Reservation(granted=True, wait=wait)

    def penalize(self, key: str, rate: Rate, seconds: float) -> None:
        """Hold bucket ``key`` shut for ``seconds`` from now (Slack said Retry-After)."""
        with self._lock:
            now = self._clock()
            self._tat[key] = max(self._tat.get(key, now), now + seconds + rate.tolerance)

    def wait_needed(self, buckets: Sequence[tuple[str, Rate]]) -> float:
        """Seconds until a call on ``buckets`` could go, without reserving anything."""
        with self._lock:
            now = self._clock()
            start = now
            for key, rate in buckets:
                start = max(start, self._tat.get(key, now) - rate.tolerance)
            return start - now

    def __len__(self) -> int:
        with self._lock:
            return len(self._tat)

    def _maybe_prune(self, now: float) -> None:
        # A bucket whose TAT has passed is indistinguishable from a fresh one: drop it. Amortised, so per-channel
        # buckets for thousands of DMs do not accumulate in a long-running worker.
        if len(self._tat) <= self._prune_above or self._inserts_since_prune < self._prune_above // 2:
            return
        self._tat = {key: tat for key, tat in self._tat.items() if tat > now}
        self._inserts_since_prune = 0
