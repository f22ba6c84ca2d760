"""Small helpers every repository may use."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import Executable
from sqlalchemy.orm import Session


def rowcount(result: object) -> int:
    """Rows an UPDATE or DELETE matched (0 when the driver does not say)."""
    return int(getattr(result, "rowcount", 0) or 0)


class SqlRepository:
    """A repository works inside the caller's session (one unit of work); it never commits."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def _run(self, statement: Executable, **params: Any) -> Any:
        """Execute a statement built once at import (Core, values bound by name) on the unit's connection: no ORM
        compile or per-call statement building, which on a read of a few rows costs more than the database does.
        Returns the ``CursorResult`` (typed loosely: rows unpack by the statement's columns)."""
        return self._session.connection().execute(statement, params)


def pair_params(team_id: str, pairs: Collection[tuple[str, str]]) -> dict[str, Any]:
    """Bind values for a statement over (user, contact) pairs: every user and every contact in expanding IN lists
    (a superset of the pairs, which the caller filters)."""
    return {
        "team_id": team_id,
        "user_ids": sorted({user for user, _ in pairs}),
        "contact_ids": sorted({contact for _, contact in pairs}),
    }
