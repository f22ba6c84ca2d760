"""Maximum-weight pairing on a general graph given as a block function.

Small pools: exact blossom (networkx, maximum cardinality first), with a lookahead for pools that plan first
meetings. Large pools: the assignment relaxation — solve the linear assignment problem on the symmetric weight
matrix (rows and columns are both people, the diagonal forbidden); its permutation splits into cycles, 2-cycles are
pairs and longer cycles are cut into the best pairs along the cycle by a small dynamic programme, and an odd
cycle's leftover is re-paired inside the block. Pools larger than `SINGLE_BLOCK` are cut into blocks of people with
similar working windows (sorted by the middle of their UTC window), each solved once; those still unpaired are
placed by augmenting moves; then partner swaps around the pairs that fall short of what their members could hope
for (`_swap_pairs`) repair what the blocks cannot see — block boundaries, and large teams crowding one time zone.

Decisions: no top-k candidate lists (they fail through hubness) and no sparse bipartite solver (it can stall);
one pass of blocks plus swaps rather than several shifted passes (better and faster on the hard profile).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import pairwise

import networkx as nx
import numpy as np
from scipy.optimize import linear_sum_assignment

BlockFn = Callable[[np.ndarray, np.ndarray], np.ndarray]
EdgeFn = Callable[[np.ndarray, np.ndarray], np.ndarray]  # weights of the pairs (left[k], right[k])
Pair = tuple[int, int]

_FORBIDDEN_COST = 1e9
SINGLE_BLOCK = 1200
QUANTUM = 3e-4  # assignment costs are rounded to this share of the block's largest weight
SWAP_WINDOW = 300  # positions either side, in working-window order, that a short pair's members try
SWAP_ROUNDS = 30
SWAP_SLACK = 0.002  # a pair is short when it weighs this share below what both could get (ignores tiny gaps)


@dataclass(frozen=True, slots=True)
class Aspiration:
    """What each node could hope for with an ordinary partner, for deciding which pairs are worth improving.

    `ideal[i]` is the best weight i could get with a partner who brings no priority of their own, `priority[i]` what
    i adds to any pair (fairness). A pair (i, j) is short when it weighs less than ideal[i] + priority[j].
    """

    ideal: np.ndarray
    priority: np.ndarray


def max_weight_pairs(
    nodes: np.ndarray,
    block: BlockFn,
    edges: EdgeFn,
    order: np.ndarray,
    rng: np.random.Generator,
    *,
    exact_limit: int = 150,
    block_size: int = 300,
    aspiration: Aspiration | None = None,
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
    cuts = np.linspace(0, n, n_blocks + 1).round().astype(np.int64).tolist()
    for lo, hi in pairwise(cuts):
        _improve(np.arange(lo, hi), sorted_nodes, partner, block)
    _pair_leftovers(sorted_nodes, partner, block, edges, block_size)
    if aspiration is not None:
        _swap_pairs(sorted_nodes, partner, edges, aspiration)
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
    local = np.full(len(partner), -1, dtype=np.int64)
    local[mine] = np.arange(len(mine))
    old = local[np.maximum(partner[mine], 0)]
    old[partner[mine] < 0] = -1
    new = _relaxed_partners(weights)
    new_count, new_value = _count_and_value(new, weights)
    old_count, old_value = _count_and_value(old, weights)
    if (new_count, new_value) <= (old_count, old_value + 1e-9):
        return
    partner[mine] = np.where(new >= 0, mine[np.maximum(new, 0)], -1)


def _count_and_value(local_partner: np.ndarray, weights: np.ndarray) -> tuple[int, float]:
    first = np.flatnonzero(local_partner > np.arange(len(local_partner)))
    return len(first), float(weights[first, local_partner[first]].sum())


def _relaxed_partners(weights: np.ndarray) -> np.ndarray:
    """Partners (local indices, -1 if none) from the assignment relaxation of one block, leftovers re-paired."""
    size = len(weights)
    partner = np.full(size, -1, dtype=np.int64)
    pairs, _ = _relaxed_pairs(np.arange(size), weights)
    for i, j in pairs:
        partner[i], partner[j] = j, i
    free = np.flatnonzero(partner < 0)
    if len(free) >= 2:
        # The odd cycles' leftovers, re-paired inside the block with the weights already at hand.
        paired_weight = _weights_of_pairs(weights, partner)
        _augment(weights[free], free, partner, paired_weight, lambda nodes: weights[nodes, partner[nodes]])
    return partner


def _weights_of_pairs(weights: np.ndarray, partner: np.ndarray) -> np.ndarray:
    values = np.zeros(len(partner))
    paired = np.flatnonzero(partner >= 0)
    values[paired] = weights[paired, partner[paired]]
    return values


def _pair_leftovers(
    sorted_nodes: np.ndarray, partner: np.ndarray, block: BlockFn, edges: EdgeFn, block_size: int
) -> None:
    """Place the people still unpaired: with each other, or by taking over a pair (u-v, x-y instead of v-x)."""
    free = np.flatnonzero(partner < 0)
    if len(free) > block_size:  # pathological (few allowed pairs): the assignment relaxation, block by block
        for chunk in np.array_split(free, math.ceil(len(free) / block_size)):
            _improve(chunk, sorted_nodes, partner, block)
        free = np.flatnonzero(partner < 0)
        if len(free) > block_size:
            return
    if len(free) < 2:
        return

    def weight_of(positions: np.ndarray) -> np.ndarray:
        return edges(sorted_nodes[positions], sorted_nodes[partner[positions]])

    paired_weight = np.zeros(len(partner))
    paired = np.flatnonzero(partner >= 0)
    paired_weight[paired] = weight_of(paired)
    _augment(block(sorted_nodes[free], sorted_nodes), free, partner, paired_weight, weight_of)


def _augment(
    rows: np.ndarray,
    free: np.ndarray,
    partner: np.ndarray,
    paired_weight: np.ndarray,
    weight_of: Callable[[np.ndarray], np.ndarray],
) -> None:
    """Pair the `free` people (rows: their weights to everyone in scope) by the best of two moves each: pair with
    another free person, or take v from its pair while v's old partner x takes another free y (gain w(u, v) +
    w(x, y) - w(v, x)). Each step applies the best non-conflicting moves of all free people at once (vectorised),
    so a few steps place them all."""
    while len(free) >= 2:
        gain, moves = _best_moves(rows, free, partner, paired_weight)
        used = np.zeros(len(partner), dtype=bool)
        changed: list[int] = []
        for a in np.argsort(-gain, kind="stable").tolist():
            if not np.isfinite(gain[a]):
                break
            move = [int(node) for node in moves[a] if node >= 0]
            if used[move].any():
                continue
            used[move] = True
            changed += move
            for first, second in zip(move[::2], move[1::2], strict=True):
                partner[first], partner[second] = second, first
        if not changed:
            return
        touched = np.array(changed, dtype=np.int64)
        paired_weight[touched] = weight_of(touched)
        keep = partner[free] < 0
        free, rows = free[keep], rows[keep]


def _best_moves(
    rows: np.ndarray, free: np.ndarray, partner: np.ndarray, paired_weight: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each free person's best move: its gain and the pairs it makes, as [u, v, x, y] (u-v and x-y; -1 unused)."""
    count = len(free)
    own = np.arange(count)
    direct = rows[:, free].copy()
    direct[own, own] = -np.inf
    mate = np.argmax(direct, axis=1)
    gain = direct[own, mate]
    moves = np.stack([free, free[mate], np.full(count, -1), np.full(count, -1)], axis=1)
    paired = np.flatnonzero(partner >= 0)
    if not len(paired):
        return gain, moves
    # u takes v; v's old partner x takes another free y: gain w(u, v) + w(x, y) - w(v, x).
    to_x = rows[:, partner[paired]]  # w(y, x) for every free y and every paired v
    columns = np.arange(len(paired))
    top = np.argmax(to_x, axis=0)
    runner_up = to_x.copy()
    runner_up[top, columns] = -np.inf
    second = np.argmax(runner_up, axis=0)
    best_y = np.where(top[None, :] == own[:, None], second[None, :], top[None, :])
    swap = rows[:, paired] + to_x[best_y, columns[None, :]] - paired_weight[paired][None, :]
    swap[best_y == own[:, None]] = -np.inf  # x had no other free partner than u itself
    k = np.argmax(swap, axis=1)
    swap_gain = swap[own, k]
    better = swap_gain > gain
    v = paired[k]
    swaps = np.stack([free, v, partner[v], free[best_y[own, k]]], axis=1)
    return np.where(better, swap_gain, gain), np.where(better[:, None], swaps, moves)


