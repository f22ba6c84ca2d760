"""Coffee matcher benchmark: prints repeats, optimality, speed and memory beside baselines measured in the same run.

.venv/bin/python -m bench.coffee_matching            # the sizes the coffee issue names (12/30, 1,000, 10,000)
.venv/bin/python -m bench.coffee_matching --quick    # 300 and 2,000 people instead of 1,000 and 10,000
.venv/bin/python -m bench.coffee_matching --profile hard --sections quality --sizes 5000,10000,20000
    # matcher, greedy, random shuffle and the proved assignment bound side by side, with time, CPU and peak RSS
    # per size, then the growth of time
.venv/bin/python -m bench.coffee_matching --profile hard --sections odd      # 31 people x 30 rounds: repeats
    # beside a lower bound, how often each person is the trio's extra, shared working hours
.venv/bin/python -m bench.coffee_matching --sections timezones               # small pools with and without the
    # shared-hours repair
"""

from __future__ import annotations

import argparse
import math
import os
import pickle
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import combinations, pairwise

import networkx as nx
import numpy as np

from bench.matching_bounds import Bound, assignment_bound, lp_bounds
from bench.synthetic import (
    HISTORY_WEEKS,
    START,
    Matcher,
    Profile,
    Workspace,
    make_hard_workspace,
    make_workspace,
    run_rounds,
)
from bot.domain.matching import (
    Group,
    MatchPolicy,
    MatchResult,
    Member,
    PairHistory,
    WeightModel,
    match_round,
    timezones,
)

HISTORY_ROUNDS = 12


def random_shuffle(
    members: Sequence[Member], history: PairHistory, policy: MatchPolicy, now: datetime, seed: int
) -> MatchResult:
    """What most pairing bots do: shuffle, pair neighbours, the odd one joins the last pair."""
    ids = [m.user_id for m in members]
    random.Random(seed).shuffle(ids)
    groups = [ids[k : k + 2] for k in range(0, len(ids) - 1, 2)]
    if len(ids) % 2 and groups:
        groups[-1].append(ids[-1])
    return MatchResult(tuple(Group(tuple(g), "random") for g in groups), (), seed, 0.0)


def count_repeats(results: Sequence[MatchResult]) -> int:
    """Pairs grouped again after any earlier round of the run."""
    seen: set[frozenset[str]] = set()
    repeats = 0
    for result in results:
        for group in result.groups:
            for pair in combinations(group.member_ids, 2):
                key = frozenset(pair)
                repeats += key in seen
                seen.add(key)
    return repeats


def small_pools(seeds: int) -> None:
    """12 people over 11 rounds and 30 over 29, everyone available each round."""
    print("\n## Small pools, long history (everyone available every week; no block list)")
    print("  (weekly exact optimum = the same weights solved exactly each week without the lookahead)")
    header = ("pool", "seed", "matcher repeats", "left out", "weekly exact optimum", "shuffle repeats")
    print(f"{header[0]:>10} {header[1]:>5} {header[2]:>16} {header[3]:>9} {header[4]:>21} {header[5]:>16}")
    myopic = MatchPolicy(lookahead_limit=0)
    for n, rounds in ((12, 11), (30, 29)):
        totals = [0, 0, 0, 0]
        for seed in range(1, seeds + 1):
            spaces = [make_workspace(n, seed) for _ in range(3)]
            for space in spaces:
                space.blocked.clear()
            ours = run_rounds(spaces[0], rounds, MatchPolicy(), match_round, seed)
            exact = run_rounds(spaces[1], rounds, myopic, match_round, seed)
            shuffled = run_rounds(spaces[2], rounds, MatchPolicy(), random_shuffle, seed)
            left_out = sum(len(r.unmatched) for r in ours)
            figures = (count_repeats(ours), left_out, count_repeats(exact), count_repeats(shuffled))
            totals = [t + f for t, f in zip(totals, figures, strict=True)]
            print(f"{f'{n}x{rounds}':>10} {seed:>5} {figures[0]:>16} {figures[1]:>9} {figures[2]:>21} {figures[3]:>16}")
        means = [total / seeds for total in totals]
        print(
            f"{f'{n}x{rounds}':>10} {'mean':>5} {means[0]:>16.1f} {means[1]:>9.1f} {means[2]:>21.1f} {means[3]:>16.1f}"
        )


