"""A matching cycle: who is suggested to whom, why, who waits and why; "show another"; find a mentor by skill.

`match_cycle(cycle)` takes the open mentees, the open mentors with their free slots, the pairs the history forbids,
last cycle's waitlist, a preset and a seed, and returns one suggestion per matched mentee (with a one-line "why"),
the unmatched with a reason and a text for their DM, the next cycle's waitlist, and the solver's certificate.

Semantics:
- **Exact.** The suggestions maximise the total score over eligible pairs with every mentor within their free
  slots (`assign.solve`, certified by an LP dual bound). Above EXACT_UP_TO (10,000) mentees the default stops
  within 0.1% of that bound instead (`Cycle.gap_tolerance` overrides; the certificate says which happened).
- **Waitlist first, exactly.** Each waitlisted mentee's pairs carry a bonus larger than any cycle's whole score
  (mentees × the largest pair score), so the assignment first matches as many waitlisted mentees as possible and
  only then maximises the score: lexicographic, not a nudge. Everyone left unmatched is next cycle's waitlist.
- **The same pair at most once.** Someone who is both mentee and mentor is never matched with themselves, and two
  such people are never each other's mentor in one cycle: when the optimum holds both directions, the two ways of
  dropping one are solved (best first, each certified) and the better kept.
- **Deterministic.** People are put in user-id order, then shuffled by `seed`; the seed only decides between
  equal optima. The input order never matters.
- Reasons never mention anyone's avoid list or past matches: those fold into "fits this cycle".
"""

from __future__ import annotations

import logging
import random
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

import numpy as np

from bot.domain.mentoring.assign import EXACT, LARGE, Assignment, Effort, Scores, solve
from bot.domain.mentoring.score import (
    INELIGIBLE,
    NO_EXCLUSIONS,
    PRESETS,
    Exclusions,
    Participant,
    Preset,
    ScoreModel,
    explain,
)

logger = logging.getLogger(__name__)

MAX_BRANCHES = 16
EXACT_UP_TO = 10_000
_REASON_BLOCK_ENTRIES = 2_000_000


class UnmatchedReason(StrEnum):
    """Why a mentee got no suggestion this cycle."""

    NO_MENTOR_TEACHES = "no_mentor_teaches"
    NO_FITTING_MENTOR = "no_fitting_mentor"
    NO_CAPACITY = "no_capacity"


@dataclass(frozen=True, slots=True)
class Cycle:
    """Everything one matching cycle needs (the service gathers it; the engine does no I/O)."""

    mentees: Sequence[Participant]
    mentors: Sequence[Participant]
    free_slots: Mapping[str, int]  # mentor id -> slots free now (capacity minus current matches and holds)
    exclusions: Exclusions = NO_EXCLUSIONS
    waitlisted: frozenset[str] = frozenset()
    preset: Preset = Preset.BALANCED
    seed: int = 0
    # None: exact up to EXACT_UP_TO mentees, within 0.1% of the LP bound above; 0.0: always exact.
    gap_tolerance: float | None = None


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A mentor suggested to a mentee, with the pair's score and the "why" line."""

    mentee: str
    mentor: str
    score: int
    why: str


@dataclass(frozen=True, slots=True)
class Unmatched:
    """A mentee without a suggestion: the reason, and the text of their DM."""

    mentee: str
    reason: UnmatchedReason
    text: str


@dataclass(frozen=True, slots=True)
class Certificate:
    """The solver's proof: objective and LP bound in solver units (waitlist bonus included)."""

    objective: int
    bound: int
    certified: bool
    rounds: int
    edges: int
    branches: int
    prices: Mapping[str, int]  # mentor id -> the dual price of one of their slots (what competition for them costs)


@dataclass(frozen=True, slots=True)
class CycleResult:
    """The cycle's suggestions, the unmatched, the total score, next cycle's waitlist and the certificate."""

    suggestions: tuple[Suggestion, ...]
    unmatched: tuple[Unmatched, ...]
    total_score: int
    waitlist: frozenset[str]
    certificate: Certificate
    seed: int


def seeded_order(people: Sequence[Participant], seed: int) -> list[Participant]:
    """People in user-id order, shuffled by `seed` (duplicates by id dropped, the first kept)."""
    unique = {p.user_id: p for p in reversed(people)}
    ordered = [unique[key] for key in sorted(unique)]
    random.Random(seed).shuffle(ordered)
    return ordered


def cycle_pool(cycle: Cycle) -> tuple[list[Participant], list[Participant]]:
    """The open mentees with wishes and the open mentors with a free slot, each in seeded order."""
    mentees = [p for p in cycle.mentees if p.profile.open_to_matches and p.profile.role.learns and p.profile.learns]
    mentors = [
        p
        for p in cycle.mentors
        if p.profile.open_to_matches and p.profile.role.mentors and cycle.free_slots.get(p.user_id, 0) > 0
    ]
    return seeded_order(mentees, cycle.seed), seeded_order(mentors, cycle.seed + 1)