def _swap_pairs(sorted_nodes: np.ndarray, partner: np.ndarray, edges: EdgeFn, aspiration: Aspiration) -> None:
    """Local search on the pairs: for every person z in a short pair, try each person t within SWAP_WINDOW positions
    and the exchange z-t, pz-pt in place of z-pz, t-pt; apply the best non-conflicting exchanges, repeat.

    Block boundaries and the odd cycles' cuts leave such pairs, and so do large teams crowding one time zone: their
    surplus must reach partners further along the day, which a chain of exchanges does round after round. Only the
    short pairs near a change of the previous round are tried again.
    """
    n = len(partner)
    ideal, priority = aspiration.ideal[sorted_nodes], aspiration.priority[sorted_nodes]
    slack = SWAP_SLACK * float(np.median(ideal))
    window = min(SWAP_WINDOW, (n - 1) // 2)
    offsets = np.concatenate((np.arange(-window, 0), np.arange(1, window + 1)))
    current = np.zeros(n)
    changed = np.ones(n, dtype=bool)
    for _ in range(SWAP_ROUNDS):
        touched = np.flatnonzero(changed & (partner >= 0))
        current[touched] = edges(sorted_nodes[touched], sorted_nodes[partner[touched]])
        paired = np.flatnonzero(partner >= 0)
        short = paired[current[paired] < ideal[paired] + priority[partner[paired]] - slack]
        short = short[_changes_within(changed, window)[short] > 0]
        if not len(short):
            return
        z = np.repeat(short, len(offsets))
        t = (z + np.tile(offsets, len(short))) % n
        keep = (partner[t] >= 0) & (t != partner[z])
        z, t = z[keep], t[keep]
        pz, pt = partner[z], partner[t]
        gain = edges(sorted_nodes[z], sorted_nodes[t]) + edges(sorted_nodes[pz], sorted_nodes[pt])
        gain -= current[z] + current[t]
        best = _best_per(z, gain)  # each short person's best exchange; the others wait for the next round
        changed[:] = False
        blocked = np.zeros(n, dtype=bool)
        for k in best[np.argsort(-gain[best], kind="stable")].tolist():
            four = [int(z[k]), int(t[k]), int(pz[k]), int(pt[k])]
            if changed[four].any():
                blocked[four[0]] = True  # try again next round, whatever changes near it
                continue
            changed[four] = True
            partner[four[0]], partner[four[1]] = four[1], four[0]
            partner[four[2]], partner[four[3]] = four[3], four[2]
        if not changed.any():
            return
        changed |= blocked


def _best_per(owner: np.ndarray, gain: np.ndarray) -> np.ndarray:
    """Index of the largest positive gain of each owner (owners come in runs, as np.repeat makes them)."""
    good = np.flatnonzero(gain > 1e-9)
    if not len(good):
        return good
    by_owner = good[np.lexsort((-gain[good], owner[good]))]
    first = np.ones(len(by_owner), dtype=bool)
    first[1:] = owner[by_owner[1:]] != owner[by_owner[:-1]]
    return by_owner[first]


def _changes_within(changed: np.ndarray, window: int) -> np.ndarray:
    """For each position, how many changed positions lie within `window` of it (circularly)."""
    extended = np.concatenate((changed[-window:], changed, changed[:window])) if window else changed
    running = np.concatenate(([0], np.cumsum(extended)))
    return np.asarray(running[2 * window + 1 :] - running[: len(changed)])


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
    if QUANTUM and finite.any():
        # Coarser costs make the assignment several times faster (fewer distinct values, shorter augmenting
        # paths); the cycles are still cut, and the block kept or not, on the exact weights.
        step = QUANTUM * float(np.abs(cost[finite]).max())
        cost = np.where(finite, np.round(cost / step) * step, _FORBIDDEN_COST)
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


def _ordered(i: int, j: int) -> Pair:
    return (i, j) if i < j else (j, i)


def exact_pairs_with_extra(nodes: np.ndarray, weights: np.ndarray, extra_cost: np.ndarray) -> list[Pair]:
    """Exact pairs of an odd pool where leaving node i unpaired (it becomes the extra) costs `extra_cost[i]`."""
    nodes, weights = _with_stand_in(nodes, weights, extra_cost)
    return _real_pairs(nodes, _exact_pairs(np.arange(len(nodes)), weights))


def exact_pairs_with_lookahead(
    nodes: np.ndarray,
    weights: np.ndarray,
    fresh: np.ndarray,
    rng: np.random.Generator,
    canonical: np.ndarray,
    *,
    extra_cost: np.ndarray | None = None,
    extra_level: np.ndarray | None = None,
    attempts: int = 16,
    horizon: int = 40,
    start_share: float = 0.8,
) -> list[Pair]:
    """Exact pairs that also keep future rounds free of repeats, for small pools.

    `fresh[i, j]` marks allowed pairs that never met. A myopic optimum can use up exactly the first meetings that
    later rounds need (a team's last unmet pairs, an odd cycle), forcing repeats. So candidates are scored by
    (people paired, cost of the extra, further rounds of first meetings still possible — up to `horizon` — weight),
    best first, once someone has met more than 1 - `start_share` of the pool. `canonical[k]` is the node of rank k
    by user id. Odd pools pass `extra_cost` (what making each node the extra costs in weight) and `extra_level`
    (its fairness level, compared before the rounds): a stand-in node joins the pool, its partner is the round's
    extra, and it is fresh to everyone because being the extra uses up no meeting, so plans of first meetings cover
    odd pools too.
    """
    level = np.zeros(len(nodes) + 1) if extra_level is None else np.append(extra_level, 0.0)
    if extra_cost is not None:
        nodes, weights = _with_stand_in(nodes, weights, extra_cost)
        fresh = np.pad(fresh, ((0, 1), (0, 1)), constant_values=True)
        fresh[-1, -1] = False
        canonical = np.append(canonical, len(nodes) - 1)
    size = len(nodes)
    original = _exact_pairs(np.arange(size), weights)
    min_degree = int(fresh.sum(axis=1).min()) if size else 0
    degree_after = min(min_degree - 1, horizon)
    lowest_level = -float(level[:-1].min()) if extra_cost is not None else 0.0
    # While nearly everyone is still new to everyone, any optimum leaves plenty of first meetings: no plan needed
    # (nor possible once nobody has a first meeting left), only a fair trio.
    if degree_after <= 0 or min_degree > start_share * (size - 1):
        if extra_cost is None or -_trio_level(original, weights, level) >= lowest_level:
            return _real_pairs(nodes, original)
        degree_after = 0
    best_key: tuple[int, float, int, float] | None = None
    best = original
    for candidate in _lookahead_candidates(weights, fresh, rng, canonical, original, attempts):
        if not all(math.isfinite(weights[i, j]) for i, j in candidate):
            continue  # a plan may use first meetings that this round's weights exclude
        remaining = fresh.copy()
        for i, j in candidate:
            remaining[i, j] = remaining[j, i] = False
        rounds, _ = _rounds_of_first_meetings(remaining, degree_after, canonical)
        extra = -_trio_level(candidate, weights, level) if extra_cost is not None else 0.0
        key = (len(candidate), extra, rounds, float(sum(weights[i, j] for i, j in candidate)))
        if best_key is None or key > best_key:
            best_key, best = key, candidate
        if key[:3] >= (len(original), lowest_level, degree_after):
            break
    return _real_pairs(nodes, best)


def rounds_after(
    fresh: np.ndarray, canonical: np.ndarray, meetings: list[Pair], *, odd: bool, horizon: int = 40
) -> int:
    """How many further rounds of first meetings for everyone stay possible after this round's `meetings` (up to
    the least-met person's number of first meetings left, and `horizon`); odd pools plan with a stand-in."""
    remaining = fresh.copy()
    for i, j in meetings:
        remaining[i, j] = remaining[j, i] = False
    if odd:
        remaining = np.pad(remaining, ((0, 1), (0, 1)), constant_values=True)
        remaining[-1, -1] = False
        canonical = np.append(canonical, len(canonical))
    limit = min(int(remaining.sum(axis=1).min()) if len(remaining) else 0, horizon)
    return _rounds_of_first_meetings(remaining, limit, canonical)[0] if limit > 0 else 0


def _lookahead_candidates(
    weights: np.ndarray,
    fresh: np.ndarray,
    rng: np.random.Generator,
    canonical: np.ndarray,
    original: list[Pair],
    attempts: int,
    step: float = 0.5,
) -> Iterator[list[Pair]]:
    """The optimum; the first round of a plan of first meetings (stable from round to round, so once a plan exists
    it is kept); near-optima (each retry lowers the edges of the previous one by `step`); then matchings of first
    meetings only under seeded random weights."""
    size = len(weights)
    index = np.arange(size)
    yield original
    yield _rounds_of_first_meetings(fresh, 1, canonical)[1]
    current = weights.copy()
    weighted = original
    for _ in range(attempts - 1):
        for i, j in weighted:
            current[i, j] -= step
            current[j, i] -= step
        weighted = _exact_pairs(index, current)
        yield weighted
    for _ in range(attempts):
        noise = rng.random((size, size))
        yield _exact_pairs(index, np.where(fresh, 1.0 + noise + noise.T, -np.inf))


def _trio_level(candidate: list[Pair], weights: np.ndarray, level: np.ndarray) -> float:
    """Fairness level of the trio a candidate leads to: its extra (the stand-in's partner, the last node) joins the
    pair with the lowest level among those it may join; a trio's level is its highest member's."""
    stand_in = len(weights) - 1
    extras = [i for i, j in candidate if j == stand_in]
    if not extras:
        return 0.0
    extra = extras[0]
    pairs = np.array([(i, j) for i, j in candidate if j != stand_in], dtype=np.int64).reshape(-1, 2)
    joinable = np.isfinite(weights[extra, pairs[:, 0]]) & np.isfinite(weights[extra, pairs[:, 1]])
    if not joinable.any():
        return float(level[extra]) + float(level.max()) + 1.0
    pair_level = np.maximum(level[pairs[joinable, 0]], level[pairs[joinable, 1]])
    return max(float(level[extra]), float(pair_level.min()))


def _with_stand_in(nodes: np.ndarray, weights: np.ndarray, extra_cost: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Add a stand-in node (id -1) whose edge to i weighs -extra_cost[i]: its partner is the round's extra."""
    augmented = np.pad(weights, ((0, 1), (0, 1)), constant_values=-np.inf)
    augmented[-1, :-1] = augmented[:-1, -1] = -np.asarray(extra_cost, dtype=np.float64)
    return np.append(np.asarray(nodes, dtype=np.int64), -1), augmented


def _real_pairs(nodes: np.ndarray, pairs: list[Pair]) -> list[Pair]:
    """Local pairs as pairs of node ids, without the stand-in's."""
    found = [_ordered(int(nodes[i]), int(nodes[j])) for i, j in pairs]
    return sorted(pair for pair in found if pair[0] >= 0)


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
