"""Redrawing Home tabs after a change: coalesced per person, in the background, through the outbound gateway.

Decisions:

* **In process, marked after the change commits — not a "home dirty" row swept by the worker.** A dirty row would
  add a write to the ``/met`` transaction (issue #14 measures that path) and the tab would change only at the next
  sweep (30 s by default). The tab is a view of rows that are already committed and is redrawn in full at every
  ``app_home_opened``, so a redraw lost in a crash costs a stale tab until the person next opens it, never data.
  Rejected for the same reason: publishing from the listener (it would add a render and a Slack round trip after
  every click, and bypass the gateway's pacing).
* **Never on the ack's path.** ``changed`` is a set insert under a lock; the render and ``views.publish`` run on a
  small pool (``workers`` threads), so a listener's latency does not move.
* **Coalesced per (team, user).** A change waits ``settle`` seconds before it is drawn, and a person already
  waiting is not queued twice: a burst costs one publish. A change that lands while that person's tab is being
  drawn marks it again, so the last change is always drawn (no lost update).
* **Through the gateway** (``HomePublisher``): pacing at ``views.publish``'s tier, a 429's Retry-After shutting the
  bucket for every thread, metrics, and the workspace's own token. A slot the limiter cannot give within its
  ``max_wait`` comes back ``retryable`` with the wait: we sleep it and try again, up to ``max_attempts`` times.
* **Bulk** (``publish_many``): a change that affects everyone (5,000 tabs) goes through the same pool and limiter,
  so it runs at the tier's rate and nothing else has to know it is happening.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

from bot.domain.outcomes import SendOutcome
from bot.services.home import HomeService, HomeView

logger = logging.getLogger(__name__)

Key = tuple[str, str]  # (team_id, user_id)
RenderHome = Callable[[HomeView], dict[str, Any]]
MAX_SLEEP = 30.0  # never hold a pool thread longer than this for one retry


class HomePublisher(Protocol):
    """The gateway's views.publish (bot.slack.gateway.SlackGateway)."""

    def publish_home(self, user_id: str, view: dict[str, Any], *, team_id: str) -> SendOutcome: ...


@dataclass(frozen=True, slots=True)
class RefreshStats:
    """Counters since start (benchmarks, tests, diagnostics)."""

    requested: int
    coalesced: int
    published: int
    failed: int
    retried: int


class HomeRefresher:
    """Draws and publishes Home tabs in the background; safe to call from any thread."""

    def __init__(
        self,
        home: HomeService,
        publisher: HomePublisher,
        render: RenderHome,
        *,
        workers: int = 4,
        settle: float = 0.25,
        max_attempts: int = 5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._home = home
        self._publisher = publisher
        self._render = render
        self._settle = settle
        self._max_attempts = max_attempts
        self._sleep = sleep
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="home-publish")
        self._lock = threading.Condition()
        self._waiting: set[Key] = set()
        self._drawing: set[Key] = set()
        self._again: set[Key] = set()
        self._in_flight = 0
        self._counts = dict.fromkeys(RefreshStats.__slots__, 0)

    # --- marking ----------------------------------------------------------------------------------------------------

    def changed(self, team_id: str, user_id: str) -> None:
        """Something on this person's tab changed (and is committed): redraw it soon. Returns at once."""
        self._enqueue((team_id, user_id), self._settle)

    def opened(self, team_id: str, user_id: str) -> None:
        """The person opened the tab: draw it as soon as a thread is free (no settling wait)."""
        self._enqueue((team_id, user_id), 0.0)

    def publish_many(self, team_id: str, user_ids: Iterable[str]) -> None:
        """Redraw many people's tabs (a change that affects everyone), paced by the gateway at the tier's rate."""
        for user_id in user_ids:
            self._enqueue((team_id, user_id), 0.0)

    def wait_idle(self, timeout: float) -> bool:
        """Block until nothing is waiting or being drawn (tests, benchmarks, shutdown); False on timeout."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while self._in_flight:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._lock.wait(left)
        return True

    def stats(self) -> RefreshStats:
        """A snapshot of the counters."""
        with self._lock:
            return RefreshStats(**self._counts)

    def shutdown(self, *, wait: bool = False) -> None:
        """Stop taking work; what is queued is dropped (the next app_home_opened redraws it). With ``wait``, return
        only once the draws already running have ended (before dropping what they read, e.g. a benchmark's database)."""
        self._pool.shutdown(wait=wait, cancel_futures=True)

    # --- drawing ----------------------------------------------------------------------------------------------------

    def publish(self, team_id: str, user_id: str) -> SendOutcome:
        """Draw and publish one tab now (on the caller's thread), retrying a locally refused or 429'd slot."""
        try:
            view = self._render(self._home.view(team_id, user_id))
        except Exception:  # a broken tab must not kill the pool thread; the log has ids only
            logger.exception("home tab for %s in %s could not be drawn", user_id, team_id)
            return SendOutcome.failed("render_failed")
        outcome = self._publisher.publish_home(user_id, view, team_id=team_id)
        for _ in range(self._max_attempts - 1):
            if outcome.ok or not outcome.retryable:
                break
            self._count("retried")
            self._sleep(min(outcome.retry_after or 1.0, MAX_SLEEP))
            outcome = self._publisher.publish_home(user_id, view, team_id=team_id)
        self._count("published" if outcome.ok else "failed")
        return outcome

    def _enqueue(self, key: Key, settle: float) -> None:
        with self._lock:
            self._counts["requested"] += 1
            if key in self._waiting:
                self._counts["coalesced"] += 1
                return
            if key in self._drawing:
                self._counts["coalesced"] += 1
                self._again.add(key)
                return
            self._waiting.add(key)
            self._in_flight += 1
        self._submit(key, settle)

    def _submit(self, key: Key, settle: float) -> None:
        try:
            self._pool.submit(self._draw, key, settle)
        except RuntimeError:  # shut down: forget it (see shutdown)
            with self._lock:
                self._again.discard(key)
            self._finished(key)

    def _draw(self, key: Key, settle: float) -> None:
        again = False
        try:
            if settle > 0:
                self._sleep(settle)
            with self._lock:
                self._waiting.discard(key)
                self._drawing.add(key)
            self.publish(*key)
        finally:
            again = self._finished(key)
        if again:
            self._submit(key, 0.0)

    def _finished(self, key: Key) -> bool:
        """Book the end of one draw; True when the key changed meanwhile and must be drawn again."""
        with self._lock:
            self._drawing.discard(key)
            self._waiting.discard(key)
            again = key in self._again
            self._again.discard(key)
            if again:
                self._waiting.add(key)
            else:
                self._in_flight -= 1
                self._lock.notify_all()
            return again

    def _count(self, name: str) -> None:
        with self._lock:
            self._counts[name] += 1
