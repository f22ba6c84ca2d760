"""PrepService on real SQLite and PostgreSQL: a brief from the asker's own log only."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import ManualClock
from bot.domain.insight.prep import PrepBrief, shared_working_minutes, suggested_opener
from bot.domain.models import Interaction, InteractionKind, InteractionSource, NewInteraction, Person
from bot.domain.nudges import NudgeKind, WorkingHours
from bot.services.people import PeopleService
from bot.services.ports import UnitOfWork
from bot.services.prep import PrepRefusal, PrepService

NOW = datetime(2026, 12, 7, 17, 0, tzinfo=UTC)
ME, DANA, SAM, BOT, GONE = "U0ME000001", "U0DANA0001", "U0SAM00001", "U0BOT00001", "U0GONE0001"


class Directory:
    def __init__(self) -> None:
        self.people = {
            ME: ("me", "America/New_York", False, False),
            DANA: ("dana", "Europe/London", False, False),
            SAM: ("sam", "UTC", False, False),
            BOT: ("robot", "UTC", True, False),
            GONE: ("gone", "UTC", False, True),
        }

    def fetch_person(self, team_id: str, user_id: str) -> Person | None:
        if user_id not in self.people:
            return None
        name, tz, bot, deleted = self.people[user_id]
        return Person(team_id, user_id, name, tz=tz, title="Engineer", department="eng", is_bot=bot, deleted=deleted)

    def fetch_all(self, team_id: str) -> list[Person]:
        return [p for u in self.people if (p := self.fetch_person(team_id, u)) is not None]


@pytest.fixture
def service(uow_factory: Callable[[], UnitOfWork]) -> PrepService:
    clock = ManualClock(NOW)
    return PrepService(uow_factory, PeopleService(uow_factory, Directory(), clock), clock)


def log(
    uow_factory: Callable[[], UnitOfWork], team_id: str, author: str, who: str, days_ago: int, notes: str, *tags: str
) -> None:
    when = NOW - timedelta(days=days_ago)
    with uow_factory() as uow:
        uow.workspaces.ensure(team_id, NOW)
        interaction = uow.interactions.add(
            NewInteraction(
                team_id, author, when, InteractionKind.COFFEE, notes, InteractionSource.COMMAND, (who,), tags
            ),
            when,
        )
        uow.nudges.add(
            team_id, author, who, NudgeKind.FOLLOW_UP, NOW + timedelta(days=2), NOW, interaction_id=interaction.id
        )
        uow.commit()


def test_a_brief_from_my_own_log_only(
    service: PrepService, team_id: str, uow_factory: Callable[[], UnitOfWork]
) -> None:
    log(uow_factory, team_id, ME, DANA, 30, "talked about the Q3 launch", "launch")
    log(uow_factory, team_id, ME, DANA, 3, "", "launch", "hiring")
    log(uow_factory, team_id, SAM, DANA, 1, "SAM'S PRIVATE NOTE", "secret")  # someone else's log about Dana
    brief = service.brief(team_id, ME, DANA)
    assert isinstance(brief, PrepBrief)
    assert brief.person.label == "dana" and brief.local_now.tzinfo is not None
    assert brief.total_meetings == 2 and len(brief.interactions) == 2
    assert "SAM'S PRIVATE NOTE" not in repr(brief) and "secret" not in repr(brief)
    assert dict(brief.tags) == {"launch": 2, "hiring": 1}
    assert len(brief.open_follow_ups) == 2
    assert brief.opener.startswith("Last time (") and "talked about the Q3 launch" in brief.opener
    assert brief.shared_minutes == 180, "09:00–17:00 in New York and London share three hours"


@pytest.mark.parametrize(
    ("who", "says"),
    [(ME, "That's you!"), (BOT, "is a bot"), (GONE, "deactivated"), ("U0NOBODY01", "can't find")],
)
def test_no_brief_for_myself_bots_the_deactivated_or_strangers(
    service: PrepService, team_id: str, who: str, says: str
) -> None:
    refusal = service.brief(team_id, ME, who)
    assert isinstance(refusal, PrepRefusal) and says in refusal.text


def test_openers() -> None:
    def meeting(notes: str, *tags: str) -> Interaction:
        return Interaction(1, "T", ME, NOW, InteractionKind.CALL, notes, InteractionSource.COMMAND, (DANA,), tags)

    assert "First meeting" in suggested_opener("Dana", [], [])
    assert "No notes" in suggested_opener("Dana", [meeting("")], [])
    assert "#launch" in suggested_opener("Dana", [meeting("")], [("launch", 1)])
    long = suggested_opener("Dana", [meeting("x" * 500)], [])
    assert long.count("x") < 150 and "…" in long


def test_shared_working_minutes() -> None:
    la = WorkingHours(tz="America/Los_Angeles")
    sydney = WorkingHours(tz="Australia/Sydney")
    berlin = WorkingHours(tz="Europe/Berlin")
    assert shared_working_minutes(la, la, NOW) == 8 * 60
    assert shared_working_minutes(la, berlin, NOW) == 0
    assert shared_working_minutes(la, sydney, NOW) > 0


def test_the_brief_renders_inert_and_private(
    service: PrepService, team_id: str, uow_factory: Callable[[], UnitOfWork]
) -> None:
    from handlers.blocks.prep import prep_message

    log(uow_factory, team_id, ME, DANA, 3, "budget &lt;draft&gt; for Q3", "launch")
    with uow_factory() as uow:
        uow.coffee_programmes.set_intro(team_id, DANA, "Hi <!channel> I run <https://evil.example|the wiki>", NOW)
        uow.commit()
    brief = service.brief(team_id, ME, DANA)
    assert isinstance(brief, PrepBrief)
    text, blocks = prep_message(brief)
    shown = str(blocks)
    assert text == "Your brief for dana"
    assert "<!channel>" not in shown, "text Dana wrote pings nobody"
    assert "https://evil.example" in shown and "|the wiki>" not in shown, "a link shows its real address"
    assert "budget &lt;draft&gt; for Q3" in shown
    assert "Only you can see this brief" in shown and len(blocks) <= 10
