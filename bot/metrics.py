"""Prometheus metrics: what the process is doing, in counts and durations — never a workspace, person or text.

Labels are bounded sets (request kinds, HTTP statuses, Slack method names, sweep names, nudge statuses), so a
label never carries anything a person wrote, and no workspace id appears: auth breakers are a count.
One registry of our own (not the library's global one) so tests can build several apps in one process.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

REGISTRY = CollectorRegistry(auto_describe=True)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

REQUESTS = Counter(
    "rapport_requests", "Requests at the Slack door, by kind and HTTP status", ["kind", "status"], registry=REGISTRY
)
ACK_SECONDS = Histogram(
    "rapport_ack_seconds",
    "From a request's arrival to Slack getting its answer (the ack), by kind",
    ["kind"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0),
    registry=REGISTRY,
)
SLACK_CALLS = Counter(
    "rapport_slack_calls", "Slack Web API calls by method and result", ["method", "result"], registry=REGISTRY
)
SLACK_RATE_LIMITED = Counter(
    "rapport_slack_rate_limited", "HTTP 429 answers from Slack, retried ones included", ["method"], registry=REGISTRY
)
SWEEP_SECONDS = Histogram(
    "rapport_sweep_seconds",
    "How long one run of a sweep took",
    ["sweep"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 150.0),
    registry=REGISTRY,
)
SWEEP_CLAIMED = Counter("rapport_sweep_claimed", "Rows a sweep claimed", ["sweep"], registry=REGISTRY)
SWEEP_FAILURES = Counter("rapport_sweep_failures", "Sweep runs that raised", ["sweep"], registry=REGISTRY)
SWEEP_LAST_SUCCESS = Gauge(
    "rapport_sweep_last_success_timestamp_seconds", "When a sweep last finished", ["sweep"], registry=REGISTRY
)


def request_kind(body: dict[str, Any]) -> str:
    """A bounded name for what a Slack request is: command, event, block_actions, view_submission, …"""
    if "command" in body:
        return "command"
    kind = body.get("type")
    if kind in {"event_callback", "url_verification", "app_rate_limited"}:
        return "event" if kind == "event_callback" else str(kind)
    if kind in {"block_actions", "view_submission", "view_closed", "shortcut", "message_action", "block_suggestion"}:
        return str(kind)
    return "other"


def render() -> bytes:
    """The registry in Prometheus' text format."""
    return generate_latest(REGISTRY)


@dataclass
class SweepHealth:
    """Worker health: unhealthy when a sweep has not finished within ``allowed`` intervals."""

    interval_seconds: float
    allowed: int = 3
    clock: Callable[[], float] = time.monotonic
    _last: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def expect(self, sweeps: Iterable[str]) -> None:
        """Start the clock for these sweeps (a new worker counts as just finished)."""
        now = self.clock()
        with self._lock:
            for sweep in sweeps:
                self._last.setdefault(sweep, now)

    def finished(self, sweep: str) -> None:
        """Record that a sweep ran to the end."""
        with self._lock:
            self._last[sweep] = self.clock()
        SWEEP_LAST_SUCCESS.labels(sweep=sweep).set_to_current_time()

    def stale(self) -> list[str]:
        """The sweeps overdue, by name."""
        limit = self.interval_seconds * self.allowed
        now = self.clock()
        with self._lock:
            return sorted(sweep for sweep, at in self._last.items() if now - at > limit)


class DatabaseGauges(Collector):
    """Gauges read from the database at scrape time: nudges by status, the oldest due one's age, coffee jobs
    pending and open auth breakers. ``snapshot`` returns those numbers (storage.stats provides it)."""

    def __init__(self, snapshot: Callable[[], dict[str, Any]]) -> None:
        self._snapshot = snapshot

    def collect(self) -> Iterable[GaugeMetricFamily]:
        """Query once per scrape; a database error yields no gauges rather than a failed scrape."""
        try:
            numbers = self._snapshot()
        except Exception:  # the scrape must still answer (counters above are in memory)
            return
        nudges = GaugeMetricFamily("rapport_nudges", "Nudges by status", labels=["status"])
        for status, count in sorted(numbers.get("nudges", {}).items()):
            nudges.add_metric([status], count)
        yield nudges
        yield GaugeMetricFamily(
            "rapport_nudge_oldest_due_age_seconds",
            "Age of the oldest nudge that is due and not yet sent (0 when none)",
            value=numbers.get("oldest_due_age_seconds", 0.0),
        )
        yield GaugeMetricFamily(
            "rapport_coffee_jobs_pending", "Coffee steps waiting to run", value=numbers.get("coffee_jobs_pending", 0)
        )
        yield GaugeMetricFamily(
            "rapport_auth_breakers_open",
            "Workspaces whose token Slack refused (work paused, kept)",
            value=numbers.get("breakers_open", 0),
        )


_registered: set[int] = set()
_registered_lock = threading.Lock()


def watch_database(snapshot: Callable[[], dict[str, Any]], key: int) -> None:
    """Register the database gauges once per ``key`` (an engine's id), so building the app twice does not fail."""
    with _registered_lock:
        if key in _registered:
            return
        _registered.add(key)
    REGISTRY.register(DatabaseGauges(snapshot))
