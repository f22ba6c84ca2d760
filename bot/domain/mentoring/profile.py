"""Mentoring profiles: the value objects, and the check that turns what a person typed into one.

`check_profile(draft, workspace_skills)` returns a `ProfileCheck`: either a `MentoringProfile` or a tuple of
`FieldError`s (field, friendly message), never both, so the caller stores nothing on error. Skills are matched to
the workspace list after normalisation (case, spacing, punctuation around the name); an unknown one gets "did you
mean …" from difflib against the same normal forms.

Decisions:

- **Skills are curated, tags are free.** `teaches` and `learns` hold names from the workspace list (admins curate
  it), so eligibility — a pair must share a skill — is decided on one vocabulary. Free `tags` (normalised,
  deduplicated) only feed the goals keyword term. Rejected: treating tags as skills, which lets a typo or a
  one-person tag decide who is eligible.
- **The mentee's order is their priority.** `learns[0]` is what they want most; the score weights it highest.
- **Experience is years or a level.** A level maps to typical years (`LEVEL_YEARS`) so both compare on one axis;
  unknown experience scores nothing on that term (an empty field cannot win).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

MIN_CAPACITY = 1
MAX_CAPACITY = 5
MAX_SKILLS = 10
MAX_TAGS = 10
MAX_TAG_LENGTH = 40
MAX_GOALS_LENGTH = 1000
MAX_YEARS = 60
MAX_HOURS_PER_MONTH = 40


class Role(StrEnum):
    """What a person offers or wants in the programme."""

    MENTOR = "mentor"
    MENTEE = "mentee"
    BOTH = "both"

    @property
    def mentors(self) -> bool:
        """Whether this role takes mentees."""
        return self in (Role.MENTOR, Role.BOTH)

    @property
    def learns(self) -> bool:
        """Whether this role wants a mentor."""
        return self in (Role.MENTEE, Role.BOTH)


class Level(StrEnum):
    """Experience as a level, for people who would rather not count years."""

    JUNIOR = "junior"
    MID = "mid"
    SENIOR = "senior"
    STAFF = "staff"
    PRINCIPAL = "principal"


LEVEL_YEARS = {Level.JUNIOR: 1.0, Level.MID: 4.0, Level.SENIOR: 8.0, Level.STAFF: 12.0, Level.PRINCIPAL: 18.0}


@dataclass(frozen=True, slots=True)
class Experience:
    """Years of experience, or a level; `years_equivalent` puts both on one axis (None when neither is given)."""

    years: float | None = None
    level: Level | None = None

    @property
    def years_equivalent(self) -> float | None:
        """Years if given, else the level's typical years, else None."""
        if self.years is not None:
            return self.years
        return LEVEL_YEARS[self.level] if self.level is not None else None


@dataclass(frozen=True, slots=True)
class Preferences:
    """Who a person would like to be matched with (the mentee's and the mentor's both count)."""

    prefer_other_team: bool = True
    same_team_ok: bool = True
    other_zones_ok: bool = True


@dataclass(frozen=True, slots=True)
class MentoringProfile:
    """A checked profile: skills are workspace names, `learns` is in priority order, capacity is 1-5 for mentors."""

    user_id: str
    role: Role
    teaches: tuple[str, ...] = ()
    learns: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    goals: str = ""
    experience: Experience = field(default_factory=Experience)
    capacity: int = 0
    hours_per_month: int | None = None
    preferences: Preferences = field(default_factory=Preferences)
    open_to_matches: bool = True


@dataclass(frozen=True, slots=True)
class ProfileDraft:
    """What the profile form submitted, before any check (strings and lists as typed or picked)."""

    user_id: str
    role: str
    teaches: Sequence[str] = ()
    learns: Sequence[str] = ()
    tags: Sequence[str] = ()
    goals: str = ""
    years: str | float | None = None
    level: str | None = None
    capacity: str | int | None = None
    hours_per_month: str | int | None = None
    preferences: Preferences = field(default_factory=Preferences)
    open_to_matches: bool = True


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem with one field of the form, worded for the person who filled it in."""

    field: str
    message: str


@dataclass(frozen=True, slots=True)
class ProfileCheck:
    """The result of `check_profile`: a profile, or the errors (never both)."""

    profile: MentoringProfile | None
    errors: tuple[FieldError, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether the draft became a profile."""
        return self.profile is not None


_SPACES = re.compile(r"\s+")
_EDGE_PUNCTUATION = " \t\"'`*_~.,;:!?()[]{}"


def normalise_skill(name: str) -> str:
    """The comparison form of a skill or tag: case-folded, single-spaced, no punctuation around it."""
    return _SPACES.sub(" ", name.casefold()).strip(_EDGE_PUNCTUATION)


@dataclass(frozen=True, slots=True)
class SkillMatch:
    """A typed skill resolved against the workspace list: the canonical name, or suggestions."""

    typed: str
    name: str | None
    suggestions: tuple[str, ...] = ()


class SkillList:
    """The workspace's curated skill names, looked up by their normal form."""

    def __init__(self, names: Iterable[str]) -> None:
        self._by_key: dict[str, str] = {}
        for name in names:
            self._by_key.setdefault(normalise_skill(name), name)

    @property
    def names(self) -> tuple[str, ...]:
        """The canonical names, in the order given."""
        return tuple(self._by_key.values())

    def resolve(self, typed: str) -> SkillMatch:
        """The canonical name for `typed`, or up to three close names ("did you mean …")."""
        key = normalise_skill(typed)
        if key in self._by_key:
            return SkillMatch(typed, self._by_key[key])
        close = difflib.get_close_matches(key, list(self._by_key), n=3, cutoff=0.6)
        return SkillMatch(typed, None, tuple(self._by_key[k] for k in close))


