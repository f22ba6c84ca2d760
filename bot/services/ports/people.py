"""Ports for the people directory: stored workspaces and people, and Slack's users.info / users.list."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.domain.models import Person


class WorkspaceRepository(Protocol):
    """Workspaces Rapport serves."""

    def ensure(self, team_id: str, now: datetime, name: str = "") -> None:
        """Create the workspace row if it does not exist yet."""
        ...


class PeopleRepository(Protocol):
    """The directory cache."""

    def get(self, team_id: str, user_id: str) -> tuple[Person, datetime] | None:
        """A cached person and when they were refreshed, or None."""
        ...

    def upsert(self, person: Person, refreshed_at: datetime) -> None:
        """Insert or refresh a cached person."""
        ...

    def get_many(self, team_id: str, user_ids: list[str]) -> dict[str, Person]:
        """Cached people by id (missing ids are absent)."""
        ...

    def get_many_refreshed(self, team_id: str, user_ids: list[str]) -> dict[str, tuple[Person, datetime]]:
        """Cached people by id with when each was refreshed (missing ids are absent)."""
        ...

    def deactivated_before(self, cutoff: datetime, limit: int = 100) -> list[tuple[str, str]]: ...


class DirectoryLookupError(Exception):
    """Slack could not be asked about a user right now (network, rate limit, auth); ``code`` says why."""

    @property
    def code(self) -> str:
        """Slack's error code (or the network failure's name)."""
        return str(self.args[0]) if self.args else "unknown_error"


class SlackDirectory(Protocol):
    """Reads people from Slack (users.info, users.list)."""

    def fetch_person(self, team_id: str, user_id: str) -> Person | None:
        """The person as Slack knows them, or None when Slack says the user does not exist."""
        ...

    def fetch_all(self, team_id: str) -> list[Person]:
        """Everyone in the workspace, deactivated people included (users.list, every page)."""
        ...
