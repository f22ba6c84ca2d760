"""Builders and hypothesis strategies shared by the mentoring tests."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

from bot.domain.mentoring import (
    Cycle,
    Exclusions,
    Experience,
    MentoringProfile,
    Participant,
    Preferences,
    Preset,
    Role,
    ScoreModel,
)
from bot.domain.mentoring.cycle import cycle_problem
from bot.domain.mentoring.score import INELIGIBLE

SKILLS = ("public speaking", "negotiation", "python", "writing", "hiring")


def person(
    user_id: str,
    *,
    teaches: Sequence[str] = (),
    learns: Sequence[str] = (),
    team: str = "A",
    offset: int = 0,
    hours: tuple[int, int] = (9 * 60, 17 * 60),
    years: float | None = None,
    goals: str = "",
    prefs: Preferences | None = None,
    role: Role | None = None,
    capacity: int = 3,
) -> Participant:
    """A participant; the role follows from what they teach and learn unless given."""
    if role is None:
        role = Role.BOTH if teaches and learns else Role.MENTOR if teaches else Role.MENTEE
    profile = MentoringProfile(
        user_id=user_id,
        role=role,
        teaches=tuple(teaches),
        learns=tuple(learns),
        goals=goals,
        experience=Experience(years=years),
        capacity=capacity if role.mentors else 0,
        preferences=prefs or Preferences(),
    )
    return Participant(profile, team, offset, hours[0], hours[1])


@st.composite
def participants(draw: st.DrawFn, user_id: str, teaches: bool, learns: bool) -> Participant:
    """A random participant over a small skill list, three teams and a few zones."""
    skills = st.lists(st.sampled_from(SKILLS), min_size=1, max_size=3, unique=True)
    start = draw(st.sampled_from((0, 6 * 60, 9 * 60, 13 * 60, 22 * 60)))
    return person(
        user_id,
        teaches=draw(skills) if teaches else (),
        learns=draw(skills) if learns else (),
        team=draw(st.sampled_from("ABC")),
        offset=draw(st.sampled_from((-300, 0, 60, 330, 540))),
        hours=(start, (start + draw(st.sampled_from((240, 480)))) % 1440),
        years=draw(st.one_of(st.none(), st.integers(0, 20).map(float))),
        goals=draw(st.sampled_from(("", "lead teams", "ship faster and lead", "write better docs"))),
        prefs=Preferences(draw(st.booleans()), draw(st.booleans()), draw(st.booleans())),
    )


@st.composite
def cycles(draw: st.DrawFn, max_mentees: int = 9, max_mentors: int = 5) -> Cycle:
    """A random cycle: mentees, mentors (some people are both), free slots, history, avoid lists, waitlist."""
    n_both = draw(st.integers(0, 2))
    both = [draw(participants(f"B{k}", True, True)) for k in range(n_both)]
    mentees = both + [draw(participants(f"E{k}", False, True)) for k in range(draw(st.integers(0, max_mentees)))]
    mentors = both + [draw(participants(f"M{k}", True, False)) for k in range(draw(st.integers(0, max_mentors)))]
    pairs = [(e.user_id, m.user_id) for e in mentees for m in mentors]
    past = draw(st.lists(st.sampled_from(pairs), max_size=4)) if pairs else []
    avoid = draw(st.lists(st.sampled_from(pairs), max_size=3)) if pairs else []
    ids = [p.user_id for p in mentees]
    return Cycle(
        mentees=mentees,
        mentors=mentors,
        free_slots={m.user_id: draw(st.integers(0, 3)) for m in mentors},
        exclusions=Exclusions(frozenset(past), frozenset(frozenset(a) for a in avoid)),
        waitlisted=frozenset(draw(st.lists(st.sampled_from(ids), max_size=3))) if ids else frozenset(),
        preset=draw(st.sampled_from(list(Preset))),
        seed=draw(st.integers(0, 1000)),
    )


def dense_scores(cycle: Cycle) -> tuple[ScoreModel, np.ndarray, np.ndarray, int]:
    """The cycle's pool as a dense W (score + waitlist bonus; INELIGIBLE where forbidden), capacities, bonus."""
    problem = cycle_problem(cycle)
    n, m = problem.model.shape
    w = problem.model.block(np.arange(n)) if n and m else np.zeros((n, m), dtype=np.int64)
    w = np.where(w > INELIGIBLE, w + problem.bonus[:, None], INELIGIBLE)
    return problem.model, w, problem.capacity, problem.bonus_each


def lsa_optimum(w: np.ndarray, capacity: np.ndarray) -> int:
    """The optimum by scipy's dense assignment, one column per slot (ineligible = 0, i.e. unmatched)."""
    slots = np.repeat(np.arange(w.shape[1]), capacity)
    if w.shape[0] == 0 or len(slots) == 0:
        return 0
    cost = -np.where(w[:, slots] > INELIGIBLE, w[:, slots], 0)
    rows, cols = linear_sum_assignment(cost)
    return int(-cost[rows, cols].sum())


def networkx_optimum(w: np.ndarray, capacity: np.ndarray) -> int:
    """The optimum by networkx's blossom matching on the graph with one node per mentor slot."""
    import networkx as nx

    graph = nx.Graph()
    for i, j in zip(*np.nonzero(w > INELIGIBLE), strict=True):
        for s in range(int(capacity[j])):
            graph.add_edge(("e", int(i)), ("m", int(j), s), weight=int(w[i, j]))
    matching = nx.max_weight_matching(graph)
    return sum(int(graph.edges[a, b]["weight"]) for a, b in matching)


def constrained_optimum(model: ScoreModel, w: np.ndarray, capacity: np.ndarray, solver=lsa_optimum) -> int:  # type: ignore[no-untyped-def]
    """The optimum when two people may not mentor each other in one cycle: for every such pair that could,
    the best of forbidding one direction or the other (every feasible assignment avoids one of them)."""
    row = {p.user_id: i for i, p in enumerate(model.mentees)}
    col = {p.user_id: j for j, p in enumerate(model.mentors)}
    mutual = [
        ((row[a], col[b]), (row[b], col[a]))
        for a in row
        for b in row
        if a < b and a in col and b in col and w[row[a], col[b]] > INELIGIBLE and w[row[b], col[a]] > INELIGIBLE
    ]
    best = -1
    for choice in range(2 ** len(mutual)):
        forbidden = w.copy()
        for k, pair in enumerate(mutual):
            i, j = pair[(choice >> k) & 1]
            forbidden[i, j] = INELIGIBLE
        best = max(best, solver(forbidden, capacity))
    return best