def greedy_round(
    members: Sequence[Member], history: PairHistory, policy: MatchPolicy, now: datetime, seed: int
) -> MatchResult:
    """Heaviest edge first on the matcher's weights, recent partners excluded; the odd one joins the pair it adds
    most to (recent partners allowed if need be)."""
    model = WeightModel(members, history, policy, now)
    everyone = np.arange(len(model))
    weights = model.block(everyone, everyone)
    upper = np.triu_indices(len(model), k=1)
    order = np.argsort(-weights[upper], kind="stable")
    used = np.zeros(len(model), dtype=bool)
    groups: list[list[int]] = []
    for i, j in zip(upper[0][order].tolist(), upper[1][order].tolist(), strict=True):
        if np.isfinite(weights[i, j]) and not used[i] and not used[j]:
            used[i] = used[j] = True
            groups.append([i, j])
    relaxed = model.block(everyone, everyone, allow_recent=True)
    for extra in np.flatnonzero(~used).tolist():
        if groups:
            max(groups, key=lambda g: float(relaxed[extra, g].sum())).append(extra)
    ids = [m.user_id for m in model.members]
    return MatchResult(tuple(Group(tuple(ids[i] for i in g), "greedy") for g in groups), (), seed, 0.0)


def without_shared_hour(results: Sequence[MatchResult], members: Sequence[Member]) -> float:
    """Share of groups in which no working hour is common to everyone."""
    by_id = {m.user_id: m for m in members}
    minutes = np.arange(24 * 60)
    lacking = total = 0
    for result in results:
        for group in result.groups:
            inside = np.ones(len(minutes), dtype=bool)
            for user_id in group.member_ids:
                start, length = by_id[user_id].window_utc
                inside &= (minutes - start) % (24 * 60) < length
            lacking += int(inside.sum() < 60)
            total += 1
    return lacking / max(total, 1)


def odd_pools(seeds: int, profile: Profile, n: int = 31, rounds: int = 30) -> None:
    """An odd pool over many rounds: repeats beside a lower bound, who is the trio's extra, shared hours. The hard
    profile's pool starts without history (its teams, zones, shifts and avoid lists, none of its 12 weeks)."""
    per_round = n // 2 + (2 if n % 2 else 0)  # pairs, and a trio's two extra meetings when the pool is odd
    print(f"\n## Odd pool: {n} people over {rounds} rounds ({profile} profile, everyone available every week)")
    print(
        f"  lower bound on repeats: {rounds} rounds x {per_round} meetings - the pairs allowed to meet (all but the "
        "avoid-list pairs); no pairing can repeat fewer. Burden = times in a trio or left out; bar = ceil(mean) + 1"
    )
    methods: tuple[tuple[str, MatchPolicy, Matcher], ...] = (
        ("matcher", MatchPolicy(), match_round),
        ("weekly exact, no lookahead", MatchPolicy(lookahead_limit=0), match_round),
        ("greedy", MatchPolicy(), greedy_round),
        ("random shuffle", MatchPolicy(), random_shuffle),
    )
    print(
        f"{'seed':>5} {'method':>27} {'repeats':>8} {'bound':>5} {'above':>6} {'max burden':>10} {'bar':>4} "
        f"{'no shared hour':>14}"
    )
    for seed in range(1, seeds + 1):
        for name, policy, matcher in methods:
            workspace = make_hard_workspace(n, seed, weeks=0) if profile == "hard" else make_workspace(n, seed)
            if profile == "easy":
                workspace.blocked.clear()
            allowed = n * (n - 1) // 2 - len(workspace.blocked)
            bound = max(0, rounds * per_round - allowed)
            results = run_rounds(workspace, rounds, policy, matcher, seed)
            burden = dict.fromkeys((m.user_id for m in workspace.members), 0)
            for result in results:
                for group in result.groups:
                    for user_id in group.member_ids if len(group.member_ids) > 2 else ():
                        burden[user_id] += 1
                for item in result.unmatched:
                    burden[item.user_id] += 1
            repeats = count_repeats(results)
            bar = math.ceil(sum(burden.values()) / n) + 1
            print(
                f"{seed:>5} {name:>27} {repeats:>8} {bound:>5} {(repeats - bound) / max(bound, 1):>6.1%} "
                f"{max(burden.values()):>10} {bar:>4} {without_shared_hour(results, workspace.members):>14.1%}",
                flush=True,
            )


