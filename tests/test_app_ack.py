"""bot/app.py: the request thread gets its answer the moment the listener acks, not at Bolt's next 10 ms look."""

from __future__ import annotations

import threading

from slack_bolt import BoltResponse

from bot.app import AckWaitingExecutor, FirstAnswerStands, mark_dispatching


def test_submit_returns_once_the_listener_has_acked_while_it_goes_on_working() -> None:
    ack, finish = FirstAnswerStands(), threading.Event()

    def listener() -> None:
        ack.response = BoltResponse(status=200, body="")
        finish.wait(10)  # the work after the ack

    with AckWaitingExecutor(2, "test-listener") as pool:
        mark_dispatching(ack)
        future = pool.submit(listener)
        assert ack.response is not None and ack.response.status == 200  # answered, no polling needed
        assert not future.done()
        finish.set()


def test_a_listener_that_ends_without_acking_releases_the_request_thread() -> None:
    ack = FirstAnswerStands()
    with AckWaitingExecutor(1, "test-listener") as pool:
        mark_dispatching(ack)
        future = pool.submit(lambda: None)
        assert future.done() and ack.response is None  # Bolt then waits out its own timeout, as before


def test_only_the_dispatching_thread_waits() -> None:
    ack, release = FirstAnswerStands(), threading.Event()
    mark_dispatching(ack)  # this thread dispatches a request whose listener will never ack
    returned_early: list[bool] = []
    with AckWaitingExecutor(2, "test-listener") as pool:

        def listener() -> None:
            # runs in a copy of the dispatching thread's context, on another thread: it must not wait for itself
            returned_early.append(not pool.submit(release.wait, 10).done())
            release.set()

        other = threading.Thread(target=lambda: returned_early.append(not pool.submit(release.wait, 10).done()))
        other.start()
        other.join(10)
        pool.submit(listener)  # returns when the listener ends
    assert returned_early == [True, True]


def test_the_first_answer_stands_and_sets_the_event_once() -> None:
    ack = FirstAnswerStands()
    assert not ack.answered.is_set()
    ack.response = None
    assert not ack.answered.is_set()
    first = BoltResponse(status=200, body="")
    ack.response = first
    ack.response = None  # Bolt's runner resets it when a listener raises after acking
    assert ack.answered.is_set() and ack.response is first
