"""The matching cycle: invariants as hypothesis properties, then reasons, waitlist, "show another" and find."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain.mentoring import (
    Cycle,
    CycleResult,
    Exclusions,
    Preferences,
    Preset,
    UnmatchedReason,
    find_mentors,
    match_cycle,
    remaining_slots,
    score_pair,
    show_another,
)
from bot.domain.mentoring.cycle import cycle_pool
from tests.domain.mentoring.builders import (
    constrained_optimum,
    cycles,
    dense_scores,
    networkx_optimum,
    person,
)

PROPERTY = settings(max_examples=80, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])


def forbidden(cycle: Cycle, mentee: str, mentor: str) -> bool:
    return mentee == mentor or cycle.exclusions.forbids(mentee, mentor)


def shares_skill(cycle: Cycle, mentee: str, mentor: str) -> bool:
    learns = {p.user_id: set(p.profile.learns) for p in cycle.mentees}
    teaches = {p.user_id: set(p.profile.teaches) for p in cycle.mentors}
    return bool(learns[mentee] & teaches[mentor])


@PROPERTY
@given(cycles())
def test_capacity_exclusions_and_skill_overlap_always_hold(cycle: Cycle) -> None:
    result = match_cycle(cycle)
    load: dict[str, int] = {}
    pairs = set()
    for s in result.suggestions:
        load[s.mentor] = load.get(s.mentor, 0) + 1
        assert not forbidden(cycle, s.mentee, s.mentor)
        assert shares_skill(cycle, s.mentee, s.mentor)
        assert s.score > 0 and s.why.startswith("teaches ")
        pairs.add((s.mentee, s.mentor))
    assert all(load[m] <= cycle.free_slots.get(m, 0) for m in load)
    assert not any((b, a) in pairs for a, b in pairs)  # nobody mentors their own mentor in one cycle
    mentees = [s.mentee for s in result.suggestions]
    assert len(mentees) == len(set(mentees))
    in_pool = {p.user_id for p in cycle_pool(cycle)[0]}
    assert set(mentees) | {u.mentee for u in result.unmatched} == in_pool
    assert result.waitlist == {u.mentee for u in result.unmatched}


@PROPERTY
@given(cycles())
def test_objective_equals_an_independent_exact_solution(cycle: Cycle) -> None:
    result = match_cycle(cycle)
    model, w, capacity, _ = dense_scores(cycle)
    assert result.certificate.certified
    assert result.certificate.objective == constrained_optimum(model, w, capacity)
    assert result.certificate.bound >= result.certificate.objective


@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(cycles(max_mentees=6, max_mentors=3))
def test_objective_equals_networkx_blossom_on_slot_nodes(cycle: Cycle) -> None:
    model, w, capacity, _ = dense_scores(cycle)
    assert match_cycle(cycle).certificate.objective == constrained_optimum(model, w, capacity, networkx_optimum)


@PROPERTY
@given(cycles())
def test_waitlisted_mentees_are_matched_first(cycle: Cycle) -> None:
    """As many waitlisted mentees are matched as any assignment could match (counting them alone)."""
    result = match_cycle(cycle)
    model, w, capacity, _ = dense_scores(cycle)
    waiting = np.array([p.user_id in cycle.waitlisted for p in model.mentees], dtype=bool)
    only_waiting = np.where((w > -1) & waiting[:, None], 1, -1)
    most = constrained_optimum(model, only_waiting, capacity)
    assert sum(s.mentee in cycle.waitlisted for s in result.suggestions) == most


@PROPERTY
@given(cycles(), st.randoms(use_true_random=False))
def test_deterministic_for_a_seed_whatever_the_input_order(cycle: Cycle, rng: object) -> None:
    mentees, mentors = list(cycle.mentees), list(cycle.mentors)
    rng.shuffle(mentees)  # type: ignore[attr-defined]
    rng.shuffle(mentors)  # type: ignore[attr-defined]
    first, second = match_cycle(cycle), match_cycle(replace(cycle, mentees=mentees, mentors=mentors))
    assert first.suggestions == second.suggestions and first.unmatched == second.unmatched


@PROPERTY
@given(cycles())
def test_show_another_and_find_never_offer_a_pair_without_skill_overlap(cycle: Cycle) -> None:
    result = match_cycle(cycle)
    slots = remaining_slots(cycle, result)
    for mentee in cycle_pool(cycle)[0]:
        shown = {s.mentor for s in result.suggestions if s.mentee == mentee.user_id}
        other = show_another(mentee, cycle.mentors, slots, cycle.preset, cycle.exclusions, shown)
        if other is not None:
            assert other.mentor not in shown and slots[other.mentor] > 0
            assert shares_skill(cycle, mentee.user_id, other.mentor)
            assert not forbidden(cycle, mentee.user_id, other.mentor)
        for skill in mentee.profile.learns[:1]:
            for found in find_mentors(skill, mentee, cycle.mentors, slots, cycle.preset, cycle.exclusions):
                teacher = next(p for p in cycle.mentors if p.user_id == found.mentor)
                assert skill in teacher.profile.teaches and slots[found.mentor] > 0
                assert not forbidden(cycle, mentee.user_id, found.mentor)


def test_the_optimum_beats_the_greedy_choice() -> None:
    """Greedy gives Ann the best pair and leaves Bob out; the optimum matches both."""
    ann = person("E1", learns=["python", "writing"])
    bob = person("E2", learns=["python"])
    both = person("M1", teaches=["python", "writing"])
    writer = person("M2", teaches=["writing"])
    cycle = Cycle([ann, bob], [both, writer], {"M1": 1, "M2": 1})
    result = match_cycle(cycle)
    assert {(s.mentee, s.mentor) for s in result.suggestions} == {("E1", "M2"), ("E2", "M1")}
    assert result.unmatched == () and result.certificate.certified


def test_the_waitlisted_mentee_gets_the_last_slot_even_at_a_lower_score() -> None:
    strong = person("E1", learns=["python"], team="B", years=1.0)
    waiting = person("E2", learns=["writing", "python"], team="A", years=9.0)
    mentor = person("M1", teaches=["python"], team="A", years=10.0)
    cycle = Cycle([strong, waiting], [mentor], {"M1": 1})
    assert [s.mentee for s in match_cycle(cycle).suggestions] == ["E1"]
    result = match_cycle(replace(cycle, waitlisted=frozenset({"E2"})))
    assert [s.mentee for s in result.suggestions] == ["E2"]
    assert result.waitlist == {"E1"}
    assert (
        result.unmatched[0].text
        == "No mentor teaching *python* has capacity this cycle; you're first in line next cycle."
    )


def test_reasons_for_the_unmatched() -> None:
    mentees = [
        person("E1", learns=["negotiation"]),
        person("E2", learns=["python"]),
        person("E3", learns=["writing"], prefs=Preferences(same_team_ok=False)),
    ]
    mentors = [person("M1", teaches=["python"]), person("M2", teaches=["writing"])]
    cycle = Cycle(mentees, mentors, {"M1": 0, "M2": 1}, exclusions=Exclusions(avoid=frozenset()))
    result = match_cycle(cycle)
    reasons = {u.mentee: u for u in result.unmatched}
    assert reasons["E1"].reason is UnmatchedReason.NO_MENTOR_TEACHES
    assert (
        reasons["E1"].text == "No mentor in the programme teaches *negotiation* yet; you're first in line next cycle."
    )
    assert reasons["E2"].reason is UnmatchedReason.NO_CAPACITY
    assert reasons["E3"].reason is UnmatchedReason.NO_FITTING_MENTOR  # same team, and E3 said same team is not OK
    assert "history" in reasons["E3"].text and "M2" not in reasons["E3"].text
    assert result.suggestions == ()


def test_two_people_never_mentor_each_other_in_one_cycle() -> None:
    a = person("A", teaches=["python"], learns=["writing"])
    b = person("B", teaches=["writing"], learns=["python"])
    c = person("C", teaches=["python"], offset=540)  # no working hours shared with B: B would rather learn from A
    result = match_cycle(Cycle([a, b], [a, b, c], {"A": 1, "B": 1, "C": 1}))
    assert {(s.mentee, s.mentor) for s in result.suggestions} == {("A", "B"), ("B", "C")}
    assert result.certificate.branches == 2 and result.certificate.certified


def test_show_another_walks_down_the_ranking_and_find_ranks_by_the_same_score() -> None:
    mentee = person("E1", learns=["python", "writing"], offset=0)
    near = person("M1", teaches=["python", "writing"], team="B", offset=0)
    far = person("M2", teaches=["python"], team="B", offset=540)
    writer = person("M3", teaches=["writing"], team="B")
    slots = {"M1": 1, "M2": 1, "M3": 1}
    first = show_another(mentee, [near, far, writer], slots, Preset.BALANCED)
    assert first is not None and first.mentor == "M1"
    second = show_another(mentee, [near, far, writer], slots, Preset.BALANCED, shown={"M1"})
    assert second is not None and second.mentor == "M2"
    assert show_another(mentee, [near], {"M1": 0}, Preset.BALANCED) is None
    found = find_mentors("writing", mentee, [near, far, writer], slots, Preset.BALANCED)
    assert [f.mentor for f in found] == ["M1", "M3"]
    assert (
        found[0].score
        == score_pair(
            replace(mentee, profile=replace(mentee.profile, learns=("writing", "python"))), near, Preset.BALANCED
        ).score
    )


def test_empty_cycles() -> None:
    result = match_cycle(Cycle([], [], {}))
    assert result == CycleResult((), (), 0, frozenset(), result.certificate, 0)
    lonely = match_cycle(Cycle([person("E1", learns=["python"])], [], {}))
    assert lonely.unmatched[0].reason is UnmatchedReason.NO_MENTOR_TEACHES