def shared_hours(seeds: int, sizes: Sequence[int] = (30, 60, 100, 150)) -> None:
    """Single rounds on hard workspaces (12 weeks of history): groups without a shared working hour with the
    small-pool repair (an alternative within 1% where every group shares an hour) and with it turned off."""
    print(f"\n## Shared working hours in small pools, hard profile, one round each, seeds 1..{seeds}")
    print(f"{'people':>7} {'without repair':>15} {'with repair':>12} {'weight change':>14}")
    for n in sizes:
        figures = []
        for tolerance in (-1.0, timezones.OVERLAP_TOLERANCE):  # -1: no alternative is ever close enough
            saved, timezones.OVERLAP_TOLERANCE = timezones.OVERLAP_TOLERANCE, tolerance
            try:
                lacking = groups = 0
                weight = 0.0
                for seed in range(1, seeds + 1):
                    workspace = make_hard_workspace(n, seed)
                    now = START + timedelta(weeks=HISTORY_WEEKS)
                    members = workspace.members_at(now)
                    result = match_round(members, workspace.history(), MatchPolicy(), now, seed)
                    lacking += round(without_shared_hour([result], members) * len(result.groups))
                    groups += len(result.groups)
                    weight += result.total_weight
                figures.append((lacking, groups, weight))
            finally:
                timezones.OVERLAP_TOLERANCE = saved
        (off, groups, before), (on, _, after) = figures
        people = n + 1 - n % 2
        print(f"{people:>7} {f'{off}/{groups}':>15} {f'{on}/{groups}':>12} {(after - before) / before:>+14.3%}")


