"""The exact capacitated assignment: each mentee at most one mentor, each mentor at most their free slots.

    maximise  sum W[i, j] x[i, j]   over eligible pairs (W = score + the mentee's waitlist bonus)
    s.t.      sum_j x[i, j] <= 1,   sum_i x[i, j] <= capacity[j],   x in {0, 1}
Its LP dual is   minimise sum_i u[i] + sum_j capacity[j] v[j]   s.t. u[i] + v[j] >= W[i, j], u, v >= 0,
and any prices v >= 0 give the upper bound D(v) = sum_i max(0, max_j W[i, j] - v[j]) + sum_j capacity[j] v[j].

How (`solve`):
1. One pass over every pair keeps each mentee's 32 best mentors and the best score beyond them (the scores are
   cached as int16 when they fit in `cache_entries`, so later passes only read them).
2. The pruned problem (each mentee's `k` best pairs to start) is solved exactly with scipy's sparse assignment
   (LAPJVsp): each mentor is a column per free slot, and each mentee has a private zero-score "unmatched" column,
   so a full matching always exists.
3. Prices v that prove the pruned solution optimal come from shortest paths in its residual graph (on mentors,
   Bellman-Ford by whole-array relaxation); they are the lowest such prices, which favours mentees.
4. D(v) is computed over every pair: a row's pairs beyond its top list are worth at most the score beyond it, so
   only rows whose profit is below that are read in full. When D(v) equals the pruned objective, the solution is
   optimal for the whole problem (weak duality) and `certified` is set. Otherwise the next pruned problem is the
   pairs still near their mentee's profit (the chosen ones included, so the objective never falls), each
   mentee's best pairs by reduced score W - v (against hubness: everyone's raw favourites are the same few
   mentors), and each mentee's `add` pairs that beat their profit, which are never in it already; back to 2.
   Rounds stop at certification, at `Effort.tolerance` (the bound within that fraction of the score, waitlist
   bonus excluded) or at `max_rounds`; the best bound seen is returned with its prices.

Scores are integers, so "equal" is exact. The order of rows and columns decides among equal optima; the caller
permutes them with its seed.

Decisions:
- **Sparse exact, not dense.** A dense assignment over slot columns is exact but 9.3 s / 475 MB at 5,000 × 1,667
  and impossible at 20,000 × 6,700; nearly all pairs are useless, and the dual check says which ones are not.
- **Rejected: top-k alone.** It loses ~0.16% (docs/benchmarks.md) and nothing says when; here top-k is only the
  starting set and the certificate decides.
- **Rejected: min-cost flow in networkx** (51 s at 1,000 mentees) and HiGHS on the LP (30-65 s at 20,000 × 16
  pairs per mentee). Tried and dropped: re-solving only the rows near the new pairs (the nearly tight pairs
  connect almost every row within two hops, so the "region" was the whole problem), and rebuilding the pruned
  problem from reduced scores alone (it oscillated).
- **Exact up to ~10,000 mentees by default** (`cycle.effort_for`); LAPJVsp rounds grow faster than linearly, so
  above that the cycle stops within 0.1% of the bound (`LARGE`), the issue's target there.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from bot.domain.mentoring.score import INELIGIBLE, ScoreModel

logger = logging.getLogger(__name__)

DEFAULT_TOP = 32
DEFAULT_CACHE_ENTRIES = 200_000_000
_BLOCK_ENTRIES = 2_000_000


@dataclass(frozen=True, slots=True)
class Effort:
    """How the solver prunes and when it stops: `k` pairs per mentee to start, up to `add` improving pairs per
    mentee and round, pairs kept while within `slack` of their mentee's profit, stop when the bound is within
    `tolerance` of the score (0: certified exact) or after `max_rounds`."""

    k: int = 6
    add: int = 10
    slack: int = 8000
    tolerance: float = 0.0
    max_rounds: int = 30


EXACT = Effort()
# Above ~10,000 mentees each exact round costs seconds: fewer pairs per round, and stop within 0.1% of the bound
# (tuned at 20,000 × 6,700: 4 rounds, against 5 with add=4 and 7 to certify exactly).
LARGE = Effort(k=3, add=8, slack=800, tolerance=0.001)


@dataclass(frozen=True, slots=True)
class Assignment:
    """The solver's answer: mentor column per mentee row (-1 unmatched), objective, bound and prices."""

    mentor_of: np.ndarray
    objective: int  # sum of W over the chosen pairs (waitlist bonus included)
    bound: int  # D(v) >= the optimum of the whole problem
    prices: np.ndarray  # v per mentor
    rounds: int
    edges: int  # pairs in the last pruned problem
    bonus: int = 0  # the waitlist bonus inside `objective`

    @property
    def certified(self) -> bool:
        """Whether the bound proves the objective optimal."""
        return self.bound == self.objective


