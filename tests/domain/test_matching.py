"""Coffee matcher: invariants as seeded property tests, plus unit tests for reasons, explanations and fairness."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from itertools import combinations

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bot.domain.matching import (
    FairnessRecord,
    MatchPolicy,
    MatchResult,
    Member,
    PairHistory,
    PoolMode,
    WeightModel,
    fairness_after,
    match_round,
    pair_weight,
)
from bot.domain.matching.explain import shared_minutes

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
PROPERTY_SETTINGS = settings(
    max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)


@st.composite
def scenarios(draw: st.DrawFn, max_people: int = 14) -> tuple[list[Member], PairHistory, MatchPolicy, int]:
    """A pool with teams, time zones, some history, some blocks and a random policy."""
    n = draw(st.integers(0, max_people))
    members = [
        Member(
            f"U{i:03d}",
            team=draw(st.sampled_from("ABC")),
            tz_offset_minutes=draw(st.sampled_from((-480, -300, 0, 60, 330, 600))),
            work_start_minutes=draw(st.sampled_from((480, 540, 600))),
            work_end_minutes=draw(st.sampled_from((960, 1020, 1080))),
        )
        for i in range(n)
    ]
    pairs = [frozenset((a.user_id, b.user_id)) for a, b in combinations(members, 2)]
    last_met = {}
    blocked = set()
    for pair in pairs:
        roll = draw(st.integers(0, 9))
        if roll < 3:
            last_met[pair] = NOW - timedelta(days=draw(st.integers(0, 300)))
        elif roll == 3:
            blocked.add(pair)
    fairness = {
        m.user_id: FairnessRecord(1, 1, NOW - timedelta(weeks=1), NOW - timedelta(weeks=2))
        for m in members
        if draw(st.booleans())
    }
    policy = MatchPolicy(
        group_size=draw(st.integers(2, 4)),
        pool_mode=draw(st.sampled_from(list(PoolMode))),
        repeat_if_unavoidable=draw(st.booleans()),
    )
    return members, PairHistory(last_met, frozenset(blocked), fairness), policy, draw(st.integers(0, 2**32))


def _grouped_pairs(result: MatchResult) -> list[frozenset[str]]:
    return [frozenset(p) for g in result.groups for p in combinations(g.member_ids, 2)]


def check_invariants(members: list[Member], history: PairHistory, policy: MatchPolicy, result: MatchResult) -> None:
    """Everything that must hold for every round."""
    placed = [uid for g in result.groups for uid in g.member_ids]
    left_out = [u.user_id for u in result.unmatched]
    assert sorted(placed + left_out) == sorted(m.user_id for m in members)  # exactly once, never silence
    assert all(2 <= len(g.member_ids) <= 4 for g in result.groups)  # the programme's bounds
    assert all(g.reason for g in result.groups) and all(u.text for u in result.unmatched)
    team = {m.user_id: m.team for m in members}
    for pair in _grouped_pairs(result):
        assert pair not in history.blocked
        a, b = tuple(pair)
        if policy.pool_mode is PoolMode.ONLY_CROSS_TEAM:
            assert team[a] != team[b]
        if policy.pool_mode is PoolMode.ONLY_WITHIN_TEAM:
            assert team[a] == team[b]
    recent = [
        p for p in _grouped_pairs(result) if p in history.last_met and NOW - history.last_met[p] < policy.cooldown
    ]
    assert result.repeated_recent_pairs == len(recent)
    if not policy.repeat_if_unavoidable:
        assert not recent


@PROPERTY_SETTINGS
@given(scenarios())
def test_invariants_exact_path(scenario: tuple[list[Member], PairHistory, MatchPolicy, int]) -> None:
    members, history, policy, seed = scenario
    check_invariants(members, history, policy, match_round(members, history, policy, NOW, seed))


@settings(max_examples=12, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(max_people=130))
def test_invariants_relaxation_path(scenario: tuple[list[Member], PairHistory, MatchPolicy, int]) -> None:
    members, history, policy, seed = scenario
    policy = replace(policy, exact_limit=8, block_size=50)  # force blocks, the assignment relaxation and leftovers
    check_invariants(members, history, policy, match_round(members, history, policy, NOW, seed))


@PROPERTY_SETTINGS
@given(scenarios(), st.randoms(use_true_random=False))
def test_deterministic_for_a_seed_whatever_the_order(
    scenario: tuple[list[Member], PairHistory, MatchPolicy, int], shuffler: object
) -> None:
    members, history, policy, seed = scenario
    shuffled = list(members)
    shuffler.shuffle(shuffled)  # type: ignore[attr-defined]
    assert match_round(members, history, policy, NOW, seed) == match_round(shuffled, history, policy, NOW, seed)


@PROPERTY_SETTINGS
@given(scenarios())
def test_recent_partners_only_when_unavoidable(scenario: tuple[list[Member], PairHistory, MatchPolicy, int]) -> None:
    members, history, policy, seed = scenario
    lenient = match_round(members, history, replace(policy, repeat_if_unavoidable=True), NOW, seed)
    if lenient.repeated_recent_pairs:
        # A recent pair was used: without it, someone would have been left out.
        strict = match_round(members, history, replace(policy, repeat_if_unavoidable=False), NOW, seed)
        assert strict.unmatched


@PROPERTY_SETTINGS
@given(scenarios(max_people=6))
def test_vectorised_weights_equal_pair_weight(scenario: tuple[list[Member], PairHistory, MatchPolicy, int]) -> None:
    members, history, policy, _ = scenario
    model = WeightModel(members, history, policy, NOW)
    idx = np.arange(len(members))
    for allow_recent in (False, True):
        block = model.block(idx, idx, allow_recent=allow_recent)
        for i, a in enumerate(members):
            for j, b in enumerate(members):
                share = (float(model.unmet_share[i]), float(model.unmet_share[j]))
                expected = pair_weight(a, b, history, policy, NOW, allow_recent=allow_recent, unmet_share=share)
                assert (expected is None) == (block[i, j] == -np.inf)
                if expected is not None:
                    assert block[i, j] == pytest.approx(expected)


def _valid_grouping_exists(members: list[Member], history: PairHistory, policy: MatchPolicy) -> bool:
    """Exact small solver: can everyone be split into groups of 2..4 whose every pair is allowed?"""
    team = {m.user_id: m.team for m in members}

    def allowed(a: str, b: str) -> bool:
        pair = frozenset((a, b))
        if pair in history.blocked:
            return False
        if policy.pool_mode is PoolMode.ONLY_CROSS_TEAM and team[a] == team[b]:
            return False
        if policy.pool_mode is PoolMode.ONLY_WITHIN_TEAM and team[a] != team[b]:
            return False
        met = history.last_met.get(pair)
        return policy.repeat_if_unavoidable or met is None or NOW - met >= policy.cooldown

    def solve(rest: tuple[str, ...]) -> bool:
        if not rest:
            return True
        first, others = rest[0], rest[1:]
        for size in (1, 2, 3):
            for mates in combinations(others, size):
                group = (first, *mates)
                if all(allowed(a, b) for a, b in combinations(group, 2)) and solve(
                    tuple(u for u in others if u not in mates)
                ):
                    return True
        return False

    return solve(tuple(m.user_id for m in members))


@settings(max_examples=80, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(max_people=9))
def test_nobody_left_out_when_a_valid_grouping_exists(
    scenario: tuple[list[Member], PairHistory, MatchPolicy, int],
) -> None:
    members, history, policy, seed = scenario
    if policy.pool_mode is PoolMode.ONLY_WITHIN_TEAM:
        teams = {m.team for m in members}
        feasible = all(_valid_grouping_exists([m for m in members if m.team == t], history, policy) for t in teams)
    else:
        feasible = _valid_grouping_exists(members, history, policy)
    result = match_round(members, history, policy, NOW, seed)
    if feasible and len(members) >= 2:
        assert not result.unmatched, [(u.user_id, u.reason) for u in result.unmatched]


def test_cross_team_pool_with_a_dominant_team_places_everyone() -> None:
    # 40% of the pool in one team, groups of 3 and 4: the number of groups must flex for everyone to be placed.
    members = [Member(f"U{i:03d}", "A" if i % 5 < 2 else f"T{i % 7}", (i % 4) * 60) for i in range(101)]
    for group_size in (3, 4):
        policy = MatchPolicy(group_size=group_size, pool_mode=PoolMode.ONLY_CROSS_TEAM)
        result = match_round(members, PairHistory(), policy, NOW, 3)
        assert not result.unmatched
        assert all(2 <= len(g.member_ids) <= 4 for g in result.groups)


def test_pool_of_one_and_empty_pool() -> None:
    result = match_round([Member("U1")], PairHistory(), MatchPolicy(), NOW, 1)
    assert result.groups == ()
    assert [(u.user_id, u.reason) for u in result.unmatched] == [("U1", "pool_too_small")]
    assert match_round([], PairHistory(), MatchPolicy(), NOW, 1).unmatched == ()


def test_blocked_pair_is_not_named_in_the_reason() -> None:
    history = PairHistory(blocked=frozenset({frozenset(("U1", "U2"))}))
    result = match_round([Member("U1"), Member("U2")], history, MatchPolicy(), NOW, 3)
    assert {u.reason for u in result.unmatched} == {"no_eligible_partner"}
    assert all("block" not in u.text and "avoid" not in u.text for u in result.unmatched)


def test_recent_partner_used_only_when_unavoidable_and_said_so() -> None:
    history = PairHistory(last_met={frozenset(("U1", "U2")): NOW - timedelta(weeks=2)})
    members = [Member("U1", "A"), Member("U2", "B")]
    lenient = match_round(members, history, MatchPolicy(), NOW, 1)
    assert [g.member_ids for g in lenient.groups] == [("U1", "U2")]
    assert lenient.groups[0].reason == (
        "different teams, last met 2 weeks ago (no one else was available), 8 working hours overlap"
    )
    strict = match_round(members, history, MatchPolicy(repeat_if_unavoidable=False), NOW, 1)
    assert {u.reason for u in strict.unmatched} == {"only_recent_partners"}


def test_explanation_for_a_first_meeting_across_zones() -> None:
    london = Member("U1", "Sales", 0)
    new_york = Member("U2", "Engineering", -300)
    result = match_round([london, new_york], PairHistory(), MatchPolicy(), NOW, 1)
    assert result.groups[0].reason == "different teams, first meeting, 3 working hours overlap"


def test_explanation_says_when_no_overlap_was_possible() -> None:
    tokyo = Member("U1", "Sales", 540)
    new_york = Member("U2", "Engineering", -300)
    result = match_round([tokyo, new_york], PairHistory(), MatchPolicy(), NOW, 1)
    assert (
        result.groups[0].reason
        == "different teams, first meeting, no shared working hours (none was possible this round)"
    )
    london = Member("U3", "Ops", 0)
    result = match_round([tokyo, new_york, london, Member("U4", "Ops", 540)], PairHistory(), MatchPolicy(), NOW, 1)
    assert all("none was possible" not in g.reason for g in result.groups)


def test_explanation_for_an_old_meeting_in_the_same_team() -> None:
    history = PairHistory(last_met={frozenset(("U1", "U2")): NOW - timedelta(weeks=30)})
    result = match_round([Member("U1", "A", 60), Member("U2", "A", 60)], history, MatchPolicy(), NOW, 1)
    assert result.groups[0].reason == "same team, last met 7 months ago, 8 working hours overlap"


def test_odd_person_joins_a_pair_and_avoids_recent_trio_members() -> None:
    members = [Member(f"U{i}", f"T{i}") for i in range(5)]
    was_in_trio = FairnessRecord(times_in_larger_group=1, last_in_larger_group=NOW - timedelta(weeks=1))
    history = PairHistory(fairness={"U0": was_in_trio, "U1": was_in_trio})
    for seed in range(20):
        result = match_round(members, history, MatchPolicy(), NOW, seed)
        sizes = sorted(len(g.member_ids) for g in result.groups)
        assert sizes == [2, 3] and not result.unmatched
        trio = next(g for g in result.groups if len(g.member_ids) == 3)
        assert "U0" not in trio.member_ids and "U1" not in trio.member_ids


def test_recently_left_out_person_is_placed_first() -> None:
    # Only cross-team: three in team A, one in team B, so two A people must sit out; the one left out last
    # week must not be one of them.
    members = [Member("A1", "A"), Member("A2", "A"), Member("A3", "A"), Member("B1", "B")]
    history = PairHistory(fairness={"A3": FairnessRecord(1, 0, NOW - timedelta(weeks=1))})
    policy = MatchPolicy(pool_mode=PoolMode.ONLY_CROSS_TEAM)
    for seed in range(10):
        result = match_round(members, history, policy, NOW, seed)
        assert [g.member_ids for g in result.groups] == [("A3", "B1")]
        assert {u.user_id for u in result.unmatched} == {"A1", "A2"}
        assert {u.reason for u in result.unmatched} == {"left_over"}


def test_fairness_ledger_records_left_out_and_larger_groups() -> None:
    members = [Member(f"U{i}", f"T{i}") for i in range(3)]
    result = match_round(members, PairHistory(), MatchPolicy(), NOW, 1)
    ledger = fairness_after(result, {}, MatchPolicy(), NOW)
    assert all(r.times_in_larger_group == 1 and r.last_in_larger_group == NOW for r in ledger.values())
    assert set(ledger) == {"U0", "U1", "U2"}


@pytest.mark.parametrize("group_size", [3, 4])
def test_larger_groups_are_balanced(group_size: int) -> None:
    members = [Member(f"U{i:02d}", f"T{i % 5}", (i % 3) * 60) for i in range(14)]
    result = match_round(members, PairHistory(), MatchPolicy(group_size=group_size), NOW, 5)
    sizes = sorted(len(g.member_ids) for g in result.groups)
    assert not result.unmatched
    assert max(sizes) - min(sizes) <= 1
    assert all(group_size - 1 <= s <= group_size + 1 for s in sizes)


def test_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError):
        match_round([Member("U1")], PairHistory(), MatchPolicy(), datetime(2026, 1, 1), 1)


def test_twelve_people_over_eleven_rounds_never_repeat() -> None:
    # Uneven teams make the myopic optimum use up cross-team first meetings early and repeat at the end.
    members = [
        Member(f"U{i:02d}", ("A", "A", "A", "A", "A", "B", "B", "C", "C", "C", "C", "C")[i], 0) for i in range(12)
    ]
    last_met: dict[frozenset[str], datetime] = {}
    seen: set[frozenset[str]] = set()
    repeats = 0
    for week in range(11):
        now = NOW + timedelta(weeks=week)
        result = match_round(members, PairHistory(last_met=dict(last_met)), MatchPolicy(), now, week)
        assert not result.unmatched
        for pair in _grouped_pairs(result):
            repeats += pair in seen
            seen.add(pair)
            last_met[pair] = now
    assert repeats == 0


def _burden_and_repeats(members: list[Member], rounds: int, policy: MatchPolicy) -> tuple[dict[str, int], int, int]:
    """Run weekly rounds (history and ledger carried over); per person how often in a larger group or left out,
    the repeats, and the counting lower bound on repeats (meetings held minus pairs that exist)."""
    last_met: dict[frozenset[str], datetime] = {}
    ledger: dict[str, FairnessRecord] = {}
    seen: set[frozenset[str]] = set()
    burden = dict.fromkeys((m.user_id for m in members), 0)
    repeats = meetings = 0
    for week in range(rounds):
        now = NOW + timedelta(weeks=week)
        result = match_round(members, PairHistory(dict(last_met), frozenset(), dict(ledger)), policy, now, week)
        ledger = fairness_after(result, ledger, policy, now)
        for group in result.groups:
            if len(group.member_ids) > policy.group_size:
                for user_id in group.member_ids:
                    burden[user_id] += 1
        for item in result.unmatched:
            burden[item.user_id] += 1
        for pair in _grouped_pairs(result):
            repeats += pair in seen
            meetings += 1
            seen.add(pair)
            last_met[pair] = now
    n = len(members)
    return burden, repeats, max(0, meetings - n * (n - 1) // 2)


def test_odd_pool_over_thirty_rounds_is_fair_and_looks_ahead() -> None:
    # 21 people, one trio a week: nobody is in the trio more than ceil(mean) + 1 times, and repeats stay at the
    # counting bound (every pair meets once before any pair meets twice would allow no fewer).
    zones = (-300, -300, 0, 0, 60, 60, 330)
    members = [Member(f"U{i:02d}", f"T{i % 4}", zones[i % 7], 480 + 30 * (i % 3), 1020) for i in range(21)]
    burden, repeats, bound = _burden_and_repeats(members, 30, MatchPolicy())
    mean = sum(burden.values()) / len(members)
    assert max(burden.values()) <= math.ceil(mean) + 1, burden
    assert repeats <= math.ceil(1.05 * bound)


def test_large_odd_pool_leaves_the_least_burdened_as_the_extra() -> None:
    # The relaxation path (no exact solver, no lookahead): someone often in a trio is not put in one again.
    members = [Member(f"U{i:02d}", f"T{i % 5}", (i % 3) * 60) for i in range(41)]
    often = FairnessRecord(times_in_larger_group=6, last_in_larger_group=NOW - timedelta(weeks=1))
    history = PairHistory(fairness={"U00": often, "U01": often, "U02": often})
    policy = MatchPolicy(exact_limit=8, lookahead_limit=0, block_size=50)
    for seed in range(5):
        result = match_round(members, history, policy, NOW, seed)
        trio = next(g for g in result.groups if len(g.member_ids) == 3)
        assert not {"U00", "U01", "U02"} & set(trio.member_ids)


def _shared_minutes(members: Sequence[Member]) -> int:
    inside = np.ones(24 * 60, dtype=bool)
    for member in members:
        start, length = member.window_utc
        inside &= (np.arange(24 * 60) - start) % (24 * 60) < length
    return int(inside.sum())


def _groupings(people: list[int], sizes: list[int]) -> Iterator[list[tuple[int, ...]]]:
    """Every split of `people` into groups of exactly the given sizes (a multiset)."""
    if not people:
        yield []
        return
    first, rest = people[0], people[1:]
    for size in sorted(set(sizes)):
        left = list(sizes)
        left.remove(size)
        for mates in combinations(rest, size - 1):
            others = [p for p in rest if p not in mates]
            for tail in _groupings(others, left):
                yield [(first, *mates), *tail]


@st.composite
def late_in_cycle(draw: st.DrawFn) -> tuple[list[Member], PairHistory, MatchPolicy, int]:
    """A small pool where everyone met everyone months ago: team and working-hour preferences have faded (nobody
    is new to anyone), so weights barely tell groupings with and without shared hours apart."""
    n = draw(st.integers(2, 8))
    members = [
        Member(
            f"U{i:03d}",
            team=draw(st.sampled_from("AB")),
            tz_offset_minutes=draw(st.sampled_from((-480, -300, 0, 60, 330, 600))),
            work_start_minutes=draw(st.sampled_from((480, 540))),
            work_end_minutes=draw(st.sampled_from((960, 1020))),
        )
        for i in range(n)
    ]
    last_met = {
        frozenset((a.user_id, b.user_id)): NOW - timedelta(days=draw(st.integers(120, 140)))
        for a, b in combinations(members, 2)
    }
    policy = MatchPolicy(
        group_size=draw(st.integers(2, 3)),
        pool_mode=draw(st.sampled_from([PoolMode.ANYONE, PoolMode.PREFER_CROSS_TEAM, PoolMode.ONLY_CROSS_TEAM])),
        lookahead_limit=0,  # no plan of first meetings that an alternative could spoil
    )
    return members, PairHistory(last_met), policy, draw(st.integers(0, 2**32))


@settings(max_examples=120, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(late_in_cycle(), scenarios(max_people=8)))
def test_every_group_shares_a_working_hour_when_an_alternative_within_one_percent_exists(
    scenario: tuple[list[Member], PairHistory, MatchPolicy, int],
) -> None:
    members, history, policy, seed = scenario
    assume(policy.pool_mode is not PoolMode.ONLY_WITHIN_TEAM)  # one pool, so that one grouping is compared
    policy = replace(policy, lookahead_limit=0)
    result = match_round(members, history, policy, NOW, seed)
    by_id = {m.user_id: m for m in members}
    if all(_shared_minutes([by_id[u] for u in g.member_ids]) >= 60 for g in result.groups):
        return
    # Exact small solver: every grouping of the same people into the same sizes, recent partners excluded.
    model = WeightModel(members, history, policy, NOW)
    index = {m.user_id: i for i, m in enumerate(members)}
    weights = model.block(np.arange(len(members)), np.arange(len(members)))
    placed = sorted(index[u] for g in result.groups for u in g.member_ids)
    for grouping in _groupings(placed, [len(g.member_ids) for g in result.groups]):
        if not all(_shared_minutes([members[i] for i in g]) >= 60 for g in grouping):
            continue
        total = sum(weights[a, b] for g in grouping for a, b in combinations(g, 2))
        assert not total >= 0.99 * result.total_weight, (grouping, total, result)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    st.lists(
        st.tuples(st.sampled_from((-480, -210, 0, 345, 600, 780)), st.integers(0, 1440), st.integers(0, 1440)),
        min_size=2,
        max_size=4,
    )
)
def test_shared_minutes_of_a_group_match_a_minute_by_minute_count(windows: list[tuple[int, int, int]]) -> None:
    members = [Member(f"U{i}", "T", tz, start, end) for i, (tz, start, end) in enumerate(windows)]
    model = WeightModel(members, PairHistory(), MatchPolicy(), NOW)
    assert shared_minutes(model, [list(range(len(members)))])[0] == _shared_minutes(members)