def grouped_pairs(result: MatchResult, index: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """Index arrays of every pair inside every group."""
    pairs = [(index[a], index[b]) for g in result.groups for a, b in combinations(g.member_ids, 2)]
    return np.array([p[0] for p in pairs], dtype=np.int64), np.array([p[1] for p in pairs], dtype=np.int64)


def describe(name: str, model: WeightModel, left: np.ndarray, right: np.ndarray, seconds: float | None) -> float:
    """Print weight, cross-team share, far-apart share and repeats of a set of pairs; return the weight."""
    weights = model.edges(left, right)
    excluded = ~np.isfinite(weights)
    total = float(weights[~excluded].sum())
    cross = float(np.mean(model.team[left] != model.team[right])) if len(left) else 0.0
    offsets = np.array([m.tz_offset_minutes for m in model.members])
    gap = np.abs(offsets[left] - offsets[right])
    far = float(np.mean(np.minimum(gap, 1440 - gap) > 5 * 60)) if len(left) else 0.0
    met = model.met_at(left, right) > 0
    time_text = f"{seconds:8.2f} s" if seconds is not None else " " * 10
    print(
        f"  {name:<28} weight {total:12.2f}  {time_text}  cross-team {cross:6.1%}  >5 zones apart {far:6.1%}  "
        f"met before {int(met.sum()):5d}  excluded pairs used {int(excluded.sum()):5d}"
    )
    return total


def workspace_with_history(n: int, seed: int) -> tuple[Workspace, datetime, float]:
    """A workspace after 12 weekly rounds run by the matcher itself (plus /met interactions between rounds)."""
    workspace = make_workspace(n, seed)
    started = time.perf_counter()
    run_rounds(workspace, HISTORY_ROUNDS, MatchPolicy(), match_round, seed, side_interactions=n // 4)
    return workspace, START + timedelta(weeks=HISTORY_ROUNDS), time.perf_counter() - started


def optimality(n: int, seed: int, exact: bool, profile: Profile = "easy") -> float:
    """Our weight beside networkx's exact maximum-weight matching and the assignment upper bound; returns the
    exact (or our) cross-team share."""
    print(f"\n## Optimality: {n} people, {profile} profile, {HISTORY_ROUNDS} weeks of history (seed {seed})")
    workspace, now = make_scaled(n, seed, profile)
    policy = MatchPolicy()
    history = workspace.history()
    workspace.members = workspace.members_at(now)
    n = len(workspace.members)
    started = time.perf_counter()
    ours = match_round(workspace.members, history, policy, now, seed)
    ours_seconds = time.perf_counter() - started
    model = WeightModel(workspace.members, history, policy, now)
    index = {m.user_id: i for i, m in enumerate(model.members)}
    weights = model.block(np.arange(n), np.arange(n))
    bound = assignment_bound(model)
    print(f"  assignment upper bound        weight {bound:12.2f}")
    _, tight = lp_bounds(model, group_pairs(ours, model, index))
    print(f"  bound with sum x <= n/2       weight {tight.value:12.2f} ({'exact' if tight.exact else 'repaired'})")
    describe("matcher (match_round)", model, *grouped_pairs(ours, index), ours_seconds)
    # Compared as matchings: a trio counts its best pair (the exact optimum pairs people, it has no trio).
    our_weight = pairs_value(model, group_pairs(ours, model, index))
    print(f"  matcher as a matching         weight {our_weight:12.2f}")
    shuffled = random_shuffle(workspace.members, history, policy, now, seed)
    shuffle_weight = describe("random shuffle", model, *grouped_pairs(shuffled, index), None)
    cross_share = float(np.mean([len({model.members[index[u]].team for u in g.member_ids}) > 1 for g in ours.groups]))
    if exact:
        graph = nx.Graph()
        upper = np.triu_indices(n, k=1)
        finite = np.isfinite(weights[upper])
        graph.add_weighted_edges_from(
            zip(upper[0][finite].tolist(), upper[1][finite].tolist(), weights[upper][finite].tolist(), strict=True)
        )
        started = time.perf_counter()
        matching = nx.max_weight_matching(graph)
        exact_seconds = time.perf_counter() - started
        left = np.array([min(p) for p in matching], dtype=np.int64)
        right = np.array([max(p) for p in matching], dtype=np.int64)
        exact_weight = describe("exact (networkx blossom)", model, left, right, exact_seconds)
        cross_share = float(np.mean(model.team[left] != model.team[right]))
        print(f"  matcher gap to exact: {(exact_weight - our_weight) / exact_weight:.4%} (target <= 0.05%)")
        print(f"  random shuffle gap to exact: {(exact_weight - shuffle_weight) / exact_weight:.1%}")
    print(f"  matcher gap to upper bound: {(bound - our_weight) / bound:.4%}")
    tight_gap = (tight.value - our_weight) / tight.value
    print(f"  matcher gap to the bound with sum x <= n/2 (so at most this below exact): {tight_gap:.4%}")
    return cross_share


def memory_mb(field: str) -> float:
    """VmHWM (peak) or VmRSS (now) of this process in MB; ru_maxrss is no use after exec (Linux keeps the parent's)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_one_round(path: str) -> None:
    """Child process of the scale benchmark: load a workspace, time one round, report peak RSS."""
    with open(path, "rb") as handle:
        members, last_met, blocked, fairness, now, seed = pickle.load(handle)
    history = PairHistory(last_met, blocked, fairness)
    rss_before = memory_mb("VmRSS")
    started, cpu_started = time.perf_counter(), time.process_time()
    result = match_round(members, history, MatchPolicy(), now, seed)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    peak = memory_mb("VmHWM")
    with open(path, "wb") as handle:
        pickle.dump((result, seconds, cpu, rss_before, peak), handle)


def round_in_child(
    members: Sequence[Member], workspace: Workspace, now: datetime, seed: int
) -> tuple[MatchResult, float, float, float, float]:
    """One `match_round` in a fresh process: result, wall and CPU seconds, RSS before the round, peak RSS."""
    with tempfile.NamedTemporaryFile(suffix=".pickle", delete=False) as handle:
        pickle.dump((members, workspace.last_met, workspace.blocked, workspace.fairness, now, seed), handle)
        path = handle.name
    try:
        subprocess.run([sys.executable, "-m", "bench.coffee_matching", "--run-one-round", path], check=True)
        with open(path, "rb") as handle:
            found: tuple[MatchResult, float, float, float, float] = pickle.load(handle)
    finally:
        os.unlink(path)
    return found


def scale(n: int, seed: int, exact_cross_share: float | None, exact_label: str) -> None:
    """One round at n people in a fresh process: time, peak RSS, repeats, cross-team share, beside random shuffle."""
    print(f"\n## Scale: {n} people, {HISTORY_ROUNDS} rounds of history (seed {seed})")
    workspace, now, history_seconds = workspace_with_history(n, seed)
    print(f"  (history generated by the matcher itself in {history_seconds:.1f} s, {len(workspace.last_met)} pairs)")
    result, seconds, _, rss_before, peak = round_in_child(workspace.members, workspace, now, seed)
    history = workspace.history()
    model = WeightModel(workspace.members, history, MatchPolicy(), now)
    index = {m.user_id: i for i, m in enumerate(model.members)}
    describe("matcher (match_round)", model, *grouped_pairs(result, index), seconds)
    shuffled = random_shuffle(workspace.members, history, MatchPolicy(), now, seed)
    describe("random shuffle", model, *grouped_pairs(shuffled, index), None)
    cross = float(np.mean([len({model.members[index[u]].team for u in g.member_ids}) > 1 for g in result.groups]))
    print(f"  time {seconds:.2f} s (target < 10 s); peak RSS of the process {peak:.0f} MB (target < 500 MB;")
    print(f"    {rss_before:.0f} MB of it is the interpreter, imports and the loaded workspace before the round)")
    print(
        f"  recent pairs grouped (within cooldown): {result.repeated_recent_pairs} (target 0); left out: "
        f"{len(result.unmatched)}; groups: {len(result.groups)}"
    )
    if exact_cross_share is None:
        print(f"  cross-team share {cross:.1%} (run the optimality section too for the comparison)")
    else:
        print(f"  cross-team share {cross:.1%} vs {exact_label} {exact_cross_share:.1%}")


def group_pairs(result: MatchResult, model: WeightModel, index: dict[str, int]) -> np.ndarray:
    """The matching inside the groups: a pair, a trio's best pair, a quad's best two disjoint pairs (k x 2 indices).

    This is what the pair bound and greedy are measured in, so larger groups do not count extra pairs."""
    chosen: list[tuple[int, int]] = []
    for group in result.groups:
        nodes = [index[u] for u in group.member_ids]
        weights = model.block(np.array(nodes), np.array(nodes), allow_recent=True)
        best: list[tuple[int, int]]
        if len(nodes) == 4:
            options = ([(0, 1), (2, 3)], [(0, 2), (1, 3)], [(0, 3), (1, 2)])
            best = max(options, key=lambda two: weights[two[0]] + weights[two[1]])
        else:
            best = [max(combinations(range(len(nodes)), 2), key=lambda pair: weights[pair])]
        chosen += [(nodes[a], nodes[b]) for a, b in best]
    return np.array(chosen, dtype=np.int64).reshape(-1, 2)


def pairs_value(model: WeightModel, pairs: np.ndarray) -> float:
    """Total weight of the given pairs (recent partners allowed, as a round may use them when unavoidable)."""
    return float(model.edges(pairs[:, 0], pairs[:, 1], allow_recent=True).sum()) if len(pairs) else 0.0


def greedy(model: WeightModel, top: int = 64) -> np.ndarray:
    """Heaviest edge first on the same weights. Each round takes everyone's `top` heaviest edges among the people
    still unpaired; rounds repeat until nobody more can be paired (popular people exhaust lists, so one round is
    not enough)."""
    remaining = np.arange(len(model), dtype=np.int64)
    pairs: list[tuple[int, int]] = []
    while len(remaining) >= 2:
        k = min(top, len(remaining) - 1)
        top_cols = np.empty((len(remaining), k), dtype=np.int64)
        top_weights = np.empty((len(remaining), k))
        for lo in range(0, len(remaining), 256):
            weights = model.block(remaining[lo : lo + 256], remaining)
            part = np.argpartition(-weights, k - 1, axis=1)[:, :k]
            top_cols[lo : lo + 256] = part
            top_weights[lo : lo + 256] = np.take_along_axis(weights, part, axis=1)
        found = greedy_pairs(top_cols, top_weights)
        if not found:
            break
        pairs += [(int(remaining[i]), int(remaining[j])) for i, j in found]
        used = np.zeros(len(remaining), dtype=bool)
        used[[i for pair in found for i in pair]] = True
        remaining = remaining[~used]
    return np.array(pairs, dtype=np.int64).reshape(-1, 2)


def greedy_pairs(top_cols: np.ndarray, top_weights: np.ndarray) -> list[tuple[int, int]]:
    """Heaviest edge first over the given edges (row i, top_cols[i, k]) with their weights."""
    rows = np.repeat(np.arange(len(top_cols)), top_cols.shape[1])
    cols, weights = top_cols.ravel(), top_weights.ravel()
    keep = np.isfinite(weights)
    rows, cols, weights = rows[keep], cols[keep], weights[keep]
    used = np.zeros(len(top_cols), dtype=bool)
    pairs = []
    for k in np.argsort(-weights, kind="stable").tolist():
        i, j = int(rows[k]), int(cols[k])
        if not used[i] and not used[j]:
            used[i] = used[j] = True
            pairs.append((i, j))
    return pairs


def make_scaled(n: int, seed: int, profile: Profile) -> tuple[Workspace, datetime]:
    """A workspace for the quality section: the hard one with its generated history, the easy one with 12 rounds."""
    if profile == "hard":
        return make_hard_workspace(n, seed), START + timedelta(weeks=HISTORY_WEEKS)
    workspace, now, _ = workspace_with_history(n, seed)
    return workspace, now


@dataclass(frozen=True, slots=True)
class QualityRow:
    """One size of the quality section: values, bound, matcher time and memory, machine load."""

    people: int
    bound: Bound
    tight: Bound  # with the cardinality row: also a bound on every pairing, tighter in odd pools
    matcher: float
    greedy: float
    shuffle: float
    seconds: float
    cpu: float
    peak_mb: float
    left_out: int
    recent: int
    load: float


def quality_row(n: int, seed: int, profile: Profile, exact_bound_limit: int) -> QualityRow:
    """Matcher (own process: time, CPU, peak RSS), greedy, random shuffle and the bound on one instance."""
    workspace, now = make_scaled(n, seed, profile)
    members = workspace.members_at(now)
    result, seconds, cpu, _, peak = round_in_child(members, workspace, now, seed)
    load = os.getloadavg()[0]  # taken right after the timed round
    history = workspace.history()
    model = WeightModel(members, history, MatchPolicy(), now)
    index = {m.user_id: i for i, m in enumerate(model.members)}
    ours = group_pairs(result, model, index)
    greedy_found = greedy(model)
    shuffled = group_pairs(random_shuffle(members, history, MatchPolicy(), now, seed), model, index)
    bound, tight = lp_bounds(model, np.concatenate((ours, greedy_found)))
    if len(members) <= exact_bound_limit:
        started = time.perf_counter()
        dense = assignment_bound(model)
        seconds_dense = time.perf_counter() - started
        print(f"  (dense assignment bound {dense:.2f} in {seconds_dense:.0f} s; LP bound {bound.value:.2f})")
    return QualityRow(
        len(members),
        bound,
        tight,
        pairs_value(model, ours),
        pairs_value(model, greedy_found),
        pairs_value(model, shuffled),
        seconds,
        cpu,
        peak,
        len(result.unmatched),
        result.repeated_recent_pairs,
        load,
    )


def quality(sizes: Sequence[int], seed: int, profile: Profile, exact_bound_limit: int) -> None:
    """Per size: matcher, greedy, random shuffle and the assignment bound side by side, then the growth of time."""
    print(
        f"\n## Quality and speed, {profile} profile (seed {seed}); pair weights (a trio counts its best pair).\n"
        "  bound: the assignment bound, by LP on a pruned graph proved by a pass over every pair ('exact'; 'rep.' =\n"
        "  repaired, still an upper bound); tight: the same LP with sum x <= floor(n/2), also an upper bound on every\n"
        "  pairing (tighter in odd pools); gaps are below the bound; time, cpu and peak RSS are the matcher's process"
    )
    print(
        f"{'people':>7} {'bound':>11} {'':>5} {'matcher':>11} {'gap':>7} {'tight':>7} {'greedy':>11} {'gap':>7} "
        f"{'-greedy':>8} {'shuffle':>11} {'gap':>5} {'time s':>6} {'cpu s':>5} {'MB':>4} {'left':>4} {'rec.':>4} "
        f"{'load':>4}"
    )
    rows: list[QualityRow] = []
    for n in sizes:
        row = quality_row(n, seed, profile, exact_bound_limit)
        rows.append(row)
        bound, tight = row.bound.value, row.tight.value
        print(
            f"{row.people:>7} {bound:>11.2f} {'exact' if row.bound.exact else 'rep.':>5} {row.matcher:>11.2f} "
            f"{(bound - row.matcher) / bound:>7.3%} {(tight - row.matcher) / tight:>7.3%} {row.greedy:>11.2f} "
            f"{(bound - row.greedy) / bound:>7.3%} {row.matcher - row.greedy:>+8.2f} {row.shuffle:>11.2f} "
            f"{(bound - row.shuffle) / bound:>5.1%} {row.seconds:>6.2f} {row.cpu:>5.2f} {row.peak_mb:>4.0f} "
            f"{row.left_out:>4} {row.recent:>4} {row.load:>4.1f}",
            flush=True,
        )
    if len(rows) > 1:
        print(
            "\n  growth of the matcher's time (exponent k in time ~ n^k between consecutive sizes; n log n is ~1.07):"
        )
        for small, large in pairwise(rows):
            ratio = large.people / small.people
            nlogn = ratio * math.log(large.people) / math.log(small.people)
            print(
                f"  {small.people:>6} -> {large.people:>6}: time x{large.seconds / small.seconds:.2f} (wall), "
                f"x{large.cpu / small.cpu:.2f} (cpu); n log n x{nlogn:.2f}; "
                f"k = {math.log(large.seconds / small.seconds) / math.log(ratio):.2f} (wall), "
                f"{math.log(large.cpu / small.cpu) / math.log(ratio):.2f} (cpu)"
            )


def main() -> None:
    """Run the benchmark sections and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="300 and 2,000 people instead of 1,000 and 10,000")
    parser.add_argument("--no-exact", action="store_true", help="skip networkx's exact matching")
    parser.add_argument("--seeds", type=int, default=5, help="seeds for the small-pool section")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--sections",
        default="small,optimality,scale",
        help="comma-separated subset: small, odd, timezones, optimality, quality, scale",
    )
    parser.add_argument("--profile", choices=("easy", "hard"), default="easy", help="synthetic workspace profile")
    parser.add_argument("--sizes", default="5000,10000,20000", help="people per size in the quality section")
    parser.add_argument(
        "--exact-bound-limit", type=int, default=5001, help="dense assignment bound up to this many people"
    )
    parser.add_argument("--run-one-round", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_one_round:
        run_one_round(args.run_one_round)
        return
    print(
        f"# Coffee matching benchmark — {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, numpy {np.__version__}, networkx {nx.__version__}"
    )
    sections = set(args.sections.split(","))
    if "small" in sections:
        small_pools(args.seeds)
    if "odd" in sections:
        odd_pools(args.seeds, args.profile)
    if "timezones" in sections:
        shared_hours(args.seeds)
    optimality_n, scale_n = (300, 2000) if args.quick else (1000, 10000)
    exact_cross = None
    if "optimality" in sections:
        exact_cross = optimality(optimality_n, args.seed, exact=not args.no_exact, profile=args.profile)
    if "quality" in sections:
        quality([int(size) for size in args.sizes.split(",")], args.seed, args.profile, args.exact_bound_limit)
    if "scale" in sections:
        label = f"{'matcher' if args.no_exact else 'exact'} at {optimality_n}"
        scale(scale_n, args.seed, exact_cross, label)


if __name__ == "__main__":
    main()
