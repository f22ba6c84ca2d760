"""Uninstall, reinstall and purge of whole workspaces, on real SQLite and PostgreSQL through the real unit of work."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import ManualClock
from bot.domain.breaker import UNINSTALLED
from bot.domain.models import DEFAULT_KIND, InteractionSource, NewInteraction
from bot.domain.outcomes import SendOutcome
from bot.services.breakers import AuthBreakers
from bot.services.workspaces import DEFAULT_RETENTION, WorkspaceService

NOW = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)


class Tokens:
    """The installation store's part: which workspaces' tokens were deleted."""

    def __init__(self) -> None:
        self.deleted: list[str] = []

    def delete(self, team_id: str) -> None:
        self.deleted.append(team_id)


class NoToken:
    """auth.test for a workspace whose tokens are gone."""

    def check_auth(self, team_id: str) -> SendOutcome:
        return SendOutcome.refused("not_authed")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def forgotten() -> list[str]:
    return []


@pytest.fixture
def workspaces(uow_factory, clock: ManualClock, forgotten: list[str]) -> WorkspaceService:  # type: ignore[no-untyped-def]
    breakers = AuthBreakers(uow_factory, NoToken(), clock)
    return WorkspaceService(uow_factory, breakers, Tokens(), clock, on_forget=[forgotten.append])


def log_meeting(uow_factory, team_id: str, when: datetime) -> None:  # type: ignore[no-untyped-def]
    with uow_factory() as uow:
        uow.workspaces.ensure(team_id, when)
        uow.interactions.add(
            NewInteraction(
                team_id=team_id,
                author_id="U0MAYA",
                happened_at=when,
                kind=DEFAULT_KIND,
                notes="coffee",
                source=InteractionSource.COMMAND,
                participant_ids=("U0LEE",),
            ),
            created_at=when,
        )
        uow.commit()


def test_an_uninstall_holds_the_workspace_and_deletes_its_tokens_once(
    workspaces: WorkspaceService,
    uow_factory,
    team_id: str,
    clock: ManualClock,
    forgotten: list[str],  # type: ignore[no-untyped-def]
) -> None:
    workspaces.uninstalled(team_id)
    first = clock.now()
    clock.advance(timedelta(minutes=5))
    workspaces.uninstalled(team_id)  # app_uninstalled after tokens_revoked: the first date stands
    with uow_factory() as uow:
        breaker = uow.breakers.get(team_id)
    assert breaker is not None and breaker.is_open and breaker.reason == UNINSTALLED and breaker.opened_at == first
    assert forgotten == [team_id, team_id]


def test_purge_after_the_retention_period_exactly_once_across_processes(
    workspaces: WorkspaceService,
    forgotten: list[str],
    uow_factory,
    team_id: str,
    clock: ManualClock,  # type: ignore[no-untyped-def]
) -> None:
    log_meeting(uow_factory, team_id, clock.now())
    log_meeting(uow_factory, team_id + "X", clock.now())  # another workspace, untouched
    workspaces.uninstalled(team_id)
    clock.advance(DEFAULT_RETENTION - timedelta(minutes=1))
    forgotten.clear()
    workspaces.purge_departed()  # other tests' workspaces in this database may be due; this one is not yet
    assert team_id not in forgotten
    clock.advance(timedelta(minutes=2))
    forgotten.clear()
    with ThreadPoolExecutor(4) as pool:
        purged = list(pool.map(lambda _: workspaces.purge_departed(), range(4)))
    assert sum(purged) >= 1 and forgotten.count(team_id) == 1, "purged once (other tests' workspaces may be due too)"
    with uow_factory() as uow:
        assert uow.breakers.get(team_id) is None
        assert not any(uow.personal_data.export(team_id, "U0MAYA").values())
        assert any(uow.personal_data.export(team_id + "X", "U0MAYA").values())


def test_a_reinstall_inside_the_window_resumes_and_is_never_purged(
    workspaces: WorkspaceService,
    uow_factory,
    team_id: str,
    clock: ManualClock,  # type: ignore[no-untyped-def]
) -> None:
    log_meeting(uow_factory, team_id, clock.now())
    workspaces.uninstalled(team_id)
    clock.advance(timedelta(days=3))
    workspaces.installed(team_id)
    with uow_factory() as uow:
        breaker = uow.breakers.get(team_id)
    assert breaker is not None and not breaker.is_open
    clock.advance(DEFAULT_RETENTION * 2)
    workspaces.purge_departed()
    with uow_factory() as uow:
        assert any(uow.personal_data.export(team_id, "U0MAYA").values())
