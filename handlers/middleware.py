"""Rapport's global Bolt middleware, called directly rather than through Bolt's argument injection.

Decision (issue #14, docs/benchmarks.md): Bolt calls a *function* middleware through its keyword injection: on every
request, for every such middleware, it builds a dict of some twenty possible arguments (client, body, ack, say,
respond, …) and picks the ones the function names. With four global middleware that was a fifth of the CPU the door
and Bolt spend on a `/met` before its ack. A ``Middleware`` object is called as it is, so each of Rapport's global
middleware is a plain function of ``(request, next_)`` wrapped by :func:`direct`; it reads the body and the context
from the request. Rejected: merging them into one function (they belong to different modules: logs, the boundary,
the services, the guard).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware

RequestMiddleware = Callable[[BoltRequest, Callable[[], Any]], BoltResponse | None]


class _Direct(Middleware):
    """Calls ``function(request, next)`` for every request (no argument injection)."""

    def __init__(self, function: RequestMiddleware) -> None:
        self._function = function

    def process(self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]) -> BoltResponse | None:
        """Run the function; like a function middleware, it calls ``next`` to go on or returns an answer."""
        return self._function(req, next)

    @property
    def name(self) -> str:
        """The wrapped function's name (Bolt logs it at DEBUG)."""
        return f"{self._function.__module__}.{self._function.__qualname__}"


def direct(function: RequestMiddleware) -> Middleware:
    """``function`` as a Bolt global middleware that Bolt calls without building its keyword arguments."""
    return _Direct(function)