def waitlist_bonus(model: ScoreModel) -> int:
    """A bonus per waitlisted mentee larger than any possible total score, so priority is lexicographic."""
    return model.shape[0] * model.max_score() + 1


def _mutual(model: ScoreModel, mentor_of: np.ndarray) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Pairs of chosen edges that make two people each other's mentor."""
    row_of = {p.user_id: i for i, p in enumerate(model.mentees)}
    found = []
    for i, j in enumerate(mentor_of.tolist()):
        if j < 0:
            continue
        a, b = model.mentees[i].user_id, model.mentors[j].user_id
        back = row_of.get(b)
        if back is not None and a < b and mentor_of[back] >= 0 and model.mentors[mentor_of[back]].user_id == a:
            found.append(((i, j), (back, int(mentor_of[back]))))
    return found


def effort_for(cycle: Cycle, mentees: int) -> Effort:
    """How hard to solve: the caller's tolerance, else exact up to EXACT_UP_TO mentees and within 0.1% above."""
    if cycle.gap_tolerance is None:
        return EXACT if mentees <= EXACT_UP_TO else LARGE
    return replace(EXACT if cycle.gap_tolerance == 0 else LARGE, tolerance=cycle.gap_tolerance)


def _solve_once_per_pair(scores: Scores, capacity: np.ndarray, effort: Effort) -> tuple[Assignment, int]:
    """The best assignment with no two people each other's mentor: branch on such pairs, best bound first."""
    best: Assignment | None = None
    first = solve(scores, capacity, effort)
    stack: list[tuple[Assignment, Scores]] = [(first, scores)]
    branches = 0
    while stack:
        stack.sort(key=lambda item: item[0].bound)
        result, branch = stack.pop()
        if best is not None and result.bound <= best.objective:
            continue
        conflicts = _mutual(scores.model, result.mentor_of)
        if not conflicts:
            best = result
            continue
        if branches >= MAX_BRANCHES:
            logger.warning("mentoring cycle: branch limit reached with %d mutual pairs left", len(conflicts))
            continue
        for edge in conflicts[0]:
            branches += 1
            child = branch.without([edge])
            stack.append((solve(child, capacity, effort), child))
    if best is None:  # the branch limit was hit: drop the weaker direction of each mutual pair until none is left
        best = first
        while conflicts := _mutual(scores.model, best.mentor_of):
            scores = scores.without(
                min(pair, key=lambda e: int(scores.rows(np.array([e[0]]))[0, e[1]])) for pair in conflicts
            )
            best = solve(scores, capacity, effort)
    return best, branches


@dataclass(frozen=True, slots=True)
class Problem:
    """A cycle as the solver sees it: the scored pool (rows in seeded order), each row's bonus, the capacities."""

    model: ScoreModel
    bonus: np.ndarray
    bonus_each: int
    capacity: np.ndarray


def cycle_problem(cycle: Cycle) -> Problem:
    """Score the cycle's pool and give each waitlisted mentee the bonus (benchmarks and tests rebuild it too)."""
    mentees, mentors = cycle_pool(cycle)
    model = ScoreModel(mentees, mentors, PRESETS[cycle.preset], cycle.exclusions)
    bonus_each = waitlist_bonus(model)
    bonus = np.array([bonus_each if p.user_id in cycle.waitlisted else 0 for p in mentees], dtype=np.int64)
    capacity = np.array([cycle.free_slots[p.user_id] for p in mentors], dtype=np.int64)
    return Problem(model, bonus, bonus_each, capacity)


def match_cycle(cycle: Cycle) -> CycleResult:
    """Suggest mentors for a cycle: exact, capacity-safe, waitlist first, with reasons for everyone left out."""
    problem = cycle_problem(cycle)
    model = problem.model
    mentees, mentors = model.mentees, model.mentors
    effort = effort_for(cycle, len(mentees))
    assignment, branches = _solve_once_per_pair(Scores(model, problem.bonus), problem.capacity, effort)
    rows = np.flatnonzero(assignment.mentor_of >= 0)
    pairs = model.pairs(rows.tolist(), assignment.mentor_of[rows].tolist())
    suggestions = [Suggestion(p.mentee, p.mentor, p.score, explain(p)) for p in pairs]
    suggestions.sort(key=lambda s: s.mentee)
    unmatched_rows = [i for i, j in enumerate(assignment.mentor_of.tolist()) if j < 0]
    unmatched = unmatched_reasons([mentees[i] for i in unmatched_rows], cycle)
    certificate = Certificate(
        objective=assignment.objective,
        bound=assignment.bound,
        certified=assignment.certified,
        rounds=assignment.rounds,
        edges=assignment.edges,
        branches=branches,
        prices={p.user_id: int(v) for p, v in zip(mentors, assignment.prices.tolist(), strict=True)},
    )
    logger.info(
        "mentoring cycle: %d mentees, %d mentors, %d suggested, %d unmatched, certified=%s",
        len(mentees),
        len(mentors),
        len(suggestions),
        len(unmatched),
        certificate.certified,
    )
    return CycleResult(
        suggestions=tuple(suggestions),
        unmatched=unmatched,
        total_score=sum(s.score for s in suggestions),
        waitlist=frozenset(u.mentee for u in unmatched),
        certificate=certificate,
        seed=cycle.seed,
    )


