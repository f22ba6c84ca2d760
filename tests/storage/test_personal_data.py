"""Export and forget on real SQLite and PostgreSQL: everything about one person, nothing about anyone else."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.clock import ManualClock
from bot.domain.insight.goals import Goal, GoalKind
from bot.domain.mentoring import MentoringProfile, Role
from bot.domain.mentoring.programme import MatchStatus, ProgrammeSettings
from bot.domain.models import InteractionKind, InteractionSource, NewInteraction, Person
from bot.domain.nudges import NudgeKind
from bot.services.data_rights import DataRightsService
from storage.db import make_session_factory
from storage.models import (
    Base,
    CoffeeAvoidRow,
    CoffeeFairnessRow,
    CoffeeGroupRow,
    CoffeeMemberRow,
    CoffeeNoticeRow,
    CoffeeProfileRow,
    CoffeeProgramRow,
    CoffeeRoundRow,
)
from storage.repositories.personal_data import ANONYMOUS_PREFIX
from storage.uow import SqlUnitOfWork

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)
ME, ANA, BEN = "U0FORGET01", "U0ANAKEEP1", "U0BENKEEP1"


def seed(engine: Engine, team_id: str) -> None:
    factory = make_session_factory(engine)
    with SqlUnitOfWork(factory) as uow:
        uow.workspaces.ensure(team_id, NOW)
        for user in (ME, ANA, BEN):
            uow.people.upsert(Person(team_id, user, user.lower(), department="eng"), NOW)
        mine = uow.interactions.add(
            NewInteraction(
                team_id,
                ME,
                NOW,
                InteractionKind.COFFEE,
                "=HYPERLINK(1) my note",
                InteractionSource.COMMAND,
                (ANA,),
                ("x",),
            ),
            NOW,
        )
        uow.interactions.add(
            NewInteraction(
                team_id, ANA, NOW, InteractionKind.LUNCH, "ana's note", InteractionSource.COMMAND, (ME, BEN)
            ),
            NOW,
        )
        uow.nudges.add(team_id, ME, ANA, NudgeKind.FOLLOW_UP, NOW, NOW, interaction_id=mine.id)
        uow.nudges.add(team_id, ANA, ME, NudgeKind.FOLLOW_UP, NOW, NOW)
        uow.cadences.upsert(team_id, ME, ANA, 30, NOW, NOW, NOW)
        uow.cadences.upsert(team_id, BEN, ME, 30, NOW, NOW, NOW)
        uow.insight.set_goal(team_id, ME, Goal(GoalKind.NEW_PEOPLE, 3), NOW)
        uow.reviews.ensure(team_id, ME, NOW, NOW)
        seed_mentoring(uow, team_id)
        uow.commit()
    with Session(engine) as session:
        program = CoffeeProgramRow(
            team_id=team_id, channel_id="C0COFFEE01", status="active", cadence_weeks=1, weekday=0, local_minute=600,
            tz="UTC", group_size=2, pool_mode="anyone", opt_in="all", set_up_by=ME, created_at=NOW, updated_at=NOW,
        )  # fmt: skip
        session.add(program)
        session.flush()
        round_ = CoffeeRoundRow(
            team_id=team_id, program_id=program.id, status="done", regular=True, seed=1, heads_up_at=NOW,
            starts_at=NOW, check_in_at=NOW, ends_at=NOW, pool_size=3, created_at=NOW, updated_at=NOW,
        )  # fmt: skip
        session.add(round_)
        session.flush()
        session.add_all(
            [
                CoffeeMemberRow(program_id=program.id, user_id=ME, team_id=team_id, updated_at=NOW),
                CoffeeMemberRow(program_id=program.id, user_id=ANA, team_id=team_id, updated_at=NOW),
                CoffeeProfileRow(team_id=team_id, user_id=ME, intro="I like chess", updated_at=NOW),
                CoffeeAvoidRow(team_id=team_id, user_id=ME, avoided_id=BEN, created_at=NOW),
                CoffeeAvoidRow(team_id=team_id, user_id=BEN, avoided_id=ME, created_at=NOW),
                CoffeeGroupRow(
                    team_id=team_id, round_id=round_.id, member_ids=f"{ANA},{ME}", reason="r", answered_by=ME
                ),
                CoffeeNoticeRow(round_id=round_.id, user_id=ME, team_id=team_id, reason="odd", text="t"),
                CoffeeFairnessRow(program_id=program.id, user_id=ME, team_id=team_id),
            ]
        )
        session.commit()


def seed_mentoring(uow: SqlUnitOfWork, team_id: str) -> None:
    """I mentor Ana (and declined Ben, with a reason), I ran a cycle, and I manage the programme."""
    uow.mentor_profiles.save(team_id, MentoringProfile(ME, Role.MENTOR, teaches=("go",), capacity=2), True, NOW)
    uow.mentor_profiles.save_programme(team_id, ProgrammeSettings(managers=(ANA, ME)), NOW)
    cycle = uow.mentor_matches.add_cycle(team_id, "published", ME, 1, True, NOW)
    _, declined = uow.mentor_matches.add_matches(
        team_id,
        cycle,
        [(ANA, ME, MatchStatus.ACTIVE, 1, "w"), (BEN, ME, MatchStatus.REQUESTED, 1, "w")],
        NOW,
    )
    uow.mentor_matches.decline(team_id, declined, f"busy, {ME}", NOW)


def rows_naming(engine: Engine, team_id: str, user_id: str) -> list[str]:
    """Every table and column (of this workspace's rows) that still holds ``user_id`` anywhere in a text value."""
    found = []
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            if "team_id" not in table.c:
                continue
            for row in connection.execute(select(table).where(table.c.team_id == team_id)).mappings():
                found += [f"{table.name}.{key}" for key, value in row.items() if user_id in str(value)]
    return found


def test_forget_leaves_no_row_naming_the_person(engine: Engine, team_id: str) -> None:
    seed(engine, team_id)
    service = DataRightsService(lambda: SqlUnitOfWork(make_session_factory(engine)), ManualClock(NOW))
    assert rows_naming(engine, team_id, ME)
    assert service.forget(team_id, ME) > 0
    assert rows_naming(engine, team_id, ME) == []
    with Session(engine) as session:
        [group] = session.scalars(select(CoffeeGroupRow).where(CoffeeGroupRow.team_id == team_id))
        anon = group.member_ids.split(",")[1]
        assert anon.startswith(ANONYMOUS_PREFIX) and group.answered_by == anon, "one token across tables"
        avoids = {
            (a.user_id, a.avoided_id)
            for a in session.scalars(select(CoffeeAvoidRow).where(CoffeeAvoidRow.team_id == team_id))
        }
        assert avoids == {(BEN, anon)}, "my avoid list is gone; Ben's choice stays, aimed at the token"
    assert rows_naming(engine, team_id, "ana's note"), "Ana's own log is hers: it stays"
    assert service.forget(team_id, ME) == 0, "idempotent"


def test_export_holds_my_rows_only_with_safe_csv(engine: Engine, team_id: str) -> None:
    seed(engine, team_id)
    service = DataRightsService(lambda: SqlUnitOfWork(make_session_factory(engine)), ManualClock(NOW))
    export = service.export(team_id, ME)
    document = json.loads(export.files["rapport-export.json"])
    sections = document["sections"]
    assert [i["notes"] for i in sections["interactions"]] == ["=HYPERLINK(1) my note"]
    assert {n["contact_id"] for n in sections["follow_ups"]} == {ANA}
    assert sections["coffee_intro"][0]["intro"] == "I like chess" and len(sections["coffee_groups"]) == 1
    assert sections["goals"][0]["kind"] == "new_people"
    assert "ana's note" not in export.files["rapport-export.json"].decode()
    assert sections["mentoring_profile"][0]["teaches"] == '["go"]' and len(sections["mentoring_matches"]) == 2
    assert any(m["decline_reason"] for m in sections["mentoring_matches"]), "my own decline reason is mine"
    ben = json.loads(service.export(team_id, BEN).files["rapport-export.json"])["sections"]
    assert [sorted(m) for m in ben["mentoring_matches"]] and "decline_reason" not in ben["mentoring_matches"][0]
    table = list(csv.DictReader(io.StringIO(export.files["rapport-interactions.csv"].decode("utf-8-sig"))))
    assert table[0]["notes"] == "'=HYPERLINK(1) my note", "a spreadsheet shows it as text, never runs it"


def test_people_deactivated_longer_than_the_retention_are_forgotten(engine: Engine, team_id: str) -> None:
    from datetime import timedelta

    seed(engine, team_id)
    factory = make_session_factory(engine)
    clock = ManualClock(NOW)
    service = DataRightsService(lambda: SqlUnitOfWork(factory), clock, timedelta(days=90))
    with SqlUnitOfWork(factory) as uow:
        uow.people.upsert(Person(team_id, ME, "me", deleted=True), NOW)  # Slack says: deactivated
        uow.commit()
    clock.advance(timedelta(days=89))
    with SqlUnitOfWork(factory) as uow:
        uow.people.upsert(Person(team_id, ME, "me", deleted=True), clock.now())  # seen again: the date stays
        uow.commit()
    service.forget_departed()  # other tests' people in this database may be due; this one is not yet
    assert rows_naming(engine, team_id, ME), "89 days: still kept"
    clock.advance(timedelta(days=2))
    assert service.forget_departed() >= 1
    assert rows_naming(engine, team_id, ME) == []


def test_someone_reactivated_is_not_forgotten(engine: Engine, team_id: str) -> None:
    from datetime import timedelta

    seed(engine, team_id)
    factory = make_session_factory(engine)
    clock = ManualClock(NOW)
    service = DataRightsService(lambda: SqlUnitOfWork(factory), clock, timedelta(days=90))
    with SqlUnitOfWork(factory) as uow:
        uow.people.upsert(Person(team_id, ME, "me", deleted=True), NOW)
        uow.people.upsert(Person(team_id, ME, "me", deleted=False), NOW + timedelta(days=1))
        uow.commit()
    clock.advance(timedelta(days=200))
    service.forget_departed()
    assert rows_naming(engine, team_id, ME), "back in Slack: nothing is forgotten"
