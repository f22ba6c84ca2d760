"""Coffee matcher benchmark: prints repeats, optimality, speed and memory beside baselines measured in the same run.

.venv/bin/python -m bench.coffee_matching            # the sizes the coffee issue names (12/30, 1,000, 10,000)
.venv/bin/python -m bench.coffee_matching --quick    # 300 and 2,000 people instead of 1,000 and 10,000
.venv/bin/python -m bench.coffee_matching --profile hard --sections quality --sizes 5000,10000,20000
    # matcher, greedy, random shuffle and an upper bound side by side, with time and peak RSS per size
"""

from __future__ import annotations

import argparse
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
from datetime import datetime, timedelta
from itertools import combinations

import networkx as nx
import numpy as np
from scipy.optimize import linear_sum_assignment

from bench.synthetic import HISTORY_WEEKS, START, Profile, Workspace, make_hard_workspace, make_workspace, run_rounds
from bot.domain.matching import Group, MatchPolicy, MatchResult, Member, PairHistory, WeightModel, match_round

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
    cost = np.where(np.isfinite(weights), -weights, 1e9)
    rows, cols = linear_sum_assignment(cost)
    bound = float(-cost[rows, cols].sum() / 2)
    print(f"  assignment upper bound        weight {bound:12.2f}")
    our_weight = describe("matcher (match_round)", model, *grouped_pairs(ours, index), ours_seconds)
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
        print(f"  matcher gap to exact: {(exact_weight - our_weight) / exact_weight:.4%} (target < 0.5%)")
        print(f"  random shuffle gap to exact: {(exact_weight - shuffle_weight) / exact_weight:.1%}")
    print(f"  matcher gap to upper bound: {(bound - our_weight) / bound:.4%}")
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
    started = time.perf_counter()
    result = match_round(members, history, MatchPolicy(), now, seed)
    seconds = time.perf_counter() - started
    peak = memory_mb("VmHWM")
    with open(path, "wb") as handle:
        pickle.dump((result, seconds, rss_before, peak), handle)


def scale(n: int, seed: int, exact_cross_share: float | None, exact_label: str) -> None:
    """One round at n people in a fresh process: time, peak RSS, repeats, cross-team share, beside random shuffle."""
    print(f"\n## Scale: {n} people, {HISTORY_ROUNDS} rounds of history (seed {seed})")
    workspace, now, history_seconds = workspace_with_history(n, seed)
    print(f"  (history generated by the matcher itself in {history_seconds:.1f} s, {len(workspace.last_met)} pairs)")
    with tempfile.NamedTemporaryFile(suffix=".pickle", delete=False) as handle:
        pickle.dump((workspace.members, workspace.last_met, workspace.blocked, workspace.fairness, now, seed), handle)
        path = handle.name
    try:
        subprocess.run([sys.executable, "-m", "bench.coffee_matching", "--run-one-round", path], check=True)
        with open(path, "rb") as handle:
            result, seconds, rss_before, peak = pickle.load(handle)
    finally:
        os.unlink(path)
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


def group_matching_value(result: MatchResult, model: WeightModel, index: dict[str, int]) -> float:
    """The matching inside the groups: a pair's weight, a trio's best pair, a quad's best two disjoint pairs.

    This is what the pair bound and greedy are measured in, so larger groups do not count extra pairs."""
    total = 0.0
    for group in result.groups:
        nodes = np.array([index[u] for u in group.member_ids], dtype=np.int64)
        weights = model.block(nodes, nodes, allow_recent=True)
        if len(nodes) == 4:
            total += max(weights[0, 1] + weights[2, 3], weights[0, 2] + weights[1, 3], weights[0, 3] + weights[1, 2])
        else:
            total += max(weights[a, b] for a, b in combinations(range(len(nodes)), 2))
    return total