def _skills_text(skills: Sequence[str]) -> str:
    shown = [f"*{s}*" for s in skills[:2]]
    return " or ".join(shown)


def unmatched_text(reason: UnmatchedReason, skills: Sequence[str]) -> str:
    """The DM line for a mentee left unmatched (their top wishes named, nobody else's data)."""
    wanted = _skills_text(skills)
    if reason is UnmatchedReason.NO_MENTOR_TEACHES:
        why = f"no mentor in the programme teaches {wanted} yet"
    elif reason is UnmatchedReason.NO_FITTING_MENTOR:
        why = f"no mentor teaching {wanted} fits your preferences and history this cycle"
    else:
        why = f"no mentor teaching {wanted} has capacity this cycle"
    return f"{why[0].upper()}{why[1:]}; you're first in line next cycle."


def unmatched_reasons(left: Sequence[Participant], cycle: Cycle) -> tuple[Unmatched, ...]:
    """Why each of `left` got no suggestion, judged against every open mentor (with or without free slots)."""
    if not left:
        return ()
    mentors = [p for p in cycle.mentors if p.profile.open_to_matches and p.profile.role.mentors]
    model = ScoreModel(left, mentors, PRESETS[cycle.preset], cycle.exclusions)
    chunk = max(1, _REASON_BLOCK_ENTRIES // max(1, len(mentors)))
    out = []
    for lo in range(0, len(left), chunk):
        rows = np.arange(lo, min(len(left), lo + chunk))
        teaches: list[bool] = [False] * len(rows)
        eligible: list[bool] = [False] * len(rows)
        if mentors:
            teaches = np.asarray(model.shares_skill(rows).any(axis=1)).tolist()
            eligible = np.asarray((model.block(rows) > INELIGIBLE).any(axis=1)).tolist()
        for r, t, e in zip(rows.tolist(), teaches, eligible, strict=True):
            reason = (
                UnmatchedReason.NO_MENTOR_TEACHES
                if not t
                else UnmatchedReason.NO_FITTING_MENTOR
                if not e
                else UnmatchedReason.NO_CAPACITY
            )
            person = left[r]
            out.append(Unmatched(person.user_id, reason, unmatched_text(reason, person.profile.learns)))
    out.sort(key=lambda u: u.mentee)
    return tuple(out)


def remaining_slots(cycle: Cycle, result: CycleResult) -> dict[str, int]:
    """Each mentor's free slots once the cycle's suggestions hold theirs."""
    slots = dict(cycle.free_slots)
    for s in result.suggestions:
        slots[s.mentor] = slots.get(s.mentor, 0) - 1
    return slots


def ranked_mentors(
    mentee: Participant,
    mentors: Sequence[Participant],
    free_slots: Mapping[str, int],
    preset: Preset,
    exclusions: Exclusions = NO_EXCLUSIONS,
    skip: Collection[str] = (),
) -> list[Suggestion]:
    """Mentors with a free slot who may be suggested to `mentee`, best score first (ties by user id)."""
    pool = [
        p
        for p in mentors
        if p.profile.open_to_matches
        and p.profile.role.mentors
        and free_slots.get(p.user_id, 0) > 0
        and p.user_id not in skip
    ]
    if not pool:
        return []
    model = ScoreModel([mentee], pool, PRESETS[preset], exclusions)
    scores = model.block(np.array([0]))[0]
    order = sorted((j for j in range(len(pool)) if scores[j] > INELIGIBLE), key=lambda j: (-scores[j], pool[j].user_id))
    return [Suggestion(p.mentee, p.mentor, p.score, explain(p)) for p in model.pairs([0] * len(order), order)]


def show_another(
    mentee: Participant,
    mentors: Sequence[Participant],
    free_slots: Mapping[str, int],
    preset: Preset,
    exclusions: Exclusions = NO_EXCLUSIONS,
    shown: Collection[str] = (),
) -> Suggestion | None:
    """The next-best mentor with a free slot, skipping the ones already shown (None when there is none)."""
    ranked = ranked_mentors(mentee, mentors, free_slots, preset, exclusions, skip=shown)
    return ranked[0] if ranked else None


def find_mentors(
    skill: str,
    searcher: Participant,
    mentors: Sequence[Participant],
    free_slots: Mapping[str, int],
    preset: Preset,
    exclusions: Exclusions = NO_EXCLUSIONS,
    limit: int = 10,
) -> list[Suggestion]:
    """`/mentor find SKILL`: mentors with a free slot who teach it, ranked by the same score (the skill counts as
    the searcher's top wish, their other wishes after it)."""
    wishes = (skill, *(s for s in searcher.profile.learns if s != skill))
    profile = replace(searcher.profile, learns=wishes)
    teachers = [p for p in mentors if skill in p.profile.teaches]
    return ranked_mentors(replace(searcher, profile=profile), teachers, free_slots, preset, exclusions)[:limit]
