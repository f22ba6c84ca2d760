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


def test_the_home_outlook_shows_my_channels_next_round_and_current_group(
    uow_factory: Callable[[], UnitOfWork], team_id: str
) -> None:
    with uow_factory() as uow:
        running_program, running = scheduled_round(uow, team_id, "C1")
        uow.coffee_programmes.mark_in_channel(team_id, running_program, ["UA", "UB", "UC", "UAB"], NOW)
        uow.coffee_rounds.add_groups(team_id, running, [(("UB", "UAB"), "x"), (("UA", "UC"), "different teams")])
        uow.coffee_rounds.set_group_channel(team_id, uow.coffee_rounds.groups(team_id, running)[1].id, "GAC")
        uow.coffee_rounds.mark_started(team_id, running, 4, NOW)
        later_program, later = scheduled_round(uow, team_id, "C2")
        uow.coffee_programmes.mark_in_channel(team_id, later_program, ["UA"], NOW)
        left_program, _ = scheduled_round(uow, team_id, "C3")
        uow.coffee_programmes.mark_in_channel(team_id, left_program, ["UA"], NOW)
        uow.coffee_programmes.leave(team_id, left_program, "UA", NOW)
        uow.commit()
    with uow_factory() as uow:
        lines = uow.coffee_rounds.outlook(team_id, "UA", NOW, 3)
        later_round = uow.coffee_rounds.round(team_id, later)
        assert uow.coffee_rounds.outlook(team_id + "X", "UA", NOW, 3) == []
        assert [line.group_member_ids for line in uow.coffee_rounds.outlook(team_id, "UAB", NOW, 3)] == [("UB", "UAB")]
    assert later_round is not None
    assert [line.channel_id for line in lines] == ["C1", "C2"], "not the channel I left"
    assert lines[0].group_member_ids == ("UA", "UC") and lines[0].group_channel_id == "GAC"
    assert lines[0].next_round_at is None, "the running round is not the next one"
    assert lines[1].group_member_ids == () and lines[1].next_round_at == later_round.times.starts_at
