"""`/mentor` grammar: every form, and no input raises."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.domain.mentoring.grammar import (
    AddSkills,
    Find,
    ListSkills,
    MatchNow,
    MentorGrammarError,
    OpenProfile,
    OpenProgramme,
    RemoveSkills,
    ShowHelp,
    ShowStatus,
    parse_mentor,
)


def test_every_form() -> None:
    assert parse_mentor("") == OpenProfile()
    assert parse_mentor("  STATUS ") == ShowStatus()
    assert parse_mentor("help") == ShowHelp()
    assert parse_mentor("program") == parse_mentor("programme") == OpenProgramme()
    assert parse_mentor("match   now") == MatchNow()
    assert parse_mentor("find public speaking") == Find("public speaking")
    assert parse_mentor("skills") == ListSkills()
    assert parse_mentor("skills add Python, negotiation,, python") == AddSkills(("Python", "negotiation", "python"))
    assert parse_mentor("skills remove go") == RemoveSkills(("go",))
    for bad in ("find", "skills add", "skills drop x", "status please", "match later", "nonsense"):
        assert isinstance(parse_mentor(bad), MentorGrammarError), bad


@given(st.text())
def test_no_input_raises(text: str) -> None:
    parse_mentor(text)
