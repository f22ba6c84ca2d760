"""One coffee round: pairs by maximum weight, then groups, then a reason for everyone left out."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from itertools import combinations

import numpy as np
from scipy.optimize import linear_sum_assignment

from bot.domain.matching.engine import BlockFn, Pair, exact_pairs_with_lookahead, max_weight_pairs
from bot.domain.matching.model import (
    MINUTES_PER_DAY,
    FairnessRecord,
    Group,
    MatchPolicy,
    MatchResult,
    Member,
    PairHistory,
    PoolMode,
    Unmatched,
    UnmatchedReason,
)
from bot.domain.matching.weights import WeightModel, _overlap, is_recent, lookup

MAX_GROUP = 4  # the programme's largest group; groups flex between 2 and this so that nobody is left out needlessly
EXACT_PARTITION_LIMIT = 12
_EXTRAS_CHUNK = 512  # rows of extras scored at once, to bound memory when many people are left over
_BALANCE_CANDIDATES = 32

UNMATCHED_TEXT: dict[UnmatchedReason, str] = {
    "pool_too_small": "Not enough people were available this round to form a group.",
    "no_eligible_partner": "We couldn't find a fitting partner for you among the people available this round.",
    "only_recent_partners": (
        "Everyone available this round was a recent partner of yours, so we let you sit this one out "
        "rather than repeat a pairing."
    ),
    "left_over": "Every group that suited you was already full this round.",
}


def match_round(
    members: Sequence[Member], history: PairHistory, policy: MatchPolicy, now: datetime, seed: int
) -> MatchResult:
    """Group the available members for one round; deterministic for (inputs, seed)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    ids = [m.user_id for m in members]
    if len(set(ids)) != len(ids):
        raise ValueError("each member may appear only once")
    rng = np.random.default_rng(seed)
    canonical = sorted(members, key=lambda m: m.user_id)
    if policy.pool_mode is PoolMode.ONLY_WITHIN_TEAM:
        # Teams never mix: each team is its own, smaller, independent pool.
        by_team: dict[str, list[Member]] = {}
        for member in canonical:
            by_team.setdefault(member.team, []).append(member)
        pools = [by_team[team] for team in sorted(by_team)]
    else:
        pools = [canonical]
    groups: list[Group] = []
    unmatched: list[Unmatched] = []
    total = 0.0
    recent_pairs = 0
    for sub_pool in pools:
        # A seeded shuffle of a canonical order: same result whatever order the caller passes; the seed breaks ties.
        shuffled = [sub_pool[k] for k in rng.permutation(len(sub_pool))]
        if len(shuffled) < 2:
            reason: UnmatchedReason = "pool_too_small" if len(canonical) < 2 else "no_eligible_partner"
            unmatched += [_unmatched(m.user_id, reason) for m in shuffled]
            continue
        sub_groups, sub_unmatched, sub_total, sub_recent = _match_pool(shuffled, history, policy, now, rng)
        groups += sub_groups
        unmatched += sub_unmatched
        total += sub_total
        recent_pairs += sub_recent
    groups.sort(key=lambda g: g.member_ids[0])
    unmatched.sort(key=lambda u: u.user_id)
    return MatchResult(tuple(groups), tuple(unmatched), seed, total, recent_pairs)


