"""Workspaces and the people directory cache."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.models import Person
from storage.models import PersonRow, Workspace


class SqlWorkspaceRepository:
    """SQLAlchemy implementation of ``WorkspaceRepository``."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def ensure(self, team_id: str, now: datetime, name: str = "") -> None:
        """Create the workspace row if it does not exist yet."""
        if self._session.get(Workspace, team_id) is None:
            self._session.add(Workspace(team_id=team_id, name=name, created_at=now))
            self._session.flush()


class SqlPeopleRepository:
    """SQLAlchemy implementation of ``PeopleRepository``."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, team_id: str, user_id: str) -> tuple[Person, datetime] | None:
        """A cached person and when they were refreshed, or None."""
        row = self._session.get(PersonRow, (team_id, user_id))
        if row is None:
            return None
        return _to_domain(row), row.refreshed_at

    def get_many(self, team_id: str, user_ids: list[str]) -> dict[str, Person]:
        """Cached people by id (missing ids are absent)."""
        return {user_id: person for user_id, (person, _) in self.get_many_refreshed(team_id, user_ids).items()}

    def get_many_refreshed(self, team_id: str, user_ids: list[str]) -> dict[str, tuple[Person, datetime]]:
        """Cached people by id with when each was refreshed (missing ids are absent)."""
        if not user_ids:
            return {}
        rows = self._session.scalars(
            select(PersonRow).where(PersonRow.team_id == team_id, PersonRow.user_id.in_(user_ids))
        )
        return {row.user_id: (_to_domain(row), row.refreshed_at) for row in rows}

    def upsert(self, person: Person, refreshed_at: datetime) -> None:
        """Insert or refresh a cached person."""
        row = self._session.get(PersonRow, (person.team_id, person.user_id))
        if row is None:
            row = PersonRow(team_id=person.team_id, user_id=person.user_id)
            self._session.add(row)
        row.name = person.name
        row.real_name = person.real_name
        row.display_name = person.display_name
        row.tz = person.tz
        row.title = person.title
        row.department = person.department
        row.is_bot = person.is_bot
        row.deleted = person.deleted
        row.refreshed_at = refreshed_at
        self._session.flush()


def _to_domain(row: PersonRow) -> Person:
    return Person(
        team_id=row.team_id,
        user_id=row.user_id,
        name=row.name,
        real_name=row.real_name,
        display_name=row.display_name,
        tz=row.tz,
        title=row.title,
        department=row.department,
        is_bot=row.is_bot,
        deleted=row.deleted,
    )
