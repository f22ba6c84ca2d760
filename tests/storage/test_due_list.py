"""The Home tab's due list (``due_for_user``) on real SQLite and PostgreSQL: one ordered branch per open status,
merged, must give what the plain definition gives — open nudges due by now (a sent one whenever it came due),
oldest first, ties by id, at most ``limit``, counted up to ``count_up_to``."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.nudges import OPEN_STATUSES, NudgeKind, NudgeStatus, ScheduledNudge
from bot.services.ports import UnitOfWork
from storage.models import NudgeRow

NOW = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
ME, OTHER = "U0ME000001", "U0OTHER001"


def _seed(uow_factory: Callable[[], UnitOfWork], team_id: str) -> list[ScheduledNudge]:
    """120 nudges in every status, most of them mine; returns mine as the plain listing reads them."""
    rng = random.Random(12)
    rows = []
    for index in range(120):
        due = NOW + timedelta(days=rng.choice([-30, -9, -9, -2, -1, 0, 1, 5]))  # repeated dates: ties by id
        status = rng.choice(list(NudgeStatus))
        rows.append(
            {"team_id": team_id, "user_id": ME if index % 5 else OTHER, "contact_id": f"U{index:09d}",
             "kind": NudgeKind.FOLLOW_UP.value, "interaction_id": None, "due_at": due, "available_at": due,
             "status": status.value, "attempts": 0, "in_doubt": False, "created_at": NOW, "updated_at": NOW}
        )  # fmt: skip
    with uow_factory() as uow:
        uow.workspaces.ensure(team_id, NOW)
        uow.session.execute(NudgeRow.__table__.insert(), rows)  # type: ignore[attr-defined]
        uow.commit()
    with uow_factory() as uow:
        return uow.nudges.list_for_user(team_id, ME)


@pytest.mark.parametrize(("limit", "count_up_to"), [(5, 100), (3, 7), (50, 200)])
def test_due_list_matches_its_definition(
    uow_factory: Callable[[], UnitOfWork], team_id: str, limit: int, count_up_to: int
) -> None:
    rows = _seed(uow_factory, team_id)
    expected = sorted(
        (n for n in rows if n.status in OPEN_STATUSES and (n.due_at <= NOW or n.status is NudgeStatus.SENT)),
        key=lambda nudge: (nudge.due_at, nudge.id),
    )
    with uow_factory() as uow:
        shown, total = uow.nudges.due_for_user(team_id, ME, NOW, limit, count_up_to)
    assert [nudge.id for nudge in shown] == [nudge.id for nudge in expected[:limit]]
    assert total == min(len(expected), count_up_to)
    assert len(expected) > limit or limit == 50, "the seed has more due than are shown"


def test_nothing_due_counts_nothing(uow_factory: Callable[[], UnitOfWork], team_id: str) -> None:
    _seed(uow_factory, team_id)
    with uow_factory() as uow:
        assert uow.nudges.due_for_user(team_id, "U0NOBODY01", NOW, 5, 100) == ([], 0)
