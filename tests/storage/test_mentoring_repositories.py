"""Mentoring storage on real SQLite and PostgreSQL: profiles, skills, programme, matches, and the last slot."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from bot.domain.mentoring import MentoringProfile, Preferences, Role
from bot.domain.mentoring.programme import JobKind, MatchStatus, ProgrammeSettings
from bot.domain.mentoring.score import Preset
from bot.services.ports import UnitOfWork

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)


def mentor(user_id: str, capacity: int = 1) -> MentoringProfile:
    return MentoringProfile(user_id, Role.MENTOR, teaches=("negotiation",), capacity=capacity)


def test_profile_skills_and_programme_round_trip(uow_factory: Callable[[], UnitOfWork], team_id: str) -> None:
    profile = MentoringProfile(
        "UA", Role.BOTH, ("python",), ("negotiation", "public speaking"), ("chess",), "grow", capacity=2,
        preferences=Preferences(False, True, False), hours_per_month=4,
    )  # fmt: skip
    with uow_factory() as uow:
        uow.workspaces.ensure(team_id, NOW)
        assert uow.mentor_profiles.add_skills(team_id, ["Python", "python ", "Negotiation"], NOW) == [
            "Python",
            "Negotiation",
        ]
        assert uow.mentor_profiles.remove_skills(team_id, ["NEGOTIATION", "nothing"]) == 1
        uow.mentor_profiles.save(team_id, profile, True, NOW)
        uow.mentor_profiles.save(team_id, profile, True, NOW)  # a second save replaces
        uow.mentor_profiles.save_programme(team_id, ProgrammeSettings(8, Preset.CROSS_TEAM, True, ("UA",), 5), NOW)
        uow.commit()
    with uow_factory() as uow:
        stored = uow.mentor_profiles.get(team_id, "UA")
        assert stored is not None and stored.profile == profile and stored.share_contacts
        assert stored.free_slots == 2
        assert uow.mentor_profiles.skills(team_id) == ["Python"]
        assert uow.mentor_profiles.programme(team_id) == ProgrammeSettings(8, Preset.CROSS_TEAM, True, ("UA",), 5)
        assert uow.mentor_profiles.sharing_contacts(team_id) == {"UA"}
        assert uow.mentor_profiles.get("TOTHER", "UA") is None, "scoped by team"


def test_two_concurrent_accepts_never_both_take_the_last_slot(
    uow_factory: Callable[[], UnitOfWork], team_id: str
) -> None:
    with uow_factory() as uow:
        uow.workspaces.ensure(team_id, NOW)
        uow.mentor_profiles.save(team_id, mentor("UM", capacity=1), False, NOW)
        uow.commit()
    threads = 6
    barrier = threading.Barrier(threads)

    def accept(_: int) -> bool:
        with uow_factory() as uow:
            barrier.wait()
            took = uow.mentor_profiles.take_slot(team_id, "UM", NOW)
            uow.commit()
            return took

    for _ in range(3):
        with ThreadPoolExecutor(threads) as pool:
            results = list(pool.map(accept, range(threads)))
        assert results.count(True) <= 1
        with uow_factory() as uow:
            stored = uow.mentor_profiles.get(team_id, "UM")
            assert stored is not None and stored.slots_taken == 1 and stored.free_slots == 0
            uow.mentor_profiles.free_slot(team_id, "UM", NOW)  # the match ends: the next round races again
            uow.commit()


def test_match_states_move_only_from_the_expected_state(uow_factory: Callable[[], UnitOfWork], team_id: str) -> None:
    with uow_factory() as uow:
        uow.workspaces.ensure(team_id, NOW)
        cycle = uow.mentor_matches.add_cycle(team_id, "proposed", "UADMIN", 900, True, NOW)
        first, waiting = uow.mentor_matches.add_matches(
            team_id,
            cycle,
            [("UE", "UM", MatchStatus.PROPOSED, 900, "why"), ("UW", "", MatchStatus.PROPOSED, 0, "no mentor")],
            NOW,
        )
        assert uow.mentor_matches.decide_cycle(team_id, cycle, "proposed", "published", NOW)
        assert not uow.mentor_matches.decide_cycle(team_id, cycle, "proposed", "dropped", NOW), "decided once"
        uow.mentor_matches.move_cycle(team_id, cycle, MatchStatus.PROPOSED, MatchStatus.SUGGESTED, NOW)
        assert uow.mentor_matches.request(team_id, first, NOW + timedelta(days=7), NOW)
        assert not uow.mentor_matches.request(team_id, first, NOW + timedelta(days=7), NOW), "double click"
        assert uow.mentor_matches.pending_requests(team_id) == {"UM": 1}
        assert uow.mentor_matches.busy_mentees(team_id) == {"UE"}
        assert uow.mentor_matches.activate(team_id, first, NOW)
        assert not uow.mentor_matches.expire(team_id, first, NOW), "a late expiry changes nothing"
        assert uow.mentor_matches.pause(team_id, first, NOW) and uow.mentor_matches.resume(team_id, first, NOW)
        assert uow.mentor_matches.end(team_id, first, NOW)
        assert uow.mentor_matches.record_feedback(team_id, first, 4, "kind", NOW)
        assert uow.mentor_matches.excluded_pairs(team_id) == {("UE", "UM")}
        assert uow.mentor_matches.feedback_summary(team_id) == (1, 1, 4.0)
        assert [m.id for m in uow.mentor_matches.of_person(team_id, "UM", {MatchStatus.ENDED})] == [first]
        assert uow.mentor_matches.shown_to(team_id, "UE", cycle) == {"UM"}
        assert uow.mentor_matches.get(team_id, waiting) is not None
        assert uow.mentor_matches.get("TOTHER", waiting) is None
        uow.mentor_jobs.add(team_id, JobKind.CYCLE, None, NOW + timedelta(weeks=4), NOW)
        assert uow.mentor_jobs.next_due(team_id, JobKind.CYCLE) == NOW + timedelta(weeks=4)
        uow.mentor_jobs.cancel_pending(team_id, JobKind.CYCLE, NOW)
        assert uow.mentor_jobs.next_due(team_id, JobKind.CYCLE) is None


def test_waitlist_keeps_first_come_order(uow_factory: Callable[[], UnitOfWork], team_id: str) -> None:
    with uow_factory() as uow:
        uow.workspaces.ensure(team_id, NOW)
        for user in ("UB", "UA", "UC"):
            uow.mentor_profiles.save(team_id, MentoringProfile(user, Role.MENTEE, learns=("x",)), False, NOW)
        uow.mentor_profiles.set_waitlisted(team_id, ["UB"], NOW)
        uow.mentor_profiles.set_waitlisted(team_id, ["UA", "UB"], NOW + timedelta(days=1))
        assert uow.mentor_profiles.waitlist(team_id) == ["UB", "UA"]
        uow.mentor_profiles.clear_waitlisted(team_id, ["UB"])
        assert uow.mentor_profiles.waitlist(team_id) == ["UA"]
