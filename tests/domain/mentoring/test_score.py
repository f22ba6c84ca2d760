"""The pair score: eligibility, terms, presets, the vectorised block against the pair-by-pair formulas, and "why"."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings

from bot.domain.mentoring import Cycle, Exclusions, Preferences, Preset, ScoreModel, explain, score_pair
from bot.domain.mentoring.cycle import cycle_pool
from bot.domain.mentoring.score import INELIGIBLE, PRESETS, SKILL_RANK_POINTS
from tests.domain.mentoring.builders import cycles, person

PROPERTY = settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])


def test_no_skill_overlap_scores_nothing_whatever_else_fits() -> None:
    mentee = person("E1", learns=["negotiation"], team="A", years=1.0, goals="lead teams")
    mentor = person("M1", teaches=["python"], team="B", years=8.0, goals="lead teams")
    pair = score_pair(mentee, mentor, Preset.BALANCED)
    assert pair.score == INELIGIBLE and not pair.eligible
    assert pair.time == 1000 and pair.cross_team == 1000 and pair.goals > 0  # everything else fits


def test_the_mentees_priority_order_weighs_the_skills() -> None:
    mentee = person("E1", learns=["negotiation", "python", "writing"])
    first = score_pair(mentee, person("M1", teaches=["negotiation"]), Preset.BALANCED)
    second = score_pair(mentee, person("M2", teaches=["python"]), Preset.BALANCED)
    both = score_pair(mentee, person("M3", teaches=["negotiation", "python"]), Preset.BALANCED)
    assert (first.skills, second.skills, both.skills) == (1000, 600, 1600)
    assert both.score > first.score > second.score
    assert SKILL_RANK_POINTS[:4] == (1000, 600, 360, 216)


def test_hard_rules() -> None:
    mentee = person("E1", learns=["python"], team="A", offset=0, prefs=Preferences(same_team_ok=False))
    assert not score_pair(mentee, person("M1", teaches=["python"], team="A"), Preset.BALANCED).eligible
    assert score_pair(mentee, person("M2", teaches=["python"], team="B"), Preset.BALANCED).eligible
    homebody = person("E2", learns=["python"], prefs=Preferences(other_zones_ok=False))
    assert not score_pair(homebody, person("M3", teaches=["python"], offset=120), Preset.BALANCED).eligible
    assert score_pair(homebody, person("M4", teaches=["python"], offset=60), Preset.BALANCED).eligible
    me = person("U1", teaches=["python"], learns=["python"])
    assert not score_pair(me, me, Preset.BALANCED).eligible
    other = person("M5", teaches=["python"])
    avoid = Exclusions(avoid=frozenset({frozenset(("M5", "U1"))}))
    assert not score_pair(me, other, Preset.BALANCED, avoid).eligible
    past = Exclusions(pairs=frozenset({("U1", "M5")}))
    assert not score_pair(me, other, Preset.BALANCED, past).eligible


def test_presets_are_named_weightings() -> None:
    mentee = person("E1", learns=["python"], team="A")
    near_same_team = person("M1", teaches=["python"], team="A")
    far_other_team = person("M2", teaches=["python"], team="B", offset=540)
    scores = {
        p: (score_pair(mentee, near_same_team, p).score, score_pair(mentee, far_other_team, p).score) for p in Preset
    }
    assert scores[Preset.TIME_ZONES][0] > scores[Preset.TIME_ZONES][1]
    assert scores[Preset.CROSS_TEAM][0] < scores[Preset.CROSS_TEAM][1]
    assert {str(p) for p in Preset} == {"balanced", "skills first", "cross-team", "time zones"}


def test_why_reads_like_the_issue() -> None:
    mentee = person("E1", learns=["public speaking", "negotiation", "python"], team="A", hours=(9 * 60, 17 * 60))
    mentor = person("M1", teaches=["negotiation", "public speaking"], team="B", offset=-240)
    assert explain(score_pair(mentee, mentor, Preset.BALANCED)) == (
        "teaches *public speaking* and *negotiation*, your top two; 4 working hours overlap; different team"
    )
    third = person("M2", teaches=["python"], team="A", years=12.0, goals="python systems")
    line = explain(
        score_pair(
            person("E2", learns=["writing", "hiring", "python"], years=2.0, goals="learn systems"),
            third,
            Preset.BALANCED,
        )
    )
    assert (
        line == "teaches *python*, your #3; 8 working hours overlap; same team; shared goals: systems; "
        "10 more years of experience"
    )


@PROPERTY
@given(cycles())
def test_the_block_equals_the_pair_by_pair_formulas(cycle: Cycle) -> None:
    mentees, mentors = cycle_pool(cycle)
    if not mentees or not mentors:
        return
    model = ScoreModel(mentees, mentors, PRESETS[cycle.preset], cycle.exclusions)
    rows = np.arange(len(mentees))
    block = model.block(rows)
    assert np.array_equal(block, model.terms(rows)["score"])
    assert np.array_equal(model.block(rows, np.arange(len(mentors))[::-1]), block[:, ::-1])
    for i in range(len(mentees)):
        for j in range(len(mentors)):
            assert model.pair(i, j).score == block[i, j]
            assert (block[i, j] > INELIGIBLE) <= bool(model.shares_skill(np.array([i]))[0, j])
    assert block.max(initial=0) <= model.max_score()
