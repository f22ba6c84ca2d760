"""What came of one Slack call, as services and the Slack adapters share it."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.breaker import is_auth_error


@dataclass(frozen=True, slots=True)
class SendOutcome:
    """Outcome of one Slack call: ``ok``, or a failure that is ``retryable`` (after ``retry_after`` s) or permanent."""

    ok: bool
    ts: str | None = None
    channel: str | None = None
    retryable: bool = False
    error: str | None = None
    retry_after: float | None = None

    @property
    def permanent(self) -> bool:
        """True for a failure that retrying will not fix."""
        return not self.ok and not self.retryable

    @property
    def auth_refused(self) -> bool:
        """True when Slack refused the token: pause the workspace, keep the work."""
        return not self.ok and is_auth_error(self.error)

    @classmethod
    def success(cls, ts: str | None = None, channel: str | None = None) -> SendOutcome:
        """A successful call."""
        return cls(ok=True, ts=ts, channel=channel)

    @classmethod
    def retry_later(cls, error: str, retry_after: float | None = None) -> SendOutcome:
        """A failure worth retrying, optionally not before ``retry_after`` seconds."""
        return cls(ok=False, retryable=True, error=error, retry_after=retry_after)

    @classmethod
    def refused(cls, error: str) -> SendOutcome:
        """The token was refused: nothing was done, and the work waits for the workspace's breaker to close."""
        return cls(ok=False, retryable=True, error=error)

    @classmethod
    def failed(cls, error: str) -> SendOutcome:
        """A permanent failure."""
        return cls(ok=False, retryable=False, error=error)
