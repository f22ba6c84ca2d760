"""Mentoring profiles: the form's check, skill normalisation and "did you mean"."""

from __future__ import annotations

from bot.domain.mentoring import (
    Experience,
    Level,
    Preferences,
    ProfileDraft,
    Role,
    SkillList,
    check_profile,
    normalise_skill,
)

SKILLS = ("Public speaking", "Negotiation", "Python", "System design", "People management")


def draft(**changes: object) -> ProfileDraft:
    """A valid "both" draft, with some fields changed."""
    fields: dict[str, object] = {
        "user_id": "U1",
        "role": "both",
        "teaches": ["python"],
        "learns": ["negotiation", "public speaking"],
        "capacity": "2",
    }
    fields.update(changes)
    return ProfileDraft(**fields)  # type: ignore[arg-type]


def messages(check_draft: ProfileDraft) -> dict[str, str]:
    result = check_profile(check_draft, SKILLS)
    assert result.profile is None
    return {e.field: e.message for e in result.errors}


def test_a_valid_draft_becomes_a_profile_with_canonical_skills_in_order() -> None:
    result = check_profile(
        draft(learns=["  NEGOTIATION ", "public   speaking!", "negotiation"], tags=["Go-To-Market", "go-to-market "]),
        SKILLS,
    )
    assert result.ok and result.profile is not None
    assert result.profile.role is Role.BOTH
    assert result.profile.learns == ("Negotiation", "Public speaking")  # order kept, duplicate dropped
    assert result.profile.teaches == ("Python",)
    assert result.profile.tags == ("go-to-market",)
    assert result.profile.capacity == 2
    assert result.errors == ()


def test_capacity_outside_one_to_five_is_refused_with_a_friendly_message() -> None:
    for capacity in ("0", "6", "2.5", "lots", None, ""):
        assert "from 1 to 5" in messages(draft(capacity=capacity))["capacity"]


def test_mentees_have_no_capacity_to_give() -> None:
    result = check_profile(draft(role="mentee", teaches=[], capacity="9"), SKILLS)
    assert result.profile is not None and result.profile.capacity == 0 and result.profile.teaches == ()


def test_nothing_to_teach_or_learn_is_refused() -> None:
    assert "at least one skill you can teach" in messages(draft(role="mentor", teaches=[]))["teaches"]
    assert "want to learn" in messages(draft(role="mentee", learns=[" ", ""]))["learns"]


def test_unknown_skills_get_did_you_mean() -> None:
    found = messages(draft(learns=["negociation"], teaches=["pyhton"]))
    assert found["learns"] == "“negociation” is not on the workspace skill list. Did you mean *Negotiation*?"
    assert "*Python*" in found["teaches"]
    assert "ask a programme admin" in messages(draft(learns=["underwater basket weaving"]))["learns"]


def test_every_bad_field_is_reported_and_nothing_is_returned() -> None:
    result = check_profile(
        draft(role="guru", years="ten", level="wizard", hours_per_month="100", goals="x" * 1001), SKILLS
    )
    assert result.profile is None
    assert {e.field for e in result.errors} == {"role", "years", "level", "hours_per_month", "goals"}


def test_experience_levels_and_years_share_one_axis() -> None:
    assert Experience(level=Level.SENIOR).years_equivalent == 8.0
    assert Experience(years=3.0, level=Level.STAFF).years_equivalent == 3.0
    assert Experience().years_equivalent is None
    profile = check_profile(draft(years="", level="Senior"), SKILLS).profile
    assert profile is not None and profile.experience == Experience(None, Level.SENIOR)


def test_preferences_and_open_flag_are_kept() -> None:
    prefs = Preferences(prefer_other_team=False, same_team_ok=False, other_zones_ok=False)
    profile = check_profile(draft(preferences=prefs, open_to_matches=False), SKILLS).profile
    assert profile is not None and profile.preferences == prefs and not profile.open_to_matches


def test_normalisation_and_lookup() -> None:
    assert normalise_skill("  *Public   Speaking*. ") == "public speaking"
    skills = SkillList(SKILLS)
    assert skills.resolve("PYTHON").name == "Python"
    assert skills.resolve("sistem design").suggestions == ("System design",)
    assert skills.resolve("zzz").suggestions == ()
