"""The per-workspace auth breaker: when Slack refuses a workspace's token, stop sending and keep the work.

A breaker is keyed by ``team_id`` (the workspace whose token failed), so per-workspace tokens (multi-workspace
OAuth installs) reuse it unchanged. Its state lives in the database; these functions only decide:

* an auth error opens a closed breaker (an open one stays as it is: its probe schedule is not reset);
* while it is open nothing is sent to that workspace, and ``auth.test`` is tried at ``next_probe_at``;
* a successful probe closes it; a failed one schedules the next probe, each wait longer than the last
  (``ProbePolicy``: 30 s, 1 min, 2 min, … capped at 15 min).

Decisions: a breaker rather than per-row retries, because a token problem is a property of the workspace, not of a
message: retrying each row would keep hitting Slack with a dead token (every due row, every sweep) and count
attempts against work that was never at fault. Rejected: failing the rows (the bug this replaces).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

# Slack's answers meaning "this token does not work for this workspace right now" (not "this message is wrong").
# account_inactive: "Authentication token is for a deleted user or workspace when using a bot token" (Slack's
# method reference); org_login_required: the workspace is mid-way through an enterprise migration.
AUTH_ERRORS = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "token_revoked",
        "token_expired",
        "account_inactive",
        "org_login_required",
    }
)


def is_auth_error(code: str | None) -> bool:
    """Whether a Slack error code means the workspace's token was refused."""
    return code in AUTH_ERRORS


class BreakerState(StrEnum):
    """Closed: sending. Open: paused until a probe succeeds."""

    CLOSED = "closed"
    OPEN = "open"


@dataclass(frozen=True, slots=True)
class ProbePolicy:
    """How often an open breaker asks ``auth.test``: ``first`` after opening, then ``factor`` times longer each time,
    never more than ``longest`` apart."""

    first: timedelta = timedelta(seconds=30)
    factor: float = 2.0
    longest: timedelta = timedelta(minutes=15)

    def __post_init__(self) -> None:
        if self.first <= timedelta(0) or self.longest < self.first or self.factor < 1:
            raise ValueError("need 0 < first <= longest and factor >= 1")

    def wait(self, failed_probes: int) -> timedelta:
        """The wait before the next probe, after ``failed_probes`` probes failed since the breaker opened."""
        seconds = self.first.total_seconds() * self.factor ** min(max(failed_probes, 0), 64)
        return timedelta(seconds=min(seconds, self.longest.total_seconds()))


@dataclass(frozen=True, slots=True)
class AuthBreaker:
    """One workspace's breaker."""

    team_id: str
    state: BreakerState
    reason: str
    opened_at: datetime
    next_probe_at: datetime
    failed_probes: int = 0

    @property
    def is_open(self) -> bool:
        """True while sending to this workspace is paused."""
        return self.state is BreakerState.OPEN


def after_auth_error(
    current: AuthBreaker | None, team_id: str, error: str, now: datetime, policy: ProbePolicy
) -> AuthBreaker:
    """The breaker after an auth error: opened (first probe after ``policy.first``), or unchanged if already open."""
    if current is not None and current.is_open:
        return current
    return AuthBreaker(team_id, BreakerState.OPEN, error, now, now + policy.wait(0), 0)


def probe_due(breaker: AuthBreaker, now: datetime) -> bool:
    """Whether an open breaker should try ``auth.test`` now."""
    return breaker.is_open and breaker.next_probe_at <= now


def after_probe(breaker: AuthBreaker, succeeded: bool, now: datetime, policy: ProbePolicy) -> AuthBreaker:
    """The breaker after a probe: closed when ``auth.test`` succeeded, else open with the next probe backed off.

    A probe that could not reach Slack counts as failed: sending resumes only on proof that the token works.
    """
    if succeeded:
        return replace(breaker, state=BreakerState.CLOSED)
    failed = breaker.failed_probes + 1
    return replace(breaker, failed_probes=failed, next_probe_at=now + policy.wait(failed))


# The reason an uninstall (app_uninstalled, or tokens_revoked naming the bot) opens the breaker with. Such a breaker
# holds the workspace's work like any other; it closes on a reinstall (or a probe that finds a working token), and
# the workspace's data is purged once it has stayed open for the retention period.
UNINSTALLED = "app_uninstalled"


def after_uninstall(current: AuthBreaker | None, team_id: str, now: datetime, policy: ProbePolicy) -> AuthBreaker:
    """The breaker after the app was uninstalled: open since now (an open uninstall breaker keeps its first date)."""
    if current is not None and current.is_open and current.reason == UNINSTALLED:
        return current
    return AuthBreaker(team_id, BreakerState.OPEN, UNINSTALLED, now, now + policy.wait(0), 0)
