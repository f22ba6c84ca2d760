"""Unit tests of the fake Slack's fault injection rules."""

from __future__ import annotations

import threading

import pytest

from bot.sandbox.slack.faults import Fault, FaultInjector, FaultResponse, fault_response
from tests.fakes import FakeMonotonic


@pytest.fixture
def clock() -> FakeMonotonic:
    return FakeMonotonic(50.0)


@pytest.fixture
def injector(clock: FakeMonotonic) -> FaultInjector:
    return FaultInjector(clock=clock)


def test_no_rules_no_fault(injector: FaultInjector) -> None:
    assert injector.match("chat.postMessage") is None


def test_count_is_consumed_then_rule_disappears(injector: FaultInjector) -> None:
    fault = injector.add(Fault("chat.postMessage", "http_500", count=2))
    assert injector.match("users.info") is None
    assert injector.match("chat.postMessage") is fault
    assert injector.match("chat.postMessage") is fault
    assert injector.match("chat.postMessage") is None
    assert injector.active() == []


def test_until_expires_by_the_clock(injector: FaultInjector, clock: FakeMonotonic) -> None:
    injector.add(Fault("*", "http_503", until=injector.now() + 10))
    assert injector.match("users.info") is not None
    clock.now += 9.99
    assert injector.match("views.open") is not None
    clock.now += 0.01
    assert injector.match("views.open") is None


def test_unlimited_rule_stays(injector: FaultInjector) -> None:
    injector.add(Fault("users.info", "invalid_auth"))
    assert all(injector.match("users.info") is not None for _ in range(50))


def test_first_match_wins_and_globs(injector: FaultInjector) -> None:
    first = injector.add(Fault("chat.*", "ratelimit", count=1, retry_after=7))
    second = injector.add(Fault("*", "drop"))
    assert injector.match("chat.update") is first
    assert injector.match("chat.update") is second
    assert injector.match("users.info") is second


def test_clear_and_remove(injector: FaultInjector) -> None:
    a = injector.add(Fault("a.b", "drop"))
    injector.add(Fault("c.d", "drop"))
    injector.remove(a)
    assert injector.match("a.b") is None
    injector.clear()
    assert injector.match("c.d") is None


def test_invalid_rules_are_refused() -> None:
    with pytest.raises(ValueError):
        Fault("*", "explode")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Fault("*", "drop", count=0)
    with pytest.raises(ValueError):
        Fault("*", "slow", delay=-1)


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        (Fault(kind="drop"), FaultResponse(drop=True)),
        (Fault(kind="slow", delay=2.5), FaultResponse(delay=2.5)),
        (Fault(kind="http_500"), FaultResponse(status=500, body={"ok": False, "error": "fatal_error"})),
        (Fault(kind="http_503"), FaultResponse(status=503, body={"ok": False, "error": "service_unavailable"})),
        (
            Fault(kind="ratelimit", retry_after=3),
            FaultResponse(status=429, headers={"Retry-After": "3"}, body={"ok": False, "error": "ratelimited"}),
        ),
        (Fault(kind="invalid_auth"), FaultResponse(status=200, body={"ok": False, "error": "invalid_auth"})),
        (Fault(kind="token_revoked"), FaultResponse(status=200, body={"ok": False, "error": "token_revoked"})),
    ],
)
def test_fault_response_rendering(fault: Fault, expected: FaultResponse) -> None:
    assert fault_response(fault) == expected


def test_count_is_exact_under_threads(injector: FaultInjector) -> None:
    injector.add(Fault("*", "http_500", count=100))
    hits: list[bool] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(50):
            hit = injector.match("users.info") is not None
            with lock:
                hits.append(hit)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(hits) == 100
