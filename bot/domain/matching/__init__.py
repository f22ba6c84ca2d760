"""The coffee matcher: pure, seeded, maximum-weight grouping of the people available for a round.

API::

    match_round(members, history, policy, now, seed) -> MatchResult
    pair_weight(a, b, history, policy, now, *, allow_recent=False) -> float | None
    fairness_after(result, ledger, policy, now) -> dict[str, FairnessRecord]   # the ledger for the next round
    explain_group(nodes, model, history, now) -> str

`Member(user_id, team, tz_offset_minutes, work_start_minutes=540, work_end_minutes=1020)`,
`PairHistory(last_met={frozenset({a, b}): datetime}, blocked={frozenset({a, b})}, fairness={id: FairnessRecord})`,
`MatchPolicy(group_size=2..4, pool_mode=PoolMode..., cooldown=8 weeks, repeat_if_unavoidable=True, weights...)`,
`MatchResult(groups=(Group(member_ids, reason),...), unmatched=(Unmatched(user_id, reason, text),...), seed,
total_weight, repeated_recent_pairs)`.

Semantics
- Weights (see `weights.py`): a positive base, plus freshness (full for a first meeting, a decaying penalty after
  any logged meeting), a bonus for other teams (prefer_cross_team), shared working hours, and fairness (people
  recently left out or put in a larger group are favoured for a regular group). Pool modes only_cross_team and
  only_within_team are hard rules; blocked pairs are never grouped.
- "Excluded when avoidable": pairs that met within the cooldown are excluded from the main matching and from
  placing the odd people. Only people still unplaced after that may be grouped with a recent partner
  (`repeat_if_unavoidable=True`, the default); with False they are left out with reason `only_recent_partners`.
- Pairs: exact blossom (networkx, maximum cardinality first) for pools up to `exact_limit` (150); above, the
  assignment relaxation in blocks of people with similar working windows (see `engine.py`).
- Group size 2: pairs; someone who would be left out joins the pair where they fit best (a trio).
  Group size 3: the strongest pairs are kept as cores (as many as groups are wanted); everyone else joins a core
  by an optimal assignment, one per core per pass. Group size 4: a second matching pairs up the pairs
  (weight = the four cross weights). Groups end with 2..group_size+1 members.
- Everyone available is in exactly one group or in `unmatched` with a reason: pool_too_small,
  no_eligible_partner, only_recent_partners, left_over. Texts never mention anyone's block list.
- Deterministic for a seed whatever the order of `members`; the seed breaks ties.
"""

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
from bot.domain.matching.rounds import UNMATCHED_TEXT, explain_group, fairness_after, match_round
from bot.domain.matching.weights import WeightModel, overlap_minutes, pair_weight

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
