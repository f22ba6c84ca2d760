"""Maximum-weight pairing on a general graph given as a block function.

Small pools: exact blossom (networkx, maximum cardinality first). Large pools: the assignment relaxation — solve the
linear assignment problem on the symmetric weight matrix (rows and columns are both people, the diagonal forbidden);
its permutation splits into cycles, 2-cycles are pairs and longer cycles are cut into the best pairs along the cycle
by a small dynamic programme. Its value is an upper bound on the matching, so the gap is measurable. Pools larger
than a block are cut into blocks of people with similar working windows (sorted by the middle of their UTC window),
each block solved on its own, and the leftovers of all blocks are paired again the same way.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import networkx as nx
import numpy as np
from scipy.optimize import linear_sum_assignment

BlockFn = Callable[[np.ndarray, np.ndarray], np.ndarray]
EdgeFn = Callable[[np.ndarray, np.ndarray], np.ndarray]  # weights of the pairs (left[k], right[k])
Pair = tuple[int, int]

_FORBIDDEN_COST = 1e9
SHIFTS = (0.5, 0.0)  # passes over blocks shifted by these fractions of a block after the first
SINGLE_BLOCK = 1200


def max_weight_pairs(
    nodes: np.ndarray,
    block: BlockFn,
    edges: EdgeFn,
    order: np.ndarray,
    rng: np.random.Generator,
    *,
    exact_limit: int = 150,
    block_size: int = 300,
) -> list[Pair]:
    """Pairs of `nodes` (global ids) with high total weight; `block(rows, cols)` gives weights, -inf if excluded,
    and `edges(left, right)` the weights of given pairs."""
    nodes = np.asarray(nodes, dtype=np.int64)
    if len(nodes) < 2:
        return []
    if len(nodes) <= exact_limit:
        return _exact_pairs(nodes, block(nodes, nodes))
    # Sort by working window (random among equals, so the seed decides ties); positions index this order.
    sorted_nodes = nodes[np.lexsort((rng.random(len(nodes)), order[nodes]))]
    n = len(sorted_nodes)
    partner = np.full(n, -1, dtype=np.int64)
    # Up to `SINGLE_BLOCK` people one dense assignment is affordable (about a second) and loses nothing to cuts.
    n_blocks = 1 if n <= SINGLE_BLOCK else math.ceil(n / block_size)
    cuts = np.linspace(0, n, n_blocks + 1).round().astype(np.int64)
    for lo, hi in zip(cuts[:-1].tolist(), cuts[1:].tolist(), strict=True):
        _improve(np.arange(lo, hi), sorted_nodes, partner, block)
    if n_blocks > 1:
        # Further passes over blocks straddling the earlier boundaries (the window order is circular, so the last
        # block wraps round): people near a boundary, and those odd cycles left over, get another chance.
        for shift in SHIFTS:
            starts = ((cuts[:-1] + shift * np.diff(cuts)).round().astype(np.int64) % n).tolist()
            for k in range(n_blocks):
                lo, hi = starts[k], starts[(k + 1) % n_blocks]
                positions = np.arange(lo, hi) if hi > lo else np.concatenate((np.arange(lo, n), np.arange(0, hi)))
                _improve(positions, sorted_nodes, partner, block)
    _pair_leftovers(sorted_nodes, partner, block, edges, block_size)
    first = np.flatnonzero(partner > np.arange(n))
    return [_ordered(int(sorted_nodes[i]), int(sorted_nodes[partner[i]])) for i in first.tolist()]


def _improve(positions: np.ndarray, sorted_nodes: np.ndarray, partner: np.ndarray, block: BlockFn) -> None:
    """Re-solve the people at `positions` who are unpaired or paired inside them; keep the result if better."""
    inside = np.zeros(len(partner), dtype=bool)
    inside[positions] = True
    mine = positions[(partner[positions] < 0) | inside[np.maximum(partner[positions], 0)]]
    if len(mine) < 2:
        return
    weights = block(sorted_nodes[mine], sorted_nodes[mine])
    local = {int(p): k for k, p in enumerate(mine.tolist())}
    old_pairs = [(local[int(p)], local[int(partner[p])]) for p in mine.tolist() if partner[p] > p]
    old_value = float(sum(weights[i, j] for i, j in old_pairs))
    new_pairs, _ = _relaxed_pairs(np.arange(len(mine)), weights)
    new_value = float(sum(weights[i, j] for i, j in new_pairs))
    if (len(new_pairs), new_value) <= (len(old_pairs), old_value + 1e-9):
        return
    partner[mine] = -1
    for i, j in new_pairs:
        partner[mine[i]], partner[mine[j]] = mine[j], mine[i]


def _pair_leftovers(
    sorted_nodes: np.ndarray, partner: np.ndarray, block: BlockFn, edges: EdgeFn, block_size: int
) -> None:
    """Place the people still unpaired: with each other, or by taking over a pair (u-v, x-y instead of v-x).

    Each step takes the best gain over every unpaired person and every pair (vectorised rows), so a handful of
    leftovers costs a handful of passes over the pool.
    """
    free = np.flatnonzero(partner < 0)
    if len(free) > block_size:  # pathological (few allowed pairs): the assignment relaxation, block by block
        for chunk in np.array_split(free, math.ceil(len(free) / block_size)):
            _improve(chunk, sorted_nodes, partner, block)
        free = np.flatnonzero(partner < 0)
        if len(free) > block_size:
            return
    if len(free) < 2:
        return
    paired_weight = np.zeros(len(partner))
    paired = np.flatnonzero(partner >= 0)
    paired_weight[paired] = edges(sorted_nodes[paired], sorted_nodes[partner[paired]])
    rows = block(sorted_nodes[free], sorted_nodes)  # free x everyone, rows dropped as people get placed
    while len(free) >= 2:
        direct = rows[:, free]
        np.fill_diagonal(direct, -np.inf)
        a, b = map(int, np.unravel_index(int(np.argmax(direct)), direct.shape))
        best_gain, best_move = float(direct[a, b]), (int(a), int(free[b]), -1)
        paired = np.flatnonzero(partner >= 0)
        if len(paired):
            # u takes v; v's old partner x takes another free y: gain w(u, v) + w(x, y) - w(v, x).
            to_x = rows[:, partner[paired]]  # w(y, x) for every free y and every paired v
            top = np.argsort(-to_x, axis=0)[:2]
            best_y = np.where(top[0][None, :] == np.arange(len(free))[:, None], top[-1][None, :], top[0][None, :])
            gain = rows[:, paired] + to_x[best_y, np.arange(len(paired))[None, :]] - paired_weight[paired][None, :]
            a, k = map(int, np.unravel_index(int(np.argmax(gain)), gain.shape))
            if gain[a, k] > best_gain and best_y[a, k] != a:
                best_gain, best_move = float(gain[a, k]), (int(a), int(paired[k]), int(best_y[a, k]))
        if not np.isfinite(best_gain):
            return
        a, v, b = best_move
        u = int(free[a])
        placed = [a]
        if b < 0:
            partner[u], partner[v] = v, u
            placed.append(int(np.flatnonzero(free == v)[0]))
            changed = np.array([u, v])
        else:
            x, y = int(partner[v]), int(free[b])
            partner[u], partner[v] = v, u
            partner[x], partner[y] = y, x
            placed.append(b)
            changed = np.array([u, v, x, y])
        paired_weight[changed] = edges(sorted_nodes[changed], sorted_nodes[partner[changed]])
        keep = np.setdiff1d(np.arange(len(free)), placed)
        free, rows = free[keep], rows[keep]


def _exact_pairs(nodes: np.ndarray, weights: np.ndarray) -> list[Pair]:
    graph = nx.Graph()
    graph.add_nodes_from(range(len(nodes)))
    rows, cols = np.nonzero(np.triu(np.isfinite(weights), k=1))
    graph.add_weighted_edges_from(zip(rows.tolist(), cols.tolist(), weights[rows, cols].tolist(), strict=True))
    matching = nx.max_weight_matching(graph, maxcardinality=True)
    return sorted(_ordered(int(nodes[i]), int(nodes[j])) for i, j in matching)


def _relaxed_pairs(nodes: np.ndarray, weights: np.ndarray) -> tuple[list[Pair], np.ndarray]:
    """Pairs from the assignment relaxation of one block, and the nodes it left unpaired."""
    finite = np.isfinite(weights)
    cost = np.where(finite, -weights, _FORBIDDEN_COST)
    _, successor = linear_sum_assignment(cost)
    pairs: list[Pair] = []
    left: list[int] = []
    seen = np.zeros(len(nodes), dtype=bool)
    for start in range(len(nodes)):
        if seen[start]:
            continue
        cycle = [start]
        seen[start] = True
        nxt = int(successor[start])
        while nxt != start:
            cycle.append(nxt)
            seen[nxt] = True
            nxt = int(successor[nxt])
        chosen, unpaired = _best_pairs_on_cycle(cycle, weights)
        pairs += [_ordered(int(nodes[i]), int(nodes[j])) for i, j in chosen]
        left += [int(nodes[i]) for i in unpaired]
    return pairs, np.array(left, dtype=np.int64)


def _best_pairs_on_cycle(cycle: list[int], weights: np.ndarray) -> tuple[list[Pair], list[int]]:
    """Maximum-weight matching restricted to the edges of one cycle (exact, linear time)."""
    length = len(cycle)
    if length == 1:
        return [], cycle
    if length == 2:
        i, j = cycle
        return ([(i, j)], []) if math.isfinite(weights[i, j]) else ([], cycle)
    # Either the closing edge (last, first) is unused: a path over the whole cycle; or it is used: a path in between.
    open_value, open_pairs = _best_pairs_on_path(cycle, weights)
    closing = weights[cycle[-1], cycle[0]]
    if math.isfinite(closing):
        inner_value, inner_pairs = _best_pairs_on_path(cycle[1:-1], weights)
        if closing + inner_value > open_value:
            open_pairs = [(cycle[-1], cycle[0]), *inner_pairs]
    paired = {node for pair in open_pairs for node in pair}
    return open_pairs, [node for node in cycle if node not in paired]


def _best_pairs_on_path(path: list[int], weights: np.ndarray) -> tuple[float, list[Pair]]:
    best = [0.0] * (len(path) + 1)
    took = [False] * (len(path) + 1)
    for k in range(2, len(path) + 1):
        edge = weights[path[k - 2], path[k - 1]]
        best[k] = best[k - 1]
        if math.isfinite(edge) and best[k - 2] + edge > best[k]:
            best[k] = best[k - 2] + edge
            took[k] = True
    pairs: list[Pair] = []
    k = len(path)
    while k >= 2:
        if took[k]:
            pairs.append((path[k - 2], path[k - 1]))
            k -= 2
        else:
            k -= 1
    return best[len(path)], pairs


def _greedy_pairs(nodes: np.ndarray, weights: np.ndarray) -> list[Pair]:
    rows, cols = np.nonzero(np.triu(np.isfinite(weights), k=1))
    order = np.argsort(-weights[rows, cols], kind="stable")
    used: set[int] = set()
    pairs: list[Pair] = []
    for k in order:
        i, j = int(rows[k]), int(cols[k])
        if i not in used and j not in used:
            used.update((i, j))
            pairs.append(_ordered(int(nodes[i]), int(nodes[j])))
    return pairs


def _ordered(i: int, j: int) -> Pair:
    return (i, j) if i < j else (j, i)


def pairs_weight(pairs: list[Pair], block: BlockFn) -> float:
    """Total weight of the given pairs."""
    if not pairs:
        return 0.0
    left = np.array([i for i, _ in pairs], dtype=np.int64)
    right = np.array([j for _, j in pairs], dtype=np.int64)
    return float(sum(block(left[k : k + 1], right[k : k + 1])[0, 0] for k in range(len(pairs))))


def exact_pairs_with_lookahead(
    nodes: np.ndarray,
    weights: np.ndarray,
    fresh: np.ndarray,
    rng: np.random.Generator,
    canonical: np.ndarray,
    *,
    attempts: int = 16,
    step: float = 0.5,
    horizon: int = 40,
    start_share: float = 0.8,
) -> list[Pair]:
    """Exact pairs that also keep future rounds free of repeats, for small pools.

    `fresh[i, j]` marks allowed pairs that never met. A myopic optimum can use up exactly the first meetings that
    later rounds need (a team's last unmet pairs, an odd cycle), forcing repeats. So candidates are scored by
    (people paired, further rounds of first meetings still possible — up to `horizon` — weight), best first,
    once someone has met more than 1 - `start_share` of the pool.
    Candidates: the optimum; the first round of a plan of first meetings (stable from round to round, so once a
    plan exists it is kept); near-optima (each retry lowers the edges of the previous one by `step`); then
    matchings of first meetings only under seeded random weights. `canonical[k]` is the node of rank k by user id.
    """
    size = len(nodes)
    index = np.arange(size)
    original = _exact_pairs(index, weights)
    min_degree = int(fresh.sum(axis=1).min()) if size else 0
    degree_after = min(min_degree - 1, horizon)
    # While nearly everyone is still new to everyone, any optimum leaves plenty of first meetings: skip the search.
    if degree_after <= 0 or min_degree > start_share * (size - 1):
        return [_ordered(int(nodes[i]), int(nodes[j])) for i, j in original]
    best: tuple[int, int, float, list[Pair]] | None = None
    current = weights.copy()
    _, planned = _rounds_of_first_meetings(fresh, 1, canonical)
    candidates = [original, planned]
    weighted = original
    candidate = original
    for attempt in range(2 * attempts + 1):
        if candidates:
            candidate = candidates.pop(0)
        remaining = fresh.copy()
        for i, j in candidate:
            remaining[i, j] = remaining[j, i] = False
        value = float(sum(weights[i, j] for i, j in candidate))
        rounds, _ = _rounds_of_first_meetings(remaining, degree_after, canonical)
        score = (len(candidate), rounds, value, candidate)
        if best is None or score[:3] > best[:3]:
            best = score
        if len(candidate) == len(original) and rounds >= degree_after:
            break
        if candidates:
            continue
        if attempt < attempts:
            for i, j in weighted:
                current[i, j] -= step
                current[j, i] -= step
            candidate = weighted = _exact_pairs(index, current)
        else:
            noise = rng.random((size, size))
            candidate = _exact_pairs(index, np.where(fresh, 1.0 + noise + noise.T, -np.inf))
    assert best is not None
    return [_ordered(int(nodes[i]), int(nodes[j])) for i, j in best[3]]


def _rounds_of_first_meetings(fresh: np.ndarray, limit: int, canonical: np.ndarray) -> tuple[int, list[Pair]]:
    """How many more rounds could pair everyone (all but one if odd) with someone new, found greedily; and the
    first of those rounds. Runs on the canonical order (`canonical[k]` = node of rank k) so that the plan found
    in one round is found again in the next, whatever the seed."""
    fresh = fresh[np.ix_(canonical, canonical)].copy()
    needed = len(fresh) // 2
    rounds = 0
    first: list[Pair] = []
    while rounds < limit:
        graph = nx.Graph()
        graph.add_nodes_from(range(len(fresh)))
        rows, cols = np.nonzero(np.triu(fresh, k=1))
        graph.add_edges_from(zip(rows.tolist(), cols.tolist(), strict=True))
        matching = sorted(tuple(sorted(pair)) for pair in nx.max_weight_matching(graph, maxcardinality=True))
        if len(matching) < needed:
            break
        if not rounds:
            first = [_ordered(int(canonical[i]), int(canonical[j])) for i, j in matching]
        for i, j in matching:
            fresh[i, j] = fresh[j, i] = False
        rounds += 1
    return rounds, first