def unknown_skill_message(match: SkillMatch) -> str:
    """The friendly error for a skill the workspace list does not have."""
    shown = normalise_skill(match.typed) or "(empty)"
    if not match.suggestions:
        return f"“{shown}” is not on the workspace skill list; ask a programme admin to add it, or use a tag."
    options = " or ".join(f"*{s}*" for s in match.suggestions)
    return f"“{shown}” is not on the workspace skill list. Did you mean {options}?"


def _skills(field_name: str, typed: Sequence[str], skills: SkillList, errors: list[FieldError]) -> tuple[str, ...]:
    """Resolve a list of typed skills (order kept, duplicates dropped), recording an error per unknown one."""
    names: list[str] = []
    for item in typed:
        if not normalise_skill(item):
            continue
        match = skills.resolve(item)
        if match.name is None:
            errors.append(FieldError(field_name, unknown_skill_message(match)))
        elif match.name not in names:
            names.append(match.name)
    if len(names) > MAX_SKILLS:
        errors.append(FieldError(field_name, f"Pick at most {MAX_SKILLS} skills; the first ones count most."))
    return tuple(names)


def _tags(typed: Sequence[str], errors: list[FieldError]) -> tuple[str, ...]:
    tags: list[str] = []
    for item in typed:
        tag = normalise_skill(item)
        if len(tag) > MAX_TAG_LENGTH:
            errors.append(FieldError("tags", f"Keep each tag under {MAX_TAG_LENGTH} characters."))
        elif tag and tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        errors.append(FieldError("tags", f"Use at most {MAX_TAGS} tags."))
    return tuple(tags)


def _number(field_name: str, value: str | float | None, errors: list[FieldError], message: str) -> float | None:
    """A number from the form (None when left empty), recording `message` when it is not one."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return float(value)
    except ValueError:
        errors.append(FieldError(field_name, message))
        return None


def _role(typed: str, errors: list[FieldError]) -> Role | None:
    try:
        return Role(typed.strip().casefold())
    except ValueError:
        errors.append(FieldError("role", "Choose mentor, mentee or both."))
        return None


def _experience(draft: ProfileDraft, errors: list[FieldError]) -> Experience:
    years = _number("years", draft.years, errors, "Years of experience should be a number, such as 3.")
    if years is not None and not 0 <= years <= MAX_YEARS:
        errors.append(FieldError("years", f"Years of experience should be between 0 and {MAX_YEARS}."))
    level: Level | None = None
    if draft.level:
        try:
            level = Level(draft.level.strip().casefold())
        except ValueError:
            errors.append(FieldError("level", "Choose a level from the list."))
    return Experience(years, level)


def _capacity(role: Role | None, typed: str | int | None, errors: list[FieldError]) -> int:
    message = f"Capacity is how many mentees at once: a whole number from {MIN_CAPACITY} to {MAX_CAPACITY}."
    if role is None or not role.mentors:
        return 0
    capacity = _number("capacity", typed, errors, message)
    if capacity is None:
        if not any(e.field == "capacity" for e in errors):
            errors.append(FieldError("capacity", message))
        return 0
    if capacity != int(capacity) or not MIN_CAPACITY <= capacity <= MAX_CAPACITY:
        errors.append(FieldError("capacity", message))
        return 0
    return int(capacity)


def _hours(typed: str | int | None, errors: list[FieldError]) -> int | None:
    message = f"Time per month is a whole number of hours from 1 to {MAX_HOURS_PER_MONTH}."
    hours = _number("hours_per_month", typed, errors, message)
    if hours is None:
        return None
    if hours != int(hours) or not 1 <= hours <= MAX_HOURS_PER_MONTH:
        errors.append(FieldError("hours_per_month", message))
        return None
    return int(hours)


def _role_needs(role: Role | None, teaches: tuple[str, ...], learns: tuple[str, ...], errors: list[FieldError]) -> None:
    """Mentors need something to teach and mentees something to learn (only once their skills resolved)."""
    if role is None or any(e.field in ("teaches", "learns") for e in errors):
        return
    if role.mentors and not teaches:
        errors.append(FieldError("teaches", "Pick at least one skill you can teach."))
    if role.learns and not learns:
        errors.append(FieldError("learns", "Pick at least one skill you want to learn, most important first."))


def check_profile(draft: ProfileDraft, workspace_skills: Iterable[str]) -> ProfileCheck:
    """Check and normalise a submitted profile; a profile only when every field is valid."""
    errors: list[FieldError] = []
    skills = SkillList(workspace_skills)
    role = _role(draft.role, errors)
    teaches = _skills("teaches", draft.teaches, skills, errors)
    learns = _skills("learns", draft.learns, skills, errors)
    _role_needs(role, teaches, learns, errors)
    tags = _tags(draft.tags, errors)
    goals = draft.goals.strip()
    if len(goals) > MAX_GOALS_LENGTH:
        errors.append(FieldError("goals", f"Keep your goals under {MAX_GOALS_LENGTH} characters."))
    experience = _experience(draft, errors)
    capacity = _capacity(role, draft.capacity, errors)
    hours = _hours(draft.hours_per_month, errors)
    if errors or role is None:
        return ProfileCheck(None, tuple(errors))
    profile = MentoringProfile(
        user_id=draft.user_id,
        role=role,
        teaches=teaches if role.mentors else (),
        learns=learns if role.learns else (),
        tags=tags,
        goals=goals,
        experience=experience,
        capacity=capacity,
        hours_per_month=hours,
        preferences=draft.preferences,
        open_to_matches=draft.open_to_matches,
    )
    return ProfileCheck(profile)
