"""Ports the services depend on; adapters in storage/ and bot/slack/ implement them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self

from bot.domain.models import Interaction, NewInteraction, Person


class Clock(Protocol):
    """Source of the current time (timezone-aware)."""

    def now(self) -> datetime:
        """Return the current time."""
        ...


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


class InteractionRepository(Protocol):
    """Logged interactions; notes are only ever returned to their author."""

    def add(self, new: NewInteraction, created_at: datetime) -> Interaction:
        """Record an interaction and return it with its id."""
        ...

    def list_for_author(
        self, team_id: str, author_id: str, *, with_user: str | None = None, limit: int = 10
    ) -> list[Interaction]:
        """The author's most recent interactions, newest first, optionally only those with ``with_user``."""
        ...

    def latest_for_author(self, team_id: str, author_id: str) -> Interaction | None:
        """The author's most recently *logged* interaction."""
        ...

    def delete_for_author(self, team_id: str, author_id: str, interaction_id: int) -> Interaction | None:
        """Delete one of the author's own interactions; None when it is not theirs or is gone."""
        ...


class UnitOfWork(Protocol):
    """A transaction boundary: rolls back on exit unless ``commit()`` was called."""

    @property
    def workspaces(self) -> WorkspaceRepository: ...

    @property
    def people(self) -> PeopleRepository: ...

    @property
    def interactions(self) -> InteractionRepository: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None:
        """Commit the work done so far."""
        ...


UnitOfWorkFactory = Callable[[], UnitOfWork]


class DirectoryLookupError(Exception):
    """Slack could not be asked about a user right now (network, rate limit, auth)."""


class SlackDirectory(Protocol):
    """Reads people from Slack (users.info)."""

    def fetch_person(self, team_id: str, user_id: str) -> Person | None:
        """The person as Slack knows them, or None when Slack says the user does not exist."""
        ...
