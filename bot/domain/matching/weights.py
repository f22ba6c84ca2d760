"""Pair weights: one scalar function (the definition) and a vectorised model that computes blocks of it.

weight(a, b) = base
             + freshness * (1 - exp(-age / repeat_decay))     # 1 for a first meeting, decays back in after a meeting
             + (cross_team                                    # prefer_cross_team only, when the teams differ
                + overlap * min(shared working hours / full_overlap_hours, 1)) * mean unmet share of a and b
             + fairness * (priority(a) + priority(b))         # recently left out or put in a larger group
Excluded (None / -inf): the same person, a blocked pair, a pair the pool mode forbids, and — unless the caller allows
it — a pair that met within the cooldown.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from itertools import chain, repeat

import numpy as np
from scipy import sparse

from bot.domain.matching.model import MINUTES_PER_DAY, FairnessRecord, MatchPolicy, Member, PairHistory, PoolMode

_DAY = timedelta(days=1)
SHARED_HOUR = 60  # minutes: people "share a working hour" from here on


def _days(delta: timedelta) -> float:
    return max(delta / _DAY, 0.0)


def fairness_priority(record: FairnessRecord | None, now: datetime, policy: MatchPolicy) -> float:
    """How much a member should be favoured for a regular group: recent or repeated left-outs and larger groups."""
    return left_out_score(record, now, policy) + 0.5 * larger_group_score(record, now, policy)


def left_out_score(record: FairnessRecord | None, now: datetime, policy: MatchPolicy) -> float:
    """Decaying score of having been left out (1.0 right after, plus a little per past occurrence)."""
    if record is None:
        return 0.0
    score = 0.1 * min(record.times_left_out, 5)
    if record.last_left_out is not None:
        score += math.exp(-_days(now - record.last_left_out) / _days(policy.fairness_decay))
    return score


def larger_group_score(record: FairnessRecord | None, now: datetime, policy: MatchPolicy) -> float:
    """Decaying score of having been the extra person of a larger group (trio for pairs)."""
    if record is None:
        return 0.0
    score = 0.05 * min(record.times_in_larger_group, 5)
    if record.last_in_larger_group is not None:
        score += math.exp(-_days(now - record.last_in_larger_group) / _days(policy.fairness_decay))
    return score


def _burden(record: FairnessRecord | None) -> int:
    return 0 if record is None else record.times_left_out + record.times_in_larger_group


def overlap_minutes(a: Member, b: Member) -> int:
    """Minutes per day in which both members are inside their working hours."""
    (start_a, length_a), (start_b, length_b) = a.window_utc, b.window_utc
    return int(_overlap(np.array(start_a), np.array(length_a), np.array(start_b), np.array(length_b)))


def _overlap(start_a: np.ndarray, length_a: np.ndarray, start_b: np.ndarray, length_b: np.ndarray) -> np.ndarray:
    """Overlap in minutes of circular day windows (start, length); arrays broadcast against each other."""
    total = np.zeros(np.broadcast_shapes(start_a.shape, start_b.shape), dtype=np.int64)
    for shift in (-MINUTES_PER_DAY, 0, MINUTES_PER_DAY):
        shifted = start_b + shift
        total += np.maximum(0, np.minimum(start_a + length_a, shifted + length_b) - np.maximum(start_a, shifted))
    return np.minimum(total, np.minimum(length_a, length_b))


def pool_allows(a: Member, b: Member, policy: MatchPolicy) -> bool:
    """Whether the channel's pool mode lets these two be grouped."""
    if policy.pool_mode is PoolMode.ONLY_CROSS_TEAM:
        return a.team != b.team
    if policy.pool_mode is PoolMode.ONLY_WITHIN_TEAM:
        return a.team == b.team
    return True


def is_recent(last_met: datetime | None, now: datetime, policy: MatchPolicy) -> bool:
    """Whether a pair last met within the cooldown."""
    return last_met is not None and now - last_met < policy.cooldown


def pair_weight(
    a: Member,
    b: Member,
    history: PairHistory,
    policy: MatchPolicy,
    now: datetime,
    *,
    allow_recent: bool = False,
    unmet_share: tuple[float, float] = (1.0, 1.0),
) -> float | None:
    """The weight of grouping a with b, or None when excluded (blocked, pool mode, or recent unless allowed).

    `unmet_share` is, for a and b, the share of the pool they never met: the team and working-hours preferences
    fade with it, so that in a small pool late in its cycle meeting someone new outweighs them.
    """
    key = frozenset((a.user_id, b.user_id))
    if a.user_id == b.user_id or key in history.blocked or not pool_allows(a, b, policy):
        return None
    last_met = history.last_met.get(key)
    if not allow_recent and is_recent(last_met, now, policy):
        return None
    weight = policy.base_weight + policy.freshness_weight
    if last_met is not None:
        weight -= policy.freshness_weight * math.exp(-_days(now - last_met) / _days(policy.repeat_decay))
    preference = 0.0
    if policy.pool_mode is PoolMode.PREFER_CROSS_TEAM and a.team != b.team:
        preference += policy.cross_team_weight
    preference += policy.overlap_weight * min(overlap_minutes(a, b) / (60 * policy.full_overlap_hours), 1.0)
    weight += preference * (unmet_share[0] + unmet_share[1]) / 2
    fairness = history.fairness
    weight += policy.fairness_weight * (
        fairness_priority(fairness.get(a.user_id), now, policy)
        + fairness_priority(fairness.get(b.user_id), now, policy)
    )
    return weight


