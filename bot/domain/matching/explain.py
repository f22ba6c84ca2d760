"""What people read about a round: the one-line reason of each group and the sentence for anyone left out."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from itertools import combinations

import numpy as np

from bot.domain.matching.model import MINUTES_PER_DAY, MatchPolicy, PairHistory, Unmatched, UnmatchedReason
from bot.domain.matching.weights import SHARED_HOUR, WeightModel, _overlap, is_recent

_GROUPS_PER_CHUNK = 1024  # groups whose minute grids are built at once (bounds memory)

UNMATCHED_TEXT: dict[UnmatchedReason, str] = {
    "pool_too_small": "Not enough people were available this round to form a group.",
    "no_eligible_partner": "We couldn't find a fitting partner for you among the people available this round.",
    "only_recent_partners": (
        "Everyone available this round was a recent partner of yours, so we let you sit this one out "
        "rather than repeat a pairing."
    ),
    "left_over": "Every group that suited you was already full this round.",
}


def unmatched(user_id: str, reason: UnmatchedReason) -> Unmatched:
    """Someone left out, with the sentence for their DM."""
    return Unmatched(user_id, reason, UNMATCHED_TEXT[reason])


def reason_left_out(node: int, model: WeightModel, policy: MatchPolicy) -> UnmatchedReason:
    """Why this member could not be placed."""
    everyone = np.arange(len(model), dtype=np.int64)
    here = np.array([node], dtype=np.int64)
    if not np.isfinite(model.block(here, everyone, allow_recent=True)).any():
        return "no_eligible_partner"
    if not policy.repeat_if_unavoidable and not np.isfinite(model.block(here, everyone)).any():
        return "only_recent_partners"
    return "left_over"


def shared_minutes(model: WeightModel, groups: Sequence[Sequence[int]]) -> np.ndarray:
    """Minutes of the day inside every member's working window, per group (vectorised over groups of one size).

    A window that crosses midnight is two pieces of the day; the pieces of different members combine in 2^size
    ways, each an intersection of intervals, and since one member's pieces are disjoint the intersections add up."""
    shared = np.zeros(len(groups), dtype=np.int64)
    by_size: dict[int, list[int]] = {}
    for k, group in enumerate(groups):
        by_size.setdefault(len(group), []).append(k)
    for size, ks in by_size.items():
        members = np.array([groups[k] for k in ks], dtype=np.int64).reshape(len(ks), size)
        start, length = model.windows[members, 0], model.windows[members, 1]
        end = start + length
        # piece 0: [start, min(end, day)); piece 1: [0, end - day) when the window wraps (else empty)
        pieces = np.stack(
            (np.stack((start, np.minimum(end, MINUTES_PER_DAY))), np.stack((0 * start, end - MINUTES_PER_DAY)))
        )
        total = np.zeros(len(ks), dtype=np.int64)
        for choice in np.ndindex(*(2,) * size):
            lows = np.stack([pieces[c, 0, :, m] for m, c in enumerate(choice)])
            highs = np.stack([pieces[c, 1, :, m] for m, c in enumerate(choice)])
            total += np.maximum(highs.min(axis=0) - lows.max(axis=0), 0)
        shared[ks] = total
    return shared


def overlap_possible(nodes: Sequence[int], model: WeightModel) -> bool:
    """Whether every member could have shared a working hour with someone they may be grouped with this round."""
    everyone = np.arange(len(model), dtype=np.int64)
    windows = model.windows
    for node in nodes:
        allowed = np.isfinite(model.block(np.array([node]), everyone, allow_recent=True)[0])
        shared = _overlap(windows[node, 0], windows[node, 1], windows[:, 0], windows[:, 1])
        if not (allowed & (shared >= SHARED_HOUR)).any():
            return False
    return True


def explain_group(nodes: Sequence[int], model: WeightModel, history: PairHistory, now: datetime) -> str:
    """One line on why these people were grouped: teams, meeting history, shared working hours."""
    return explain_groups([nodes], model, history, now)[0]


def explain_groups(
    groups: Sequence[Sequence[int]], model: WeightModel, history: PairHistory, now: datetime
) -> list[str]:
    """`explain_group` for many groups at once (shared hours computed together)."""
    shared = shared_minutes(model, groups)
    return [_explain(g, int(minutes), model, history, now) for g, minutes in zip(groups, shared, strict=True)]


def _explain(nodes: Sequence[int], shared: int, model: WeightModel, history: PairHistory, now: datetime) -> str:
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
        who = "" if len(members) == 2 else "some "
        history_part = f"{who}last met {_ago(now - max(met))}"
        if any(is_recent(when, now, model.policy) for when in met):
            history_part += " (no one else was available)"
    hours = round(shared / 30) / 2
    if hours <= 0:
        overlap_part = "no shared working hours"
        if not overlap_possible(nodes, model):
            overlap_part += " (none was possible this round)"
    else:
        overlap_part = f"{hours:g} working hour{'' if hours == 1 else 's'} overlap"
    return f"{team_part}, {history_part}, {overlap_part}"


def _ago(delta: timedelta) -> str:
    days = max(int(delta / timedelta(days=1)), 0)
    if days < 14:
        return "today" if days == 0 else f"{days} day{'' if days == 1 else 's'} ago"
    if days < 120:
        return f"{days // 7} weeks ago"
    return f"{days // 30} months ago"
