"""Time zones in small pools: a grouping where every group shares a working hour, when one costs under 1%.

Freshness outweighs overlap in the weights (in a small pool late in its cycle the overlap bonus fades, so that
meeting someone new comes first), so the optimum may put people with no common working hour together although a
grouping almost as good gives every group one. After the round is grouped, a pool up to the exact limit with a
group lacking a shared hour is grouped again with such pairs excluded; the alternative is kept when everyone is
placed as before, every group shares an hour, and its weight is within `OVERLAP_TOLERANCE` of the round's. Pools of
up to twelve are searched exactly (same group sizes, best total weight).
"""

from __future__ import annotations

from dataclasses import replace
from itertools import combinations

import numpy as np

from bot.domain.matching.engine import rounds_after
from bot.domain.matching.explain import shared_minutes
from bot.domain.matching.groups import EXACT_PARTITION_LIMIT, RoundContext, exact_partition, group_pool
from bot.domain.matching.weights import SHARED_HOUR

OVERLAP_TOLERANCE = 0.01


def prefer_shared_hours(groups: list[list[int]], extras: list[int], ctx: RoundContext) -> list[list[int]]:
    """`groups`, or an alternative within OVERLAP_TOLERANCE of their weight in which every group shares a working
    hour (small pools only)."""
    if len(ctx.pool) > ctx.policy.exact_limit or not groups:
        return groups
    model = ctx.model
    if (shared_minutes(model, groups) >= SHARED_HOUR).all():
        return groups
    masked = replace(ctx, shared_hours_only=True)
    alternative = _alternative(groups, extras, masked)
    if alternative is None or not (shared_minutes(model, alternative) >= SHARED_HOUR).all():
        return groups
    if _weight(alternative, ctx, allow_recent=False) < (1 - OVERLAP_TOLERANCE) * _weight(groups, ctx):
        return groups
    if _plans_ahead(ctx) and _rounds_after(alternative, ctx) < _rounds_after(groups, ctx):
        return groups  # the pool's plan of first meetings would suffer: repeats later cost more than an hour now
    return alternative


def _plans_ahead(ctx: RoundContext) -> bool:
    return ctx.policy.group_size == 2 and len(ctx.pool) <= ctx.policy.lookahead_limit


def _rounds_after(groups: list[list[int]], ctx: RoundContext) -> int:
    """Further rounds of first meetings for everyone that stay possible after these groups meet."""
    everyone = np.arange(len(ctx.pool), dtype=np.int64)
    fresh = (ctx.model.met.toarray() == 0) & np.isfinite(ctx.model.block(everyone, everyone))
    by_user_id = np.argsort([m.user_id for m in ctx.pool], kind="stable")
    meetings = [pair for g in groups for pair in combinations(sorted(g), 2)]
    return rounds_after(fresh, by_user_id, meetings, odd=len(ctx.pool) % 2 == 1)


def _alternative(groups: list[list[int]], extras: list[int], masked: RoundContext) -> list[list[int]] | None:
    """The best grouping of the same people with pairs lacking a shared hour excluded, or None."""
    model = masked.model
    n = len(masked.pool)
    if n <= EXACT_PARTITION_LIMIT and not extras:
        everyone = np.arange(n, dtype=np.int64)
        return exact_partition(
            masked.strict(everyone, everyone),
            masked.policy.group_size,
            sizes=[len(g) for g in groups],
            accept=lambda group: bool(shared_minutes(model, [group])[0] >= SHARED_HOUR),
        )
    alternative, left_out = group_pool(masked)
    return alternative if len(left_out) <= len(extras) else None


def _weight(groups: list[list[int]], ctx: RoundContext, *, allow_recent: bool = True) -> float:
    """Total weight of every pair inside every group."""
    pairs = np.array([pair for g in groups for pair in combinations(g, 2)], dtype=np.int64).reshape(-1, 2)
    return float(ctx.model.edges(pairs[:, 0], pairs[:, 1], allow_recent=allow_recent).sum())
