"""`/intro` text: two different people, not the introducer, and a reason; never raises."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.intro import IntroError, IntroRequest, parse_intro

ME, ANA, BEN = "U0ME000001", "U0ANA00001", "U0BEN00001"


def test_two_people_and_a_reason() -> None:
    assert parse_intro(f"<@{ANA}|ana> <@{BEN}|ben> — you both work on payments", ME) == IntroRequest(
        ANA, BEN, "you both work on payments"
    )


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (f"<@{ANA}> <@{ANA}> hi", "same person twice"),
        (f"<@{ANA}> <@{ME}> hi", "name the two people"),
        (f"<@{ANA}> hi", "exactly two people"),
        (f"<@{ANA}> <@{BEN}> <@U0CARA0001> hi", "exactly two people"),
        (f"<@{ANA}> <@{BEN}>", "Tell them why"),
        (f"<@{ANA}> <@{BEN}> " + "x" * 600, "under 500"),
        ("@ana @ben typed by hand", "exactly two people"),
    ],
)
def test_bad_intros_are_explained(text: str, says: str) -> None:
    result = parse_intro(text, ME)
    assert isinstance(result, IntroError) and says in result.message


@given(st.text(max_size=300))
def test_no_text_raises(text: str) -> None:
    assert isinstance(parse_intro(text, ME), IntroRequest | IntroError)
