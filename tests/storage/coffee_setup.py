"""A scheduled coffee round to hang repository tests on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.coffee import ProgramSettings, round_times
from bot.services.ports import UnitOfWork

NOW = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)


def scheduled_round(uow: UnitOfWork, team_id: str, channel: str = "C1") -> tuple[int, int]:
    """(programme id, round id) of a new programme in ``channel`` with one round two days ahead."""
    uow.workspaces.ensure(team_id, NOW)
    settings = ProgramSettings(tz="UTC")
    program = uow.coffee_programmes.save_program(team_id, channel, settings, "UA", NOW)
    times = round_times(settings, NOW + timedelta(days=2))
    round_ = uow.coffee_rounds.add_round(team_id, program.id, 42, times, True, NOW)
    return program.id, round_.id
