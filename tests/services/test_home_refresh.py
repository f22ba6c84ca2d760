"""HomeRefresher on real storage: a burst costs one publish, a change during a draw is drawn again, refusals retry."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from bot.domain.outcomes import SendOutcome
from bot.services.home import HomeService
from bot.services.home_refresh import HomeRefresher
from bot.services.ports import UnitOfWork
from handlers.blocks.home import home_view
from tests.services.test_home import home, log_many  # noqa: F401  (the fixture)
from tests.services.test_insight import ANA, BEN, ME


class RecordingPublisher:
    """Records views.publish calls; can refuse the first ones or hold a draw open until released."""

    def __init__(self, refuse_first: int = 0) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.refuse_first = refuse_first
        self.entered = threading.Event()
        self.release = threading.Event()
        self.release.set()
        self._lock = threading.Lock()

    def publish_home(self, user_id: str, view: dict[str, Any], *, team_id: str = "") -> SendOutcome:
        self.entered.set()
        self.release.wait(5)
        with self._lock:
            self.calls.append((user_id, view))
            if len(self.calls) <= self.refuse_first:
                return SendOutcome.retry_later("rate_limited_locally", 0.01)
        return SendOutcome.success()

    def users(self) -> list[str]:
        with self._lock:
            return [user for user, _ in self.calls]


def refresher(tab: HomeService, publisher: RecordingPublisher, settle: float = 0.05) -> HomeRefresher:
    return HomeRefresher(tab, publisher, home_view, workers=2, settle=settle)


def test_a_burst_of_changes_costs_one_publish(home: HomeService, team_id: str) -> None:  # noqa: F811
    publisher = RecordingPublisher()
    tabs = refresher(home, publisher, settle=0.2)
    for _ in range(50):
        tabs.changed(team_id, ME)
    tabs.changed(team_id, ANA)
    assert tabs.wait_idle(5)
    assert sorted(publisher.users()) == [ANA, ME]
    assert tabs.stats().coalesced == 49 and tabs.stats().published == 2


def test_a_change_while_drawing_is_drawn_again_with_the_new_data(
    home: HomeService,  # noqa: F811
    uow_factory: Callable[[], UnitOfWork],
    team_id: str,
) -> None:
    publisher = RecordingPublisher()
    publisher.release.clear()
    tabs = refresher(home, publisher, settle=0.0)
    tabs.changed(team_id, ME)
    assert publisher.entered.wait(5), "the first draw is under way (its view was rendered before the meeting)"
    log_many(uow_factory, team_id, 1)
    tabs.changed(team_id, ME)
    publisher.release.set()
    assert tabs.wait_idle(5)
    assert publisher.users() == [ME, ME], "drawn once more, not lost and not more"
    first, last = (str(view["blocks"]) for _, view in publisher.calls)
    assert "Welcome to Rapport" in first and "Welcome to Rapport" not in last


def test_a_refused_slot_is_retried_after_its_wait(home: HomeService, team_id: str) -> None:  # noqa: F811
    publisher = RecordingPublisher(refuse_first=2)
    tabs = refresher(home, publisher, settle=0.0)
    tabs.publish_many(team_id, [ME, BEN])
    assert tabs.wait_idle(5)
    stats = tabs.stats()
    assert stats.published == 2 and stats.retried == 2 and stats.failed == 0


def test_shutdown_with_wait_returns_after_the_running_draw_and_drops_the_queued(
    home: HomeService,  # noqa: F811
    team_id: str,
) -> None:
    publisher = RecordingPublisher()
    publisher.release.clear()
    tabs = HomeRefresher(home, publisher, home_view, workers=1, settle=0.0)
    tabs.changed(team_id, ME)
    assert publisher.entered.wait(5), "the first draw is under way"
    tabs.changed(team_id, ANA)  # queued behind it on the one thread
    stopped = threading.Event()
    stopper = threading.Thread(target=lambda: (tabs.shutdown(wait=True), stopped.set()))
    stopper.start()
    assert not stopped.wait(0.2), "shutdown waits for the draw that is running"
    publisher.release.set()
    stopper.join(5)
    assert stopped.is_set()
    assert publisher.users() == [ME], "the queued draw was dropped, the running one finished"
