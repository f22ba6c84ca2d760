"""The capacitated assignment solver on raw score matrices: exact against dense assignment, certified by its bound."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from bot.domain.mentoring.assign import Effort, Scores, solve
from bot.domain.mentoring.score import INELIGIBLE, ScoreModel
from tests.domain.mentoring.builders import lsa_optimum

PROPERTY = settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])


class Matrix(ScoreModel):
    """A score model whose blocks come from a given matrix (the solver only reads blocks, shape and max)."""

    def __init__(self, w: np.ndarray) -> None:  # no super(): there are no people behind these scores
        self.w = w

    @property
    def shape(self) -> tuple[int, int]:
        return self.w.shape  # type: ignore[return-value]

    def block(self, rows: np.ndarray, cols: np.ndarray | None = None) -> np.ndarray:
        return self.w[rows] if cols is None else self.w[np.ix_(rows, cols)]

    block32 = block

    def max_score(self) -> int:
        return int(self.w.max(initial=0))


@st.composite
def problems(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n, m = draw(st.integers(1, 14)), draw(st.integers(1, 6))
    w = draw(arrays(np.int64, (n, m), elements=st.integers(1, 40)))
    w[draw(arrays(np.bool_, (n, m)))] = INELIGIBLE
    capacity = draw(arrays(np.int64, m, elements=st.integers(0, 3)))
    bonus = draw(arrays(np.int64, n, elements=st.sampled_from((0, 0, 1000))))
    return w, capacity, bonus


def with_bonus(w: np.ndarray, bonus: np.ndarray) -> np.ndarray:
    return np.where(w > INELIGIBLE, w + bonus[:, None], INELIGIBLE)


@PROPERTY
@given(problems(), st.integers(1, 3), st.integers(1, 3), st.booleans())
def test_exact_and_certified_whatever_the_pruning(problem, k, add, cached) -> None:  # type: ignore[no-untyped-def]
    w, capacity, bonus = problem
    scores = Scores(Matrix(w), bonus, cache_entries=10**6 if cached else 0, top=2)
    result = solve(scores, capacity, Effort(k=k, add=add, slack=5))
    full = with_bonus(w, bonus)
    assert result.certified and result.objective == result.bound == lsa_optimum(full, capacity)
    chosen = np.flatnonzero(result.mentor_of >= 0)
    assert all(full[i, result.mentor_of[i]] > INELIGIBLE for i in chosen)
    assert int(full[chosen, result.mentor_of[chosen]].sum()) == result.objective
    assert (np.bincount(result.mentor_of[chosen], minlength=len(capacity)) <= capacity).all()
    # The prices are a feasible dual: every pair's reduced score is at most its mentee's profit.
    profit = np.zeros(len(w), dtype=np.int64)
    profit[chosen] = full[chosen, result.mentor_of[chosen]] - result.prices[result.mentor_of[chosen]]
    reduced = np.where(full > INELIGIBLE, full - result.prices[None, :], INELIGIBLE)
    assert (reduced <= profit[:, None]).all() and (result.prices >= 0).all()


@PROPERTY
@given(problems())
def test_forbidden_pairs_are_never_chosen(problem) -> None:  # type: ignore[no-untyped-def]
    w, capacity, bonus = problem
    scores = Scores(Matrix(w), bonus)
    first = solve(scores, capacity)
    chosen = [(i, int(j)) for i, j in enumerate(first.mentor_of) if j >= 0]
    again = solve(scores.without(chosen[:1]), capacity)
    if chosen:
        assert again.mentor_of[chosen[0][0]] != chosen[0][1]
        w2 = w.copy()
        w2[chosen[0]] = INELIGIBLE
        assert again.objective == lsa_optimum(with_bonus(w2, bonus), capacity)


def test_a_tolerance_stops_early_with_a_valid_bound() -> None:
    rng = np.random.default_rng(3)
    w = rng.integers(1, 1000, (300, 60))
    w[rng.random(w.shape) < 0.5] = INELIGIBLE
    capacity = np.full(60, 3)
    exact = lsa_optimum(w, capacity)
    loose = solve(
        Scores(Matrix(w), np.zeros(300, dtype=np.int64)), capacity, Effort(k=1, add=1, slack=0, tolerance=0.01)
    )
    assert loose.bound >= exact >= loose.objective >= 0.99 * loose.bound
    tight = solve(Scores(Matrix(w), np.zeros(300, dtype=np.int64)), capacity, Effort(k=1, add=1, slack=0))
    assert tight.certified and tight.objective == exact and tight.rounds >= loose.rounds


def test_nothing_to_assign() -> None:
    empty = solve(Scores(Matrix(np.zeros((0, 3), dtype=np.int64)), np.zeros(0, dtype=np.int64)), np.ones(3))
    assert empty.objective == empty.bound == 0 and empty.certified
    none = solve(Scores(Matrix(np.full((2, 2), INELIGIBLE)), np.zeros(2, dtype=np.int64)), np.ones(2))
    assert (none.mentor_of == -1).all() and none.certified
