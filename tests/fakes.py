"""Test doubles shared by the whole suite: one of each, never copies.

- ``FakeMonotonic``: monotonic seconds (the ``time.monotonic`` the sandbox's fault windows, rate limits and the
  gateway's waits take) that move only when a test says so. Wall-clock time in the bot is ``bot.clock.ManualClock``.
- ``FakeDirectory``: users.info / users.list at the ``UserDirectory`` port.
- ``FakeAck``, ``FakeRespond``, ``FakeWebClient``, ``FakeService``, ``InlineAfterAck``: what a listener is handed
  (by Bolt, and through its context), for unit tests of one listener.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.domain.models import Person
from bot.services.ports import DirectoryLookupError


class FakeMonotonic:
    """Monotonic seconds that move only when advanced or slept on; records every sleep. Thread-safe."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def advance(self, seconds: float) -> None:
        """Move on by ``seconds``."""
        with self._lock:
            self.now += seconds

    def sleep(self, seconds: float) -> None:
        """A ``time.sleep`` stand-in: recorded, and the clock moves on at once."""
        with self._lock:
            self.sleeps.append(seconds)
            self.now += seconds


class FakeDirectory:
    """users.info / users.list at the port: a set of people; records lookups; fails when told to.

    ``error`` makes every call raise ``DirectoryLookupError(error)``; ``unreachable`` makes users.info fail
    ("ratelimited") for those people only.
    """

    def __init__(self, people: Mapping[str, Person] | Iterable[Person] = ()) -> None:
        found = people.values() if isinstance(people, Mapping) else people
        self.people: dict[str, Person] = {person.user_id: person for person in found}
        self.calls: list[str] = []
        self.list_calls = 0
        self.error: str | None = None
        self.unreachable: set[str] = set()

    @property
    def info_calls(self) -> int:
        """How many users.info lookups were made."""
        return len(self.calls)

    def fetch_person(self, team_id: str, user_id: str) -> Person | None:
        """users.info: the person, or None when Slack does not know them."""
        self.calls.append(user_id)
        if self.error:
            raise DirectoryLookupError(self.error)
        if user_id in self.unreachable:
            raise DirectoryLookupError("ratelimited")
        return self.people.get(user_id)

    def fetch_all(self, team_id: str) -> list[Person]:
        """users.list: everybody."""
        self.list_calls += 1
        if self.error:
            raise DirectoryLookupError(self.error)
        return list(self.people.values())


class FakeAck:
    """Bolt's ``ack``: records each call's keyword arguments."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def __call__(self, **kwargs: Any) -> None:
        self.calls.append(kwargs)


@dataclass
class FakeRespond:
    """Bolt's ``respond`` for a payload with a ``response_url``: records what was sent."""

    response_url: str | None = "https://hooks.slack.com/commands/T0/1/x"
    sent: list[dict[str, Any]] = field(default_factory=list)

    def __call__(self, **kwargs: Any) -> None:
        self.sent.append(kwargs)

    @property
    def texts(self) -> list[str]:
        """The text of every message sent."""
        return [str(message.get("text")) for message in self.sent]


@dataclass
class FakeWebClient:
    """A ``WebClient`` that records Web API calls by method name and answers ok."""

    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def __getattr__(self, method: str) -> Any:
        if method.startswith("_"):
            raise AttributeError(method)

        def call(**kwargs: Any) -> dict[str, Any]:
            self.calls.append((method, kwargs))
            return {"ok": True}

        return call


class FakeService:
    """Any service, for a unit test of one listener: records each call as (method, args) and answers from
    ``answers`` by method name (None for a method not given)."""

    def __init__(self, **answers: Any) -> None:
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        self.answers = answers

    def __getattr__(self, method: str) -> Any:
        if method.startswith("_"):
            raise AttributeError(method)

        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls.append((method, args))
            return self.answers.get(method)

        return call


class InlineAfterAck:
    """The after-ack pool, running the work at once (so a unit test sees its effect when the listener returns)."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []

    def submit(self, body: dict[str, Any], work: Callable[[], None]) -> None:
        """Run ``work`` now."""
        self.bodies.append(body)
        work()
