"""InteractionService on a real database, with the recording fake of Slack's directory."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.clock import ManualClock
from bot.domain.met_grammar import LogMeeting, parse_met
from bot.domain.models import InteractionKind, InteractionSource, Person
from bot.services.interactions import InteractionService, Logged, Rejected
from bot.services.people import PeopleService
from tests.fakes import FakeDirectory

NOW = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)  # Wed 10:00 in Los Angeles
ME, DANA, LEE, BOT, GONE = "U0AUTHOR01", "U0DANA0001", "U0LEE00001", "U0BOT00001", "U0GONE0001"


@pytest.fixture
def directory(team_id: str) -> FakeDirectory:
    return FakeDirectory(
        [
            Person(team_id, ME, "me", real_name="Me Author", tz="America/Los_Angeles"),
            Person(team_id, DANA, "dana", real_name="Dana Scully", display_name="Dana", tz="Europe/London"),
            Person(team_id, LEE, "lee", real_name="Lee Adama"),
            Person(team_id, BOT, "otherbot", is_bot=True),
            Person(team_id, GONE, "gone", deleted=True),
        ]
    )


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def service(uow_factory, directory: FakeDirectory, clock: ManualClock) -> InteractionService:  # type: ignore[no-untyped-def]
    return InteractionService(uow_factory, PeopleService(uow_factory, directory, clock), clock)


def command(text: str) -> LogMeeting:
    parsed = parse_met(text, ME)
    assert isinstance(parsed, LogMeeting)
    return parsed


def test_log_stores_in_the_authors_zone_and_labels_people(service: InteractionService, team_id: str) -> None:
    outcome = service.log_meeting(team_id, ME, command(f"<@{DANA}> <@{LEE}> yesterday lunch — Q3 #launch"))
    assert isinstance(outcome, Logged)
    assert outcome.interaction.happened_at == datetime(2026, 11, 24, 20, 0, tzinfo=UTC)  # noon in LA
    assert outcome.labels == {DANA: "Dana", LEE: "Lee Adama"}
    assert outcome.author.today == date(2026, 11, 25)
    history = service.history(team_id, ME)
    assert [e.id for e in history.entries] == [outcome.interaction.id]
    assert history.entries[0].notes == "Q3" and history.entries[0].kind is InteractionKind.LUNCH


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (f"<@{BOT}>", "bot"),
        (f"<@{GONE}>", "deleted"),
        ("<@U0NOBODY01>", "not_found"),
        (f"<@{DANA}> tomorrow", "future"),
        (f"<@{DANA}> on 31 Nov", "no_such_day"),
    ],
)
def test_rejections_store_nothing(service: InteractionService, team_id: str, text: str, code: str) -> None:
    outcome = service.log_meeting(team_id, ME, command(text))
    assert isinstance(outcome, Rejected) and outcome.code == code
    assert service.history(team_id, ME).entries == []


def test_directory_is_cached(service: InteractionService, directory: FakeDirectory, team_id: str) -> None:
    service.log_meeting(team_id, ME, command(f"<@{DANA}>"))
    service.log_meeting(team_id, ME, command(f"<@{DANA}>"))
    assert directory.calls.count(DANA) == 1


def test_slack_down_with_nothing_cached_is_a_retry_message(
    service: InteractionService, directory: FakeDirectory, team_id: str
) -> None:
    directory.error = "service_unavailable"
    outcome = service.log_meeting(team_id, ME, command(f"<@{DANA}>"))
    assert isinstance(outcome, Rejected) and "try again" in outcome.message


def test_form_validation_reports_each_field(service: InteractionService, team_id: str) -> None:
    outcome = service.log_from_form(team_id, ME, (ME,), date(2026, 12, 1), InteractionKind.CALL, "x" * 3001, 7)
    assert isinstance(outcome, Rejected)
    assert set(outcome.field_errors) == {"people", "date", "notes"}
    outcome = service.log_from_form(team_id, ME, (BOT,), None, InteractionKind.CALL, "", 7)
    assert isinstance(outcome, Rejected) and "bot" in outcome.field_errors["people"]


def test_form_logs_with_follow_up_choice(service: InteractionService, team_id: str) -> None:
    outcome = service.log_from_form(team_id, ME, (DANA, ME), date(2026, 11, 20), InteractionKind.CALL, " hi ", 14)
    assert isinstance(outcome, Logged)
    stored = outcome.interaction
    assert stored.participant_ids == (DANA,) and stored.notes == "hi" and stored.follow_up_days == 14
    assert stored.source is InteractionSource.MODAL
    assert stored.happened_at == datetime(2026, 11, 20, 20, 0, tzinfo=UTC)


def test_no_follow_up_is_stored_as_zero(service: InteractionService, team_id: str) -> None:
    outcome = service.log_meeting(team_id, ME, command(f"<@{DANA}> no follow-up"))
    assert isinstance(outcome, Logged) and outcome.interaction.follow_up_days == 0


def test_undo_and_delete_only_touch_the_authors_entries(service: InteractionService, team_id: str) -> None:
    assert service.undo_last(team_id, ME) is None
    first = service.log_meeting(team_id, ME, command(f"<@{DANA}> coffee"))
    second = service.log_meeting(team_id, ME, command(f"<@{LEE}> call"))
    assert isinstance(first, Logged) and isinstance(second, Logged)
    assert service.delete(team_id, DANA, first.interaction.id) is None
    undone = service.undo_last(team_id, ME)
    assert undone is not None and undone.interaction.id == second.interaction.id
    assert [e.id for e in service.history(team_id, ME).entries] == [first.interaction.id]


def test_a_form_submission_is_stored_once_per_key(service: InteractionService, team_id: str) -> None:
    first = service.log_from_form(team_id, ME, (DANA,), None, InteractionKind.CALL, "hi", 7, submission_key="k1")
    again = service.log_from_form(team_id, ME, (DANA,), None, InteractionKind.CALL, "hi", 7, submission_key="k1")
    assert isinstance(first, Logged) and isinstance(again, Logged)
    assert not first.repeated and again.repeated and again.interaction.id == first.interaction.id
    other = service.log_from_form(team_id, ME, (DANA,), None, InteractionKind.CALL, "hi", 7, submission_key="k2")
    assert isinstance(other, Logged) and not other.repeated
    assert len(service.history(team_id, ME).entries) == 2
    assert service.delete(team_id, ME, first.interaction.id) is not None
    # The key lives on the entry: once it is undone, sending the form again logs it again (still one entry).
    back = service.log_from_form(team_id, ME, (DANA,), None, InteractionKind.CALL, "hi", 7, submission_key="k1")
    assert isinstance(back, Logged) and not back.repeated
    assert len(service.history(team_id, ME).entries) == 2


def test_check_form_needs_no_slack_and_no_database(service: InteractionService, directory: FakeDirectory) -> None:
    directory.error = "service_unavailable"
    assert service.check_form(ME, (DANA,), date(2026, 11, 20), "ok", 7) == {}
    errors = service.check_form(ME, (), date(2027, 1, 1), "x" * 3001, 99999999)
    assert set(errors) == {"people", "date", "notes", "follow_up"}
