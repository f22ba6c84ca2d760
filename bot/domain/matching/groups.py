"""From pairs to groups: cores of the programme's size, extras placed, sizes flexed within 2..4, groups balanced."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np
from scipy.optimize import linear_sum_assignment

from bot.domain.matching.engine import (
    Aspiration,
    BlockFn,
    Pair,
    exact_pairs_with_extra,
    exact_pairs_with_lookahead,
    max_weight_pairs,
)
from bot.domain.matching.model import MatchPolicy, Member
from bot.domain.matching.weights import SHARED_HOUR, WeightModel, _overlap

MAX_GROUP = 4  # the programme's largest group; groups flex between 2 and this so that nobody is left out needlessly
EXACT_PARTITION_LIMIT = 12
# Making someone the extra (or joining a pair as its trio) costs this many fairness weights per ledger entry
# (left out, larger group) above the pool's least burdened person: it outweighs team and time-zone preferences,
# not a first meeting over a repeat.
EXTRA_WEIGHT = 5.0
OVER_LEVEL = 1000.0  # fairness weights per level (see RoundContext.build): outweighs anything else
_EXTRAS_CHUNK = 512  # rows of extras scored at once, to bound memory when many people are left over
_BALANCE_CANDIDATES = 32

PairUp = Callable[[np.ndarray, BlockFn], list[Pair]]


@dataclass(frozen=True, slots=True)
class RoundContext:
    """One pool's round: its weights, policy and seeded RNG, and what the solvers derive from them once."""

    pool: Sequence[Member]
    model: WeightModel
    policy: MatchPolicy
    rng: np.random.Generator
    order: np.ndarray  # working-window order key of every node
    aspiration: Aspiration
    extra_cost: np.ndarray  # what making each node the round's extra (or a trio member) costs in weight
    extra_level: np.ndarray  # its ledger entries (left out, larger group) beyond one above the least burdened
    shared_hours_only: bool = False  # exclude pairs who share less than an hour of working time

    @classmethod
    def build(cls, pool: Sequence[Member], model: WeightModel, rng: np.random.Generator) -> RoundContext:
        """The context of one pool."""
        policy = model.policy
        excess = (model.burden - model.burden.min()).astype(np.float64)
        # Two or more entries above the least burdened is a level of its own: never chosen while anyone else can
        # be, which keeps everyone within two entries of each other and so within ceil(mean) + 1 (the bar).
        level = np.maximum(excess - 1, 0)
        cost = policy.fairness_weight * (EXTRA_WEIGHT * excess + model.larger_group + OVER_LEVEL * level)
        aspiration = Aspiration(model.ideal(), policy.fairness_weight * model.priority)
        return cls(pool, model, policy, rng, model.order_key(), aspiration, cost, level)

    def strict(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Weights with recent partners excluded."""
        return self._masked(rows, cols, self.model.block(rows, cols))

    def relaxed(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Weights with recent partners allowed (for people who could not be placed otherwise)."""
        return self._masked(rows, cols, self.model.block(rows, cols, allow_recent=True))

    def _masked(self, rows: np.ndarray, cols: np.ndarray, weights: np.ndarray, *, paired: bool = False) -> np.ndarray:
        if not self.shared_hours_only:
            return weights
        rows, cols = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
        if not paired:
            rows, cols = rows[:, None], cols[None, :]
        windows = self.model.windows
        shared = _overlap(windows[rows, 0], windows[rows, 1], windows[cols, 0], windows[cols, 1])
        return np.where(shared >= SHARED_HOUR, weights, -np.inf)

    def edges(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        """Strict weights of the pairs (left[k], right[k])."""
        return self._masked(left, right, self.model.edges(left, right), paired=True)

    def pair_up(self, nodes: np.ndarray, block: BlockFn, allow_recent: bool = False) -> list[Pair]:
        """Maximum-weight pairs among `nodes`."""
        model, policy = self.model, self.policy

        def edges(left: np.ndarray, right: np.ndarray) -> np.ndarray:
            return self._masked(left, right, model.edges(left, right, allow_recent=allow_recent), paired=True)

        return max_weight_pairs(
            nodes,
            block,
            edges,
            self.order,
            self.rng,
            exact_limit=policy.exact_limit,
            block_size=policy.block_size,
            aspiration=self.aspiration,
        )


def group_pool(ctx: RoundContext) -> tuple[list[list[int]], list[int]]:
    """The pool's groups and whoever could not be placed."""
    return place_everyone(*form_groups(initial_pairs(ctx), ctx), ctx)


def initial_pairs(ctx: RoundContext) -> list[Pair]:
    """The round's pairs. Small pools: exact, and with a lookahead that keeps first meetings possible for the coming
    rounds. In odd pools of pairs the one left unpaired becomes the trio's extra, chosen for fairness: making
    someone the extra costs more the more often they were an extra (or left out) already."""
    policy, n = ctx.policy, len(ctx.pool)
    everyone = np.arange(n, dtype=np.int64)
    odd = policy.group_size == 2 and n % 2 == 1
    if policy.group_size == 2 and n <= policy.lookahead_limit:
        weights = ctx.strict(everyone, everyone)
        # First meetings for the plan come from the unmasked weights: later rounds need not share working hours.
        fresh = (ctx.model.met.toarray() == 0) & np.isfinite(ctx.model.block(everyone, everyone))
        by_user_id = np.argsort([m.user_id for m in ctx.pool], kind="stable")
        return exact_pairs_with_lookahead(
            everyone,
            weights,
            fresh,
            ctx.rng,
            by_user_id,
            extra_cost=ctx.extra_cost if odd else None,
            extra_level=ctx.extra_level if odd else None,
        )
    if odd and n <= policy.exact_limit:
        return exact_pairs_with_extra(everyone, ctx.strict(everyone, everyone), ctx.extra_cost)
    pairs = ctx.pair_up(everyone, ctx.strict)
    return _rotate_extra(pairs, ctx) if odd else pairs


def _rotate_extra(pairs: list[Pair], ctx: RoundContext) -> list[Pair]:
    """Large odd pools: let the one left unpaired take the place of a less burdened person, when that costs less
    than the difference in what being the extra costs them."""
    paired = np.zeros(len(ctx.pool), dtype=bool)
    paired[np.array(pairs, dtype=np.int64).ravel()] = True
    alone = np.flatnonzero(~paired)
    if len(alone) != 1 or not pairs:
        return pairs
    u = int(alone[0])
    cost, model = ctx.extra_cost, ctx.model
    pair_array = np.array(pairs, dtype=np.int64)
    current = model.edges(pair_array[:, 0], pair_array[:, 1])
    best_gain, best_move = 0.0, (-1, -1)
    for stays, leaves in ((1, 0), (0, 1)):
        mates, extras = pair_array[:, stays], pair_array[:, leaves]
        gain = model.edges(np.full(len(pairs), u), mates) - current + cost[u] - cost[extras]
        k = int(np.argmax(gain))
        if gain[k] > best_gain:
            best_gain, best_move = float(gain[k]), (k, int(mates[k]))
    k, mate = best_move
    if k < 0:
        return pairs
    return [*pairs[:k], (min(u, mate), max(u, mate)), *pairs[k + 1 :]]


def form_groups(pairs: list[Pair], ctx: RoundContext) -> tuple[list[list[int]], list[int]]:
    """Turn pairs into cores of the target size; return the cores and everyone still to place."""
    n, policy = len(ctx.pool), ctx.policy
    paired = {node for p in pairs for node in p}
    extras = [i for i in range(n) if i not in paired]
    target_groups = max(1, math.floor(n / policy.group_size + 0.5))
    if policy.group_size == 2:
        return [list(p) for p in pairs], extras
    weights = _pair_weights(pairs, ctx)
    strongest = sorted(range(len(pairs)), key=lambda k: -weights[k])
    if policy.group_size == 3:
        # Keep the strongest pairs as cores; members of the weakest pairs become the third person of a core.
        kept = set(strongest[:target_groups])
        extras += [node for k, p in enumerate(pairs) if k not in kept for node in p]
        return [list(pairs[k]) for k in sorted(kept)], extras
    quads = _pair_the_pairs(pairs, ctx)
    groups = [[*pairs[p], *pairs[q]] for p, q in quads]
    merged = {k for quad in quads for k in quad}
    spare = [k for k in strongest if k not in merged]
    room = max(target_groups - len(groups), 0)
    groups += [list(pairs[k]) for k in spare[:room]]
    extras += [node for k in spare[room:] for node in pairs[k]]
    return groups, extras


def _pair_the_pairs(pairs: list[Pair], ctx: RoundContext) -> list[Pair]:
    """Group size 4: a matching on the graph whose nodes are pairs (weight = the four cross weights)."""
    left = np.array([p[0] for p in pairs], dtype=np.int64)
    right = np.array([p[1] for p in pairs], dtype=np.int64)
    strict, edges = ctx.strict, ctx.edges

    def quad_block(rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        total = strict(left[rows], left[cols]) + strict(left[rows], right[cols])
        total += strict(right[rows], left[cols]) + strict(right[rows], right[cols])
        return total

    def quad_edges(rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        total = edges(left[rows], left[cols]) + edges(left[rows], right[cols])
        total += edges(right[rows], left[cols]) + edges(right[rows], right[cols])
        return np.where(rows == cols, -np.inf, total)

    order = ctx.order
    return max_weight_pairs(
        np.arange(len(pairs), dtype=np.int64),
        quad_block,
        quad_edges,
        (order[left] + order[right]) / 2,
        ctx.rng,
        exact_limit=ctx.policy.exact_limit,
        block_size=ctx.policy.block_size,
    )


def place_everyone(groups: list[list[int]], extras: list[int], ctx: RoundContext) -> tuple[list[list[int]], list[int]]:
    """Place the extras (one more per group first), flex group sizes so that nobody is left out needlessly (with
    recent partners only when unavoidable and allowed), then balance sizes. Returns the groups and who is left."""
    policy = ctx.policy
    cap = min(policy.group_size + 1, MAX_GROUP)
    extras = _place_extras(groups, extras, cap, ctx.strict, ctx)
    extras = _flex(groups, extras, ctx.strict, ctx, ctx.pair_up)
    if policy.repeat_if_unavoidable and extras:
        # Unavoidable repeats: the same steps again with recent partners allowed.
        extras = _flex(groups, extras, ctx.relaxed, ctx, lambda nodes, block: ctx.pair_up(nodes, block, True))
    if extras and len(ctx.pool) <= EXACT_PARTITION_LIMIT:
        # Small pool with someone left out: search every grouping (2..MAX_GROUP) for one that places everyone.
        everyone = np.arange(len(ctx.pool), dtype=np.int64)
        for block in (ctx.strict, ctx.relaxed) if policy.repeat_if_unavoidable else (ctx.strict,):
            found = exact_partition(block(everyone, everyone), policy.group_size)
            if found is not None:
                groups, extras = found, []
                break
    _balance(groups, ctx)
    return groups, extras


def _flex(groups: list[list[int]], extras: list[int], block: BlockFn, ctx: RoundContext, pair_up: PairUp) -> list[int]:
    """Place people still left out by flexing group sizes within 2..MAX_GROUP: pair them up with each other, let
    them join any group below MAX_GROUP, or take someone compatible out of a group of three or more into a new pair.
    The number of groups is not fixed, so e.g. a cross-team pool with one large team still places everyone."""
    for _ in range(len(extras) + 1):
        if not extras:
            break
        late_pairs = pair_up(np.array(extras, dtype=np.int64), block) if len(extras) >= 2 else []
        groups += [list(p) for p in late_pairs]
        placed = {node for p in late_pairs for node in p}
        extras = _place_extras(groups, [e for e in extras if e not in placed], MAX_GROUP, block, ctx)
        if not extras or not _split_for(extras, groups, block):
            break
    return extras


def exact_partition(
    weights: np.ndarray,
    target: int,
    sizes: Sequence[int] | None = None,
    accept: Callable[[list[int]], bool] | None = None,
) -> list[list[int]] | None:
    """Best split of everyone into groups of 2..MAX_GROUP with every pair allowed (finite), or None if there is none.

    Groups of the target size first, then weight (each group's pair weights per member, so larger groups do not
    win just by having more pairs). With `sizes` (a multiset of group sizes) only splits into exactly those sizes
    count, by total weight; `accept` can refuse a group. Dynamic programme over subsets: for at most
    EXACT_PARTITION_LIMIT people.
    """
    n = len(weights)
    finite = np.isfinite(weights)
    wanted = tuple(sorted(sizes)) if sizes is not None else None
    best: dict[tuple[int, tuple[int, ...] | None], tuple[float, list[list[int]]] | None] = {}

    def solve(mask: int, left: tuple[int, ...] | None) -> tuple[float, list[list[int]]] | None:
        if not mask:
            return (0.0, []) if not left else None
        if (mask, left) in best:
            return best[mask, left]
        first = (mask & -mask).bit_length() - 1
        others = [k for k in range(first + 1, n) if mask >> k & 1 and finite[first, k]]
        result: tuple[float, list[list[int]]] | None = None
        for size in range(2, MAX_GROUP + 1):
            if left is not None and size not in left:
                continue
            rest_sizes = _without(left, size)
            for mates in combinations(others, size - 1):
                group = [first, *mates]
                if not all(finite[a, b] for a, b in combinations(mates, 2)) or (accept and not accept(group)):
                    continue
                rest = solve(mask & ~sum(1 << k for k in group), rest_sizes)
                if rest is None:
                    continue
                value = sum(weights[a, b] for a, b in combinations(group, 2))
                if sizes is None:
                    value = value / (size - 1) - 1000.0 * abs(size - target)
                if result is None or value + rest[0] > result[0]:
                    result = (value + rest[0], [group, *rest[1]])
        best[mask, left] = result
        return result

    found = solve((1 << n) - 1, wanted)
    return None if found is None else found[1]


def _without(sizes: tuple[int, ...] | None, size: int) -> tuple[int, ...] | None:
    """The multiset `sizes` minus one `size`; None (any sizes) stays None."""
    if sizes is None:
        return None
    k = sizes.index(size)
    return sizes[:k] + sizes[k + 1 :]


def _split_for(extras: list[int], groups: list[list[int]], block: BlockFn) -> bool:
    """Move one member of a group of 3+ into a new pair with an extra (best net gain); False if no such move."""
    large = [g for g in groups if len(g) >= 3]
    if not large:
        return False
    flat = np.array([node for g in large for node in g], dtype=np.int64)
    owner = np.repeat(np.arange(len(large)), [len(g) for g in large])
    # What each member brings to its group now (its weights to the others), lost when it leaves.
    inside = np.zeros(len(flat))
    for k, g in enumerate(large):
        weights = block(np.array(g), np.array(g))
        np.fill_diagonal(weights, 0.0)
        inside[owner == k] = np.where(np.isfinite(weights), weights, 0.0).sum(axis=1)
    gains = block(np.array(extras, dtype=np.int64), flat) - inside[None, :]
    if not np.isfinite(gains).any():
        return False
    e, k = map(int, np.unravel_index(int(np.argmax(np.where(np.isfinite(gains), gains, -np.inf))), gains.shape))
    node = int(flat[k])
    large[int(owner[k])].remove(node)
    groups.append([extras.pop(int(e)), node])
    return True


def _pair_weights(pairs: list[Pair], ctx: RoundContext) -> np.ndarray:
    if not pairs:
        return np.zeros(0)
    return ctx.edges(np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs]))


def _place_extras(groups: list[list[int]], extras: list[int], cap: int, block: BlockFn, ctx: RoundContext) -> list[int]:
    """Add extra people to groups, smallest groups first, one per group per pass, by an optimal assignment.

    Returns those who fit nowhere.
    """
    remaining = list(extras)
    while remaining:
        open_groups = [g for g in groups if len(g) < cap]
        if not open_groups:
            break
        smallest = min(len(g) for g in open_groups)
        joined = _assign_extras(remaining, [g for g in open_groups if len(g) == smallest], block, ctx)
        if not joined and any(len(g) > smallest for g in open_groups):
            joined = _assign_extras(remaining, open_groups, block, ctx)
        if not joined:
            break
        remaining = [e for e in remaining if e not in joined]
    return remaining


def _group_centres(groups: Sequence[Sequence[int]], order: np.ndarray) -> np.ndarray:
    """Mean working-window order key of each group (vectorised)."""
    sizes = np.array([len(g) for g in groups], dtype=np.int64)
    if not len(sizes):
        return np.zeros(0)
    flat = np.fromiter((node for g in groups for node in g), dtype=np.int64, count=int(sizes.sum()))
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    return np.asarray(np.add.reduceat(order[flat], starts) / sizes)


def _assign_extras(extras: list[int], open_groups: list[list[int]], block: BlockFn, ctx: RoundContext) -> set[int]:
    """One pass: each open group takes at most one extra. Large passes are cut into aligned blocks (extras and
    groups both sorted by working window) so that each assignment problem stays small."""
    order = ctx.order
    n_blocks = math.ceil(max(len(extras), len(open_groups)) / ctx.policy.block_size)
    if n_blocks <= 1:
        return _assign_extras_block(extras, open_groups, block, ctx)
    extras_sorted = sorted(extras, key=lambda e: order[e])
    groups_sorted = [open_groups[k] for k in np.argsort(_group_centres(open_groups, order), kind="stable")]
    joined: set[int] = set()
    for extra_chunk, group_chunk in zip(
        np.array_split(np.array(extras_sorted, dtype=np.int64), n_blocks),
        np.array_split(np.arange(len(groups_sorted)), n_blocks),
        strict=True,
    ):
        if len(extra_chunk) and len(group_chunk):
            chunk_groups = [groups_sorted[k] for k in group_chunk]
            joined |= _assign_extras_block(extra_chunk.tolist(), chunk_groups, block, ctx)
    return joined


def _assign_extras_block(
    extras: list[int], open_groups: list[list[int]], block: BlockFn, ctx: RoundContext
) -> set[int]:
    flat = np.array([node for g in open_groups for node in g], dtype=np.int64)
    starts = np.cumsum([0] + [len(g) for g in open_groups[:-1]])
    # Joining a group puts its members in a larger group: lean towards those who were not in one lately, and
    # strongly away from those already more often in one (or left out) than the least burdened.
    burden = np.add.reduceat(ctx.extra_cost[flat], starts)
    scores = np.empty((len(extras), len(open_groups)))
    rows_all = np.array(extras, dtype=np.int64)
    for lo in range(0, len(extras), _EXTRAS_CHUNK):
        rows = rows_all[lo : lo + _EXTRAS_CHUNK]
        scores[lo : lo + len(rows)] = np.add.reduceat(block(rows, flat), starts, axis=1) - burden
    feasible = np.isfinite(scores)
    if not feasible.any():
        return set()
    rows_idx, cols_idx = linear_sum_assignment(np.where(feasible, -scores, 1e9))
    joined: set[int] = set()
    for r, c in zip(rows_idx.tolist(), cols_idx.tolist(), strict=True):
        if feasible[r, c]:
            open_groups[c].append(extras[r])
            joined.add(extras[r])
    return joined


def _balance(groups: list[list[int]], ctx: RoundContext) -> None:
    """Move people from larger groups to groups two or more smaller (e.g. 4,4,4,2 -> 4,4,3,3), best move first.

    Each small group looks at the `_BALANCE_CANDIDATES` large groups nearest in working window, so the work stays
    linear in the pool.
    """
    sizes = np.array([len(g) for g in groups])
    if not len(sizes) or sizes.max() - sizes.min() < 2:
        return
    centre = _group_centres(groups, ctx.order)
    stuck = np.zeros(len(groups), dtype=bool)  # small groups nobody can move into
    for _ in range(2 * len(groups)):
        sizes = np.array([len(g) for g in groups])
        candidates = np.where(stuck, np.iinfo(np.int64).max, sizes)
        small = int(np.argmin(candidates))
        big = np.flatnonzero(sizes >= candidates[small] + 2)
        if not len(big):
            return
        big = big[np.argsort(np.abs(centre[big] - centre[small]), kind="stable")[:_BALANCE_CANDIDATES]]
        move = _best_move_into(groups, small, big, ctx)
        if move is None:
            stuck[small] = True
            continue
        k, node = move
        groups[k].remove(node)
        groups[small].append(node)


def _best_move_into(groups: list[list[int]], small: int, big: np.ndarray, ctx: RoundContext) -> tuple[int, int] | None:
    """The member of one of the `big` groups who gains most by moving into group `small`, or None."""
    target = np.array(groups[small], dtype=np.int64)
    best: tuple[float, int, int] | None = None
    for k in big.tolist():
        source = np.array(groups[k], dtype=np.int64)
        inside = ctx.relaxed(source, source)
        np.fill_diagonal(inside, 0.0)
        # Never move anyone next to a recent partner or a blocked one: the target side uses strict weights.
        gain = ctx.strict(source, target).sum(axis=1) - inside.sum(axis=1)
        pos = int(np.argmax(gain))
        if np.isfinite(gain[pos]) and (best is None or gain[pos] > best[0]):
            best = (float(gain[pos]), k, int(source[pos]))
    return None if best is None else (best[1], best[2])
