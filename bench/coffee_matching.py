"""Coffee matcher benchmark: prints repeats, optimality, speed and memory beside baselines measured in the same run.

.venv/bin/python -m bench.coffee_matching            # the sizes the coffee issue names (12/30, 1,000, 10,000)
.venv/bin/python -m bench.coffee_matching --quick    # 300 and 2,000 people instead of 1,000 and 10,000
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

from bench.synthetic import START, Workspace, make_workspace, run_rounds
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
    met = np.asarray(model.penalty[left, right]).ravel() > 0
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


def optimality(n: int, seed: int, exact: bool) -> float:
    """Our weight beside networkx's exact maximum-weight matching and the assignment upper bound; returns the
    exact (or our) cross-team share."""
    print(f"\n## Optimality: {n} people, {HISTORY_ROUNDS} rounds of history (seed {seed})")
    workspace, now, history_seconds = workspace_with_history(n, seed)
    print(f"  (history generated by the matcher itself in {history_seconds:.1f} s)")
    policy = MatchPolicy()
    history = workspace.history()
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


def main() -> None:
    """Run the benchmark sections and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="300 and 2,000 people instead of 1,000 and 10,000")
    parser.add_argument("--no-exact", action="store_true", help="skip networkx's exact matching")
    parser.add_argument("--seeds", type=int, default=5, help="seeds for the small-pool section")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--sections", default="small,optimality,scale", help="comma-separated subset to run")
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
        exact_cross = optimality(optimality_n, args.seed, exact=not args.no_exact)
    if "scale" in sections:
        label = f"{'matcher' if args.no_exact else 'exact'} at {optimality_n}"
        scale(scale_n, args.seed, exact_cross, label)


if __name__ == "__main__":
    main()
