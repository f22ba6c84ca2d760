"""The shared lease statements (storage.leases) on SQLite and PostgreSQL, through the nudge repository."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from bot.domain.nudges import NudgeKind, NudgeStatus
from bot.services.ports import UnitOfWork

NOW = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)
LEASE = timedelta(minutes=5)


def test_only_the_holder_records_an_outcome(uow_factory: Callable[[], UnitOfWork], team_id: str) -> None:
    with uow_factory() as uow:
        uow.workspaces.ensure(team_id, NOW)
        ids = [uow.nudges.add(team_id, "ULEE", contact, NudgeKind.FOLLOW_UP, NOW, NOW) for contact in ("UA", "UB")]
        uow.commit()
    with uow_factory() as uow:
        assert [n.id for n in uow.nudges.claim("w1", NOW, NOW + LEASE, 1, team_id)] == ids[:1]
        uow.commit()
    with uow_factory() as uow:
        assert uow.nudges.mark_sent(ids, "w2", "D1", "1.0", NOW) == 0, "w2 holds none of them"
        assert uow.nudges.mark_sent(ids, "w1", "D1", "1.0", NOW) == 1, "w1 holds one; the other was never claimed"
        assert uow.nudges.mark_sent(ids, "w1", "D1", "2.0", NOW) == 0, "recorded: no longer held"
        assert uow.nudges.mark_sent([], "w1", "D1", "2.0", NOW) == 0
        uow.commit()
    with uow_factory() as uow:
        assert [n.status for n in uow.nudges.list_for_user(team_id, "ULEE")] == [NudgeStatus.SENT, NudgeStatus.PENDING]


def test_a_refused_post_is_handed_back_as_it_was(uow_factory: Callable[[], UnitOfWork], team_id: str) -> None:
    probe_at = NOW + timedelta(seconds=30)
    with uow_factory() as uow:
        uow.workspaces.ensure(team_id, NOW)
        nudge_id = uow.nudges.add(team_id, "ULEE", "UA", NudgeKind.FOLLOW_UP, NOW, NOW)
        uow.commit()
    with uow_factory() as uow:
        uow.nudges.claim("w1", NOW, NOW + LEASE, 10, team_id)
        assert uow.nudges.mark_attempt([nudge_id], "w1", NOW, NOW + LEASE) == 1
        assert uow.nudges.mark_refused([nudge_id], "w1", "invalid_auth", probe_at, NOW) == 1
        uow.commit()
    with uow_factory() as uow:
        [nudge] = uow.nudges.list_for_user(team_id, "ULEE")
        assert (nudge.status, nudge.attempts, nudge.in_doubt) == (NudgeStatus.PENDING, 0, False)
        assert (nudge.available_at, nudge.last_error) == (probe_at, "invalid_auth")
        assert uow.nudges.claim("w2", NOW, NOW + LEASE, 10, team_id) == [], "not due before the breaker's probe"
