"""HomeService and the Home tab's blocks on real SQLite and PostgreSQL: first run, a busy person, Slack's limits."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import timedelta

import pytest

from bot.clock import ManualClock
from bot.domain.coffee import ProgramSettings, round_times
from bot.domain.insight.goals import Goal, GoalKind
from bot.domain.models import InteractionKind, InteractionSource, NewInteraction
from bot.domain.nudges import NudgeKind
from bot.sandbox.slack.blockkit import check_view
from bot.services.followups import FollowUpService
from bot.services.home import MAX_DUE_SHOWN, HomeService
from bot.services.insight import InsightService
from bot.services.mentoring.profiles import Summary as MentoringSummary
from bot.services.people import PeopleService
from bot.services.ports import UnitOfWork
from handlers.blocks.home import goal_modal, goal_text_from_form, home_view
from handlers.blocks.nudges import render_delivery
from tests.services.test_followups import RecordingSender
from tests.services.test_insight import ANA, BEN, ME, NOW, PEOPLE, CachedDirectory


@pytest.fixture
def home(uow_factory: Callable[[], UnitOfWork], team_id: str) -> HomeService:
    clock = ManualClock(NOW)
    directory = CachedDirectory(team_id)
    with uow_factory() as uow:
        uow.workspaces.ensure(team_id, NOW)
        for user in PEOPLE:
            person = directory.fetch_person(team_id, user)
            assert person is not None
            uow.people.upsert(person, NOW)
        uow.commit()
    people = PeopleService(uow_factory, directory, clock)
    followups = FollowUpService(uow_factory, people, clock, RecordingSender(), render_delivery, threads=1)
    insight = InsightService(uow_factory, people, clock)
    insight.change_goal(team_id, BEN, "4 new people a month")  # someone else's goal never shows on my tab
    return HomeService(uow_factory, people, insight, followups, clock)


def log_many(uow_factory: Callable[[], UnitOfWork], team_id: str, count: int) -> None:
    with uow_factory() as uow:
        for index in range(count):
            when = NOW - timedelta(hours=7 * index + 1)
            uow.interactions.add(
                NewInteraction(
                    team_id, ME, when, InteractionKind.COFFEE, f"note {index}", InteractionSource.COMMAND, (ANA,)
                ),
                when,
            )
        uow.commit()


def test_a_new_person_sees_what_rapport_does_and_one_way_in(home: HomeService, team_id: str) -> None:
    view = home.view(team_id, ME)
    assert view.first_run
    tab = home_view(view)
    assert check_view(tab) is None
    shown = str(tab)
    assert "Welcome to Rapport" in shown and "Log a meeting" in shown and "My network picture" not in shown


def test_a_busy_person_stays_inside_slacks_limits(
    home: HomeService, team_id: str, uow_factory: Callable[[], UnitOfWork]
) -> None:
    log_many(uow_factory, team_id, 2_000)
    with uow_factory() as uow:
        for index in range(12):
            uow.nudges.add(team_id, ME, BEN, NudgeKind.FOLLOW_UP, NOW - timedelta(days=index + 1), NOW)
        uow.commit()
    with uow_factory() as uow:
        uow.insight.set_goal(team_id, ME, Goal(GoalKind.NEW_PEOPLE, 4), NOW)
        uow.commit()
    view = home.view(team_id, ME)
    assert not view.first_run
    assert len(view.due) == MAX_DUE_SHOWN and view.more_due == 12 - MAX_DUE_SHOWN
    tab = home_view(view)
    assert check_view(tab) is None, check_view(tab)
    assert len(tab["blocks"]) < 100
    shown = str(tab)
    assert "Meet 4 new people a month" in shown and "…and 7 more" in shown and "note 1" not in shown


def test_the_goal_modal_feeds_the_same_grammar() -> None:
    assert check_view(goal_modal()) is None
    assert goal_text_from_form("new_people", "4") == "4 new people"
    assert goal_text_from_form("keep_in_touch", None) == "keep in touch"


def test_due_time_is_the_persons_own(home: HomeService, team_id: str) -> None:
    assert home.view(team_id, ME).tz == "America/Los_Angeles"


def test_my_coffee_channels_and_mentoring_are_on_the_tab(
    home: HomeService, team_id: str, uow_factory: Callable[[], UnitOfWork]
) -> None:
    log_many(uow_factory, team_id, 3)
    with uow_factory() as uow:
        settings = ProgramSettings(tz="UTC")
        program = uow.coffee_programmes.save_program(team_id, "C0COFFEE", settings, ANA, NOW)
        uow.coffee_programmes.mark_in_channel(team_id, program.id, [ME, ANA, BEN], NOW)
        round_ = uow.coffee_rounds.add_round(team_id, program.id, 1, round_times(settings, NOW - timedelta(days=1)),
                                             True, NOW - timedelta(days=2))  # fmt: skip
        uow.coffee_rounds.add_groups(team_id, round_.id, [((ME, BEN), "different teams")])
        uow.coffee_rounds.mark_started(team_id, round_.id, 3, NOW - timedelta(days=1))
        uow.coffee_rounds.add_round(team_id, program.id, 2, round_times(settings, NOW + timedelta(days=6)), True, NOW)
        uow.commit()
    view = home.view(team_id, ME)
    assert len(view.coffee) == 1 and view.coffee[0].group_member_ids == (ME, BEN)
    view = dataclasses.replace(view, mentoring=MentoringSummary(True, 1, 2, None))
    tab = home_view(view)
    assert check_view(tab) is None, check_view(tab)
    shown = str(tab)
    assert "<#C0COFFEE>" in shown and f"you're meeting <@{BEN}>" in shown and "Next round:" in shown
    assert "Active matches: *1*" in shown and "Requests waiting for your answer: *2*" in shown
    unprofiled = home_view(dataclasses.replace(view, mentoring=MentoringSummary(False, 0, 0, None)))
    assert "type `/mentor`" in str(unprofiled)
    assert "Mentoring" not in str(home_view(dataclasses.replace(view, mentoring=None)))
