"""The `/met` grammar: examples from the issue, every bad input, and a never-raises property."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain import dates
from bot.domain.met_grammar import (
    GrammarError,
    ListCadences,
    ListHistory,
    LogMeeting,
    MetCommand,
    OpenLogModal,
    OpenSettings,
    SetCadence,
    ShowHelp,
    StopCadence,
    UndoLast,
    parse_met,
)
from bot.domain.models import InteractionKind

ME = "U0AUTHOR01"
DANA = "U0DANA0001"
LEE = "U0LEE00001"


def log(text: str) -> LogMeeting:
    parsed = parse_met(text, ME)
    assert isinstance(parsed, LogMeeting), parsed
    return parsed


def error(text: str) -> GrammarError:
    parsed = parse_met(text, ME)
    assert isinstance(parsed, GrammarError), parsed
    return parsed


def test_single_mention_defaults() -> None:
    parsed = log(f"<@{DANA}|dana>")
    assert parsed == LogMeeting(user_ids=(DANA,))


def test_full_example_from_the_issue() -> None:
    parsed = log(f"<@{DANA}|dana> <@{LEE}|lee> yesterday lunch — talked about the Q3 launch #launch #ops")
    assert parsed.user_ids == (DANA, LEE)
    assert parsed.date_phrase == "yesterday"
    assert parsed.kind is InteractionKind.LUNCH
    assert parsed.notes == "talked about the Q3 launch"
    assert parsed.tags == ("launch", "ops")


def test_comma_separates_notes_and_tags_anywhere() -> None:
    parsed = log(f"<@{DANA}|dana> yesterday coffee, talked about the #q3 launch")
    assert (parsed.kind, parsed.notes, parsed.tags) == (InteractionKind.COFFEE, "talked about the launch", ("q3",))


def test_raw_ids_and_unlabelled_mentions() -> None:
    assert log(f"{DANA} <@{LEE}> call").user_ids == (DANA, LEE)


def test_mentions_joined_by_and_or_commas() -> None:
    assert log(f"<@{DANA}|dana> and <@{LEE}|lee>").user_ids == (DANA, LEE)
    assert log(f"<@{DANA}|dana>, <@{LEE}|lee> friday").user_ids == (DANA, LEE)


def test_escaped_channel_mention_is_a_tag() -> None:
    assert log(f"<@{DANA}> <#C0123ABCD|launch>").tags == ("launch",)


@pytest.mark.parametrize(
    "phrase",
    ["today", "yesterday", "friday", "3 days ago", "last week", "2026-11-20", "on 20 Nov", "Nov 20", "a week ago"],
)
def test_date_phrases_are_recognised(phrase: str) -> None:
    parsed = log(f"<@{DANA}> {phrase} coffee")
    assert parsed.date_phrase is not None and parsed.date_phrase.lower() == phrase.lower()
    assert parsed.kind is InteractionKind.COFFEE


@pytest.mark.parametrize(
    ("word", "kind"),
    [("coffee", "coffee"), ("lunch", "lunch"), ("call", "call"), ("event", "event"), ("zoom", "online")],
)
def test_kinds_and_synonyms(word: str, kind: str) -> None:
    assert log(f"<@{DANA}> {word}").kind == InteractionKind(kind)


def test_words_that_merely_start_like_a_month_or_kind_are_notes() -> None:
    parsed = log(f"<@{DANA}> marketing 5 people")
    assert parsed.date_phrase is None and parsed.kind is None and parsed.notes == "marketing 5 people"


def test_follow_up_choices() -> None:
    assert log(f"<@{DANA}> follow up in 3d").follow_up_days == 3
    assert log(f"<@{DANA}> coffee follow-up in 2 weeks: hi").follow_up_days == 14
    assert log(f"<@{DANA}> no follow-up").no_follow_up


def test_author_named_with_others_is_dropped() -> None:
    assert log(f"<@{ME}> <@{DANA}>").user_ids == (DANA,)


def test_duplicates_are_collapsed() -> None:
    assert log(f"<@{DANA}> <@{DANA}|dana>").user_ids == (DANA,)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("yesterday coffee", "no_people"),
        ("talked about things", "no_people"),
        (f"<@{ME}|me>", "only_self"),
        ("@dana yesterday", "user_not_found"),
        (" ".join(f"<@U0PERSON{i:03d}>" for i in range(21)), "too_many_people"),
        (f"<@{DANA}> — " + "x" * 3001, "notes_too_long"),
        (f"<@{DANA}> follow up in 0d", "bad_follow_up"),
        ("list @nobody", "user_not_found"),
        (f"list <@{DANA}> <@{LEE}>", "bad_list"),
    ],
)
def test_bad_input_is_a_friendly_error(text: str, code: str) -> None:
    result = error(text)
    assert result.code == code
    assert result.message and "Traceback" not in result.message


def test_twenty_people_is_fine() -> None:
    assert len(log(" ".join(f"<@U0PERSON{i:03d}>" for i in range(20))).user_ids) == 20


def test_subcommands() -> None:
    assert isinstance(parse_met("", ME), OpenLogModal)
    assert isinstance(parse_met("   ", ME), OpenLogModal)
    assert isinstance(parse_met("help", ME), ShowHelp)
    assert isinstance(parse_met("undo", ME), UndoLast)
    assert parse_met("list", ME) == ListHistory()
    assert parse_met(f"list <@{DANA}|dana>", ME) == ListHistory(with_user=DANA)


NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
mention = st.sampled_from([f"<@{DANA}|dana>", f"<@{LEE}>", DANA, "@ghost", f"<@{ME}>", "<#C0123ABCD|ops>"])
word = st.sampled_from(
    [
        "yesterday",
        "today",
        "tomorrow",
        "friday",
        "3 days ago",
        "on 45 Nov",
        "2026-13-45",
        "2026-11-20",
        "0001-01-01",
        "1 Jan 1999",
        "in 3 days",
        "in an hour",
        "next week",
        "next friday",
        "tomorrow morning",
        "yesterday evening",
        "last night",
        "the day before yesterday",
        "100 years ago",
        "a week from now",
        "later today",
        "on 29 Feb",
        "coffee",
        "lunch",
        "—",
        ",",
        "#tag",
        "follow up in 999d",
        "every 30d",
        "monthly",
        "cadence",
        "off",
        "settings",
        "no follow-up",
        "list",
        "undo",
        "help",
        "and",
        "<",
        ">",
        "&",
        "&amp;",
        "&lt;",
        "`",
    ]
)
token = st.one_of(mention, word, st.text(max_size=12))


@settings(max_examples=400, deadline=None)
@given(st.lists(token, max_size=14).map(" ".join))
def test_any_text_yields_a_command_or_an_error_never_an_exception(text: str) -> None:
    parsed = parse_met(text, ME)
    assert isinstance(parsed, MetCommand | GrammarError)
    if isinstance(parsed, LogMeeting):
        assert parsed.user_ids and ME not in parsed.user_ids and len(parsed.user_ids) <= 20
        try:
            resolved = dates.resolve(parsed.date_phrase, NOW, "America/Los_Angeles")
        except dates.DateError as date_error:
            assert date_error.code in {"future", "no_such_day", "unparseable", "too_early"}
        else:
            assert resolved.at <= NOW and resolved.day >= dates.EARLIEST_DAY
        assert len(parsed.tags) <= 20


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_unicode_never_raises(text: str) -> None:
    assert parse_met(text, ME) is not None


@pytest.mark.parametrize(
    ("phrase", "days"),
    [("every 30d", 30), ("every 2 weeks", 14), ("monthly", 30), ("every quarter", 90), ("quarterly", 90)],
)
def test_keep_in_touch_while_logging(phrase: str, days: int) -> None:
    parsed = log(f"<@{DANA}> coffee {phrase} — catch up")
    assert parsed.cadence_days == days and parsed.kind is InteractionKind.COFFEE and parsed.notes == "catch up"


def test_cadence_subcommands() -> None:
    assert parse_met("cadence", ME) == ListCadences()
    assert parse_met(f"cadence <@{LEE}|lee> off", ME) == StopCadence(LEE)
    assert parse_met(f"cadence <@{LEE}|lee> monthly", ME) == SetCadence(LEE, 30)
    assert parse_met(f"cadence <@{LEE}> 45d", ME) == SetCadence(LEE, 45)
    assert parse_met("settings", ME) == OpenSettings()


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (f"<@{DANA}> every 2d", "bad_cadence"),
        (f"cadence <@{LEE}> sometimes", "bad_cadence"),
        ("cadence monthly", "bad_cadence"),
        (f"cadence <@{ME}> monthly", "only_self"),
        ("cadence @bob off", "user_not_found"),
    ],
)
def test_bad_cadences(text: str, code: str) -> None:
    assert error(text).code == code


@pytest.mark.parametrize(
    "phrase",
    [
        "in 3 days",
        "in 2 weeks",
        "in a week",
        "in an hour",
        "in a few days",
        "in a couple of weeks",
        "next week",
        "next month",
        "next friday",
        "next Jan",
        "tomorrow",
        "tomorrow morning",
        "Tomorrow  evening",
        "the day after tomorrow",
        "a week from now",
        "3 days from today",
        "this coming friday",
        "coming week",
        "later today",
    ],
)
def test_phrases_that_point_ahead_are_dates_and_refused(phrase: str) -> None:
    parsed = log(f"<@{DANA}> {phrase} coffee")
    assert parsed.date_phrase is not None and parsed.notes == "" and parsed.kind is InteractionKind.COFFEE
    assert " ".join(parsed.date_phrase.lower().split()) == " ".join(phrase.lower().split())
    with pytest.raises(dates.DateError) as raised:
        dates.resolve(parsed.date_phrase, NOW, "America/Los_Angeles")
    assert raised.value.code == "future"


def test_met_carol_in_3_days_is_not_logged_today() -> None:
    parsed = log(f"<@{DANA}|carol> in 3 days")
    assert parsed.notes == ""
    with pytest.raises(dates.DateError):
        dates.resolve(parsed.date_phrase, NOW, "UTC")


@pytest.mark.parametrize(
    ("text", "phrase", "notes"),
    [
        ("yesterday morning lunch", "yesterday", ""),
        ("friday evening dinner — offsite", "friday", "offsite"),
        ("on 20 Nov in the afternoon", "on 20 Nov", ""),
        ("this morning", "today", ""),
        ("earlier today call", "today", ""),
        ("last night dinner", "yesterday", ""),
        ("the day before yesterday", "2 days ago", ""),
        ("a year ago", "a year ago", ""),
        ("last year", "last year", ""),
    ],
)
def test_a_time_of_day_and_day_idioms_are_part_of_the_date(text: str, phrase: str, notes: str) -> None:
    parsed = log(f"<@{DANA}> {text}")
    assert (parsed.date_phrase, parsed.notes) == (phrase, notes)
    assert dates.resolve(parsed.date_phrase, NOW, "UTC").at <= NOW


@pytest.mark.parametrize(
    ("text", "notes"),
    [
        ("lunch great chat about hiring", "great chat about hiring"),
        ("in person at the offsite", "in person at the offsite"),
        ("next time bring cake", "next time bring cake"),
        ("coffee's on me next time", "coffee's on me next time"),
        ("tomorrow's roadmap", "tomorrow's roadmap"),
        ("yesterday — coffee next week", "coffee next week"),
    ],
)
def test_undashed_trailing_words_are_notes(text: str, notes: str) -> None:
    """The documented choice (see the module's Decisions): no dash needed unless notes start with a grammar word."""
    assert log(f"<@{DANA}> {text}").notes == notes


def test_at_most_twenty_tags() -> None:
    assert len(log(f"<@{DANA}> " + " ".join(f"#t{i}" for i in range(20))).tags) == 20
    assert len(log(f"<@{DANA}> #a #A #a").tags) == 1  # duplicates count once
    refused = error(f"<@{DANA}> " + " ".join(f"#t{i}" for i in range(500)))
    assert refused.code == "too_many_tags" and "up to 20 tags" in refused.message and "500" in refused.message


def test_note_length_is_counted_as_typed() -> None:
    assert log(f"<@{DANA}> — " + "&amp;" * 1000).notes == "&amp;" * 1000
    assert log(f"<@{DANA}> — " + "&lt;" * 3000).notes == "&lt;" * 3000
    refused = error(f"<@{DANA}> — " + "&amp;" * 3001)
    assert refused.code == "notes_too_long" and "3,001" in refused.message
