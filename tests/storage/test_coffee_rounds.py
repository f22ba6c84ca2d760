"""The coffee rounds repository on SQLite and PostgreSQL: round progress, groups, notices."""

from __future__ import annotations

from collections.abc import Callable

from bot.domain.coffee import CheckIn, GroupRecord, Notice, RoundStatus
from bot.services.ports import UnitOfWork
from tests.storage.coffee_setup import NOW, scheduled_round


def test_a_round_starts_records_its_summary_and_ends(uow_factory: Callable[[], UnitOfWork], team_id: str) -> None:
    with uow_factory() as uow:
        program_id, round_id = scheduled_round(uow, team_id)
        uow.coffee_rounds.mark_started(team_id, round_id, 6, NOW)
        uow.commit()
    with uow_factory() as uow:
        started = uow.coffee_rounds.round(team_id, round_id)
        assert started is not None and (started.status, started.pool_size) == (RoundStatus.STARTED, 6)
        assert uow.coffee_rounds.latest_started_round(team_id, program_id) == started
        assert uow.coffee_rounds.next_scheduled_round(team_id, program_id) is None
        uow.coffee_rounds.record_summary(team_id, round_id, "1.000", NOW)
        uow.coffee_rounds.set_round_status(team_id, round_id, RoundStatus.DONE, NOW)
        uow.commit()
    with uow_factory() as uow:
        done = uow.coffee_rounds.round(team_id, round_id)
        assert done is not None and (done.status, done.summary_ts) == (RoundStatus.DONE, "1.000")
        assert uow.coffee_rounds.round(team_id + "X", round_id) is None


def test_a_group_records_its_dm_messages_errors_and_one_final_met(
    uow_factory: Callable[[], UnitOfWork], team_id: str
) -> None:
    with uow_factory() as uow:
        _, round_id = scheduled_round(uow, team_id)
        uow.coffee_rounds.add_groups(team_id, round_id, [(("UA", "UB"), "different teams")])
        (group,) = uow.coffee_rounds.groups(team_id, round_id)
        uow.coffee_rounds.set_group_channel(team_id, group.id, "GAB")
        uow.coffee_rounds.record_group_error(team_id, group.id, "ratelimited")
        uow.coffee_rounds.record_intro(team_id, group.id, "2.000")
        uow.coffee_rounds.record_check_in(team_id, group.id, "3.000")
        assert uow.coffee_rounds.answer_group(team_id, group.id, CheckIn.SCHEDULED, "UA", NOW)
        assert uow.coffee_rounds.answer_group(team_id, group.id, CheckIn.MET, "UB", NOW)
        assert not uow.coffee_rounds.answer_group(team_id, group.id, CheckIn.NOT_THIS_TIME, "UA", NOW), "met is final"
        uow.coffee_rounds.add_notices(team_id, round_id, [Notice(round_id, "UC", "odd_one_out", "Sorry!")])
        uow.coffee_rounds.mark_notice_sent(team_id, round_id, "UC", NOW)
        uow.commit()
    with uow_factory() as uow:
        assert uow.coffee_rounds.group(team_id, group.id) == GroupRecord(
            group.id, team_id, round_id, ("UA", "UB"), "different teams", "GAB", "2.000", "3.000", CheckIn.MET, "UB"
        )
        assert uow.coffee_rounds.notices(team_id, round_id) == [Notice(round_id, "UC", "odd_one_out", "Sorry!", True)]
        assert uow.coffee_rounds.group(team_id + "X", group.id) is None
