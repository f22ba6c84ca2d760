"""Auth breakers in the database: replicas agree on open/closed, and one of them takes each probe slot."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from bot.domain.breaker import ProbePolicy, after_auth_error, after_probe
from bot.services.ports import UnitOfWork

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
POLICY = ProbePolicy()


def test_open_once_probe_once_close_once(uow_factory: Callable[[], UnitOfWork], team_id: str) -> None:
    with uow_factory() as uow:
        uow.workspaces.ensure(team_id, NOW)
        assert uow.breakers.get(team_id) is None
        first = after_auth_error(None, team_id, "invalid_auth", NOW, POLICY)
        assert uow.breakers.open(first, NOW), "the first auth error opens the breaker"
        uow.commit()
    with uow_factory() as uow:  # a second replica sees the same error a moment later
        later = NOW + timedelta(seconds=1)
        assert not uow.breakers.open(after_auth_error(None, team_id, "token_revoked", later, POLICY), later)
        uow.commit()
    with uow_factory() as uow:
        [stored] = uow.breakers.open_breakers(team_id)
        assert stored == first
    at = first.next_probe_at
    slot = after_probe(first, False, at, POLICY)
    with uow_factory() as a, uow_factory() as b:
        assert a.breakers.take_probe(first, slot, at)
        a.commit()
        assert not b.breakers.take_probe(first, slot, at), "the slot is taken: the other replica does not probe"
    with uow_factory() as uow:
        assert uow.breakers.close(team_id, first.opened_at, at)
        assert not uow.breakers.close(team_id, first.opened_at, at)
        uow.commit()
    with uow_factory() as uow:
        assert uow.breakers.open_breakers(team_id) == []
        again = after_auth_error(uow.breakers.get(team_id), team_id, "invalid_auth", at, POLICY)
        assert uow.breakers.open(again, at), "a closed breaker opens again"
        uow.commit()
