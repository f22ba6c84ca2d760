"""The per-contact roll-up stays equal to the log it summarises: after writes, retried writes, deletes, and forget."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import Engine, func, insert, select

from bot.clock import ManualClock
from bot.services.data_rights import DataRightsService
from storage import migrate
from storage.models import ContactRollupRow, InteractionRow, ParticipantRow, Workspace
from storage.uow import SqlUnitOfWork
from tests.storage.test_interactions_repository import AUTHOR, DANA, LEE, OTHER_AUTHOR, T0, add, new
from tests.storage.test_migrations import fresh_engine  # noqa: F401  (the fixture)

Factory = Callable[[], SqlUnitOfWork]


def rollup(uow_factory: Factory, team_id: str) -> dict[tuple[str, str], tuple[object, object, int]]:
    with uow_factory() as uow:
        rows = uow.session.execute(select(ContactRollupRow).where(ContactRollupRow.team_id == team_id)).scalars()
        return {(r.author_id, r.contact_id): (r.first_met_at, r.last_met_at, r.meetings) for r in rows}


def recomputed(uow_factory: Factory, team_id: str) -> dict[tuple[str, str], tuple[object, object, int]]:
    """What the roll-up must hold: the GROUP BY the migration backfills with."""
    with uow_factory() as uow:
        rows = uow.session.execute(
            select(
                InteractionRow.author_id,
                ParticipantRow.user_id,
                func.min(InteractionRow.happened_at),
                func.max(InteractionRow.happened_at),
                func.count(),
            )
            .join(ParticipantRow, ParticipantRow.interaction_id == InteractionRow.id)
            .where(InteractionRow.team_id == team_id)
            .group_by(InteractionRow.author_id, ParticipantRow.user_id)
        )
        return {(a, c): (_utc(first), _utc(last), int(n)) for a, c, first, last, n in rows}


def _utc(value):  # type: ignore[no-untyped-def]
    return value if value.tzinfo else value.replace(tzinfo=T0.tzinfo)


def test_writes_and_deletes_keep_the_rollup_equal_to_the_log(uow_factory: Factory, team_id: str) -> None:
    ids = [add(uow_factory, new(team_id, people=(DANA, LEE), days=day)) for day in (0, -5, 3)]
    add(uow_factory, new(team_id, author=OTHER_AUTHOR, people=(AUTHOR,), days=1))
    with uow_factory() as uow:
        assert uow.interactions.add_once(new(team_id, people=(DANA,), days=-9), T0, "key-1") is not None
        assert uow.interactions.add_once(new(team_id, people=(DANA,), days=-9), T0, "key-1") is None, "a retry"
        uow.commit()
    assert rollup(uow_factory, team_id)[(AUTHOR, DANA)] == (T0 - timedelta(days=9), T0 + timedelta(days=3), 4)
    assert rollup(uow_factory, team_id) == recomputed(uow_factory, team_id)
    with uow_factory() as uow:  # the latest and then the only meeting with Lee go: last_met and the row follow
        uow.interactions.delete_for_author(team_id, AUTHOR, ids[2])
        uow.interactions.delete_for_author(team_id, AUTHOR, ids[0])
        uow.interactions.delete_for_author(team_id, AUTHOR, ids[1])
        uow.commit()
    assert rollup(uow_factory, team_id) == recomputed(uow_factory, team_id)
    assert (AUTHOR, LEE) not in rollup(uow_factory, team_id)
    assert rollup(uow_factory, team_id)[(AUTHOR, DANA)][2] == 1


def test_forget_removes_my_rollup_and_anonymises_me_in_others(uow_factory: Factory, team_id: str) -> None:
    add(uow_factory, new(team_id, people=(DANA,)))
    add(uow_factory, new(team_id, author=OTHER_AUTHOR, people=(AUTHOR, LEE)))
    DataRightsService(uow_factory, ManualClock(T0)).forget(team_id, AUTHOR)
    rows = rollup(uow_factory, team_id)
    assert all(AUTHOR not in key for key in rows)
    assert rows == recomputed(uow_factory, team_id), "the other author's row now names the same token"


def test_the_migration_backfills_the_rollup_from_an_existing_log(fresh_engine: Engine) -> None:  # noqa: F811
    migrate.upgrade(fresh_engine, "0010")
    team = "TBACKFILL1"
    with fresh_engine.begin() as connection:
        connection.execute(insert(Workspace.__table__).values(team_id=team, name="", created_at=T0))
        for index, (author, contact, days) in enumerate([(AUTHOR, DANA, 0), (AUTHOR, DANA, -3), (AUTHOR, LEE, 2)]):
            connection.execute(
                insert(InteractionRow.__table__).values(
                    id=index + 1, team_id=team, author_id=author, happened_at=T0 + timedelta(days=days),
                    kind="coffee", notes="", source="command", created_at=T0,
                )
            )  # fmt: skip
            connection.execute(
                insert(ParticipantRow.__table__).values(interaction_id=index + 1, user_id=contact, team_id=team)
            )
    migrate.upgrade(fresh_engine)
    with fresh_engine.connect() as connection:
        rows = {
            (row.author_id, row.contact_id): (row.first_met_at, row.last_met_at, row.meetings)
            for row in connection.execute(select(ContactRollupRow.__table__))
        }
    assert rows == {
        (AUTHOR, DANA): (T0 - timedelta(days=3), T0, 2),
        (AUTHOR, LEE): (T0 + timedelta(days=2), T0 + timedelta(days=2), 1),
    }
