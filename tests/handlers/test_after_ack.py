"""The after-ack pool: work runs off the listener thread, a full queue pushes back, failures reach the handler."""

from __future__ import annotations

import threading
from typing import Any

from handlers.after_ack import QUEUED_PER_THREAD, AfterAck


def test_work_runs_on_the_pool_and_failures_reach_the_error_handler() -> None:
    failures: list[tuple[str, dict[str, Any]]] = []
    pool = AfterAck(1, lambda error, body: failures.append((str(error), body)))
    ran_on: list[str] = []
    done = threading.Event()

    def work() -> None:
        ran_on.append(threading.current_thread().name)
        done.set()

    def broken() -> None:
        raise RuntimeError("boom")

    pool.submit({"command": "/met"}, work)
    assert done.wait(5)
    pool.submit({"command": "/met", "text": "x"}, broken)
    pool.executor.shutdown(wait=True)
    assert ran_on[0].startswith("rapport-after-ack")
    assert failures == [("boom", {"command": "/met", "text": "x"})]


def test_a_full_queue_runs_the_work_in_the_callers_thread() -> None:
    pool = AfterAck(1)
    release = threading.Event()
    for _ in range(QUEUED_PER_THREAD):
        pool.submit({}, lambda: release.wait(5) and None)
    ran_on: list[str] = []
    pool.submit({}, lambda: ran_on.append(threading.current_thread().name))
    release.set()
    pool.executor.shutdown(wait=True)
    assert ran_on == [threading.current_thread().name]
