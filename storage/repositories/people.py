"""Workspaces and the people directory cache."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, select
from sqlalchemy.orm.util import identity_key

from bot.domain.models import Person
from storage.models import PersonRow, Workspace
from storage.repositories.common import SqlRepository
from storage.upsert import insert_if_missing, insert_statement


class SqlWorkspaceRepository(SqlRepository):
    """SQLAlchemy implementation of ``WorkspaceRepository``."""

    def ensure(self, team_id: str, now: datetime, name: str = "") -> None:
        """Create the workspace row if it does not exist yet (safe when many first uses race)."""
        insert_if_missing(self._session, Workspace, {"team_id": team_id, "name": name, "created_at": now})


class SqlPeopleRepository(SqlRepository):
    """SQLAlchemy implementation of ``PeopleRepository``."""

    def deactivated_before(self, cutoff: datetime, limit: int = 100) -> list[tuple[str, str]]:
        """(workspace, user) of people deactivated before ``cutoff`` (oldest first): due to be forgotten."""
        rows = self._session.execute(
            select(PersonRow.team_id, PersonRow.user_id)
            .where(PersonRow.deactivated_at.is_not(None), PersonRow.deactivated_at < cutoff)
            .order_by(PersonRow.deactivated_at)
            .limit(limit)
        )
        return [(team_id, user_id) for team_id, user_id in rows]

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
        """Insert or refresh a cached person in one statement (two threads may look up the same person at once)."""
        values = {
            "name": person.name,
            "real_name": person.real_name,
            "display_name": person.display_name,
            "tz": person.tz,
            "title": person.title,
            "department": person.department,
            "is_bot": person.is_bot,
            "deleted": person.deleted,
            "refreshed_at": refreshed_at,
        }
        statement = insert_statement(self._session, PersonRow).values(
            team_id=person.team_id, user_id=person.user_id, **values
        )
        # Remember when someone was first seen deactivated (and forget it if they come back): the retention sweep
        # forgets a person a fixed time after that.
        deactivated_at = case(
            (statement.excluded.deleted.is_(False), None),
            (PersonRow.deactivated_at.is_(None), refreshed_at),
            else_=PersonRow.deactivated_at,
        )
        self._session.execute(
            statement.values(deactivated_at=refreshed_at if person.deleted else None).on_conflict_do_update(
                index_elements=[PersonRow.team_id, PersonRow.user_id], set_={**values, "deactivated_at": deactivated_at}
            )
        )
        # A row this session already loaded would otherwise keep its old values.
        loaded = self._session.identity_map.get(identity_key(PersonRow, (person.team_id, person.user_id)))
        if loaded is not None:
            self._session.expire(loaded)


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
