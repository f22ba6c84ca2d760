"""Leased work, the pure part: what a Slack outcome means for claimed rows, when to try again, when to give up.

Every kind of scheduled work (nudges, coffee round steps) is a row claimed with a lease and performed through Slack;
``bot.services.leased`` runs them. These functions decide, from the outcome of the call and the attempt it was:

* ``DONE``: it worked.
* ``PAUSE``: Slack refused the workspace's token (bot.domain.breaker.AUTH_ERRORS): not the work's fault. The
  workspace is paused and the rows are handed back as they were, with no attempt counted.
* ``WAIT``: Slack (or our own limiter) asked us to wait (rate limited). Not a failure: handed back until Retry-After.
* ``RETRY``: a retryable failure, while the policy allows another attempt: back off exponentially, never sooner than
  Retry-After. ``in_doubt`` when the request left and no answer came back (Slack may have performed it).
* ``FAIL``: a permanent failure, or the attempts ran out: the rows end with the reason.

Decisions: a rate limit is a wait, not an attempt (a busy workspace must not exhaust a job's attempts), and an auth
error is a pause, not a failure (bot.domain.breaker says why). Rejected: one retry schedule per kind of work written
in its service (the nudge and coffee copies had drifted apart in their error names and back-off).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from itertools import zip_longest
from typing import Any, TypeVar

from bot.domain.breaker import is_auth_error
from bot.domain.outcomes import SendOutcome

# Slack's rate-limit answers, and the gateway's own limiter refusing to wait that long.
RATE_LIMITED = frozenset({"ratelimited", "rate_limited", "rate_limited_locally"})
# Errors after which Slack may have performed the call after all: the request left, no answer came back. Slack's
# 429s and 5xx answers (fatal_error, service_unavailable, ...) mean the call was not performed.
AMBIGUOUS = frozenset({"timeout", "connection_error", "request_timeout"})
SHORTEST_WAIT = timedelta(seconds=1)


@dataclass(frozen=True, slots=True)
class Claim:
    """One claim of due rows: by ``worker_id`` at ``now``, leased until ``lease_until``, at most ``limit`` of them;
    only ``team_id``'s if given, and none of ``exclude_teams``' (their auth breaker is open)."""

    worker_id: str
    now: datetime
    lease_until: datetime
    limit: int
    team_id: str | None = None
    exclude_teams: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Back-off for retryable failures: ``base`` doubled per attempt, at most ``cap`` (None: no cap); at most
    ``max_attempts`` attempts in all (None: retry until it works or fails for good)."""

    base: timedelta = timedelta(seconds=30)
    cap: timedelta | None = timedelta(hours=1)
    max_attempts: int | None = None

    def __post_init__(self) -> None:
        if self.base <= timedelta(0) or (self.cap is not None and self.cap < self.base):
            raise ValueError("need 0 < base <= cap")
        if self.max_attempts is not None and self.max_attempts < 1:
            raise ValueError("max_attempts is at least 1")

    def delay(self, attempt: int, retry_after: float | None = None) -> timedelta:
        """How long to wait after attempt number ``attempt`` (1-based) failed: exponential, never less than
        Retry-After."""
        if attempt < 1:
            raise ValueError("attempt is 1-based")
        backoff = self.base * (2 ** min(attempt - 1, 30))
        if self.cap is not None:
            backoff = min(backoff, self.cap)
        if retry_after is not None and retry_after > 0:
            return max(backoff, timedelta(seconds=retry_after))
        return backoff

    def allows_retry(self, attempt: int) -> bool:
        """Whether another attempt may follow attempt number ``attempt`` (1-based)."""
        return self.max_attempts is None or attempt < self.max_attempts


class Verdict(StrEnum):
    """What becomes of claimed rows after their Slack call."""

    DONE = "done"
    PAUSE = "pause"
    WAIT = "wait"
    RETRY = "retry"
    FAIL = "fail"


@dataclass(frozen=True, slots=True)
class Settlement:
    """A verdict with what recording it needs: the error, how long to wait, whether Slack may have done it."""

    verdict: Verdict
    error: str | None = None
    wait: timedelta = timedelta(0)
    in_doubt: bool = False


def settle(outcome: SendOutcome, attempt: int, policy: RetryPolicy) -> Settlement:
    """The verdict on attempt number ``attempt`` (1-based) of some claimed rows, from its Slack outcome."""
    if outcome.ok:
        return Settlement(Verdict.DONE)
    error = outcome.error or ("retryable" if outcome.retryable else "failed")
    if is_auth_error(error):
        return Settlement(Verdict.PAUSE, error)
    if error in RATE_LIMITED:
        return Settlement(Verdict.WAIT, error, max(timedelta(seconds=outcome.retry_after or 0), SHORTEST_WAIT))
    if outcome.retryable and policy.allows_retry(attempt):
        return Settlement(Verdict.RETRY, error, policy.delay(attempt, outcome.retry_after), error in AMBIGUOUS)
    return Settlement(Verdict.FAIL, error)


def past_share(started: float, now: float, lease: timedelta, share: float) -> bool:
    """Whether ``share`` of a lease taken at ``started`` has gone by at ``now`` (both monotonic seconds)."""
    return now - started > lease.total_seconds() * share


T = TypeVar("T")
_GAP: Any = object()  # zip_longest's filler: never an item (None and other falsy values are)


def interleave(groups: Sequence[Sequence[T]]) -> list[T]:
    """The groups' items taken in turn (a1, b1, c1, a2, b2, …), each group's order kept: work for several
    workspaces spread over a pool's threads, so no workspace's rate allowance holds up the others."""
    return [item for turn in zip_longest(*groups, fillvalue=_GAP) for item in turn if item is not _GAP]
