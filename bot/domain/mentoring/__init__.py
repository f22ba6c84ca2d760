"""Mentoring: profiles, the pair score, and the exact capacity-aware matching cycle (pure; see each module).

API::

    check_profile(draft, workspace_skills) -> ProfileCheck(profile | None, errors)      # profile.py
    score_pair(mentee, mentor, preset) -> PairScore; explain(pair) -> str                 # score.py
    match_cycle(Cycle(mentees, mentors, free_slots, exclusions, waitlisted, preset, seed)) -> CycleResult
    show_another(mentee, mentors, free_slots, preset, exclusions, shown) -> Suggestion | None
    find_mentors(skill, searcher, mentors, free_slots, preset, exclusions) -> list[Suggestion]   # cycle.py
    solve(Scores(model, bonus), capacity) -> Assignment (objective, LP bound, certified)         # assign.py

The profile types import nothing heavy; the scorer and solver (numpy, scipy) load on first use.
"""

from typing import TYPE_CHECKING, Any

from bot.domain.mentoring.profile import (
    Experience,
    FieldError,
    Level,
    MentoringProfile,
    Preferences,
    ProfileCheck,
    ProfileDraft,
    Role,
    SkillList,
    SkillMatch,
    check_profile,
    normalise_skill,
)

if TYPE_CHECKING:
    from bot.domain.mentoring.assign import Assignment, Scores, solve
    from bot.domain.mentoring.cycle import (
        Certificate,
        Cycle,
        CycleResult,
        Suggestion,
        Unmatched,
        UnmatchedReason,
        find_mentors,
        match_cycle,
        remaining_slots,
        show_another,
    )
    from bot.domain.mentoring.score import (
        PRESETS,
        Exclusions,
        PairScore,
        Participant,
        Preset,
        ScoreModel,
        Weights,
        explain,
        score_pair,
    )

_LAZY = {
    **dict.fromkeys(("Assignment", "Scores", "solve"), "bot.domain.mentoring.assign"),
    **dict.fromkeys(
        (
            "Certificate",
            "Cycle",
            "CycleResult",
            "Suggestion",
            "Unmatched",
            "UnmatchedReason",
            "find_mentors",
            "match_cycle",
            "remaining_slots",
            "show_another",
        ),
        "bot.domain.mentoring.cycle",
    ),
    **dict.fromkeys(
        (
            "PRESETS",
            "Exclusions",
            "PairScore",
            "Participant",
            "Preset",
            "ScoreModel",
            "Weights",
            "explain",
            "score_pair",
        ),
        "bot.domain.mentoring.score",
    ),
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


__all__ = [
    "PRESETS",
    "Assignment",
    "Certificate",
    "Cycle",
    "CycleResult",
    "Exclusions",
    "Experience",
    "FieldError",
    "Level",
    "MentoringProfile",
    "PairScore",
    "Participant",
    "Preferences",
    "Preset",
    "ProfileCheck",
    "ProfileDraft",
    "Role",
    "ScoreModel",
    "Scores",
    "SkillList",
    "SkillMatch",
    "Suggestion",
    "Unmatched",
    "UnmatchedReason",
    "Weights",
    "check_profile",
    "explain",
    "find_mentors",
    "match_cycle",
    "normalise_skill",
    "remaining_slots",
    "score_pair",
    "show_another",
    "solve",
]