class Scores:
    """Rows of W = score + bonus for the solver, from a cache when one fits, else from the model."""

    def __init__(
        self,
        model: ScoreModel,
        bonus: np.ndarray,
        cache_entries: int = DEFAULT_CACHE_ENTRIES,
        top: int = DEFAULT_TOP,
    ) -> None:
        self.model, self.bonus = model, np.asarray(bonus, dtype=np.int64)
        n, m = model.shape
        self.chunk = max(1, _BLOCK_ENTRIES // max(1, m))
        self.cache: np.ndarray | None = None
        self.forbidden: frozenset[tuple[int, int]] = frozenset()
        if n * m <= cache_entries:
            dtype = np.int16 if model.max_score() < np.iinfo(np.int16).max else np.int32
            self.cache = np.empty((n, m), dtype=dtype)
        # Each row's `top` best columns, best first, and the best W outside them (a bound for every other pair).
        k = min(top, m)
        self.top_cols = np.zeros((n, k), dtype=np.int64)
        self.top_w = np.full((n, k), INELIGIBLE, dtype=np.int64)
        self.beyond = np.full(n, INELIGIBLE, dtype=np.int64)
        for rows in self.chunks():
            raw = model.block32(rows)
            if self.cache is not None:
                self.cache[rows] = raw
            self._keep_top(rows, raw, k)

    def _keep_top(self, rows: np.ndarray, raw: np.ndarray, k: int) -> None:
        """Keep the row's k best pairs and the best score beyond them (the bonus is per row: order is kept)."""
        if k == 0:
            return
        picked = _top(raw, min(k + 1, raw.shape[1]))
        picked_raw = np.take_along_axis(raw, picked, axis=1)
        order = np.lexsort((picked, -picked_raw), axis=1)
        picked = np.take_along_axis(picked, order, axis=1)
        picked_w = self._with_bonus(rows, np.take_along_axis(picked_raw, order, axis=1))
        self.top_cols[rows], self.top_w[rows] = picked[:, :k], picked_w[:, :k]
        if picked.shape[1] > k:
            self.beyond[rows] = picked_w[:, k]

    def _with_bonus(self, rows: np.ndarray, raw: np.ndarray) -> np.ndarray:
        return np.where(raw > INELIGIBLE, raw.astype(np.int64) + self.bonus[rows][:, None], INELIGIBLE)

    def without(self, pairs: Iterable[tuple[int, int]]) -> Scores:
        """The same scores with these (row, col) pairs made ineligible; the cache is shared, not copied."""
        view = copy.copy(self)
        view.forbidden = self.forbidden | frozenset(pairs)
        view.top_w = self.top_w.copy()
        for row, col in view.forbidden:
            view.top_w[row, view.top_cols[row] == col] = INELIGIBLE
        return view

    def chunks(self) -> list[np.ndarray]:
        """Row ranges that keep a block near `_BLOCK_ENTRIES` entries."""
        n = self.model.shape[0]
        return [np.arange(lo, min(n, lo + self.chunk)) for lo in range(0, n, self.chunk)]

    def rows(self, rows: np.ndarray) -> np.ndarray:
        """W for rows × every mentor (int64), INELIGIBLE where the pair may not be matched."""
        raw = self.cache[rows] if self.cache is not None else self.model.block32(rows)
        for row, col in self.forbidden:
            raw[rows == row, col] = INELIGIBLE
        return self._with_bonus(rows, raw)


def _top(values: np.ndarray, k: int) -> np.ndarray:
    """Column indices of each row's k largest values (unordered), k <= columns."""
    if k >= values.shape[1]:
        return np.broadcast_to(np.arange(values.shape[1]), values.shape).copy()
    return np.argpartition(-values, k - 1, axis=1)[:, :k]


def _edges_of(rows: np.ndarray, picked: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, ...]:
    """(row, col, W) of the picked columns whose W (same shape as `picked`) is eligible."""
    keep = w > INELIGIBLE
    return np.repeat(rows, picked.shape[1])[keep.ravel()], picked[keep], w[keep]


def initial_edges(scores: Scores, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each mentee's k best eligible pairs (row, col, W)."""
    rows = np.arange(scores.model.shape[0])
    return _edges_of(rows, scores.top_cols[:, :k], scores.top_w[:, :k])  # type: ignore[return-value]


def solve_pruned(
    n: int, capacity: np.ndarray, rows: np.ndarray, cols: np.ndarray, w: np.ndarray
) -> tuple[np.ndarray, int]:
    """The exact optimum over the given edges: mentor per row (-1 unmatched) and its objective."""
    mentor_of = np.full(n, -1, dtype=np.int64)
    if len(rows) == 0:
        return mentor_of, 0
    active, row_at = np.unique(rows, return_inverse=True)
    # A mentor needs no more slots than it has edges; slot s of mentor j is column first_slot[j] + s.
    slots = np.minimum(capacity, np.bincount(cols, minlength=len(capacity)))
    first_slot = np.concatenate(([0], np.cumsum(slots)[:-1]))
    per_edge = slots[cols]
    edge_of_slot = np.repeat(np.arange(len(rows)), per_edge)
    slot_offset = np.arange(len(edge_of_slot)) - np.repeat(np.cumsum(per_edge) - per_edge, per_edge)
    total_slots = int(slots.sum())
    # cost = top[row] - W > 0, top[row] = the row's best W + 1; its private unmatched column costs top[row]. Every
    # active row is matched exactly once, so a constant per row changes no optimum (and LAPJVsp runs ~20% faster
    # than with one global constant).
    top = np.zeros(len(active), dtype=np.int64)
    np.maximum.at(top, row_at, w)
    top += 1
    a_rows = np.concatenate((row_at[edge_of_slot], np.arange(len(active))))
    a_cols = np.concatenate((first_slot[cols[edge_of_slot]] + slot_offset, total_slots + np.arange(len(active))))
    costs = np.concatenate((top[row_at[edge_of_slot]] - w[edge_of_slot], top)).astype(np.float64)
    matrix = sparse.csr_matrix((costs, (a_rows, a_cols)), shape=(len(active), total_slots + len(active)))
    row_ind, col_ind = min_weight_full_bipartite_matching(matrix)
    matched = col_ind < total_slots
    slot_owner = np.repeat(np.arange(len(capacity)), slots)
    mentor_of[active[row_ind[matched]]] = slot_owner[col_ind[matched]]
    return mentor_of, chosen_total(mentor_of, rows, cols, w, len(capacity))


def chosen_total(mentor_of: np.ndarray, rows: np.ndarray, cols: np.ndarray, w: np.ndarray, m: int) -> int:
    """Sum of W over the chosen pairs, looked up among the (unique) edges."""
    keys = rows * m + cols
    order = np.argsort(keys)
    chosen = np.flatnonzero(mentor_of >= 0)
    at = order[np.searchsorted(keys, chosen * m + mentor_of[chosen], sorter=order)]
    return int(w[at].sum())


def lowest_prices(
    capacity: np.ndarray, mentor_of: np.ndarray, rows: np.ndarray, cols: np.ndarray, w: np.ndarray
) -> np.ndarray:
    """The lowest prices v >= 0 that prove `mentor_of` optimal over the given edges (complementary slackness).

    With u[i] = W[i, mentor] - v[mentor] for a matched mentee and 0 otherwise, every edge must satisfy
    u[i] + v[j] >= W[i, j], a mentor with a free slot has v = 0, and u >= 0. These are difference constraints
    v[b] - v[a] <= c (edge a -> b, node 0 being the constant 0); the lowest solution is v[j] = -dist(j -> 0)."""
    m = len(capacity)
    load = np.bincount(mentor_of[mentor_of >= 0], minlength=m)
    own = mentor_of[rows]
    own_w = np.zeros(len(mentor_of), dtype=np.int64)
    matched = own == cols
    own_w[rows[matched]] = w[matched]
    mentors = np.arange(1, m + 1)
    # (from, to, c) of v[to] - v[from] <= c, with node 0 the constant and node j + 1 mentor j.
    other = (own >= 0) & ~matched
    lone = own < 0
    full = load >= capacity
    zeros = np.zeros(max(m, int(lone.sum())), dtype=np.int64)
    heads = np.concatenate((cols[other] + 1, cols[lone] + 1, zeros[:m], mentors))
    tails = np.concatenate((own[other] + 1, zeros[: int(lone.sum())], mentors, zeros[:m]))
    costs = np.concatenate(
        (own_w[rows[other]] - w[other], -w[lone], np.where(full, _cap_price(own_w, mentor_of, m), 0), zeros[:m])
    )
    return -_distances_to_zero(heads, tails, costs, m)[1:]


def _distances_to_zero(heads: np.ndarray, tails: np.ndarray, costs: np.ndarray, m: int) -> np.ndarray:
    """Shortest distances from every node to node 0 over edges heads -> tails (Bellman-Ford: relax
    d[head] = min(d[head], cost + d[tail]) over all edges at once until nothing changes)."""
    order = np.argsort(heads, kind="stable")
    heads, tails, costs = heads[order], tails[order], costs[order]
    starts = np.flatnonzero(np.r_[True, heads[1:] != heads[:-1]])
    dist = np.full(m + 1, np.iinfo(np.int64).max // 4, dtype=np.int64)
    dist[0] = 0
    for _ in range(m + 2):
        best = np.minimum.reduceat(costs + dist[tails], starts)
        updated = np.minimum(dist[heads[starts]], best)
        if np.array_equal(updated, dist[heads[starts]]):
            if dist[0] != 0:
                break
            return dist
        dist[heads[starts]] = updated
    raise RuntimeError("no prices prove this assignment optimal (negative cycle)")


def _cap_price(own_w: np.ndarray, mentor_of: np.ndarray, m: int) -> np.ndarray:
    """For v[j] - v[0] <= min W over j's mentees (their profit u >= 0); free-slot mentors get 0 separately."""
    cap = np.full(m, np.iinfo(np.int64).max // 4, dtype=np.int64)
    matched = mentor_of >= 0
    np.minimum.at(cap, mentor_of[matched], own_w[matched])
    return cap


@dataclass(frozen=True, slots=True)
class _Check:
    bound: int
    rows: np.ndarray
    cols: np.ndarray
    w: np.ndarray


def _violators(
    rows: np.ndarray, cols: np.ndarray | None, values: np.ndarray, prices: np.ndarray, profit: np.ndarray, add: int
) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
    """For a block (rows × cols of W; every mentor when cols is None): each row's best reduced score, and its
    `add` pairs that beat its profit."""
    reduced = np.where(values > INELIGIBLE, values - (prices[None, :] if cols is None else prices[cols]), INELIGIBLE)
    best = reduced.max(axis=1) if reduced.shape[1] else np.full(len(rows), INELIGIBLE)
    some = np.flatnonzero(best > profit[rows])  # only these rows have a pair that beats their profit
    excess = reduced[some] - profit[rows[some]][:, None]
    picked = _top(excess, min(add, excess.shape[1]))
    gain = np.take_along_axis(excess, picked, axis=1)
    chosen = np.where(gain > 0, np.take_along_axis(values[some], picked, axis=1), INELIGIBLE)
    picked_cols = picked if cols is None else np.take_along_axis(cols[some], picked, axis=1)
    return best, _edges_of(rows[some], picked_cols, chosen)


def check(
    scores: Scores,
    capacity: np.ndarray,
    edges: tuple[np.ndarray, np.ndarray, np.ndarray],
    mentor_of: np.ndarray,
    prices: np.ndarray,
    add: int,
) -> _Check:
    """D(prices) over every pair, and each mentee's `add` pairs whose reduced score beats their profit most.

    A row's pairs outside its top list are all worth at most `beyond[row]`, and prices are >= 0, so when the
    mentee's profit is at least that, the top list decides the row; only the other rows are read in full."""
    n = len(mentor_of)
    rows_e, cols_e, w_e = edges
    mine = mentor_of[rows_e] == cols_e
    profit = np.zeros(n, dtype=np.int64)
    profit[rows_e[mine]] = w_e[mine] - prices[cols_e[mine]]
    everyone = np.arange(n)
    best, found = _violators(everyone, scores.top_cols, scores.top_w, prices, profit, add)
    best = np.maximum(best, profit)
    parts = [found]
    unsure = np.flatnonzero(scores.beyond > profit)
    for lo in range(0, len(unsure), scores.chunk):
        rows = unsure[lo : lo + scores.chunk]
        best[rows], found = _violators(rows, None, scores.rows(rows), prices, profit, add)
        parts.append(found)
    bound = int(np.maximum(best, 0).sum()) + int(capacity @ prices)
    rows, cols, w = (np.concatenate([p[x] for p in parts]) for x in range(3))
    keys = rows * len(prices) + cols
    _, first = np.unique(keys, return_index=True)  # a pair found in both the top list and the full row
    return _Check(bound, rows[first], cols[first], w[first])


def solve(scores: Scores, capacity: np.ndarray, effort: Effort = EXACT) -> Assignment:
    """Maximise the total W with capacities: pruned exact solves until the LP dual bound certifies the optimum
    (or, with `tolerance` > 0, until the bound is within that fraction of the objective)."""
    n, m = scores.model.shape
    capacity = np.asarray(capacity, dtype=np.int64)
    if n == 0 or m == 0:
        return Assignment(np.full(n, -1, dtype=np.int64), 0, 0, np.zeros(m, dtype=np.int64), 0, 0)
    rows, cols, w = initial_edges(scores, min(effort.k, m))
    bound = np.iinfo(np.int64).max
    best_prices = np.zeros(m, dtype=np.int64)
    for rounds in range(1, effort.max_rounds + 1):
        mentor_of, objective = solve_pruned(n, capacity, rows, cols, w)
        prices = lowest_prices(capacity, mentor_of, rows, cols, w)
        found = check(scores, capacity, (rows, cols, w), mentor_of, prices, effort.add)
        if found.bound < bound:
            bound, best_prices = found.bound, prices
        logger.debug("mentoring solve round %d: %d pairs, objective %d, bound %d", rounds, len(rows), objective, bound)
        bonus = int(scores.bonus[mentor_of >= 0].sum())
        if bound - objective <= effort.tolerance * (objective - bonus) or len(found.rows) == 0:
            break
        rows, cols, w = _next_edges(scores, (rows, cols, w), mentor_of, prices, found, effort.k, effort.slack)
    return Assignment(mentor_of, objective, bound, best_prices, rounds, len(rows), bonus)


def _next_edges(
    scores: Scores,
    edges: tuple[np.ndarray, np.ndarray, np.ndarray],
    mentor_of: np.ndarray,
    prices: np.ndarray,
    found: _Check,
    k: int,
    slack: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The next pruned problem: the pairs within `slack` of their mentee's profit (the chosen ones included, so
    the objective never falls), each row's k best pairs of its top list by reduced score under the new prices
    (against hubness: everyone's raw favourites are the same few mentors), and the pairs that beat their
    mentee's profit. Which pairs is free: the bound decides optimality."""
    rows, cols, w = edges
    n, m = len(mentor_of), len(prices)
    mine = mentor_of[rows] == cols
    reduced = np.where(scores.top_w > INELIGIBLE, scores.top_w - prices[scores.top_cols], INELIGIBLE)
    picked = _top(reduced, min(k, reduced.shape[1]))
    picked_w = np.where(
        np.take_along_axis(reduced, picked, axis=1) > INELIGIBLE,
        np.take_along_axis(scores.top_w, picked, axis=1),
        INELIGIBLE,
    )
    top_rows, top_cols, top_w = _edges_of(np.arange(n), np.take_along_axis(scores.top_cols, picked, axis=1), picked_w)
    profit = np.zeros(n, dtype=np.int64)
    profit[rows[mine]] = w[mine] - prices[cols[mine]]
    keep = mine | (w - prices[cols] >= profit[rows] - slack)
    all_rows = np.concatenate((rows[keep], top_rows, found.rows))
    all_cols = np.concatenate((cols[keep], top_cols, found.cols))
    all_w = np.concatenate((w[keep], top_w, found.w))
    _, first = np.unique(all_rows * m + all_cols, return_index=True)
    return all_rows[first], all_cols[first], all_w[first]
