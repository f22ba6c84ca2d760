"""Reach and effectiveness figures."""

from __future__ import annotations

import math

import pytest

from bot.domain.insight.effectiveness import Effectiveness, as_percent, safe_aggregate
from bot.domain.insight.reach import Reach, effective_number, reach_sentence


def test_effective_number() -> None:
    assert effective_number({}) == 0
    assert effective_number({"a": 5}) == pytest.approx(1)
    assert effective_number({"a": 3, "b": 3, "c": 3}) == pytest.approx(3)
    assert 1 < effective_number({"a": 9, "b": 1}) < 2
    assert effective_number({"a": 2, "b": 0}) == pytest.approx(1)
    assert math.isfinite(effective_number({str(i): 1 for i in range(500)}))


def test_sentences_say_what_it_means() -> None:
    assert "No meetings" in reach_sentence(Reach({}, 0, 0))
    assert "inside one team" in reach_sentence(Reach({"eng": 4}, 1, 0, own_team="eng"))
    spread = reach_sentence(Reach({"eng": 2, "sales": 2, "ops": 2}, 3, 2, own_team="eng"))
    assert spread.startswith("Your meetings spread like 3 evenly visited teams (of 3 you met) across 3 time zones.")
    assert "2 new ties outside your team" in spread
    mostly_home = reach_sentence(Reach({"eng": 8, "sales": 1}, 2, 1, own_team="eng"))
    assert "Most were inside your own team (8 of 9)" in mostly_home


def test_effectiveness() -> None:
    figures = Effectiveness(4, 3, 2, 8, 2, 1, (1.0, 3.0, 8.0))
    assert figures.follow_through == 0.75 and as_percent(figures.follow_through) == "75%"
    assert figures.reciprocity == 0.25 and figures.coffee_conversion == 0.5
    assert figures.median_days_to_follow_up == 3.0
    nothing = Effectiveness(0, 0, 0, 0, 0, 0)
    assert as_percent(nothing.follow_through) == "—" and nothing.median_days_to_follow_up is None


def test_k_anonymity() -> None:
    assert safe_aggregate(4, 10) is None
    assert safe_aggregate(5, 10) == 10
