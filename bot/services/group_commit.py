"""Group commit: threads that each want one write done share a transaction instead of taking turns.

Decision (issue #14, docs/benchmarks.md): under load every `/met` paid for a transaction of its own (a commit, and
on PostgreSQL an fsync and a round trip per statement), and on PostgreSQL each round trip also meant waiting for the
interpreter lock again. Here the first thread to arrive becomes the *leader*: it takes everything queued so far (its
own item first among them), writes the lot in one call of ``flush`` (one transaction, multi-row statements), hands
each waiting thread its own result, and passes the lead to the oldest item still queued. No background thread, no
timer: with one request at a time a batch is that one item and costs what it did before; batches grow only when
threads are already waiting for each other, which is exactly when sharing pays.

``flush`` gets the batch and returns one result per item, in order, each a value or the exception for that item
alone. When ``flush`` raises for a batch of several, the batch is written again one item per call, so one bad item
(or one the database refuses) fails alone and the others are stored; an item that fails alone gets its exception.
``conflict_key`` keeps two items with the same key out of one batch (the later one waits for the next), for writes
whose order matters.

Rejected: a dedicated writer thread (one more thread to hand off to and wake, and it must be started and stopped);
a timer that waits for more items (adds latency when the process is idle).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Hashable, Sequence
from typing import Generic, TypeVar

logger = logging.getLogger(__name__)

Item = TypeVar("Item")
Result = TypeVar("Result")


class _Slot(Generic[Item, Result]):
    __slots__ = ("error", "item", "lead", "ready", "result")

    def __init__(self, item: Item) -> None:
        self.item = item
        self.ready = threading.Event()
        self.lead = False
        self.result: Result | None = None
        self.error: BaseException | None = None


class GroupCommit(Generic[Item, Result]):
    """Run ``flush`` over batches of submitted items; each ``submit`` returns (or raises) its own item's outcome."""

    def __init__(
        self,
        flush: Callable[[Sequence[Item]], Sequence[Result | BaseException]],
        max_batch: int = 64,
        conflict_key: Callable[[Item], Hashable] | None = None,
    ) -> None:
        self._flush = flush
        self._max_batch = max_batch
        self._conflict_key = conflict_key
        self._lock = threading.Lock()
        self._queue: list[_Slot[Item, Result]] = []
        self._leading = False

    def submit(self, item: Item) -> Result:
        """Write ``item`` (alone or with others queued meanwhile) and return its result; raise its error."""
        slot: _Slot[Item, Result] = _Slot(item)
        with self._lock:
            self._queue.append(slot)
            lead = not self._leading
            self._leading = True
        if not lead:
            slot.ready.wait()
        if not slot.ready.is_set() or slot.lead:
            self._lead_until_done(slot)
        if slot.error is not None:
            raise slot.error
        return slot.result  # type: ignore[return-value]

    def _lead_until_done(self, mine: _Slot[Item, Result]) -> None:
        mine.ready.clear()
        mine.lead = False
        try:
            while not mine.ready.is_set():
                self._write(self._take())
        finally:
            with self._lock:
                if self._queue:
                    following = self._queue[0]
                    following.lead = True
                    following.ready.set()
                else:
                    self._leading = False

    def _take(self) -> list[_Slot[Item, Result]]:
        with self._lock:
            batch: list[_Slot[Item, Result]] = []
            keys: set[Hashable] = set()
            left: list[_Slot[Item, Result]] = []
            for slot in self._queue:
                key = self._conflict_key(slot.item) if self._conflict_key is not None else None
                if len(batch) >= self._max_batch or (key is not None and key in keys):
                    left.append(slot)
                    continue
                if key is not None:
                    keys.add(key)
                batch.append(slot)
            self._queue = left
            return batch

    def _write(self, batch: list[_Slot[Item, Result]]) -> None:
        # Whatever happens, every thread of the batch is woken: a flush that dies of a BaseException (interpreter
        # shutdown) leaves them this error, and the BaseException goes on up the leader's stack.
        outcomes: list[Result | BaseException] = [RuntimeError("the batch was not written")] * len(batch)
        try:
            outcomes = self._outcomes([slot.item for slot in batch])
        finally:
            for slot, outcome in zip(batch, outcomes, strict=True):
                if isinstance(outcome, BaseException):
                    slot.error = outcome
                else:
                    slot.result = outcome
                slot.lead = False
                slot.ready.set()

    def _outcomes(self, items: list[Item]) -> list[Result | BaseException]:
        """The batch in one flush; if that raises, each item in a flush of its own."""
        try:
            return self._flushed(items)
        except Exception as error:
            if len(items) == 1:
                return [error]
            logger.warning("a batch of %d failed; writing its items one at a time", len(items), exc_info=True)
        outcomes: list[Result | BaseException] = []
        for item in items:
            try:
                outcomes.extend(self._flushed([item]))
            except Exception as error:
                outcomes.append(error)
        return outcomes

    def _flushed(self, items: list[Item]) -> list[Result | BaseException]:
        written = list(self._flush(items))
        if len(written) != len(items):
            raise RuntimeError(f"flush returned {len(written)} results for {len(items)} items")
        return written
