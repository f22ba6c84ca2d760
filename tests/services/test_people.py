"""PeopleService.fresh: what sweeps act on is never older than the directory TTL, refreshed in bulk when many are."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import ManualClock
from bot.domain.models import Person
from bot.services.people import BULK_REFRESH_AT, PeopleService
from bot.services.ports import UnitOfWork
from tests.fakes import FakeDirectory

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
TTL = timedelta(hours=12)


def cached_world(
    uow_factory: Callable[[], UnitOfWork], team_id: str, count: int
) -> tuple[PeopleService, FakeDirectory, ManualClock, list[str]]:
    """``count`` people cached at NOW, as Slack knew them then."""
    people = {f"U{index:04d}": Person(team_id, f"U{index:04d}", f"p{index}") for index in range(count)}
    with uow_factory() as uow:
        uow.workspaces.ensure(team_id, NOW)
        for person in people.values():
            uow.people.upsert(person, NOW)
        uow.commit()
    directory = FakeDirectory(people)
    clock = ManualClock(NOW)
    return PeopleService(uow_factory, directory, clock, ttl=TTL), directory, clock, list(people)


def test_within_the_ttl_slack_is_not_asked(uow_factory: Callable[[], UnitOfWork], team_id: str) -> None:
    service, directory, clock, ids = cached_world(uow_factory, team_id, 3)
    clock.advance(TTL - timedelta(minutes=1))
    assert set(service.fresh(team_id, ids).people) == set(ids)
    assert (directory.info_calls, directory.list_calls) == (0, 0)


def test_a_few_stale_people_are_refreshed_one_by_one(uow_factory: Callable[[], UnitOfWork], team_id: str) -> None:
    service, directory, clock, ids = cached_world(uow_factory, team_id, 3)
    directory.people[ids[0]] = replace(directory.people[ids[0]], deleted=True)
    del directory.people[ids[1]]  # gone from Slack altogether
    clock.advance(TTL)
    fresh = service.fresh(team_id, ids)
    assert fresh.people[ids[0]].deleted and fresh.missing == {ids[1]} and not fresh.people[ids[2]].deleted
    assert (directory.info_calls, directory.list_calls) == (3, 0)
    with uow_factory() as uow:  # the cache learnt it: the next sweep does not ask again
        cached = uow.people.get(team_id, ids[0])
    assert cached is not None and cached[0].deleted and cached[1] == clock.now()


def test_many_stale_people_are_refreshed_with_one_users_list(
    uow_factory: Callable[[], UnitOfWork], team_id: str
) -> None:
    service, directory, clock, ids = cached_world(uow_factory, team_id, BULK_REFRESH_AT + 10)
    directory.people[ids[7]] = replace(directory.people[ids[7]], deleted=True)
    clock.advance(TTL)
    fresh = service.fresh(team_id, ids)
    assert set(fresh.people) == set(ids) and fresh.people[ids[7]].deleted
    assert (directory.info_calls, directory.list_calls) == (0, 1)


@pytest.mark.parametrize("count", [3, BULK_REFRESH_AT + 1])
def test_a_refused_token_is_reported_and_nothing_more_is_asked(
    uow_factory: Callable[[], UnitOfWork], team_id: str, count: int
) -> None:
    service, directory, clock, ids = cached_world(uow_factory, team_id, count)
    clock.advance(TTL)
    directory.error = "invalid_auth"
    fresh = service.fresh(team_id, ids)
    assert fresh.refused == "invalid_auth" and fresh.people == {}
    assert directory.info_calls + directory.list_calls == 1


def test_when_slack_cannot_be_asked_the_stale_entry_is_used(
    uow_factory: Callable[[], UnitOfWork], team_id: str
) -> None:
    service, directory, clock, ids = cached_world(uow_factory, team_id, 2)
    clock.advance(TTL)
    directory.error = "ratelimited"
    fresh = service.fresh(team_id, ids)
    assert set(fresh.people) == set(ids) and fresh.refused is None
