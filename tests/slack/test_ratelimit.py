"""The gateway's GCRA limiter and error classification helpers, with a fake clock."""

from __future__ import annotations

import threading

import pytest

from bot.slack.errors import classify_network_error, retry_after_seconds
from bot.slack.ratelimit import POST_METHOD, Rate, RateLimiter, RateLimits
from tests.fakes import FakeMonotonic


def test_burst_then_steady_rate(clock: FakeMonotonic) -> None:
    limiter = RateLimiter(clock)
    bucket = [("users.info", Rate(per_second=2.0, burst=3))]
    waits = [limiter.reserve(bucket).wait for _ in range(6)]
    assert waits == pytest.approx([0.0, 0.0, 0.0, 0.5, 1.0, 1.5])


def test_a_quiet_spell_refills_the_burst(clock: FakeMonotonic) -> None:
    limiter = RateLimiter(clock)
    bucket = [("users.info", Rate(per_second=1.0, burst=2))]
    for _ in range(2):
        limiter.reserve(bucket)
    clock.advance(10)
    assert [limiter.reserve(bucket).wait for _ in range(3)] == pytest.approx([0.0, 0.0, 1.0])


def test_a_call_waits_for_the_slowest_of_its_buckets(clock: FakeMonotonic) -> None:
    limiter = RateLimiter(clock)
    limits = RateLimits(posts=Rate(per_second=10.0), posts_per_channel=Rate(per_second=1.0))
    assert limiter.reserve(limits.buckets(POST_METHOD, "C1")).wait == 0.0
    assert limiter.reserve(limits.buckets(POST_METHOD, "C1")).wait == pytest.approx(1.0)


def test_a_post_waiting_for_its_channel_does_not_stall_other_channels(clock: FakeMonotonic) -> None:
    # The gateway reserves the channel first and the shared ceiling only after that wait (see SlackGateway._pace).
    limiter = RateLimiter(clock)
    limits = RateLimits(posts=Rate(per_second=10.0), posts_per_channel=Rate(per_second=1.0))
    shared, channel_1 = limits.buckets(POST_METHOD, "C1")
    _, channel_2 = limits.buckets(POST_METHOD, "C2")
    assert limiter.reserve([channel_1]).wait == 0.0 and limiter.reserve([shared]).wait == 0.0
    assert limiter.reserve([channel_1]).wait == pytest.approx(1.0)  # thread A now sleeps a second
    assert limiter.reserve([channel_2]).wait == 0.0
    assert limiter.reserve([shared]).wait == pytest.approx(0.1)  # thread B goes after 0.1 s, not after A


def test_refusal_does_not_consume_a_slot(clock: FakeMonotonic) -> None:
    limiter = RateLimiter(clock)
    bucket = [("chat.update", Rate(per_second=1.0))]
    limiter.reserve(bucket)
    limiter.reserve(bucket)  # reserved for t+1
    refused = limiter.reserve(bucket, max_wait=1.5)
    assert not refused.granted and refused.wait == pytest.approx(2.0)
    assert limiter.wait_needed(bucket) == pytest.approx(2.0)


def test_penalty_shuts_the_bucket(clock: FakeMonotonic) -> None:
    limiter = RateLimiter(clock)
    rate = Rate(per_second=100.0, burst=10)
    limiter.penalize("chat.postMessage", rate, 30.0)
    assert limiter.wait_needed([("chat.postMessage", rate)]) == pytest.approx(30.0)
    clock.advance(30)
    assert limiter.reserve([("chat.postMessage", rate)]).wait == 0.0


def test_threads_sharing_a_limiter_get_distinct_evenly_spaced_slots(clock: FakeMonotonic) -> None:
    limiter = RateLimiter(clock)
    bucket = [("chat.postMessage", Rate(per_second=100.0))]
    waits: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(50):
            wait = limiter.reserve(bucket).wait
            with lock:
                waits.append(wait)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(waits) == pytest.approx([index * 0.01 for index in range(400)])


def test_idle_per_channel_buckets_are_pruned(clock: FakeMonotonic) -> None:
    limiter = RateLimiter(clock, prune_above=100)
    rate = Rate(per_second=1.0)
    for index in range(100):
        limiter.reserve([(f"chat.postMessage#U{index}", rate)])
    clock.advance(5)
    for index in range(100, 160):
        limiter.reserve([(f"chat.postMessage#U{index}", rate)])
    assert len(limiter) <= 60


def test_rate_validation_and_defaults() -> None:
    with pytest.raises(ValueError):
        Rate(per_second=0)
    with pytest.raises(ValueError):
        Rate(per_second=1, burst=0)
    limits = RateLimits.with_post_ceiling(33.0)
    assert limits.method_rate(POST_METHOD).per_second == 33.0
    assert limits.method_rate("conversations.open").per_second == pytest.approx(50 / 60)
    assert limits.method_rate("users.info").per_second == pytest.approx(100 / 60)
    assert [key for key, _ in limits.buckets("users.info", "C1")] == ["users.info"]


def test_retry_after_header_parsing() -> None:
    assert retry_after_seconds({"Retry-After": "30"}) == 30.0
    assert retry_after_seconds({"retry-after": ["2"]}) == 2.0
    assert retry_after_seconds({"Retry-After": "soon"}) is None
    assert retry_after_seconds({}) is None
    assert retry_after_seconds(None) is None


def test_network_errors_are_retryable() -> None:
    assert classify_network_error(TimeoutError()).error == "timeout"
    assert classify_network_error(ConnectionResetError()).retryable