def row_pass(model: WeightModel, dual: np.ndarray, top: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One pass over every pair (chunks of rows): max_j (w_ij - dual_j), and each row's `top` heaviest edges."""
    n = len(model)
    everyone = np.arange(n, dtype=np.int64)
    best = np.empty(n)
    top_cols = np.empty((n, top), dtype=np.int64)
    top_weights = np.empty((n, top))
    for lo in range(0, n, 256):
        rows = everyone[lo : lo + 256]
        weights = model.block(rows, everyone)
        reduced = np.where(np.isfinite(weights), weights - dual[None, :], -np.inf)
        best[rows] = np.maximum(reduced.max(axis=1), 0.0)
        part = np.argpartition(-weights, top, axis=1)[:, :top]
        top_cols[rows] = part
        top_weights[rows] = np.take_along_axis(weights, part, axis=1)
    return best, top_cols, top_weights


def greedy(model: WeightModel, top: int = 64) -> list[tuple[int, int]]:
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
    return pairs


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


def dual_bound(model: WeightModel, start: np.ndarray, iterations: int = 3) -> tuple[float, np.ndarray, np.ndarray]:
    """An upper bound on any pairing: sum of u with u_i + u_j >= w_ij for every allowed pair (LP duality; it is at
    least the assignment bound). Starts from half of each person's weight in the matcher's pairs, made feasible,
    then lowered by damped steps u <- (u + max_j (w_ij - u_j)) / 2, each made feasible again."""
    best_row, top_cols, top_weights = row_pass(model, start, 64)
    dual = np.maximum(start, best_row)
    bound = float(dual.sum())
    for _ in range(iterations):
        lowered, _, _ = row_pass(model, dual, 1)
        trial = (dual + np.minimum(lowered, dual)) / 2
        fix, _, _ = row_pass(model, trial, 1)
        trial = np.maximum(trial, fix)
        if trial.sum() < bound:
            dual, bound = trial, float(trial.sum())
    return bound, top_cols, top_weights


def make_scaled(n: int, seed: int, profile: Profile) -> tuple[Workspace, datetime]:
    """A workspace for the quality section: the hard one with its generated history, the easy one with 12 rounds."""
    if profile == "hard":
        return make_hard_workspace(n, seed), START + timedelta(weeks=HISTORY_WEEKS)
    workspace, now, _ = workspace_with_history(n, seed)
    return workspace, now


def assignment_bound(model: WeightModel) -> float:
    """The assignment relaxation on the whole pool (dense; minutes at 5,000): half the optimal assignment."""
    everyone = np.arange(len(model))
    weights = model.block(everyone, everyone)
    cost = np.where(np.isfinite(weights), -weights, 1e9)
    del weights
    rows, cols = linear_sum_assignment(cost)
    chosen = -cost[rows, cols]
    return float(np.where(chosen > -1e8, chosen, 0.0).sum() / 2)


def quality(sizes: Sequence[int], seed: int, profile: Profile, exact_bound_limit: int) -> None:
    """Per size: matcher (own process: time, peak RSS), greedy, random shuffle and the upper bound, one table."""
    print(
        f"\n## Quality and speed, {profile} profile (seed {seed}); pair weights; bound = dense assignment up to "
        f"{exact_bound_limit} people, above it an LP dual bound (>= the assignment bound, so gaps there are upper "
        "limits)"
    )
    print(
        f"{'people':>7} {'bound':>12} {'matcher':>12} {'gap':>8} {'greedy':>12} {'gap':>8} {'shuffle':>12} "
        f"{'gap':>7} {'time s':>7} {'peak MB':>8} {'left out':>8} {'load':>5}"
    )
    for n in sizes:
        workspace, now = make_scaled(n, seed, profile)
        members = workspace.members_at(now)
        with tempfile.NamedTemporaryFile(suffix=".pickle", delete=False) as handle:
            pickle.dump((members, workspace.last_met, workspace.blocked, workspace.fairness, now, seed), handle)
            path = handle.name
        try:
            subprocess.run([sys.executable, "-m", "bench.coffee_matching", "--run-one-round", path], check=True)
            with open(path, "rb") as handle:
                result, seconds, _, peak = pickle.load(handle)
        finally:
            os.unlink(path)
        history = workspace.history()
        model = WeightModel(members, history, MatchPolicy(), now)
        index = {m.user_id: i for i, m in enumerate(model.members)}
        ours = group_matching_value(result, model, index)
        # Start the dual from the matcher's groups: half of each person's best pair weight inside their group.
        start = np.zeros(len(model))
        for group in result.groups:
            nodes = np.array([index[u] for u in group.member_ids], dtype=np.int64)
            weights = model.block(nodes, nodes)
            start[nodes] = np.where(np.isfinite(weights), weights, 0.0).max(axis=1) / 2
        bound, _, _ = dual_bound(model, start)
        if len(members) <= exact_bound_limit:
            bound = assignment_bound(model)
        greedy_found = greedy(model)
        left = np.array([p[0] for p in greedy_found], dtype=np.int64)
        greedy_value = float(model.edges(left, np.array([p[1] for p in greedy_found], dtype=np.int64)).sum())
        shuffled = random_shuffle(members, history, MatchPolicy(), now, seed)
        shuffle_value = group_matching_value(shuffled, model, index)
        load = os.getloadavg()[0]
        print(
            f"{len(members):>7} {bound:>12.2f} {ours:>12.2f} {(bound - ours) / bound:>8.3%} {greedy_value:>12.2f} "
            f"{(bound - greedy_value) / bound:>8.3%} {shuffle_value:>12.2f} {(bound - shuffle_value) / bound:>7.1%} "
            f"{seconds:>7.2f} {peak:>8.0f} {len(result.unmatched):>8} {load:>5.1f}",
            flush=True,
        )


def main() -> None:
    """Run the benchmark sections and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="300 and 2,000 people instead of 1,000 and 10,000")
    parser.add_argument("--no-exact", action="store_true", help="skip networkx's exact matching")
    parser.add_argument("--seeds", type=int, default=5, help="seeds for the small-pool section")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--sections", default="small,optimality,scale", help="comma-separated subset to run")
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
