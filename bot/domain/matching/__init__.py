"""The coffee matcher: pure, seeded, maximum-weight grouping of the people available for a round.

API::

    match_round(members, history, policy, now, seed) -> MatchResult
    pair_weight(a, b, history, policy, now, *, allow_recent=False, unmet_share=(1.0, 1.0)) -> float | None
    fairness_after(result, ledger, policy, now) -> dict[str, FairnessRecord]   # the ledger for the next round
    explain_group(nodes, model, history, now) -> str   # the one-line reason (explain.py)

`Member(user_id, team, tz_offset_minutes, work_start_minutes=540, work_end_minutes=1020)`,
`PairHistory(last_met={frozenset({a, b}): datetime}, blocked={frozenset({a, b})}, fairness={id: FairnessRecord})`,
`MatchPolicy(group_size=2..4, pool_mode=PoolMode..., cooldown=8 weeks, repeat_if_unavoidable=True, weights...)`,
`MatchResult(groups=(Group(member_ids, reason),...), unmatched=(Unmatched(user_id, reason, text),...), seed,
total_weight, repeated_recent_pairs)`.

Semantics
- Weights (see `weights.py`): a positive base; freshness (full for a first meeting, a decaying penalty after any
  logged meeting, so people who met longest ago come back first); a bonus for other teams (prefer_cross_team) and
  for shared working hours, both scaled by how much of the pool the two have not met yet (in a small pool late in
  its cycle, meeting someone new outweighs team and time zone); fairness (people recently left out or put in a
  larger group are favoured for a regular group, and larger groups lean towards people not in one lately).
  Pool modes only_cross_team and only_within_team are hard rules (within-team pools are solved team by team);
  blocked pairs are never grouped.
- "Excluded when avoidable": pairs that met within the cooldown are excluded from the main matching and from
  placing the odd people. Only people still unplaced after that may be grouped with a recent partner
  (`repeat_if_unavoidable=True`, the default; the group's reason then says so); with False they are left out
  with reason `only_recent_partners`.
- Pairs (engine.py): pools up to `exact_limit` (150) are solved exactly (networkx blossom, maximum cardinality
  first); pools of pairs up to `lookahead_limit` (60) also keep a plan of first meetings for the coming rounds, so
  the optimum of this week does not force repeats later (odd pools through a stand-in node whose partner is the
  round's extra). Up to 1,200 people: one dense assignment relaxation (scipy's linear_sum_assignment on the
  symmetric weight matrix, cycles cut into pairs by a small DP). Larger pools: blocks of `block_size` (300) people
  with similar working windows, each solved once; the few still unpaired are placed by augmenting moves (u-v, x-y
  instead of v-x); then every person in a pair lighter than they could hope for tries partner swaps with the 300
  people either side in window order (z-t, pz-pt instead of z-pz, t-pt), round after round near the changes. No
  top-k candidate lists (they fail through hubness) and no sparse bipartite solver (it can stall).
- Fairness (groups.py): the extra of an odd pool of pairs, and the pair it joins, are chosen among the people with
  the fewest ledger entries (left out, larger group): nobody two or more entries above the least burdened while
  anyone else can be, so everyone stays within ceil(mean) + 1 over the rounds.
- Time zones (timezones.py): in pools up to `exact_limit`, when a group shares less than an hour of working time,
  a grouping of the same people where every group shares one is taken if it weighs at least 99% of the round's
  (and, where a plan of first meetings is kept, leaves it as many rounds).
- Group size 2: pairs; someone who would be left out joins the pair where they fit best (a trio).
  Group size 3: the strongest pairs are kept as cores (as many as groups are wanted); everyone else joins a core
  by an optimal assignment, one per core per pass. Group size 4: a second matching pairs up the pairs
  (weight = the four cross weights). Group sizes then flex within the programme's bounds (2..4) so that nobody is
  left out needlessly: leftovers pair up, join any group below 4, or take a compatible member of a group of 3+
  into a new pair; pools up to 12 with someone still left out are searched exhaustively for a full grouping.
  Then groups two or more apart in size are balanced (4,4,4,2 -> 4,4,3,3). Groups have 2..4 members.
- Everyone available is in exactly one group or in `unmatched` with a reason: pool_too_small,
  no_eligible_partner, only_recent_partners, left_over. Texts never mention anyone's block list.
- Deterministic for a seed whatever the order of `members`; the seed breaks ties.
"""

from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from bot.domain.matching.explain import UNMATCHED_TEXT, explain_group
    from bot.domain.matching.rounds import fairness_after, match_round
    from bot.domain.matching.weights import WeightModel, overlap_minutes, pair_weight

# The solvers pull in numpy, scipy and networkx (~0.9 s to import). Most importers only need the value types above
# (the CLI, handlers, storage), so the solvers load on first use.
_LAZY = {
    "UNMATCHED_TEXT": "bot.domain.matching.explain",
    "explain_group": "bot.domain.matching.explain",
    "fairness_after": "bot.domain.matching.rounds",
    "match_round": "bot.domain.matching.rounds",
    "WeightModel": "bot.domain.matching.weights",
    "overlap_minutes": "bot.domain.matching.weights",
    "pair_weight": "bot.domain.matching.weights",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


__all__ = [
    "UNMATCHED_TEXT",
    "FairnessRecord",
    "Group",
    "MatchPolicy",
    "MatchResult",
    "Member",
    "PairHistory",
    "PoolMode",
    "Unmatched",
    "UnmatchedReason",
    "WeightModel",
    "explain_group",
    "fairness_after",
    "match_round",
    "overlap_minutes",
    "pair_weight",
]
