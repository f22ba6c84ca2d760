"""Seeded synthetic workspaces for the matcher benchmarks: teams, time zones, working hours, a history of rounds."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import combinations

from bot.domain.matching import FairnessRecord, MatchPolicy, MatchResult, Member, PairHistory, fairness_after

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)

# (UTC offset in minutes, share of people): the Americas, Europe, India, East Asia, Australia.
TIME_ZONES: tuple[tuple[int, float], ...] = (
    (-480, 0.16),
    (-420, 0.04),
    (-360, 0.08),
    (-300, 0.18),
    (-180, 0.04),
    (0, 0.14),
    (60, 0.14),
    (120, 0.04),
    (330, 0.08),
    (480, 0.05),
    (540, 0.02),
    (600, 0.03),
)

Matcher = Callable[[Sequence[Member], PairHistory, MatchPolicy, datetime, int], MatchResult]


@dataclass
class Workspace:
    """Members plus the mutable history the benchmark grows round after round."""

    members: list[Member]
    last_met: dict[frozenset[str], datetime] = field(default_factory=dict)
    blocked: set[frozenset[str]] = field(default_factory=set)
    fairness: dict[str, FairnessRecord] = field(default_factory=dict)

    def history(self) -> PairHistory:
        """A frozen view for the matcher."""
        return PairHistory(last_met=self.last_met, blocked=frozenset(self.blocked), fairness=self.fairness)


def make_workspace(n: int, seed: int) -> Workspace:
    """n people in Zipf-sized teams; each team has a home time zone where ~70% of its people work."""
    rng = random.Random(seed)
    n_teams = max(3, n // 25)
    team_weights = [1 / (k + 1) ** 0.8 for k in range(n_teams)]
    offsets = [tz for tz, _ in TIME_ZONES]
    shares = [share for _, share in TIME_ZONES]
    home = [rng.choices(offsets, shares)[0] for _ in range(n_teams)]
    members = []
    for i in range(n):
        team = rng.choices(range(n_teams), team_weights)[0]
        tz = home[team] if rng.random() < 0.7 else rng.choices(offsets, shares)[0]
        start = rng.choice((8 * 60, 8 * 60 + 30, 9 * 60, 9 * 60, 9 * 60 + 30, 10 * 60))
        length = rng.choice((7 * 60, 8 * 60, 8 * 60, 8 * 60, 9 * 60))
        members.append(Member(f"U{i:06d}", f"team-{team:03d}", tz, start, (start + length) % (24 * 60)))
    workspace = Workspace(members)
    # A few private "never pair me with" entries (about one person in 50).
    for _ in range(max(1, n // 50)):
        a, b = rng.sample(members, 2)
        workspace.blocked.add(frozenset((a.user_id, b.user_id)))
    return workspace


def log_meetings(workspace: Workspace, groups: Sequence[Sequence[str]], when: datetime) -> None:
    """Record every pair of every group as having met at `when`."""
    for group in groups:
        for a, b in combinations(group, 2):
            workspace.last_met[frozenset((a, b))] = when


def add_side_interactions(workspace: Workspace, count: int, when: datetime, rng: random.Random) -> None:
    """Logged /met interactions outside coffee rounds, mostly inside teams (they count for the cooldown too)."""
    by_team: dict[str, list[str]] = {}
    for m in workspace.members:
        by_team.setdefault(m.team, []).append(m.user_id)
    teams = [ids for ids in by_team.values() if len(ids) >= 2]
    ids = [m.user_id for m in workspace.members]
    for _ in range(count):
        pair = rng.sample(rng.choice(teams), 2) if rng.random() < 0.8 else rng.sample(ids, 2)
        workspace.last_met[frozenset(pair)] = when


def run_rounds(
    workspace: Workspace, rounds: int, policy: MatchPolicy, matcher: Matcher, seed: int, side_interactions: int = 0
) -> list[MatchResult]:
    """Weekly rounds with everyone available, each logged into the history; returns every round's result."""
    rng = random.Random(seed)
    results = []
    for r in range(rounds):
        now = START + timedelta(weeks=r)
        result = matcher(workspace.members, workspace.history(), policy, now, seed * 1000 + r)
        log_meetings(workspace, [g.member_ids for g in result.groups], now)
        workspace.fairness = fairness_after(result, workspace.fairness, policy, now)
        if side_interactions:
            add_side_interactions(workspace, side_interactions, now + timedelta(days=2), rng)
        results.append(result)
    return results
