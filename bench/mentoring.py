"""Mentoring cycle benchmark: time, peak memory, optimality and quality of `match_cycle` beside greedy and
Gale–Shapley on the same scores, on seeded synthetic workspaces.

.venv/bin/python -m bench.mentoring                          # 5,000 × 1,667 and 20,000 × 6,700 (capacity 3)
.venv/bin/python -m bench.mentoring --sizes 5000:1667       # one size
.venv/bin/python -m bench.mentoring --sizes 1000:334 --exact-limit 1000    # a quick look

Per size: the cycle runs in a fresh process (time and peak RSS of that process); then, in this process, the
independent check (up to `--exact-limit` mentees the dense slot-column `linear_sum_assignment`, above it the LP dual
bound D(v) recomputed here from the cycle's prices over every pair), and the baselines.
"""

from __future__ import annotations

import argparse
import heapq
import os
import pickle
import platform
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import numpy as np
import scipy
from scipy.optimize import linear_sum_assignment

from bench.coffee_matching import memory_mb
from bench.synthetic import HARD_ZONES, START
from bot.domain.mentoring import (
    Cycle,
    CycleResult,
    Exclusions,
    Experience,
    Level,
    MentoringProfile,
    Participant,
    Preferences,
    Preset,
    Role,
    ScoreModel,
    Scores,
    match_cycle,
)
from bot.domain.mentoring.cycle import cycle_problem
from bot.domain.mentoring.score import INELIGIBLE

SKILLS = (
    *("public speaking", "negotiation", "python", "system design", "people management", "product discovery"),
    *("data analysis", "sql", "writing", "career growth", "hiring", "incident response", "kubernetes"),
    *("machine learning", "ux research", "sales", "fundraising", "budgeting", "roadmapping", "testing"),
    *("security", "accessibility", "frontend", "mobile", "go", "rust", "cloud cost", "observability"),
    *("stakeholder management", "coaching", "design systems", "pricing", "analytics", "marketing"),
    *("legal basics", "procurement", "customer success", "open source", "mentoring others", "time management"),
)
GOAL_WORDS = tuple(
    f"{stem}{suffix}"
    for stem in (
        *("lead", "grow", "ship", "scale", "present", "influence", "promote", "hire", "plan", "design", "debug"),
        *("measure", "negotiate", "write", "review", "teach", "launch", "migrate", "automate", "budget"),
    )
    for suffix in ("", "ing", "er", "s", "ment", "ability")
)
TAGS = tuple(f"tag{k:02d}" for k in range(60))
CAPACITY = 3


def zipf_weights(n: int, s: float) -> list[float]:
    """Weights 1/(k+1)^s for k = 0..n-1."""
    return [1 / (k + 1) ** s for k in range(n)]


def pick_distinct(rng: random.Random, items: Sequence[str], weights: Sequence[float], count: int) -> tuple[str, ...]:
    """`count` distinct items, drawn by weight, in the order drawn (the order is a mentee's priority)."""
    chosen: list[str] = []
    while len(chosen) < min(count, len(items)):
        item = rng.choices(items, weights)[0]
        if item not in chosen:
            chosen.append(item)
    return tuple(chosen)


@dataclass
class Workspace:
    """A cycle's inputs plus the facts the quality columns need."""

    cycle: Cycle
    people: int
    history_pairs: int = 0
    notes: list[str] = field(default_factory=list)


def _hours(rng: random.Random) -> tuple[int, int]:
    kind = rng.random()
    if kind < 0.75:
        start, length = rng.choice(range(7 * 60, 11 * 60, 30)), rng.choice((7 * 60, 8 * 60, 8 * 60, 9 * 60))
    elif kind < 0.9:
        start, length = rng.choice(range(8 * 60, 15 * 60, 30)), rng.choice((4 * 60, 5 * 60))
    else:
        start, length = rng.choice((5 * 60, 14 * 60, 22 * 60)), 8 * 60
    return start, (start + length) % (24 * 60)


def _experience(rng: random.Random, low: float, high: float) -> Experience:
    if rng.random() < 0.3:
        level = rng.choice(list(Level)[:3] if high < 10 else list(Level)[1:])
        return Experience(level=level)
    return Experience(years=float(rng.randint(int(low), int(high))))


