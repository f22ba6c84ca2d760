"""The interactions repository on SQLite and PostgreSQL: storage, ordering, isolation and privacy."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from bot.domain.models import InteractionKind, InteractionSource, NewInteraction
from storage.uow import SqlUnitOfWork

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
AUTHOR = "U0AUTHOR01"
OTHER_AUTHOR = "U0OTHER001"
DANA = "U0DANA0001"
LEE = "U0LEE00001"


def new(
    team_id: str, author: str = AUTHOR, people: tuple[str, ...] = (DANA,), days: int = 0, notes: str = ""
) -> NewInteraction:
    return NewInteraction(
        team_id=team_id,
        author_id=author,
        happened_at=T0 + timedelta(days=days),
        kind=InteractionKind.LUNCH,
        notes=notes,
        source=InteractionSource.COMMAND,
        participant_ids=people,
        tags=("launch", "ops"),
        follow_up_days=7,
    )


def add(uow_factory: Callable[[], SqlUnitOfWork], item: NewInteraction, created: datetime = T0) -> int:
    with uow_factory() as uow:
        uow.workspaces.ensure(item.team_id, T0)
        stored = uow.interactions.add(item, created_at=created)
        uow.commit()
    return stored.id


def test_round_trip_keeps_every_field_and_tz(uow_factory, team_id: str) -> None:  # type: ignore[no-untyped-def]
    add(uow_factory, new(team_id, people=(DANA, LEE), notes="Q3 launch"))
    with uow_factory() as uow:
        [stored] = uow.interactions.list_for_author(team_id, AUTHOR)
    assert stored.participant_ids == (DANA, LEE)
    assert stored.tags == ("launch", "ops")
    assert stored.kind is InteractionKind.LUNCH and stored.source is InteractionSource.COMMAND
    assert stored.notes == "Q3 launch" and stored.follow_up_days == 7
    assert stored.happened_at == T0 and stored.happened_at.tzinfo is not None


def test_list_is_newest_first_limited_and_filterable(uow_factory, team_id: str) -> None:  # type: ignore[no-untyped-def]
    for day in range(12):
        add(uow_factory, new(team_id, people=(DANA,) if day % 2 else (LEE,), days=-day))
    with uow_factory() as uow:
        latest = uow.interactions.list_for_author(team_id, AUTHOR)
        with_dana = uow.interactions.list_for_author(team_id, AUTHOR, with_user=DANA, limit=50)
    assert len(latest) == 10
    assert [i.happened_at for i in latest] == sorted((i.happened_at for i in latest), reverse=True)
    assert len(with_dana) == 6 and all(DANA in i.participant_ids for i in with_dana)


def test_undo_targets_the_latest_logged_not_the_latest_happened(uow_factory, team_id: str) -> None:  # type: ignore[no-untyped-def]
    recent_meeting = add(uow_factory, new(team_id, days=0), created=T0)
    backfilled = add(uow_factory, new(team_id, days=-30), created=T0 + timedelta(minutes=5))
    with uow_factory() as uow:
        latest = uow.interactions.latest_for_author(team_id, AUTHOR)
    assert latest is not None and latest.id == backfilled != recent_meeting


def test_delete_removes_children(uow_factory, team_id: str) -> None:  # type: ignore[no-untyped-def]
    interaction_id = add(uow_factory, new(team_id))
    with uow_factory() as uow:
        deleted = uow.interactions.delete_for_author(team_id, AUTHOR, interaction_id)
        uow.commit()
    assert deleted is not None and deleted.tags == ("launch", "ops")
    with uow_factory() as uow:
        assert uow.interactions.list_for_author(team_id, AUTHOR) == []
        assert uow.interactions.delete_for_author(team_id, AUTHOR, interaction_id) is None


def test_notes_are_private_to_their_author(uow_factory, team_id: str) -> None:  # type: ignore[no-untyped-def]
    interaction_id = add(uow_factory, new(team_id, notes="private thoughts"))
    with uow_factory() as uow:
        assert uow.interactions.list_for_author(team_id, OTHER_AUTHOR) == []
        assert uow.interactions.list_for_author(team_id, DANA, with_user=AUTHOR) == []
        assert uow.interactions.latest_for_author(team_id, OTHER_AUTHOR) is None
        assert uow.interactions.delete_for_author(team_id, OTHER_AUTHOR, interaction_id) is None
        uow.commit()
    with uow_factory() as uow:
        assert len(uow.interactions.list_for_author(team_id, AUTHOR)) == 1


def test_workspaces_are_isolated(uow_factory, team_id: str) -> None:  # type: ignore[no-untyped-def]
    other_team = team_id + "X"
    interaction_id = add(uow_factory, new(team_id, notes="team one"))
    add(uow_factory, new(other_team, notes="team two"))
    with uow_factory() as uow:
        [mine] = uow.interactions.list_for_author(team_id, AUTHOR)
        [theirs] = uow.interactions.list_for_author(other_team, AUTHOR)
        assert (mine.notes, theirs.notes) == ("team one", "team two")
        assert uow.interactions.delete_for_author(other_team, AUTHOR, interaction_id) is None


def test_unit_of_work_rolls_back_unless_committed(uow_factory, team_id: str) -> None:  # type: ignore[no-untyped-def]
    with uow_factory() as uow:
        uow.workspaces.ensure(team_id, T0)
        uow.interactions.add(new(team_id), created_at=T0)
    with uow_factory() as uow:
        assert uow.interactions.list_for_author(team_id, AUTHOR) == []


def test_last_met_pairs_cover_every_pair_of_an_interaction_latest_first(uow_factory, team_id: str) -> None:  # type: ignore[no-untyped-def]
    add(uow_factory, new(team_id, AUTHOR, (DANA, LEE), days=-30, notes="private"))
    add(uow_factory, new(team_id, DANA, (AUTHOR,), days=-2))
    add(uow_factory, new(team_id, OTHER_AUTHOR, (LEE,), days=-900))
    with uow_factory() as uow:
        pairs = uow.interactions.last_met_pairs(team_id, T0 - timedelta(days=730))
        other_team = uow.interactions.last_met_pairs(team_id + "X", T0 - timedelta(days=730))
    assert pairs == {
        frozenset({AUTHOR, DANA}): T0 - timedelta(days=2),
        frozenset({AUTHOR, LEE}): T0 - timedelta(days=30),
        frozenset({DANA, LEE}): T0 - timedelta(days=30),
    }
    assert other_team == {}


def test_only_the_author_can_set_an_interactions_notes(uow_factory, team_id: str) -> None:  # type: ignore[no-untyped-def]
    interaction_id = add(uow_factory, new(team_id))
    with uow_factory() as uow:
        assert not uow.interactions.set_notes_for_author(team_id, DANA, interaction_id, "not mine")
        assert not uow.interactions.set_notes_for_author(team_id + "X", AUTHOR, interaction_id, "other workspace")
        assert uow.interactions.set_notes_for_author(team_id, AUTHOR, interaction_id, "we talked about Q3")
        uow.commit()
    with uow_factory() as uow:
        (stored,) = uow.interactions.list_for_author(team_id, AUTHOR)
    assert stored.notes == "we talked about Q3"
