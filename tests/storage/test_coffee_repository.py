"""The coffee repository on SQLite and PostgreSQL: matching inputs, avoid lists, leased round steps."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from bot.domain.coffee import JobKind, ProgramSettings, RoundStatus, round_times
from bot.domain.models import InteractionKind, InteractionSource, NewInteraction
from bot.services.ports import UnitOfWork

NOW = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)


def log(uow: UnitOfWork, team_id: str, author: str, others: tuple[str, ...], when: datetime, notes: str = "") -> int:
    new = NewInteraction(team_id, author, when, InteractionKind.COFFEE, notes, InteractionSource.COMMAND, others)
    return uow.interactions.add(new, created_at=NOW).id


def scheduled_round(uow: UnitOfWork, team_id: str, channel: str = "C1") -> tuple[int, int]:
    uow.workspaces.ensure(team_id, NOW)
    settings = ProgramSettings(tz="UTC")
    program = uow.coffee.save_program(team_id, channel, settings, "UA", NOW)
    round_ = uow.coffee.add_round(team_id, program.id, 42, round_times(settings, NOW + timedelta(days=2)), True, NOW)
    return program.id, round_.id


def test_last_met_pairs_cover_every_pair_of_an_interaction_latest_first(
    uow_factory: Callable[[], UnitOfWork], team_id: str
) -> None:
    with uow_factory() as uow:
        uow.workspaces.ensure(team_id, NOW)
        log(uow, team_id, "UA", ("UB", "UC"), NOW - timedelta(days=30), notes="private")
        log(uow, team_id, "UB", ("UA",), NOW - timedelta(days=2))
        log(uow, team_id, "UD", ("UE",), NOW - timedelta(days=900))
        uow.commit()
    with uow_factory() as uow:
        pairs = uow.coffee.last_met_pairs(team_id, NOW - timedelta(days=730))
        other_team = uow.coffee.last_met_pairs(team_id + "X", NOW - timedelta(days=730))
    assert pairs == {
        frozenset({"UA", "UB"}): NOW - timedelta(days=2),
        frozenset({"UA", "UC"}): NOW - timedelta(days=30),
        frozenset({"UB", "UC"}): NOW - timedelta(days=30),
    }
    assert other_team == {}


def test_avoid_lists_are_private_and_blocked_pairs_anonymous(
    uow_factory: Callable[[], UnitOfWork], team_id: str
) -> None:
    with uow_factory() as uow:
        uow.workspaces.ensure(team_id, NOW)
        assert uow.coffee.add_avoid(team_id, "UA", "UB", NOW)
        assert not uow.coffee.add_avoid(team_id, "UA", "UB", NOW)
        uow.coffee.add_avoid(team_id, "UC", "UA", NOW)
        uow.commit()
    with uow_factory() as uow:
        assert uow.coffee.avoids_of(team_id, "UA") == ["UB"]
        assert uow.coffee.avoids_of(team_id, "UB") == []
        assert uow.coffee.blocked_pairs(team_id, ["UA", "UB", "UC"]) == {
            frozenset({"UA", "UB"}),
            frozenset({"UA", "UC"}),
        }
        assert uow.coffee.blocked_pairs(team_id, ["UA", "UD"]) == set()
        assert uow.coffee.remove_avoid(team_id, "UA", "UB") and not uow.coffee.remove_avoid(team_id, "UA", "UB")


def test_round_steps_are_leased_once_and_reclaimed_after_the_lease(
    uow_factory: Callable[[], UnitOfWork], team_id: str
) -> None:
    with uow_factory() as uow:
        _, round_id = scheduled_round(uow, team_id)
        uow.coffee.add_job(team_id, round_id, JobKind.START, NOW, NOW)
        uow.coffee.add_job(team_id, round_id, JobKind.SUMMARY, NOW + timedelta(days=7), NOW)
        uow.commit()
    lease = NOW + timedelta(minutes=5)
    with uow_factory() as uow:
        first = uow.coffee.claim_jobs("w1", NOW, lease, 10, team_id)
        uow.commit()
    with uow_factory() as uow:
        second = uow.coffee.claim_jobs("w2", NOW + timedelta(minutes=1), lease, 10, team_id)
        uow.commit()
    assert [job.kind for job in first] == [JobKind.START] and second == []
    with uow_factory() as uow:  # w1 crashed: after the lease, another worker takes the step over
        taken = uow.coffee.claim_jobs("w2", lease, lease + timedelta(minutes=5), 10, team_id)
        assert not uow.coffee.finish_job(first[0].id, "w1", lease), "a lost lease cannot record an outcome"
        assert uow.coffee.finish_job(taken[0].id, "w2", lease)
        uow.commit()
    with uow_factory() as uow:
        assert uow.coffee.job_statuses(team_id, round_id) == {"start": "done", "summary": "pending"}


def test_retry_and_failure_and_cancelling_a_round(uow_factory: Callable[[], UnitOfWork], team_id: str) -> None:
    with uow_factory() as uow:
        program_id, round_id = scheduled_round(uow, team_id)
        job_id = uow.coffee.add_job(team_id, round_id, JobKind.HEADS_UP, NOW, NOW)
        uow.coffee.add_job(team_id, round_id, JobKind.START, NOW + timedelta(days=1), NOW)
        uow.commit()
    with uow_factory() as uow:
        uow.coffee.claim_jobs("w", NOW, NOW + timedelta(minutes=5), 10, team_id)
        assert uow.coffee.retry_job(job_id, "w", NOW + timedelta(minutes=2), "ratelimited", NOW)
        uow.commit()
    with uow_factory() as uow:
        assert uow.coffee.claim_jobs("w", NOW + timedelta(minutes=1), NOW, 10, team_id) == []
        again = uow.coffee.claim_jobs("w", NOW + timedelta(minutes=2), NOW + timedelta(minutes=7), 10, team_id)
        assert again[0].attempts == 1
        assert uow.coffee.fail_job(job_id, "w", "channel_not_found", NOW)
        assert uow.coffee.cancel_scheduled_rounds(team_id, program_id, NOW) == 1
        uow.commit()
    with uow_factory() as uow:
        assert uow.coffee.job_statuses(team_id, round_id) == {"heads_up": "failed", "start": "cancelled"}
        cancelled = uow.coffee.round(team_id, round_id)
        assert cancelled is not None and cancelled.status == RoundStatus.CANCELLED
        assert uow.coffee.next_scheduled_round(team_id, program_id) is None


def test_member_state_defaults_and_channel_membership(uow_factory: Callable[[], UnitOfWork], team_id: str) -> None:
    with uow_factory() as uow:
        program_id, _ = scheduled_round(uow, team_id)
        assert uow.coffee.member(team_id, program_id, "UA").in_channel
        uow.coffee.update_member(team_id, program_id, "UA", NOW, left=True)
        uow.coffee.mark_in_channel(team_id, program_id, ["UB", "UC"], NOW)
        uow.commit()
    with uow_factory() as uow:
        states = uow.coffee.members(team_id, program_id)
        assert {u: (s.in_channel, s.left) for u, s in states.items()} == {
            "UA": (False, True),
            "UB": (True, False),
            "UC": (True, False),
        }
        assert uow.coffee.members(team_id + "X", program_id) == {}
