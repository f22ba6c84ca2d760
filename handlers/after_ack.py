"""A listener's work after its ack, on a bounded pool of its own.

Decision: Bolt answers Slack only once a listener has called ``ack()``, and it runs listeners on one executor.
When a listener also parses, writes and posts its reply there, every ack under load waits for a listener thread
that is busy with other commands' work (issue #14: p50 ack 7.9× the bare framework's). So a listener acks, hands
the work here and returns: the listener executor only ever runs acks, and the work runs on a few threads of its
own, which also bounds how many commands contend for the interpreter lock and the database at once. The queue is
bounded too (``QUEUED_PER_THREAD``): when it is full, the listener does the work itself after its ack, as before
this pool existed. So under overload acks slow down again (backpressure) instead of being fast while confirmations
fall minutes behind, which an unbounded queue did in bench/ack_latency.py on a saturated machine. Queued work is
finished on shutdown (``ThreadPoolExecutor`` joins its threads at exit). Rejected: Bolt's lazy listeners, which
run on the same executor as the acks (so acks still queue behind work) and deep-copy every request.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

logger = logging.getLogger(__name__)

ErrorHandler = Callable[[Exception, dict[str, Any]], object]
# Work waiting or running per worker thread before listeners do it themselves: about 3 s of work, so a burst never
# makes a listener do the work (which delays the acks behind it) while confirmations lag at most a few seconds.
# Sized from bench/ack_latency.py (docs/benchmarks.md): with meetings stored in shared transactions, 6 threads
# finished 250-400 /met a second (6 x 128 was 2-3 s) and the default 12 finish 325-450 (12 x 128 is 3-5 s). At 64 a
# thread a 600-command closed round on PostgreSQL filled the queue near its end and the inline work was the ack p99
# tail (1.72-2.6x the bare app; 1.41-1.54x with 128).
# 4 a thread (before the pool sped up) left 4 of 1,100 commands without an ack in 3 s.
QUEUED_PER_THREAD = 128


def _log_only(error: Exception, body: dict[str, Any]) -> None:
    logger.error("work after ack failed", exc_info=error)


class AfterAck:
    """Runs work after an ack on ``workers`` threads; an exception goes to the error handler with the request body.

    ``executor`` is public so the sandbox demo can wait until the bot has finished reacting.
    """

    def __init__(self, workers: int, on_error: ErrorHandler = _log_only) -> None:
        self.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="rapport-after-ack")
        self._on_error = on_error
        self._slots = threading.BoundedSemaphore(workers * QUEUED_PER_THREAD)

    def handle_errors_with(self, on_error: ErrorHandler) -> None:
        """Send failures to ``on_error`` (the app's error handler, which also tells the user)."""
        self._on_error = on_error

    def submit(self, body: dict[str, Any], work: Callable[[], None]) -> None:
        """Queue ``work`` for a free worker, or run it here when the queue is full; failures go to the handler."""
        if not self._slots.acquire(blocking=False):
            self._run(body, work)
            return
        self.executor.submit(self._run, body, work, self._slots.release)

    def _run(self, body: dict[str, Any], work: Callable[[], None], done: Callable[[], None] | None = None) -> None:
        try:
            work()
        except Exception as error:
            try:
                self._on_error(error, body)
            except Exception:
                logger.exception("error handler failed after ack")
        finally:
            if done is not None:
                done()
