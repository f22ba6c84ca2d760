"""One coffee round: pairs by maximum weight, then groups, then a reason for everyone left out."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from itertools import combinations

import numpy as np

from bot.domain.matching.explain import (
    UNMATCHED_TEXT,
    explain_group,
    explain_groups,
    reason_left_out,
    unmatched,
)
from bot.domain.matching.groups import RoundContext, group_pool
from bot.domain.matching.model import (
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
from bot.domain.matching.timezones import prefer_shared_hours
from bot.domain.matching.weights import WeightModel

__all__ = ["UNMATCHED_TEXT", "explain_group", "fairness_after", "match_round"]


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
    left_out: list[Unmatched] = []
    total = 0.0
    recent_pairs = 0
    for sub_pool in pools:
        # A seeded shuffle of a canonical order: same result whatever order the caller passes; the seed breaks ties.
        shuffled = [sub_pool[k] for k in rng.permutation(len(sub_pool))]
        if len(shuffled) < 2:
            reason: UnmatchedReason = "pool_too_small" if len(canonical) < 2 else "no_eligible_partner"
            left_out += [unmatched(m.user_id, reason) for m in shuffled]
            continue
        sub_groups, sub_unmatched, sub_total, sub_recent = _match_pool(shuffled, history, policy, now, rng)
        groups += sub_groups
        left_out += sub_unmatched
        total += sub_total
        recent_pairs += sub_recent
    groups.sort(key=lambda g: g.member_ids[0])
    left_out.sort(key=lambda u: u.user_id)
    return MatchResult(tuple(groups), tuple(left_out), seed, total, recent_pairs)


def _match_pool(
    pool: list[Member], history: PairHistory, policy: MatchPolicy, now: datetime, rng: np.random.Generator
) -> tuple[list[Group], list[Unmatched], float, int]:
    """Groups, left-outs, total weight and recent pairs used for one pool of at least two people."""
    ctx = RoundContext.build(pool, WeightModel(pool, history, policy, now), rng)
    groups, extras = group_pool(ctx)
    groups = prefer_shared_hours(groups, extras, ctx)
    model = ctx.model
    left_out = [unmatched(pool[e].user_id, reason_left_out(e, model, policy)) for e in extras]
    ordered = sorted((sorted(g, key=lambda i: pool[i].user_id) for g in groups), key=lambda g: pool[g[0]].user_id)
    within = np.array([pair for g in ordered for pair in combinations(g, 2)], dtype=np.int64).reshape(-1, 2)
    total = float(model.edges(within[:, 0], within[:, 1], allow_recent=True).sum())
    recent_pairs = int(np.count_nonzero(model.recent_pairs(within[:, 0], within[:, 1])))
    reasons = explain_groups(ordered, model, history, now)
    result_groups = [Group(tuple(pool[i].user_id for i in g), why) for g, why in zip(ordered, reasons, strict=True)]
    return result_groups, left_out, total, recent_pairs


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
