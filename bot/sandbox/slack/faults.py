"""Fault injection for the fake Slack: make chosen Web API calls fail the ways real Slack (or the network) fails.

A test adds :class:`Fault` rules; the server asks :meth:`FaultInjector.match` for every call *before* handling it
and renders the fault it gets back (see :func:`fault_response`):

==================  =====================================================================================
kind                how the server answers
==================  =====================================================================================
``http_500``        HTTP 500, body ``{"ok": false, "error": "fatal_error"}`` (JSON); the call has no effect
``http_503``        HTTP 503, body ``{"ok": false, "error": "service_unavailable"}``; the call has no effect
``slow``            sleep ``delay`` seconds, then handle the call normally (exercises client timeouts)
``ratelimit``       HTTP 429 with header ``Retry-After: <retry_after>``, body ``{"ok": false, "error": "ratelimited"}``
``invalid_auth``    HTTP 200, body ``{"ok": false, "error": "invalid_auth"}``
``token_revoked``   HTTP 200, body ``{"ok": false, "error": "token_revoked"}``
``drop``            close the connection without sending any response (client sees a connection error)
==================  =====================================================================================

A rule applies to ``method`` (an exact name, ``"*"`` for every method, or a glob such as ``"chat.*"``), for
``count`` matching calls (None = unlimited) and/or until the injector's clock reaches ``until`` (None = forever).
Rules are tried in the order added; the first live match wins and consumes one of its ``count``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any, Literal

FaultKind = Literal["http_500", "http_503", "slow", "ratelimit", "invalid_auth", "token_revoked", "drop"]
FAULT_KINDS: frozenset[str] = frozenset(
    {"http_500", "http_503", "slow", "ratelimit", "invalid_auth", "token_revoked", "drop"}
)


@dataclass
class Fault:
    """One fault rule: which calls, what goes wrong, for how many calls or until when (injector clock)."""

    method: str = "*"
    kind: FaultKind = "http_500"
    count: int | None = None
    until: float | None = None
    delay: float = 0.0
    retry_after: int = 1

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind: {self.kind}")
        if self.count is not None and self.count < 1:
            raise ValueError("count must be at least 1 (or None for unlimited)")
        if self.delay < 0 or self.retry_after < 0:
            raise ValueError("delay and retry_after must not be negative")

    def applies_to(self, method: str) -> bool:
        """Tell whether this rule targets the method."""
        return self.method == "*" or self.method == method or fnmatchcase(method, self.method)


@dataclass(frozen=True)
class FaultResponse:
    """How the server renders a fault: drop the connection, or wait ``delay`` then answer (or go on normally)."""

    drop: bool = False
    delay: float = 0.0
    status: int | None = None  # None: handle the call normally (after the delay)
    headers: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] | None = None


def fault_response(fault: Fault) -> FaultResponse:
    """Return the response the server should give for a matched fault."""
    if fault.kind == "drop":
        return FaultResponse(drop=True)
    if fault.kind == "slow":
        return FaultResponse(delay=fault.delay)
    if fault.kind == "http_500":
        return FaultResponse(delay=fault.delay, status=500, body={"ok": False, "error": "fatal_error"})
    if fault.kind == "http_503":
        return FaultResponse(delay=fault.delay, status=503, body={"ok": False, "error": "service_unavailable"})
    if fault.kind == "ratelimit":
        return FaultResponse(
            delay=fault.delay,
            status=429,
            headers={"Retry-After": str(fault.retry_after)},
            body={"ok": False, "error": "ratelimited"},
        )
    return FaultResponse(delay=fault.delay, status=200, body={"ok": False, "error": fault.kind})


class FaultInjector:
    """The live fault rules of a fake Slack. Thread-safe."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def now(self) -> float:
        """Return the injector's clock reading (to compute ``until`` = now() + seconds)."""
        return self._clock()

    def add(self, fault: Fault) -> Fault:
        """Add a rule (after the existing ones) and return it."""
        with self._lock:
            self._faults.append(fault)
        return fault

    def remove(self, fault: Fault) -> None:
        """Remove one rule if it is still there."""
        with self._lock:
            self._faults = [f for f in self._faults if f is not fault]

    def clear(self) -> None:
        """Remove every rule."""
        with self._lock:
            self._faults.clear()

    def active(self) -> list[Fault]:
        """Return the rules still live, in matching order."""
        with self._lock:
            self._expire(self._clock())
            return list(self._faults)

    def match(self, method: str) -> Fault | None:
        """Return the first live rule for the method, consuming one of its count; None when no fault applies."""
        with self._lock:
            self._expire(self._clock())
            for fault in self._faults:
                if not fault.applies_to(method):
                    continue
                if fault.count is not None:
                    fault.count -= 1
                    if fault.count == 0:
                        self._faults = [f for f in self._faults if f is not fault]
                return fault
            return None

    def _expire(self, now: float) -> None:
        self._faults = [f for f in self._faults if f.until is None or now < f.until]
