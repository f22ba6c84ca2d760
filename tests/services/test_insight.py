"""InsightService on real SQLite and PostgreSQL: goals from /network goal, progress by the person's own calendar,
streaks, and reach — from their own log only."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import ManualClock
from bot.domain.insight.goals import GoalKind
from bot.domain.models import InteractionKind, InteractionSource, NewInteraction, Person
from bot.domain.nudges import NudgeKind, NudgeStatus
from bot.services.insight import InsightService
from bot.services.people import PeopleService
from bot.services.ports import UnitOfWork
from tests.storage.coffee_setup import scheduled_round

NOW = datetime(2026, 12, 7, 17, 0, tzinfo=UTC)  # Monday; 09:00 in Los Angeles
ME, ANA, BEN, CARA, DEV, OTHER = "U0ME000001", "U0ANA00001", "U0BEN00001", "U0CARA0001", "U0DEV00001", "U0OTHER001"
PEOPLE = {
    ME: ("eng", "America/Los_Angeles"),
    ANA: ("eng", "America/Los_Angeles"),
    BEN: ("sales", "Europe/Berlin"),
    CARA: ("ops", "Asia/Kolkata"),
    DEV: ("sales", "Europe/Berlin"),
    OTHER: ("eng", "UTC"),
}


class CachedDirectory:
    """users.info for the people above (insight itself reads only the cache)."""

    def __init__(self, team_id: str) -> None:
        self.team_id = team_id

    def fetch_person(self, team_id: str, user_id: str) -> Person | None:
        team, tz = PEOPLE[user_id]
        return Person(team_id, user_id, user_id.lower(), tz=tz, department=team)

    def fetch_all(self, team_id: str) -> list[Person]:
        return [p for u in PEOPLE if (p := self.fetch_person(team_id, u)) is not None]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def service(uow_factory: Callable[[], UnitOfWork], team_id: str, clock: ManualClock) -> InsightService:
    directory = CachedDirectory(team_id)
    with uow_factory() as uow:
        uow.workspaces.ensure(team_id, NOW)
        for user in PEOPLE:
            person = directory.fetch_person(team_id, user)
            assert person is not None
            uow.people.upsert(person, NOW)
        uow.commit()
    return InsightService(uow_factory, PeopleService(uow_factory, directory, clock), clock)


def log(uow_factory: Callable[[], UnitOfWork], team_id: str, when: datetime, *who: str, author: str = ME) -> None:
    with uow_factory() as uow:
        uow.interactions.add(
            NewInteraction(team_id, author, when, InteractionKind.COFFEE, "", InteractionSource.COMMAND, who), when
        )
        uow.commit()


def test_goals_are_set_replaced_and_cleared(service: InsightService, team_id: str) -> None:
    assert service.change_goal(team_id, ME, "4 new people a month").text.startswith(
        "Goal set: meet 4 new people a month."
    )
    assert service.change_goal(team_id, ME, "new 6").ok
    [report] = service.goal_reports(team_id, ME)
    assert report.progress.goal.target == 6
    bad = service.change_goal(team_id, ME, "10,000 new people a month")
    assert not bad.ok and "pick between 1 and 50" in bad.text
    assert [r.progress.goal.target for r in service.goal_reports(team_id, ME)] == [6], "a bad goal changes nothing"
    assert service.change_goal(team_id, ME, "off new").text == "Goal cleared."
    assert service.change_goal(team_id, ME, "off").text == "You had no goal like that to clear."
    assert service.goal_reports(team_id, ME) == []


def test_new_people_count_by_the_persons_own_month_with_a_streak(
    service: InsightService, team_id: str, uow_factory: Callable[[], UnitOfWork]
) -> None:
    service.change_goal(team_id, ME, "2 new people a month")
    # 30 Nov 20:00 in Los Angeles is already 1 Dec in UTC: it belongs to November for this person.
    log(uow_factory, team_id, datetime(2026, 12, 1, 4, 0, tzinfo=UTC), ANA)
    log(uow_factory, team_id, datetime(2026, 11, 10, tzinfo=UTC), BEN)
    log(uow_factory, team_id, datetime(2026, 10, 5, tzinfo=UTC), CARA, DEV)
    log(uow_factory, team_id, datetime(2026, 12, 3, tzinfo=UTC), BEN)  # met before: not new
    log(uow_factory, team_id, datetime(2026, 12, 4, tzinfo=UTC), OTHER)
    log(uow_factory, team_id, datetime(2026, 12, 4, tzinfo=UTC), ANA, author=OTHER)  # someone else's log
    [report] = service.goal_reports(team_id, ME)
    assert report.window.label == "December 2026"
    assert (report.progress.value, report.progress.met) == (1, False)
    assert report.streak == 2, "October (Cara, Dev) and November (Ana, Ben) met the goal"


def test_outside_team_and_follow_through(
    service: InsightService, team_id: str, uow_factory: Callable[[], UnitOfWork]
) -> None:
    service.change_goal(team_id, ME, "2 people outside my team a quarter")
    service.change_goal(team_id, ME, "follow up on 50%")
    log(uow_factory, team_id, datetime(2026, 11, 2, tzinfo=UTC), ANA, BEN)
    log(uow_factory, team_id, datetime(2026, 12, 2, tzinfo=UTC), BEN, CARA)
    with uow_factory() as uow:
        ids = [
            uow.nudges.add(team_id, ME, contact, NudgeKind.FOLLOW_UP, datetime(2026, 12, day, tzinfo=UTC), NOW)
            for contact, day in ((ANA, 2), (BEN, 3), (CARA, 4), (DEV, 30))
        ]
        uow.nudges.resolve(team_id, ME, ids[0], NudgeStatus.DONE, NOW)
        uow.nudges.resolve(team_id, ME, ids[1], NudgeStatus.DISMISSED, NOW)
        uow.commit()
    reports = {r.progress.goal.kind: r for r in service.goal_reports(team_id, ME)}
    outside = reports[GoalKind.OUTSIDE_TEAM]
    assert outside.window.label == "Q4 2026" and outside.progress.value == 2 and outside.progress.met
    follow = reports[GoalKind.FOLLOW_THROUGH]
    # Due so far: Ana (done) and Cara (open); Ben was "not needed" and Dev is not due until the 30th.
    assert follow.progress.value == 50 and follow.progress.met
    assert "1 of 2 follow-ups" in follow.progress.text


def test_reach(service: InsightService, team_id: str, uow_factory: Callable[[], UnitOfWork]) -> None:
    empty = service.reach(team_id, ME)
    assert empty.teams == 0
    log(uow_factory, team_id, datetime(2026, 9, 2, tzinfo=UTC), BEN)  # last quarter: Ben is not new this one
    log(uow_factory, team_id, datetime(2026, 11, 2, tzinfo=UTC), ANA, BEN)
    log(uow_factory, team_id, datetime(2026, 11, 20, tzinfo=UTC), CARA)
    log(uow_factory, team_id, datetime(2026, 12, 1, tzinfo=UTC), DEV)
    reach = service.reach(team_id, ME)
    assert dict(reach.meetings_by_team) == {"eng": 1, "sales": 2, "ops": 1}
    assert reach.teams == 3 and reach.time_zones == 3
    assert reach.new_cross_team_ties == 2, "Cara and Dev; Ben was met last quarter and Ana is on my team"
    assert 2.5 < reach.effective_teams < 3


def test_another_workspace_sees_nothing(
    service: InsightService, team_id: str, uow_factory: Callable[[], UnitOfWork]
) -> None:
    service.change_goal(team_id, ME, "new 2")
    log(uow_factory, team_id, NOW - timedelta(days=1), ANA)
    other_team = team_id[:-1] + ("X" if team_id[-1] != "X" else "Y")
    assert service.goal_reports(other_team, ME) == []
    assert service.reach(other_team, ME).teams == 0


def test_network_picture_from_my_own_log(
    service: InsightService, team_id: str, uow_factory: Callable[[], UnitOfWork]
) -> None:
    assert service.network_picture(team_id, ME).drawn == []
    log(uow_factory, team_id, datetime(2026, 11, 2, tzinfo=UTC), ANA, BEN)
    log(uow_factory, team_id, datetime(2026, 12, 2, tzinfo=UTC), BEN)
    log(uow_factory, team_id, datetime(2026, 12, 3, tzinfo=UTC), CARA, author=OTHER)  # not mine
    picture = service.network_picture(team_id, ME)
    assert [(t.user_id, t.team, t.meetings) for t in picture.drawn] == [(BEN, "sales", 2), (ANA, "eng", 1)]
    assert picture.drawn[0].last_met == datetime(2026, 12, 2, tzinfo=UTC)


def test_effectiveness_counts_without_naming_anyone(
    service: InsightService, team_id: str, uow_factory: Callable[[], UnitOfWork]
) -> None:
    log(uow_factory, team_id, datetime(2026, 12, 1, tzinfo=UTC), ANA)
    log(uow_factory, team_id, datetime(2026, 12, 2, tzinfo=UTC), ME, author=ANA)  # Ana logged it too, a day later
    log(uow_factory, team_id, datetime(2026, 12, 3, tzinfo=UTC), BEN)  # Ben did not
    log(uow_factory, team_id, datetime(2026, 11, 1, tzinfo=UTC), ME, author=BEN)  # a month earlier: no match
    figures = service.effectiveness(team_id, ME)
    assert (figures.meetings, figures.reciprocated) == (2, 1)
    assert figures.reciprocity == 0.5
    assert figures.coffee_groups == 0 and figures.coffee_conversion is None


def test_reach_growth_against_last_quarter(
    service: InsightService, team_id: str, uow_factory: Callable[[], UnitOfWork]
) -> None:
    log(uow_factory, team_id, datetime(2026, 8, 2, tzinfo=UTC), BEN)  # Q3: sales
    log(uow_factory, team_id, datetime(2026, 11, 2, tzinfo=UTC), BEN, CARA, ANA)  # Q4: sales, ops, eng
    reach = service.reach(team_id, ME)
    assert (reach.teams, reach.teams_last_quarter, reach.growth) == (3, 1, 2)


def test_coffee_groups_that_led_to_another_meeting(
    service: InsightService, team_id: str, uow_factory: Callable[[], UnitOfWork], clock: ManualClock
) -> None:
    """Only rounds of this workspace that ended in the last 90 days, only groups I was in, and a group counts once
    I logged a meeting with one of its members after the round ended."""
    with uow_factory() as uow:
        program_id, round_id = scheduled_round(uow, team_id)
        # Groups are made of the channel's members (a round marks them first).
        uow.coffee_programmes.mark_in_channel(team_id, program_id, [ME, ANA, BEN, CARA, DEV, OTHER], NOW)
        uow.coffee_rounds.add_groups(team_id, round_id, [((ME, ANA), "a"), ((BEN, ME, CARA), "b"), ((DEV, OTHER), "c")])
        round_ = uow.coffee_rounds.round(team_id, round_id)
        uow.commit()
    assert round_ is not None
    clock.set(round_.times.ends_at + timedelta(days=3))
    log(uow_factory, team_id, round_.times.ends_at - timedelta(days=1), ANA)  # before the round ended: not again
    log(uow_factory, team_id, round_.times.ends_at + timedelta(hours=2), CARA)
    figures = service.effectiveness(team_id, ME)
    assert (figures.coffee_groups, figures.coffee_second_meetings) == (2, 1)
    assert service.effectiveness(team_id, DEV).coffee_groups == 1
    assert service.effectiveness(team_id, "U0NOBODY01").coffee_groups == 0


def test_days_to_follow_up_are_the_latest_fifty_done(
    service: InsightService, team_id: str, uow_factory: Callable[[], UnitOfWork]
) -> None:
    """Each follow-up done in the window: days from its meeting to the Done; only the 50 that came due last."""
    start = NOW - timedelta(days=80)
    with uow_factory() as uow:
        for index in range(70):
            met = start + timedelta(days=index, hours=1)
            new = NewInteraction(team_id, ME, met, InteractionKind.COFFEE, "", InteractionSource.COMMAND, (ANA,))
            interaction = uow.interactions.add(new, met)
            due = met + timedelta(days=1)
            nudge = uow.nudges.add(team_id, ME, ANA, NudgeKind.FOLLOW_UP, due, met, interaction_id=interaction.id)
            if index % 7:  # every seventh is left open
                uow.nudges.resolve(team_id, ME, nudge, NudgeStatus.DONE, met + timedelta(days=index % 5))
        uow.commit()
    done = [index % 5 for index in range(70) if index % 7]
    assert len(done) > 50
    assert sorted(service.effectiveness(team_id, ME).days_to_follow_up) == sorted(map(float, done[-50:]))