def make_workspace(n_mentees: int, n_mentors: int, seed: int) -> Workspace:
    """A seeded workspace: 40 skills with Zipf popularity (demand and supply ranked a little differently),
    uneven teams, 20 IANA zones, part-time and shift hours, mentors with capacity 3 of which some is taken, people
    who are both, past (declined or ended) pairs, avoid lists and last cycle's waitlist."""
    rng = random.Random(seed)
    people = n_mentees + n_mentors
    n_teams = max(3, people // 30)
    team_weights = zipf_weights(n_teams, 1.2)
    zones = [z for z, _ in HARD_ZONES]
    zone_shares = [share for _, share in HARD_ZONES]
    offsets = {z: int(START.astimezone(ZoneInfo(z)).utcoffset().total_seconds() // 60) for z in zones}  # type: ignore[union-attr]
    home = [rng.choices(zones, zone_shares)[0] for _ in range(n_teams)]
    demand = zipf_weights(len(SKILLS), 1.0)
    supply = demand[:]
    for k in range(0, len(supply) - 1, 3):  # supply ranks skills a little differently from demand
        supply[k], supply[k + 1] = supply[k + 1], supply[k]
    goal_weights = zipf_weights(len(GOAL_WORDS), 0.9)

    def person(user_id: str, role: Role) -> Participant:
        team = rng.choices(range(n_teams), team_weights)[0]
        zone = home[team] if rng.random() < 0.6 else rng.choices(zones, zone_shares)[0]
        start, end = _hours(rng)
        mentoring = role.mentors
        profile = MentoringProfile(
            user_id=user_id,
            role=role,
            teaches=pick_distinct(rng, SKILLS, supply, rng.randint(2, 6)) if mentoring else (),
            learns=pick_distinct(rng, SKILLS, demand, rng.randint(1, 4)) if role.learns else (),
            tags=pick_distinct(rng, TAGS, zipf_weights(len(TAGS), 1.0), rng.randint(0, 2)),
            goals=" ".join(rng.choices(GOAL_WORDS, goal_weights, k=rng.randint(2, 6))),
            experience=_experience(rng, 3, 25) if mentoring else _experience(rng, 0, 8),
            capacity=CAPACITY if mentoring else 0,
            hours_per_month=rng.choice((2, 4, 4, 6, 8)),
            preferences=Preferences(rng.random() < 0.6, rng.random() < 0.85, rng.random() < 0.9),
        )
        return Participant(profile, f"team-{team:03d}", offsets[zone], start, end)

    n_both = n_mentors // 20
    mentors = [person(f"UM{k:06d}", Role.BOTH if k < n_both else Role.MENTOR) for k in range(n_mentors)]
    mentees = [p for p in mentors[:n_both]] + [person(f"UE{k:06d}", Role.MENTEE) for k in range(n_mentees - n_both)]
    free = {p.user_id: CAPACITY - rng.choices((0, 1, 2), (0.85, 0.12, 0.03))[0] for p in mentors}
    past: set[tuple[str, str]] = set()
    for mentee in mentees:
        if rng.random() < 0.3:
            for mentor in rng.sample(mentors, rng.randint(1, 2)):
                past.add((mentee.user_id, mentor.user_id))
    avoid = {frozenset((rng.choice(mentees).user_id, rng.choice(mentors).user_id)) for _ in range(people // 50)}
    waitlisted = frozenset(p.user_id for p in rng.sample(mentees, n_mentees // 20))
    cycle = Cycle(
        mentees=mentees,
        mentors=mentors,
        free_slots=free,
        exclusions=Exclusions(frozenset(past), frozenset(a for a in avoid if len(a) == 2)),
        waitlisted=waitlisted,
        preset=Preset.BALANCED,
        seed=seed,
    )
    return Workspace(cycle, people, len(past))


@dataclass(frozen=True)
class Instance:
    """The scored problem the baselines and checks see: the same order, scores and bonus as the cycle."""

    model: ScoreModel
    scores: Scores
    capacity: np.ndarray
    bonus_each: int


def instance(cycle: Cycle) -> Instance:
    """Rebuild the cycle's solver inputs (same pool, seeded order, scores and waitlist bonus), uncached."""
    problem = cycle_problem(cycle)
    scores = Scores(problem.model, problem.bonus, cache_entries=0, top=0)
    return Instance(problem.model, scores, problem.capacity, problem.bonus_each)


class Candidates:
    """Each mentee's eligible mentors, best W first (ties by column), computed `top` at a time."""

    def __init__(self, inst: Instance, top: int = 32) -> None:
        self.inst, self.top = inst, top
        n, m = inst.model.shape
        self.lists: list[list[tuple[int, int]]] = [[] for _ in range(n)]
        self.complete = [False] * n
        for rows in inst.scores.chunks():
            values = inst.scores.rows(rows)
            k = min(top, m)
            part = np.argpartition(-values, k - 1, axis=1)[:, :k] if k < m else np.tile(np.arange(m), (len(rows), 1))
            for r, cols in zip(rows.tolist(), part, strict=True):
                row = values[r - rows[0]]
                pairs = sorted(
                    ((int(row[c]), int(c)) for c in cols if row[c] > INELIGIBLE), key=lambda x: (-x[0], x[1])
                )
                self.lists[r] = pairs
                self.complete[r] = len(pairs) < k or k == m

    def get(self, row: int, position: int) -> tuple[int, int] | None:
        """The mentee's position-th best (W, mentor column), or None past the end."""
        if position >= len(self.lists[row]) and not self.complete[row]:
            values = self.inst.scores.rows(np.array([row]))[0]
            eligible = np.flatnonzero(values > INELIGIBLE)
            self.lists[row] = sorted(((int(values[c]), int(c)) for c in eligible), key=lambda x: (-x[0], x[1]))
            self.complete[row] = True
        return self.lists[row][position] if position < len(self.lists[row]) else None


def greedy(inst: Instance, candidates: Candidates) -> np.ndarray:
    """Heaviest edge first: repeatedly take the heaviest pair whose mentee is free and mentor has a slot."""
    n = inst.model.shape[0]
    left = inst.capacity.copy()
    mentor_of = np.full(n, -1, dtype=np.int64)
    position = [0] * n
    heap = [(-e[0], r, e[1]) for r in range(n) if (e := candidates.get(r, 0)) is not None]
    heapq.heapify(heap)
    while heap:
        _, r, c = heapq.heappop(heap)
        if left[c] > 0:
            mentor_of[r] = c
            left[c] -= 1
            continue
        while (e := candidates.get(r, position[r] + 1)) is not None:
            position[r] += 1
            if left[e[1]] > 0:
                heapq.heappush(heap, (-e[0], r, e[1]))
                break
    return mentor_of


def gale_shapley(inst: Instance, candidates: Candidates) -> np.ndarray:
    """Mentee-proposing deferred acceptance; each mentor keeps their best `capacity` proposals by the same W."""
    n, m = inst.model.shape
    held: list[list[tuple[int, int]]] = [[] for _ in range(m)]  # min-heap of (W, -row)
    position = [0] * n
    free = list(range(n - 1, -1, -1))
    while free:
        r = free.pop()
        while (e := candidates.get(r, position[r])) is not None:
            position[r] += 1
            w, c = e
            if len(held[c]) < inst.capacity[c]:
                heapq.heappush(held[c], (w, -r))
                break
            if (w, -r) > held[c][0]:
                _, bumped = heapq.heapreplace(held[c], (w, -r))
                free.append(-bumped)
                break
    mentor_of = np.full(n, -1, dtype=np.int64)
    for c, heap in enumerate(held):
        for _, neg in heap:
            mentor_of[-neg] = c
    return mentor_of


def objective(inst: Instance, mentor_of: np.ndarray) -> int:
    """Sum of W (score + waitlist bonus) over the chosen pairs, scored pair by pair."""
    rows = np.flatnonzero(mentor_of >= 0)
    scores = inst.model.pair_terms(rows, mentor_of[rows])["score"]
    assert (scores > INELIGIBLE).all(), "a method chose an ineligible pair"
    return int(scores.sum() + inst.scores.bonus[rows].sum())


def lp_bound(inst: Instance, prices: np.ndarray) -> int:
    """D(v) = sum_i max(0, max_j W_ij - v_j) + sum_j capacity_j v_j, over every pair: an upper bound for any v."""
    total = int(inst.capacity @ prices)
    for rows in inst.scores.chunks():
        values = inst.scores.rows(rows)
        total += int(np.maximum(np.where(values > INELIGIBLE, values - prices, 0).max(axis=1), 0).sum())
    return total


def dense_exact(inst: Instance) -> tuple[int, float]:
    """The optimum by scipy's dense linear_sum_assignment, one column per slot (the measured 9.3 s method)."""
    started = time.perf_counter()
    slots = np.repeat(np.arange(inst.model.shape[1]), inst.capacity)
    cost = np.empty((inst.model.shape[0], len(slots)))
    for rows in inst.scores.chunks():
        values = inst.scores.rows(rows)[:, slots]
        cost[rows] = -np.where(values > INELIGIBLE, values, 0)
    r, c = linear_sum_assignment(cost)
    return int(-cost[r, c].sum()), time.perf_counter() - started


@dataclass(frozen=True)
class Quality:
    """What a person would notice about a set of matches."""

    score: int
    matched: int
    unmatched: int
    waitlisted_matched: int
    top_skill_share: float
    cross_team_share: float


def quality(inst: Instance, mentor_of: np.ndarray, waitlisted: frozenset[str]) -> Quality:
    """Score (without the bonus), top-skill share (of all mentees), cross-team share (of pairs), unmatched."""
    model = inst.model
    rows = np.flatnonzero(mentor_of >= 0)
    waiting = sum(model.mentees[r].user_id in waitlisted for r in rows.tolist())
    bonus = waiting * inst.bonus_each
    top = sum(model.mentees[r].profile.learns[0] in model.mentors[mentor_of[r]].profile.teaches for r in rows.tolist())
    cross = sum(model.mentees[r].team != model.mentors[mentor_of[r]].team for r in rows.tolist())
    n = model.shape[0]
    return Quality(
        objective(inst, mentor_of) - bonus,
        len(rows),
        n - len(rows),
        waiting,
        top / max(1, n),
        cross / max(1, len(rows)),
    )


def run_cycle(path: str) -> None:
    """Child process: load a cycle, time `match_cycle`, report peak RSS."""
    with open(path, "rb") as handle:
        cycle = pickle.load(handle)
    rss_before = memory_mb("VmRSS")
    started = time.perf_counter()
    result = match_cycle(cycle)
    seconds = time.perf_counter() - started
    with open(path, "wb") as handle:
        pickle.dump((result, seconds, rss_before, memory_mb("VmHWM")), handle)


def cycle_in_child(cycle: Cycle) -> tuple[CycleResult, float, float, float]:
    """Run one cycle in a fresh interpreter so its peak RSS is its own."""
    with tempfile.NamedTemporaryFile(suffix=".pickle", delete=False) as handle:
        pickle.dump(cycle, handle)
        path = handle.name
    try:
        subprocess.run([sys.executable, "-m", "bench.mentoring", "--run-cycle", path], check=True)
        with open(path, "rb") as handle:
            return pickle.load(handle)  # type: ignore[no-any-return]
    finally:
        os.unlink(path)


def assignment_of(inst: Instance, result: CycleResult) -> np.ndarray:
    """The cycle's suggestions as a mentor column per mentee row of `inst`."""
    row = {p.user_id: i for i, p in enumerate(inst.model.mentees)}
    col = {p.user_id: j for j, p in enumerate(inst.model.mentors)}
    mentor_of = np.full(inst.model.shape[0], -1, dtype=np.int64)
    for s in result.suggestions:
        mentor_of[row[s.mentee]] = col[s.mentor]
    return mentor_of


def line(name: str, q: Quality, best: int, seconds: float | None, extra: str = "") -> str:
    """One method's row."""
    gap = (best - q.score) / best if best else 0.0
    took = f"{seconds:7.2f} s" if seconds is not None else " " * 9
    return (
        f"  {name:<22} score {q.score:>12,}  gap {gap:7.3%}  {took}  matched {q.matched:>6}  unmatched {q.unmatched:>6}"
        f"  waitlisted matched {q.waitlisted_matched:>5}  top skill {q.top_skill_share:6.1%}"
        f"  cross-team {q.cross_team_share:6.1%}{extra}"
    )


def bench_size(n_mentees: int, n_mentors: int, seed: int, exact_limit: int) -> None:
    """One size: the cycle in a child process, then checks and baselines here."""
    load_before = os.getloadavg()[0]
    workspace = make_workspace(n_mentees, n_mentors, seed)
    cycle = workspace.cycle
    print(
        f"\n## {n_mentees:,} mentees × {n_mentors:,} mentors (capacity {CAPACITY}; "
        f"{sum(cycle.free_slots.values()):,} free slots; {workspace.history_pairs:,} past pairs; "
        f"{len(cycle.waitlisted):,} waitlisted; seed {seed})",
        flush=True,
    )
    result, seconds, rss_before, peak = cycle_in_child(cycle)
    load_after = os.getloadavg()[0]
    inst = instance(cycle)
    ours = assignment_of(inst, result)
    cert = result.certificate
    prices = np.array([cert.prices[p.user_id] for p in inst.model.mentors], dtype=np.int64)
    bound = lp_bound(inst, prices)
    ours_w = objective(inst, ours)
    waiting_bonus = int(inst.scores.bonus[ours >= 0].sum())
    score_gap = (bound - ours_w) / (ours_w - waiting_bonus)
    print(
        f"  match_cycle: {seconds:.2f} s, peak RSS {peak:.0f} MB ({rss_before:.0f} MB before the cycle: interpreter, "
        f"imports, workspace); load {load_before:.1f} -> {load_after:.1f}"
    )
    print(
        f"  solver: {cert.rounds} rounds, {cert.edges:,} pairs in the last pruned problem, {cert.branches} branches; "
        f"certified {cert.certified}"
    )
    print(f"  objective (score + waitlist bonus)  {ours_w:,}  (solver says {cert.objective:,})")
    print(f"  LP bound D(v) recomputed here        {bound:,}  gap {score_gap:.5%} of the score")
    check = f"LP bound, gap {score_gap:.4%}"
    if n_mentees <= exact_limit:
        exact, exact_seconds = dense_exact(inst)
        verdict = "EQUAL" if exact == ours_w else f"DIFFERENT by {exact - ours_w:,}"
        print(f"  dense linear_sum_assignment         {exact:,}  in {exact_seconds:.1f} s  -> {verdict}")
        check = f"dense LSA {verdict.lower()} ({exact_seconds:.0f} s); LP gap {score_gap:.4%}"
    started = time.perf_counter()
    candidates = Candidates(inst)
    lists_seconds = time.perf_counter() - started
    started = time.perf_counter()
    greedy_of = greedy(inst, candidates)
    greedy_seconds = time.perf_counter() - started + lists_seconds
    started = time.perf_counter()
    gs_of = gale_shapley(inst, candidates)
    gs_seconds = time.perf_counter() - started + lists_seconds
    q_ours = quality(inst, ours, cycle.waitlisted)
    q_greedy = quality(inst, greedy_of, cycle.waitlisted)
    q_gs = quality(inst, gs_of, cycle.waitlisted)
    print(line("match_cycle", q_ours, q_ours.score, seconds))
    print(line("greedy", q_greedy, q_ours.score, greedy_seconds))
    print(line("Gale–Shapley", q_gs, q_ours.score, gs_seconds))
    load_end = os.getloadavg()[0]
    print(f"  (machine load after the size: {load_end:.1f}; {len(result.unmatched)} unmatched with reasons)")

    def gap(q: Quality) -> str:
        return f"{(q_ours.score - q.score) / q_ours.score:.2%}"

    print(
        "| mentees × mentors | time | peak RSS | score | check | greedy (gap) | Gale–Shapley (gap) "
        "| top skill: ours / greedy | cross-team: ours / greedy | unmatched: ours / greedy | load |"
    )
    print(
        f"| {n_mentees:,} × {n_mentors:,} | {seconds:.1f} s | {peak:.0f} MB | {q_ours.score:,} | {check} "
        f"| {q_greedy.score:,} ({gap(q_greedy)}) | {q_gs.score:,} ({gap(q_gs)}) "
        f"| {q_ours.top_skill_share:.1%} / {q_greedy.top_skill_share:.1%} "
        f"| {q_ours.cross_team_share:.1%} / {q_greedy.cross_team_share:.1%} "
        f"| {q_ours.unmatched:,} / {q_greedy.unmatched:,} | {load_before:.1f}-{load_end:.1f} |",
        flush=True,
    )


def main() -> None:
    """Run the sizes and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="5000:1667,20000:6700", help="mentees:mentors, comma-separated")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--exact-limit", type=int, default=5000, help="dense exact check up to this many mentees")
    parser.add_argument("--run-cycle", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_cycle:
        run_cycle(args.run_cycle)
        return
    print(
        f"# Mentoring benchmark — {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"numpy {np.__version__}, scipy {scipy.__version__}; load {os.getloadavg()}"
    )
    for size in args.sizes.split(","):
        mentees, mentors = (int(x) for x in size.split(":"))
        bench_size(mentees, mentors, args.seed, args.exact_limit)


if __name__ == "__main__":
    main()
