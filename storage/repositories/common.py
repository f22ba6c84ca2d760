"""Small helpers every repository may use."""

from __future__ import annotations

from sqlalchemy.orm import Session


def rowcount(result: object) -> int:
    """Rows an UPDATE or DELETE matched (0 when the driver does not say)."""
    return int(getattr(result, "rowcount", 0) or 0)


class SqlRepository:
    """A repository works inside the caller's session (one unit of work); it never commits."""

    def __init__(self, session: Session) -> None:
        self._session = session
