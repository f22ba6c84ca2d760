"""Ports at the door and for the per-workspace auth breaker."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from bot.domain.breaker import AuthBreaker
from bot.domain.outcomes import SendOutcome


class AuthBreakerRepository(Protocol):
    """Per-workspace auth breakers (storage.repositories.breakers); changed by compare-and-set only."""

    def get(self, team_id: str) -> AuthBreaker | None: ...

    def open_breakers(self, team_id: str | None = None) -> list[AuthBreaker]: ...

    def open(self, breaker: AuthBreaker, now: datetime) -> bool: ...

    def take_probe(self, expected: AuthBreaker, after: AuthBreaker, now: datetime) -> bool: ...

    def close(self, team_id: str, opened_at: datetime, now: datetime) -> bool: ...

    def mark_uninstalled(self, breaker: AuthBreaker, now: datetime) -> bool: ...

    def uninstalled_before(self, cutoff: datetime) -> list[AuthBreaker]: ...

    def discard_uninstalled(self, team_id: str, opened_at: datetime) -> bool: ...


class SeenRequests(Protocol):
    """Keys of inbound Slack requests already processed, shared by every replica (the replay guard)."""

    def first_time(self, keys: Sequence[tuple[str, str, datetime]], team_id: str) -> bool:
        """Record every (kind, key, expires_at); True only when none of them had been seen (atomic per key)."""
        ...

    def purge(self, now: datetime) -> int:
        """Delete the keys that expired before ``now``; returns how many."""
        ...


class AuthProbe(Protocol):
    """Asks Slack whether a workspace's token works (auth.test); bot.slack.gateway.SlackGateway satisfies it."""

    def check_auth(self, team_id: str) -> SendOutcome:
        """auth.test with the token Rapport uses for ``team_id``."""
        ...


class InstalledTokens(Protocol):
    """A workspace's stored install (storage.installations.EncryptedInstallationStore, through the container)."""

    def delete(self, team_id: str) -> None:
        """Delete the workspace's tokens (nothing to do in single-workspace mode: the token is configuration)."""
        ...
