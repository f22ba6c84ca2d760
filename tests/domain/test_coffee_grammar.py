"""The `/coffee` grammar: every documented form, the refusals, and properties that no input raises."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.coffee_grammar import (
    AVOID_USAGE,
    Avoid,
    ChannelCommand,
    ClearIntro,
    CoffeeCommand,
    CoffeeGrammarError,
    Join,
    Leave,
    ListAvoided,
    OpenSettings,
    PauseMe,
    PauseProgramme,
    PersonalCommand,
    ResumeProgramme,
    SetIntro,
    ShowHelp,
    ShowIntroUsage,
    ShowStatus,
    SkipRound,
    StartNow,
    StopProgramme,
    Unavoid,
    parse_coffee,
)

DANA = "U0DANA0001"

DOCUMENTED: list[tuple[str, CoffeeCommand]] = [
    ("", OpenSettings()),
    ("help", ShowHelp()),
    ("status", ShowStatus()),
    ("pause", PauseProgramme()),
    ("resume", ResumeProgramme()),
    ("stop", StopProgramme()),
    ("now", StartNow()),
    ("join", Join()),
    ("leave", Leave()),
    ("skip", SkipRound()),
    ("pause until 2027-01-10", PauseMe("2027-01-10")),
    ("pause 2027-01-10", PauseMe("2027-01-10")),
    ("pause until next monday", PauseMe("next monday")),
    ("avoid", ListAvoided()),
    (f"avoid <@{DANA}|dana>", Avoid(DANA)),
    (f"avoid <@{DANA}>", Avoid(DANA)),
    (f"avoid {DANA}", Avoid(DANA)),
    (f"avoid <@{DANA}|dana> off", Unavoid(DANA)),
    (f"avoid <@{DANA}|dana> OFF", Unavoid(DANA)),
    ("intro Loves climbing and sourdough", SetIntro("Loves climbing and sourdough")),
    ("intro Ask me about &lt;sourdough&gt;  &amp; bread", SetIntro("Ask me about &lt;sourdough&gt;  &amp; bread")),
    ("intro off", ClearIntro()),
    ("intro", ShowIntroUsage()),
]


@pytest.mark.parametrize(("text", "expected"), DOCUMENTED)
def test_every_documented_form_parses_to_its_command(text: str, expected: CoffeeCommand) -> None:
    assert parse_coffee(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  STATUS  ", ShowStatus()),
        ("Join", Join()),
        ("\tpause\n", PauseProgramme()),
        ("pause until", PauseMe("until")),  # the service refuses "until" as a day, with its own message
        ("intro   two  spaces kept ", SetIntro("two  spaces kept")),
        ("INTRO Off", ClearIntro()),
    ],
)
def test_case_and_whitespace(text: str, expected: CoffeeCommand) -> None:
    assert parse_coffee(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "avoid dana",
        "avoid @dana",
        f"avoid <@{DANA}> <@{DANA}>",
        f"avoid <@{DANA}> please",
        f"avoid <@{DANA}> off now",
        "avoid <#C0123|general>",
        "avoid U12",
    ],
)
def test_avoid_needs_exactly_one_person(text: str) -> None:
    assert parse_coffee(text) == CoffeeGrammarError("bad_avoid", AVOID_USAGE)


@pytest.mark.parametrize("text", ["status please", "help me", "now now", "joins", "settings", "hello there"])
def test_anything_else_is_unknown_and_echoed(text: str) -> None:
    parsed = parse_coffee(text)
    assert parsed == CoffeeGrammarError("unknown", f"I don't know `/coffee {text}`. Try `/coffee help`.")


def test_a_long_unknown_command_is_echoed_cut_to_100_characters() -> None:
    parsed = parse_coffee("x" * 300)
    assert isinstance(parsed, CoffeeGrammarError)
    assert parsed.message == f"I don't know `/coffee {'x' * 100}`. Try `/coffee help`."


def test_help_avoid_and_intro_are_personal_the_rest_belong_to_a_channel() -> None:
    for text, command in DOCUMENTED:
        personal = text.split(" ")[0] in {"help", "avoid", "intro"}
        assert isinstance(command, PersonalCommand) == personal, text
        assert isinstance(command, ChannelCommand) == (not personal), text


mention = st.sampled_from([f"<@{DANA}|dana>", f"<@{DANA}>", DANA, "@dana", "<#C0123ABCD|ops>", "U1"])
VERBS = ["help", "status", "pause", "until", "resume", "stop", "now", "join", "leave", "skip", "avoid", "off", "intro"]
word = st.sampled_from([*VERBS, "2027-01-10", "next", "monday", "STATUS", "Pause", "—", "&amp;", "&lt;"])
token = st.one_of(mention, word, st.text(max_size=12))


@settings(max_examples=400, deadline=None)
@given(st.lists(token, max_size=8).map(" ".join))
def test_any_text_yields_a_command_or_an_error_never_an_exception(text: str) -> None:
    parsed = parse_coffee(text)
    assert isinstance(parsed, CoffeeCommand | CoffeeGrammarError)
    if isinstance(parsed, CoffeeGrammarError):
        assert parsed.code in {"unknown", "bad_avoid"} and parsed.message
        assert len(parsed.message) <= len("I don't know `/coffee `. Try `/coffee help`.") + 100


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_unicode_never_raises(text: str) -> None:
    assert isinstance(parse_coffee(text), CoffeeCommand | CoffeeGrammarError)


@given(st.text(min_size=1, max_size=80).filter(lambda s: s.strip() and s.strip().lower() != "off"))
def test_intro_keeps_the_line_as_typed(line: str) -> None:
    assert parse_coffee(f"intro {line}") == SetIntro(line.strip())


@given(st.text(min_size=1, max_size=40).filter(lambda s: s.split() and s.split()[0].lower() != "until"))
def test_pause_with_a_day_pauses_you_not_the_channel(day: str) -> None:
    expected = PauseMe(" ".join(day.split()))
    assert parse_coffee(f"pause {day}") == expected
    assert parse_coffee(f"pause until {day}") == expected


@given(st.from_regex(r"[UW][A-Z0-9]{6,12}", fullmatch=True), st.sampled_from(["", "|dana", "|dana.scully"]))
def test_any_mentioned_person_can_be_avoided_and_unavoided(user_id: str, label: str) -> None:
    assert parse_coffee(f"avoid <@{user_id}{label}>") == Avoid(user_id)
    assert parse_coffee(f"avoid {user_id} off") == Unavoid(user_id)
