"""Upper bounds on the weight of any pairing, for the coffee matcher's quality figures.

The bound is the assignment relaxation: half the optimal assignment on the symmetric weight matrix, which is the
optimum of the fractional matching LP  max sum w_ij x_ij  s.t. sum_j x_ij <= 1, x >= 0  and of its dual
min sum y_i  s.t. y_i + y_j >= w_ij for every allowed pair, y >= 0. Any y feasible for the dual bounds every
pairing (and the matching inside any grouping) from above: sum over a matching of w_ij <= sum of y_i + y_j <= sum y.

`lp_bounds` gets it without the dense n x n assignment (minutes at 5,000, out of reach at 20,000):
1. solve the LP on a pruned graph (each person's neighbours in working-window order plus the pairs given, e.g. the
   matcher's and greedy's) with HiGHS, and take its duals y;
2. check y against every pair of the pool, a block of rows at a time (one pass over n^2 weights), raising y_i to
   max_j (w_ij - y_j) where a pair is violated — after the pass y is feasible for the whole pool, so sum y is a
   valid bound whatever the pruning;
3. add each row's most violated pairs to the graph and repeat until nothing needs raising. Then sum y equals the
   LP optimum on the pruned graph, which (y being feasible for the whole pool) is the LP optimum on the whole pool:
   the exact assignment bound, proved by the last pass.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import linear_sum_assignment, linprog

from bot.domain.matching import WeightModel

_ROWS_PER_PASS_BLOCK = 256


@dataclass(frozen=True, slots=True)
class Bound:
    """An upper bound; `exact` when the last pass found nothing to raise (it is then the assignment bound)."""

    value: float
    exact: bool
    rounds: int
    seconds: float


def lp_bounds(model: WeightModel, pairs: np.ndarray, *, neighbours: int = 16) -> tuple[Bound, Bound]:
    """The assignment bound, then the bound with the cardinality row (see `lp_bound`), the second started from
    the pruned graph the first ended with."""
    n = len(model)
    order = np.argsort(model.order_key(), kind="stable")
    offsets = np.concatenate((np.arange(-neighbours, 0), np.arange(1, neighbours + 1)))
    rows = np.concatenate((np.repeat(order, len(offsets)), pairs[:, 0]))
    cols = np.concatenate((order[(np.repeat(np.arange(n), len(offsets)) + np.tile(offsets, n)) % n], pairs[:, 1]))
    assignment, rows, cols = lp_bound(model, rows, cols)
    with_cardinality, _, _ = lp_bound(model, rows, cols, cardinality=True)
    return assignment, with_cardinality


def lp_bound(
    model: WeightModel,
    rows: np.ndarray,
    cols: np.ndarray,
    *,
    cardinality: bool = False,
    added: int = 8,
    max_rounds: int = 6,
) -> tuple[Bound, np.ndarray, np.ndarray]:
    """The assignment bound by LP on the pruned graph of pairs (rows[k], cols[k]), proved (or repaired) by a pass
    over every pair; also the pruned graph it ended with.

    With `cardinality` the LP also has sum x <= floor(n / 2) (a matching has no more pairs; the whole pool's odd-set
    constraint): in an odd pool the fractional optimum can no longer cover everyone with half-pairs, so the bound
    drops by about the odd person's share, and it still holds for every pairing (dual: y_i + y_j + z >= w_ij,
    bound sum y + z floor(n / 2)).
    """
    started = time.perf_counter()
    n = len(model)
    value, raised, rounds = float("inf"), float("inf"), 0
    while rounds == 0 or (rounds < max_rounds and raised > 1e-9 * value):
        rounds += 1
        duals, cut = _lp_duals(model, rows, cols, cardinality)
        duals, worst, raised = _feasible(model, duals, cut, added)
        value = min(value, float(duals.sum()) + cut * (n // 2))  # every repaired y is a valid bound
        if raised > 1e-9 * value:
            rows = np.concatenate((rows, np.repeat(np.arange(n), added)))
            cols = np.concatenate((cols, worst.ravel()))
    bound = Bound(value, raised <= 1e-9 * value, rounds, time.perf_counter() - started)
    return bound, rows, cols


def _lp_duals(model: WeightModel, rows: np.ndarray, cols: np.ndarray, cardinality: bool) -> tuple[np.ndarray, float]:
    """Duals y of the fractional matching LP on the given pairs (HiGHS interior point, then crossover), and z of
    the cardinality row (0 without it)."""
    n = len(model)
    low, high = np.minimum(rows, cols), np.maximum(rows, cols)
    keep = low < high
    keys = np.unique(low[keep] * n + high[keep])
    low, high = keys // n, keys % n
    weights = model.edges(low, high)
    allowed = np.isfinite(weights)
    low, high, weights = low[allowed], high[allowed], weights[allowed]
    m = len(weights)
    constraints = sparse.csr_matrix(
        (np.ones(2 * m), (np.concatenate((low, high)), np.tile(np.arange(m), 2))), shape=(n, m)
    )
    limits = np.ones(n)
    if cardinality:
        constraints = sparse.vstack((constraints, sparse.csr_matrix(np.ones((1, m))))).tocsr()
        limits = np.append(limits, n // 2)
    result = linprog(-weights, A_ub=constraints, b_ub=limits, bounds=(0, None), method="highs-ipm")
    if result.status != 0:
        raise RuntimeError(f"LP on the pruned graph failed: {result.message}")
    duals = np.maximum(-np.asarray(result.ineqlin.marginals), 0.0)
    return duals[:n], float(duals[n]) if cardinality else 0.0


def _feasible(model: WeightModel, duals: np.ndarray, cut: float, added: int) -> tuple[np.ndarray, np.ndarray, float]:
    """One pass over every pair: y made feasible (y_i raised to max_j w_ij - z - y_j where needed), each row's
    `added` most violated columns, and the total raise."""
    n = len(model)
    everyone = np.arange(n)
    duals = duals.copy()
    worst = np.empty((n, added), dtype=np.int64)
    raised = 0.0
    for lo in range(0, n, _ROWS_PER_PASS_BLOCK):
        rows = everyone[lo : lo + _ROWS_PER_PASS_BLOCK]
        reduced = model.block(rows, everyone) - cut - duals[None, :]
        need = np.maximum(reduced.max(axis=1), 0.0)
        raised += float(np.maximum(need - duals[rows], 0.0).sum())
        worst[rows] = np.argpartition(-(reduced - duals[rows][:, None]), added, axis=1)[:, :added]
        duals[rows] = np.maximum(duals[rows], need)
    return duals, worst, raised


def assignment_bound(model: WeightModel) -> float:
    """The assignment relaxation on the whole pool, dense (a cross-check of `lp_bound`; minutes at 5,000)."""
    everyone = np.arange(len(model))
    weights = model.block(everyone, everyone)
    cost = np.where(np.isfinite(weights), -weights, 1e9)
    del weights
    rows, cols = linear_sum_assignment(cost)
    chosen = -cost[rows, cols]
    return float(np.where(chosen > -1e8, chosen, 0.0).sum() / 2)
