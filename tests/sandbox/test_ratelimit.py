"""Unit tests of the fake Slack's rate limiter (token buckets per tier, per channel for chat.postMessage)."""

from __future__ import annotations

import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.sandbox.slack.ratelimit import RateLimiter, retry_after_header
from bot.sandbox.slack.validation import MethodCatalog
from tests.fakes import FakeMonotonic


@pytest.fixture(scope="module")
def catalog() -> MethodCatalog:
    return MethodCatalog.load()


@pytest.fixture
def clock() -> FakeMonotonic:
    return FakeMonotonic()


@pytest.fixture
def limiter(catalog: MethodCatalog, clock: FakeMonotonic) -> RateLimiter:
    return RateLimiter(catalog, clock=clock)


def allowed_in_a_row(limiter: RateLimiter, method: str, channel: str | None = None, team: str = "T1") -> int:
    count = 0
    while limiter.check(method, channel, team) is None:
        count += 1
        assert count < 100_000
    return count


@pytest.mark.parametrize(("method", "burst"), [("users.list", 20), ("conversations.open", 50), ("users.info", 100)])
def test_tier_allows_a_minute_of_calls_then_429(limiter: RateLimiter, method: str, burst: int) -> None:
    assert allowed_in_a_row(limiter, method) == burst


def test_tier_refills_at_its_rate(limiter: RateLimiter, clock: FakeMonotonic) -> None:
    allowed_in_a_row(limiter, "users.list")  # tier 2: 20/min = one call per 3 s
    wait = limiter.check("users.list", team="T1")
    assert wait == pytest.approx(3.0)
    clock.advance(2.9)
    assert limiter.check("users.list", team="T1") == pytest.approx(0.1)
    clock.advance(0.1)
    assert limiter.check("users.list", team="T1") is None
    assert limiter.check("users.list", team="T1") is not None


def test_refused_calls_are_not_counted(limiter: RateLimiter, clock: FakeMonotonic) -> None:
    allowed_in_a_row(limiter, "users.list")
    for _ in range(10):
        assert limiter.check("users.list", team="T1") is not None
    clock.advance(3.0)
    assert limiter.check("users.list", team="T1") is None


def test_methods_and_workspaces_are_counted_separately(limiter: RateLimiter) -> None:
    allowed_in_a_row(limiter, "users.list", team="T1")
    assert limiter.check("users.list", team="T2") is None
    assert limiter.check("conversations.list", team="T1") is None


def test_post_message_about_one_per_second_per_channel_with_bursts(limiter: RateLimiter, clock: FakeMonotonic) -> None:
    assert allowed_in_a_row(limiter, "chat.postMessage", "C1") == 5
    assert limiter.check("chat.postMessage", "C1", "T1") == pytest.approx(1.0)
    assert limiter.check("chat.postMessage", "C2", "T1") is None
    clock.advance(1.0)
    assert limiter.check("chat.postMessage", "C1", "T1") is None
    # Sustained: one a second keeps going forever.
    for _ in range(20):
        clock.advance(1.0)
        assert limiter.check("chat.postMessage", "C1", "T1") is None


def test_workspace_post_ceiling(limiter: RateLimiter, clock: FakeMonotonic) -> None:
    limiter.set_workspace_post_limit(2.0)
    assert limiter.check("chat.postMessage", "C1", "T1") is None
    assert limiter.check("chat.postMessage", "C2", "T1") is None
    assert limiter.check("chat.postMessage", "C3", "T1") == pytest.approx(0.5)
    clock.advance(0.5)
    assert limiter.check("chat.postMessage", "C3", "T1") is None
    limiter.set_workspace_post_limit(None)
    assert allowed_in_a_row(limiter, "chat.postMessage", "C4") == 5


def test_scale_multiplies_allowances(limiter: RateLimiter) -> None:
    limiter.set_scale(10)
    assert allowed_in_a_row(limiter, "users.list") == 200
    assert allowed_in_a_row(limiter, "chat.postMessage", "C1") == 50
    limiter.set_scale(0.5)
    assert allowed_in_a_row(limiter, "users.list") == 10


def test_disabled_allows_everything(limiter: RateLimiter) -> None:
    limiter.set_enabled(False)
    for _ in range(500):
        assert limiter.check("users.list", team="T1") is None
    limiter.set_enabled(True)
    assert allowed_in_a_row(limiter, "users.list") == 20


def test_disabled_by_constructor(catalog: MethodCatalog, clock: FakeMonotonic) -> None:
    limiter = RateLimiter(catalog, clock=clock, enabled=False)
    assert all(limiter.check("chat.postMessage", "C1") is None for _ in range(100))


def test_method_limit_override(limiter: RateLimiter, clock: FakeMonotonic) -> None:
    limiter.set_method_limit("users.info", 2)
    assert allowed_in_a_row(limiter, "users.info") == 2
    assert limiter.check("users.info", team="T1") == pytest.approx(30.0)
    limiter.set_method_limit("users.info", None)
    assert allowed_in_a_row(limiter, "users.info") == 100
    limiter.set_method_limit("chat.postMessage", 6)  # per channel: one every 10 s
    assert allowed_in_a_row(limiter, "chat.postMessage", "C1") == 1
    assert limiter.check("chat.postMessage", "C1", "T1") == pytest.approx(10.0)


def test_special_and_unknown_methods(limiter: RateLimiter) -> None:
    assert allowed_in_a_row(limiter, "auth.test") == 600
    assert allowed_in_a_row(limiter, "admin.something") == 50


def test_reset_forgets_counts(limiter: RateLimiter) -> None:
    allowed_in_a_row(limiter, "users.list")
    limiter.reset()
    assert limiter.check("users.list", team="T1") is None


def test_invalid_settings_are_refused(limiter: RateLimiter) -> None:
    with pytest.raises(ValueError):
        limiter.set_scale(0)
    with pytest.raises(ValueError):
        limiter.set_method_limit("users.info", 0)
    with pytest.raises(ValueError):
        limiter.set_workspace_post_limit(-1)


def test_retry_after_header_is_whole_seconds() -> None:
    assert retry_after_header(0.1) == "1"
    assert retry_after_header(3.0) == "3"
    assert retry_after_header(3.2) == "4"


def test_thread_safe_counting(limiter: RateLimiter) -> None:
    results: list[float | None] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(25):
            outcome = limiter.check("users.info", team="T1")
            with lock:
                results.append(outcome)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(1 for r in results if r is None) == 100


@settings(max_examples=60, deadline=None)
@given(gaps=st.lists(st.floats(min_value=0.0, max_value=3.0, allow_nan=False), min_size=1, max_size=80))
def test_post_message_never_exceeds_burst_plus_rate(gaps: list[float]) -> None:
    clock = FakeMonotonic()
    limiter = RateLimiter(MethodCatalog.load(), clock=clock)
    allowed_times: list[float] = []
    for gap in gaps:
        clock.advance(gap)
        if limiter.check("chat.postMessage", "C1", "T1") is None:
            allowed_times.append(clock.now)
    # In any window of length w, at most burst (5) + w * rate (1/s) messages get through.
    for i, start in enumerate(allowed_times):
        for j in range(i, len(allowed_times)):
            assert j - i + 1 <= 5 + (allowed_times[j] - start) + 1e-6