def _match_pool(
    pool: list[Member], history: PairHistory, policy: MatchPolicy, now: datetime, rng: np.random.Generator
) -> tuple[list[Group], list[Unmatched], float, int]:
    """Groups, left-outs, total weight and recent pairs used for one pool of at least two people."""
    model = WeightModel(pool, history, policy, now)
    order = model.order_key()
    all_nodes = np.arange(len(pool), dtype=np.int64)

    def strict(rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        return model.block(rows, cols)

    def relaxed(rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        return model.block(rows, cols, allow_recent=True)

    def pair_up(nodes: np.ndarray, block: BlockFn, allow_recent: bool = False) -> list[Pair]:
        def edges(left: np.ndarray, right: np.ndarray) -> np.ndarray:
            return model.edges(left, right, allow_recent=allow_recent)

        return max_weight_pairs(
            nodes, block, edges, order, rng, exact_limit=policy.exact_limit, block_size=policy.block_size
        )

    # Lookahead only for even pools: in odd ones the trio's extra meetings break any plan of first meetings.
    if policy.group_size == 2 and len(pool) % 2 == 0 and len(pool) <= policy.lookahead_limit:
        weights = strict(all_nodes, all_nodes)
        fresh = (model.penalty.toarray() == 0) & np.isfinite(weights)
        by_user_id = np.argsort([m.user_id for m in pool], kind="stable")
        pairs = exact_pairs_with_lookahead(all_nodes, weights, fresh, rng, by_user_id)
    else:
        pairs = pair_up(all_nodes, strict)
    groups, extras = _form_groups(pairs, len(pool), model, strict, order, rng, policy)
    cap = min(policy.group_size + 1, MAX_GROUP)
    extras = _place_extras(groups, extras, cap, strict, model, policy)
    extras = _flex(groups, extras, strict, model, policy, pair_up)
    if policy.repeat_if_unavoidable and extras:
        # Unavoidable repeats: the same steps again with recent partners allowed.
        extras = _flex(groups, extras, relaxed, model, policy, lambda nodes, block: pair_up(nodes, block, True))
    if extras and len(pool) <= EXACT_PARTITION_LIMIT:
        # Small pool with someone left out: search every grouping (2..MAX_GROUP) for one that places everyone.
        for block in (strict, relaxed) if policy.repeat_if_unavoidable else (strict,):
            found = _exact_partition(block(all_nodes, all_nodes), policy.group_size)
            if found is not None:
                groups, extras = found, []
                break
    _balance(groups, strict, relaxed, order)

    unmatched = [_unmatched(pool[e].user_id, _reason(e, model, policy)) for e in extras]
    ordered = sorted((sorted(g, key=lambda i: pool[i].user_id) for g in groups), key=lambda g: pool[g[0]].user_id)
    within = [pair for g in ordered for pair in combinations(g, 2)]
    left = np.array([a for a, _ in within], dtype=np.int64)
    right = np.array([b for _, b in within], dtype=np.int64)
    total = float(model.edges(left, right, allow_recent=True).sum()) if within else 0.0
    recent_pairs = int(np.count_nonzero(lookup(model.recent, left, right))) if within else 0
    result_groups = [Group(tuple(pool[i].user_id for i in g), explain_group(g, model, history, now)) for g in ordered]
    return result_groups, unmatched, total, recent_pairs


def _form_groups(
    pairs: list[Pair],
    n: int,
    model: WeightModel,
    strict: BlockFn,
    order: np.ndarray,
    rng: np.random.Generator,
    policy: MatchPolicy,
) -> tuple[list[list[int]], list[int]]:
    """Turn pairs into cores of the target size; return the cores and everyone still to place."""
    paired = {node for p in pairs for node in p}
    extras = [i for i in range(n) if i not in paired]
    target_groups = max(1, math.floor(n / policy.group_size + 0.5))
    if policy.group_size == 2:
        return [list(p) for p in pairs], extras
    if policy.group_size == 3:
        # Keep the strongest pairs as cores; members of the weakest pairs become the third person of a core.
        weights = _pair_weights(pairs, model)
        keep = sorted(range(len(pairs)), key=lambda k: -weights[k])[:target_groups]
        kept = set(keep)
        extras += [node for k, p in enumerate(pairs) if k not in kept for node in p]
        return [list(pairs[k]) for k in sorted(keep)], extras
    # group_size 4: pair the pairs (a matching on the graph whose nodes are pairs), each quad = two pairs.
    left = np.array([p[0] for p in pairs], dtype=np.int64)
    right = np.array([p[1] for p in pairs], dtype=np.int64)

    def quad_block(rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        total = strict(left[rows], left[cols]) + strict(left[rows], right[cols])
        total += strict(right[rows], left[cols]) + strict(right[rows], right[cols])
        return total

    def quad_edges(rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        total = model.edges(left[rows], left[cols]) + model.edges(left[rows], right[cols])
        total += model.edges(right[rows], left[cols]) + model.edges(right[rows], right[cols])
        return np.where(rows == cols, -np.inf, total)

    pair_order = (order[left] + order[right]) / 2
    quads = max_weight_pairs(
        np.arange(len(pairs), dtype=np.int64),
        quad_block,
        quad_edges,
        pair_order,
        rng,
        exact_limit=policy.exact_limit,
        block_size=policy.block_size,
    )
    groups = [[*pairs[p], *pairs[q]] for p, q in quads]
    merged = {k for quad in quads for k in quad}
    spare = [k for k in range(len(pairs)) if k not in merged]
    weights = _pair_weights(pairs, model)
    spare.sort(key=lambda k: -weights[k])
    room = max(target_groups - len(groups), 0)
    groups += [list(pairs[k]) for k in spare[:room]]
    extras += [node for k in spare[room:] for node in pairs[k]]
    return groups, extras


def _flex(
    groups: list[list[int]],
    extras: list[int],
    block: BlockFn,
    model: WeightModel,
    policy: MatchPolicy,
    pair_up: Callable[[np.ndarray, BlockFn], list[Pair]],
) -> list[int]:
    """Place people still left out by flexing group sizes within 2..MAX_GROUP: pair them up with each other, let
    them join any group below MAX_GROUP, or take someone compatible out of a group of three or more into a new pair.
    The number of groups is not fixed, so e.g. a cross-team pool with one large team still places everyone."""
    for _ in range(len(extras) + 1):
        if not extras:
            break
        late_pairs = pair_up(np.array(extras, dtype=np.int64), block) if len(extras) >= 2 else []
        groups += [list(p) for p in late_pairs]
        placed = {node for p in late_pairs for node in p}
        extras = _place_extras(groups, [e for e in extras if e not in placed], MAX_GROUP, block, model, policy)
        if not extras or not _split_for(extras, groups, block):
            break
    return extras


def _exact_partition(weights: np.ndarray, target: int) -> list[list[int]] | None:
    """Best split of everyone into groups of 2..MAX_GROUP with every pair allowed (finite), or None if there is none.

    Groups of the target size first, then weight (each group's pair weights per member, so larger groups do not
    win just by having more pairs). Dynamic programme over subsets: for at most EXACT_PARTITION_LIMIT people.
    """
    n = len(weights)
    best: dict[int, tuple[float, list[list[int]]] | None] = {0: (0.0, [])}

    def solve(mask: int) -> tuple[float, list[list[int]]] | None:
        if mask in best:
            return best[mask]
        first = (mask & -mask).bit_length() - 1
        others = [k for k in range(first + 1, n) if mask >> k & 1 and np.isfinite(weights[first, k])]
        result: tuple[float, list[list[int]]] | None = None
        for size in range(1, MAX_GROUP):
            for mates in combinations(others, size):
                group = [first, *mates]
                if not all(np.isfinite(weights[a, b]) for a, b in combinations(mates, 2)):
                    continue
                rest = solve(mask & ~sum(1 << k for k in group))
                if rest is None:
                    continue
                value = sum(weights[a, b] for a, b in combinations(group, 2)) / size - 1000.0 * abs(size + 1 - target)
                if result is None or value + rest[0] > result[0]:
                    result = (value + rest[0], [group, *rest[1]])
        best[mask] = result
        return result

    found = solve((1 << n) - 1)
    return None if found is None else found[1]


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


def _pair_weights(pairs: list[Pair], model: WeightModel) -> np.ndarray:
    if not pairs:
        return np.zeros(0)
    return model.edges(np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs]))


def _place_extras(
    groups: list[list[int]], extras: list[int], cap: int, block: BlockFn, model: WeightModel, policy: MatchPolicy
) -> list[int]:
    """Add extra people to groups, smallest groups first, one per group per pass, by an optimal assignment.

    Returns those who fit nowhere.
    """
    remaining = list(extras)
    while remaining:
        open_groups = [g for g in groups if len(g) < cap]
        if not open_groups:
            break
        smallest = min(len(g) for g in open_groups)
        joined = _assign_extras(remaining, [g for g in open_groups if len(g) == smallest], block, model, policy)
        if not joined and any(len(g) > smallest for g in open_groups):
            joined = _assign_extras(remaining, open_groups, block, model, policy)
        if not joined:
            break
        remaining = [e for e in remaining if e not in joined]
    return remaining


def _assign_extras(
    extras: list[int], open_groups: list[list[int]], block: BlockFn, model: WeightModel, policy: MatchPolicy
) -> set[int]:
    """One pass: each open group takes at most one extra. Large passes are cut into aligned blocks (extras and
    groups both sorted by working window) so that each assignment problem stays small."""
    order = model.order_key()
    n_blocks = math.ceil(max(len(extras), len(open_groups)) / policy.block_size)
    if n_blocks <= 1:
        return _assign_extras_block(extras, open_groups, block, model, policy)
    extras_sorted = sorted(extras, key=lambda e: order[e])
    groups_sorted = sorted(open_groups, key=lambda g: float(np.mean(order[g])))
    joined: set[int] = set()
    for extra_chunk, group_chunk in zip(
        np.array_split(np.array(extras_sorted, dtype=np.int64), n_blocks),
        np.array_split(np.arange(len(groups_sorted)), n_blocks),
        strict=True,
    ):
        if len(extra_chunk) and len(group_chunk):
            chunk_groups = [groups_sorted[k] for k in group_chunk]
            joined |= _assign_extras_block(extra_chunk.tolist(), chunk_groups, block, model, policy)
    return joined


def _assign_extras_block(
    extras: list[int], open_groups: list[list[int]], block: BlockFn, model: WeightModel, policy: MatchPolicy
) -> set[int]:
    flat = np.array([node for g in open_groups for node in g], dtype=np.int64)
    starts = np.cumsum([0] + [len(g) for g in open_groups[:-1]])
    # Joining a group puts its members in a larger group: lean towards those who were not in one lately.
    burden = policy.fairness_weight * np.add.reduceat(model.larger_group[flat], starts)
    scores = np.empty((len(extras), len(open_groups)))
    rows_all = np.array(extras, dtype=np.int64)
    for lo in range(0, len(extras), _EXTRAS_CHUNK):
        rows = rows_all[lo : lo + _EXTRAS_CHUNK]
        scores[lo : lo + len(rows)] = np.add.reduceat(block(rows, flat), starts, axis=1) - burden
    feasible = np.isfinite(scores)
    if not feasible.any():
        return set()
    cost = np.where(feasible, -scores, 1e9)
    rows_idx, cols_idx = linear_sum_assignment(cost)
    joined: set[int] = set()
    for r, c in zip(rows_idx.tolist(), cols_idx.tolist(), strict=True):
        if feasible[r, c]:
            open_groups[c].append(extras[r])
            joined.add(extras[r])
    return joined


def _balance(groups: list[list[int]], strict: BlockFn, relaxed: BlockFn, order: np.ndarray) -> None:
    """Move people from larger groups to groups two or more smaller (e.g. 4,4,4,2 -> 4,4,3,3), best move first.

    Each small group looks at the `_BALANCE_CANDIDATES` large groups nearest in working window, so the work stays
    linear in the pool.
    """
    centre = np.array([float(np.mean(order[g])) for g in groups])
    stuck = np.zeros(len(groups), dtype=bool)  # small groups nobody can move into
    for _ in range(2 * len(groups)):
        sizes = np.array([len(g) for g in groups])
        candidates = np.where(stuck, np.iinfo(np.int64).max, sizes)
        small = int(np.argmin(candidates))
        big = np.flatnonzero(sizes >= candidates[small] + 2)
        if not len(big):
            return
        big = big[np.argsort(np.abs(centre[big] - centre[small]), kind="stable")[:_BALANCE_CANDIDATES]]
        target = np.array(groups[small], dtype=np.int64)
        best: tuple[float, int, int] | None = None
        for k in big.tolist():
            source = np.array(groups[k], dtype=np.int64)
            inside = relaxed(source, source)
            np.fill_diagonal(inside, 0.0)
            # Never move anyone next to a recent partner or a blocked one: the target side uses strict weights.
            gain = strict(source, target).sum(axis=1) - inside.sum(axis=1)
            pos = int(np.argmax(gain))
            if np.isfinite(gain[pos]) and (best is None or gain[pos] > best[0]):
                best = (float(gain[pos]), k, int(source[pos]))
        if best is None:
            stuck[small] = True
            continue
        _, k, node = best
        groups[k].remove(node)
        groups[small].append(node)


def _reason(node: int, model: WeightModel, policy: MatchPolicy) -> UnmatchedReason:
    everyone = np.arange(len(model), dtype=np.int64)
    here = np.array([node], dtype=np.int64)
    if not np.isfinite(model.block(here, everyone, allow_recent=True)).any():
        return "no_eligible_partner"
    if not policy.repeat_if_unavoidable and not np.isfinite(model.block(here, everyone)).any():
        return "only_recent_partners"
    return "left_over"


def _unmatched(user_id: str, reason: UnmatchedReason) -> Unmatched:
    return Unmatched(user_id, reason, UNMATCHED_TEXT[reason])


def _shared_working_minutes(model: WeightModel, nodes: Sequence[int]) -> int:
    """Minutes of the day inside everyone's working window (per group, so memory stays O(group))."""
    windows = model.windows[list(nodes)]
    minutes = np.arange(MINUTES_PER_DAY, dtype=np.int32)[None, :]
    inside = ((minutes - windows[:, :1]) % MINUTES_PER_DAY) < windows[:, 1:]
    return int(inside.all(axis=0).sum())


def _overlap_possible(nodes: Sequence[int], model: WeightModel) -> bool:
    """Whether every member could have shared a working hour with someone they may be grouped with this round."""
    everyone = np.arange(len(model), dtype=np.int64)
    windows = model.windows
    for node in nodes:
        allowed = np.isfinite(model.block(np.array([node]), everyone, allow_recent=True)[0])
        shared = _overlap(windows[node, 0], windows[node, 1], windows[:, 0], windows[:, 1])
        if not (allowed & (shared >= 60)).any():
            return False
    return True


def explain_group(nodes: Sequence[int], model: WeightModel, history: PairHistory, now: datetime) -> str:
    """One line on why these people were grouped: teams, meeting history, shared working hours."""
    members = [model.members[i] for i in nodes]
    teams = {m.team for m in members}
    if len(teams) == len(members):
        team_part = "different teams"
    elif len(teams) == 1:
        team_part = "same team"
    else:
        team_part = "mixed teams"
    last = [history.last_met.get(frozenset((a.user_id, b.user_id))) for a, b in combinations(members, 2)]
    met = [when for when in last if when is not None]
    if not met:
        history_part = "first meeting" if len(members) == 2 else "first meeting for all"
    else:
        latest = max(met)
        who = "" if len(members) == 2 else "some "
        history_part = f"{who}last met {_ago(now - latest)}"
        if any(is_recent(when, now, model.policy) for when in met):
            history_part += " (no one else was available)"
    shared = _shared_working_minutes(model, nodes)
    hours = round(shared / 30) / 2
    if hours <= 0:
        overlap_part = "no shared working hours"
        if not _overlap_possible(nodes, model):
            overlap_part += " (none was possible this round)"
    else:
        text = f"{hours:g}"
        overlap_part = f"{text} working hour{'' if hours == 1 else 's'} overlap"
    return f"{team_part}, {history_part}, {overlap_part}"


def _ago(delta: timedelta) -> str:
    days = max(int(delta / timedelta(days=1)), 0)
    if days < 14:
        return "today" if days == 0 else f"{days} day{'' if days == 1 else 's'} ago"
    if days < 120:
        return f"{days // 7} weeks ago"
    return f"{days // 30} months ago"


def fairness_after(
    result: MatchResult, ledger: dict[str, FairnessRecord], policy: MatchPolicy, now: datetime
) -> dict[str, FairnessRecord]:
    """The fairness ledger updated with this round: left-out members and members of larger-than-target groups."""
    updated = dict(ledger)
    for item in result.unmatched:
        old = updated.get(item.user_id, FairnessRecord())
        updated[item.user_id] = FairnessRecord(
            old.times_left_out + 1, old.times_in_larger_group, now, old.last_in_larger_group
        )
    for group in result.groups:
        if len(group.member_ids) > policy.group_size:
            for user_id in group.member_ids:
                old = updated.get(user_id, FairnessRecord())
                updated[user_id] = FairnessRecord(
                    old.times_left_out, old.times_in_larger_group + 1, old.last_left_out, now
                )
    return updated