def _pair_indices(pairs: Iterable[frozenset[str]], index: dict[str, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pool indices (rows, cols) of the pairs with both people in the pool, and the mask of those pairs.

    The ids are flattened from the frozensets and mapped by `dict.get` inside `map` (no Python loop per pair)."""
    pairs = list(pairs)
    if sum(map(len, pairs)) != 2 * len(pairs):  # a malformed key (one id): keep the shape, match nothing
        pairs = [p if len(p) == 2 else frozenset(("", " ")) for p in pairs]
    ids = chain.from_iterable(pairs)
    flat = np.fromiter(map(index.get, ids, repeat(-1)), dtype=np.int64, count=2 * len(pairs)).reshape(-1, 2)
    known = np.asarray((flat >= 0).all(axis=1), dtype=bool)
    return flat[known, 0], flat[known, 1], known


class PairTable:
    """A sparse symmetric matrix's entries at arbitrary (left[k], right[k]), by one binary search on keys sorted
    once (row * n + column; canonical CSR keeps each row's columns sorted). 0 where nothing is stored."""

    def __init__(self, matrix: sparse.csr_matrix) -> None:
        self.width = matrix.shape[1]
        row_of = np.repeat(np.arange(matrix.shape[0], dtype=np.int64), np.diff(matrix.indptr))
        self.keys = row_of * self.width + matrix.indices
        self.data = matrix.data

    def __call__(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        """The entries at (left[k], right[k])."""
        left, right = np.asarray(left, dtype=np.int64).ravel(), np.asarray(right, dtype=np.int64).ravel()
        if not len(self.keys) or not len(left):
            return np.zeros(len(left), dtype=self.data.dtype)
        wanted = left * self.width + right
        spot = np.minimum(np.searchsorted(self.keys, wanted), len(self.keys) - 1)
        return np.where(self.keys[spot] == wanted, self.data[spot], 0).astype(self.data.dtype)


def _symmetric(rows: np.ndarray, cols: np.ndarray, data: np.ndarray, n: int) -> sparse.csr_matrix:
    matrix = sparse.csr_matrix(
        (np.concatenate((data, data)), (np.concatenate((rows, cols)), np.concatenate((cols, rows)))), shape=(n, n)
    )
    matrix.sum_duplicates()  # canonical form: sorted columns per row, which `PairTable` relies on
    return matrix


class WeightModel:
    """The pool as index arrays and sparse history, computing any block of the weight matrix with numpy.

    Node i is `members[i]`. History is kept only for pairs inside the pool (O(history) memory, never O(n^2)).
    """

    def __init__(self, members: Sequence[Member], history: PairHistory, policy: MatchPolicy, now: datetime) -> None:
        self.members = tuple(members)
        self.policy = policy
        n = len(self.members)
        team_ids: dict[str, int] = {}
        self.team = np.array([team_ids.setdefault(m.team, len(team_ids)) for m in self.members], dtype=np.int64)
        self.windows = np.array([m.window_utc for m in self.members], dtype=np.int64).reshape(n, 2)
        self.priority = np.array(
            [fairness_priority(history.fairness.get(m.user_id), now, policy) for m in self.members], dtype=np.float64
        )
        self.larger_group = np.array(
            [larger_group_score(history.fairness.get(m.user_id), now, policy) for m in self.members], dtype=np.float64
        )
        # How often each member was left out or in a larger group (the ledger's counts), for choosing the extra.
        self.burden = np.array([_burden(history.fairness.get(m.user_id)) for m in self.members], dtype=np.int64)
        # History as arrays, without a Python loop per known pair. `met` stores, per pair inside the pool, 1 + the
        # days since they last met (so that a meeting today is still stored); the penalty and the cooldown are
        # functions of it, computed on the slices that are needed.
        index = {m.user_id: i for i, m in enumerate(self.members)}
        rows, cols, known = _pair_indices(history.last_met.keys(), index)
        stamps = np.fromiter(map(datetime.timestamp, history.last_met.values()), dtype=np.float64)[known]
        age_days = np.maximum(now.timestamp() - stamps, 0.0) / 86400.0
        self.met = _symmetric(rows, cols, 1.0 + age_days, n)
        self.unmet_share = 1.0 - np.diff(self.met.indptr) / max(n - 1, 1)
        b_rows, b_cols, _ = _pair_indices(history.blocked, index)
        self.blocked = _symmetric(b_rows, b_cols, np.ones(len(b_rows)), n)
        self.met_at, self.blocked_at = PairTable(self.met), PairTable(self.blocked)

    @property
    def penalty(self) -> sparse.csr_matrix:
        """The freshness penalty of every pair that met (0 = never met), as a sparse matrix."""
        matrix = self.met.copy()
        matrix.data = self._penalty(matrix.data)
        return matrix

    def _penalty(self, met: np.ndarray) -> np.ndarray:
        """Penalty for entries of `met` (0 = never met)."""
        days = np.maximum(met - 1.0, 0.0)
        # +1e-12 keeps a decayed meeting distinguishable from a first meeting
        return np.where(
            met > 0, self.policy.freshness_weight * np.exp(-days / _days(self.policy.repeat_decay)) + 1e-12, 0.0
        )

    def _recent(self, met: np.ndarray) -> np.ndarray:
        return (met > 0) & (met - 1.0 < self.policy.cooldown / _DAY)

    def __len__(self) -> int:
        return len(self.members)

    def block(self, rows: np.ndarray, cols: np.ndarray, *, allow_recent: bool = False) -> np.ndarray:
        """Weights for rows x cols as float64, -inf where excluded (including a node with itself)."""
        rows, cols = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
        met = self.met[rows][:, cols].toarray()
        excluded = self.blocked[rows][:, cols].toarray() != 0 if self.blocked.nnz else np.zeros(met.shape, dtype=bool)
        if not allow_recent:
            excluded |= self._recent(met)
        return self._weights(rows[:, None], cols[None, :], self._penalty(met), excluded)

    def edges(self, left: np.ndarray, right: np.ndarray, *, allow_recent: bool = False) -> np.ndarray:
        """Weights of the pairs (left[k], right[k]) as float64, -inf where excluded."""
        left, right = np.asarray(left, dtype=np.int64), np.asarray(right, dtype=np.int64)
        met = self.met_at(left, right)
        excluded = self.blocked_at(left, right) != 0
        if not allow_recent:
            excluded |= self._recent(met)
        return self._weights(left, right, self._penalty(met), excluded)

    def recent_pairs(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        """Whether each pair (left[k], right[k]) met within the cooldown."""
        return self._recent(self.met_at(left, right))

    def _weights(
        self, rows: np.ndarray, cols: np.ndarray, penalty: np.ndarray, excluded: np.ndarray | bool
    ) -> np.ndarray:
        policy = self.policy
        team_r, team_c = self.team[rows], self.team[cols]
        weights = policy.base_weight + policy.freshness_weight - penalty
        preference = np.zeros(1)
        if policy.pool_mode is PoolMode.PREFER_CROSS_TEAM:
            preference = policy.cross_team_weight * (team_r != team_c)
        overlap = _overlap(self.windows[rows, 0], self.windows[rows, 1], self.windows[cols, 0], self.windows[cols, 1])
        preference = preference + policy.overlap_weight * np.minimum(overlap / (60 * policy.full_overlap_hours), 1.0)
        weights = weights + preference * (self.unmet_share[rows] + self.unmet_share[cols]) / 2
        weights = weights + policy.fairness_weight * (self.priority[rows] + self.priority[cols])
        mask = (rows == cols) | np.asarray(excluded, dtype=bool)
        if policy.pool_mode is PoolMode.ONLY_CROSS_TEAM:
            mask = mask | (team_r == team_c)
        elif policy.pool_mode is PoolMode.ONLY_WITHIN_TEAM:
            mask = mask | (team_r != team_c)
        weights = np.array(np.broadcast_to(weights, mask.shape), dtype=np.float64)
        weights[mask] = -np.inf
        return weights

    def ideal(self) -> np.ndarray:
        """Per node: the weight of its best conceivable pair with a partner who brings no fairness priority (fresh,
        across teams when preferred, a full overlap or its whole working window), to spot pairs worth improving."""
        policy = self.policy
        full = 60 * policy.full_overlap_hours
        preference = policy.overlap_weight * np.minimum(self.windows[:, 1] / full, 1.0)
        if policy.pool_mode is PoolMode.PREFER_CROSS_TEAM:
            preference = preference + policy.cross_team_weight
        best = policy.base_weight + policy.freshness_weight + preference * self.unmet_share
        return np.asarray(best + policy.fairness_weight * self.priority, dtype=np.float64)

    def order_key(self) -> np.ndarray:
        """A 1-D key that puts people with similar working windows next to each other (middle of the UTC window)."""
        middle = (self.windows[:, 0] + self.windows[:, 1] / 2) % MINUTES_PER_DAY
        if self.policy.pool_mode is PoolMode.ONLY_WITHIN_TEAM:  # blocks must keep teams together
            return self.team * MINUTES_PER_DAY + middle
        return middle
