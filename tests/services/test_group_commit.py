"""GroupCommit: each thread gets its own item's outcome; batches form only while a write is in progress."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.services.group_commit import GroupCommit


class Recorder:
    """A flush that records its batches and can be held open until released."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.entered = threading.Event()
        self.release = threading.Event()
        self.release.set()

    def __call__(self, items: Sequence[str]) -> list[str | BaseException]:
        self.batches.append(list(items))
        self.entered.set()
        self.release.wait(5)
        return [ValueError(item) if item.startswith("bad") else item.upper() for item in items]


def test_alone_an_item_is_its_own_batch() -> None:
    flush = Recorder()
    commits = GroupCommit(flush)
    assert commits.submit("a") == "A"
    assert commits.submit("b") == "B"
    assert flush.batches == [["a"], ["b"]]


def test_items_queued_during_a_write_share_the_next_one() -> None:
    flush = Recorder()
    flush.release.clear()
    commits = GroupCommit(flush)
    with ThreadPoolExecutor(6) as pool:
        first = pool.submit(commits.submit, "first")
        assert flush.entered.wait(5)
        rest = [pool.submit(commits.submit, f"item{n}") for n in range(5)]
        while len(commits._queue) < 5:
            threading.Event().wait(0.001)
        flush.release.set()
        assert first.result(5) == "FIRST"
        assert sorted(f.result(5) for f in rest) == [f"ITEM{n}" for n in range(5)]
    assert flush.batches[0] == ["first"]
    assert sorted(flush.batches[1]) == [f"item{n}" for n in range(5)]
    assert len(flush.batches) == 2


def test_each_item_gets_its_own_error() -> None:
    flush = Recorder()
    flush.release.clear()
    commits = GroupCommit(flush)
    with ThreadPoolExecutor(3) as pool:
        first = pool.submit(commits.submit, "first")
        assert flush.entered.wait(5)
        good = pool.submit(commits.submit, "good")
        bad = pool.submit(commits.submit, "bad one")
        while len(commits._queue) < 2:
            threading.Event().wait(0.001)
        flush.release.set()
        assert first.result(5) == "FIRST"
        assert good.result(5) == "GOOD"
        with pytest.raises(ValueError, match="bad one"):
            bad.result(5)


def test_a_failing_flush_fails_its_batch_and_the_next_batch_still_runs() -> None:
    calls: list[list[str]] = []

    def flush(items: Sequence[str]) -> list[str]:
        calls.append(list(items))
        if "boom" in items:
            raise RuntimeError("database went away")
        return list(items)

    commits = GroupCommit(flush)
    with pytest.raises(RuntimeError, match="database went away"):
        commits.submit("boom")
    assert commits.submit("after") == "after"


def test_a_flush_with_the_wrong_number_of_results_is_an_error_not_a_hang() -> None:
    commits: GroupCommit[str, str] = GroupCommit(lambda items: [])
    with pytest.raises(RuntimeError, match="0 results for 1"):
        commits.submit("x")


def test_conflicting_items_never_share_a_batch_and_keep_their_order() -> None:
    flush = Recorder()
    flush.release.clear()
    commits = GroupCommit(flush, conflict_key=lambda item: item.split(":")[0])
    with ThreadPoolExecutor(5) as pool:
        first = pool.submit(commits.submit, "ana:0")
        assert flush.entered.wait(5)
        futures = []
        for item in ("ana:1", "ben:1", "ana:2", "cy:1"):
            futures.append(pool.submit(commits.submit, item))
            while item not in [slot.item for slot in commits._queue]:
                threading.Event().wait(0.001)
        flush.release.set()
        first.result(5)
        for future in futures:
            future.result(5)
    assert flush.batches == [["ana:0"], ["ana:1", "ben:1", "cy:1"], ["ana:2"]]


def test_batches_are_capped() -> None:
    flush = Recorder()
    flush.release.clear()
    commits = GroupCommit(flush, max_batch=2)
    with ThreadPoolExecutor(6) as pool:
        first = pool.submit(commits.submit, "a")
        assert flush.entered.wait(5)
        futures = [pool.submit(commits.submit, x) for x in "bcde"]
        while len(commits._queue) < 4:
            threading.Event().wait(0.001)
        flush.release.set()
        first.result(5)
        assert sorted(f.result(5) for f in futures) == ["B", "C", "D", "E"]
    assert [len(batch) for batch in flush.batches] == [1, 2, 2]


def test_many_threads_all_get_their_own_result() -> None:
    def flush(items: Sequence[int]) -> list[int]:
        return [item * 2 for item in items]

    commits = GroupCommit(flush, max_batch=8)
    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(commits.submit, range(2_000)))
    assert results == [n * 2 for n in range(2_000)]


def test_a_batch_whose_flush_raises_is_written_again_one_item_at_a_time() -> None:
    calls: list[list[str]] = []
    entered, release = threading.Event(), threading.Event()

    def flush(items: Sequence[str]) -> list[str]:
        calls.append(list(items))
        if items == ["first"]:
            entered.set()
            release.wait(5)
        if "boom" in items:
            raise RuntimeError("constraint violated")
        return [item.upper() for item in items]

    commits = GroupCommit(flush)
    with ThreadPoolExecutor(4) as pool:
        first = pool.submit(commits.submit, "first")
        assert entered.wait(5)
        rest = {item: pool.submit(commits.submit, item) for item in ("a", "boom", "b")}
        while len(commits._queue) < 3:
            threading.Event().wait(0.001)
        release.set()
        assert first.result(5) == "FIRST"
        assert rest["a"].result(5) == "A" and rest["b"].result(5) == "B"
        with pytest.raises(RuntimeError, match="constraint violated"):
            rest["boom"].result(5)
    assert sorted(calls[1]) == ["a", "b", "boom"], "one batch first"
    assert sorted(map(tuple, calls[2:])) == [("a",), ("b",), ("boom",)], "then each alone"
