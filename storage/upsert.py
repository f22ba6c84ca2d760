"""Race-free "create if missing" for both databases: ``INSERT … ON CONFLICT``.

Decisions:

* Every get-or-create in the repositories goes through here. A check-then-insert (``session.get`` then
  ``session.add``) lets two first uses of the same key both see "missing" and both insert; the loser fails with a
  unique violation and its whole transaction (a person's first ``/met``) is lost. ``ON CONFLICT DO NOTHING`` makes
  the insert a no-op for the loser instead, on PostgreSQL and on SQLite (3.24+) alike.
* Callers that then change the row load it afterwards with ``populate_existing`` and set attributes through the
  ORM, so the update logic stays where it was and only the creation became atomic. Rejected: ``ON CONFLICT DO
  UPDATE`` everywhere, which would duplicate each repository's field mapping in a second, Core-shaped form.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Insert, inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

RowT = TypeVar("RowT")


def insert_statement(session: Session, model: type[Any]) -> Any:
    """The dialect's ``INSERT`` for ``model`` (it has ``on_conflict_do_nothing``/``…_do_update``)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(model)
    if dialect == "sqlite":
        return sqlite.insert(model)
    raise NotImplementedError(f"no INSERT … ON CONFLICT for {dialect}")


def insert_if_missing(session: Session, model: type[Any], values: dict[str, Any]) -> Any | None:
    """Insert a row unless one with the same key (primary or unique) exists; its primary key if this call did."""
    key = inspect(model).primary_key[0]
    # RETURNING rather than rowcount: the ORM-enabled insert does not report rowcount on every driver.
    statement: Insert = insert_statement(session, model).values(**values).on_conflict_do_nothing().returning(key)
    inserted = session.execute(statement).first()
    return None if inserted is None else inserted[0]


def get_or_insert(session: Session, model: type[RowT], key: tuple[Any, ...], values: dict[str, Any]) -> RowT:
    """The row with primary key ``key``, inserted from ``values`` first when missing (race-free, as above), loaded
    fresh so the caller can set attributes on it."""
    row = session.get(model, key)
    if row is None:
        insert_if_missing(session, model, values)
        row = session.get(model, key, populate_existing=True)
        assert row is not None
    return row
