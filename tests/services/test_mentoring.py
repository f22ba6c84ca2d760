"""MentoringService on real SQLite and PostgreSQL, Slack replaced at its port by a recorder, the clock moved."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.clock import ManualClock
from bot.domain.mentoring import ProfileDraft
from bot.domain.mentoring.programme import MatchStatus, ProgrammeSettings
from bot.domain.models import Interaction, InteractionKind, InteractionSource, NewInteraction, Person
from bot.domain.outcomes import SendOutcome
from bot.services.breakers import AuthBreakers
from bot.services.mentoring import Found, MentoringService, ProfileForm, Reply
from bot.services.people import PeopleService
from bot.services.ports import UnitOfWork
from handlers.blocks.mentoring import MentoringMessages

NOW = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)  # Monday
ADMIN = "UADMIN"
PEOPLE = {
    ADMIN: ("admin", "Ops", "Europe/London"),
    "UM1": ("maya", "Sales", "Europe/London"),
    "UM2": ("mo", "Design", "Europe/Paris"),
    "UE1": ("eve", "Engineering", "Europe/London"),
    "UE2": ("ed", "Engineering", "Europe/Berlin"),
    "UE3": ("em", "Engineering", "Europe/Madrid"),
    "USAM": ("sam", "Ops", "Europe/London"),
}
SKILLS = ["negotiation", "public speaking", "python"]


@dataclass
class RecordingSlack:
    """The MentoringSlack port: every post recorded (by channel), group DMs named after their members."""

    admins: set[str] = field(default_factory=lambda: {ADMIN})
    posts: list[tuple[str, str, list[dict[str, Any]]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def is_admin(self, user_id: str, *, team_id: str = "") -> bool:
        return user_id in self.admins

    def open_group(self, user_ids: Sequence[str], *, team_id: str = "") -> tuple[SendOutcome, str | None]:
        return SendOutcome.success(), "G" + "".join(sorted(user_ids))

    def check_auth(self, team_id: str) -> SendOutcome:
        return SendOutcome.success()

    def post_message(
        self, channel: str, text: str, blocks: list[dict[str, Any]] | None = None, **_: Any
    ) -> SendOutcome:
        with self.lock:
            self.posts.append((channel, text, blocks or []))
        return SendOutcome.success(ts=f"{len(self.posts)}.0", channel=channel)

    def to(self, channel: str) -> list[str]:
        return [text for target, text, _ in self.posts if target == channel]

    def buttons(self, channel: str) -> list[tuple[str, str]]:
        """(action_id, value) of every button posted to ``channel``."""
        found = []
        for target, _, blocks in self.posts:
            for block in blocks if target == channel else []:
                for element in [*block.get("elements", []), block.get("accessory") or {}]:
                    if element.get("type") == "button":
                        found.append((element["action_id"], element.get("value", "")))
        return found

    def everything(self) -> str:
        return repr(self.posts)


class Directory:
    def fetch_person(self, team_id: str, user_id: str) -> Person | None:
        if user_id == "UBOT":
            return Person(team_id, user_id, "bot", is_bot=True)
        if user_id == "UGONE":
            return Person(team_id, user_id, "gone", deleted=True)
        handle, team, tz = PEOPLE[user_id]
        return Person(team_id, user_id, handle, tz=tz, department=team)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW)


@pytest.fixture
def slack() -> RecordingSlack:
    return RecordingSlack()


@pytest.fixture
def hooked() -> list[Interaction]:
    return []


@pytest.fixture
def mentoring(uow_factory: Callable[[], UnitOfWork], team_id: str, clock: ManualClock, slack: RecordingSlack,
              hooked: list[Interaction]) -> MentoringService:  # fmt: skip
    people = PeopleService(uow_factory, Directory(), clock)
    breakers = AuthBreakers(uow_factory, slack, clock)
    service = MentoringService(uow_factory, people, slack, MentoringMessages(), clock, breakers, seed_source=lambda: 3)
    service.add_hook(lambda uow, interaction, now: hooked.append(interaction))
    assert service.add_skills(team_id, ADMIN, SKILLS).ok
    return service


def mentor(user: str, teaches: Sequence[str] = ("negotiation",), capacity: str = "1") -> ProfileDraft:
    return ProfileDraft(user, "mentor", teaches=teaches, capacity=capacity, goals="coach people")


def mentee(user: str, learns: Sequence[str] = ("negotiation",)) -> ProfileDraft:
    return ProfileDraft(user, "mentee", learns=learns, goals="negotiate my first deal")


def save(service: MentoringService, team_id: str, *drafts: ProfileDraft, share: bool = False) -> None:
    for draft in drafts:
        assert not service.save_profile(team_id, draft, share).errors


def run_due(service: MentoringService, clock: ManualClock, team_id: str) -> None:
    """Sweep until nothing is due now (a cycle queues its send, a send is due at once)."""
    for _ in range(5):
        if not service.sweep(team_id=team_id).claimed:
            return


def suggestion_for(slack: RecordingSlack, user: str, action: str = "mentor_request_intro") -> int:
    values = [int(v) for a, v in slack.buttons(user) if a == action]
    assert values, f"no {action} for {user}: {slack.to(user)}"
    return values[-1]


def test_bad_profiles_store_nothing_and_say_why(mentoring: MentoringService, team_id: str) -> None:
    check = mentoring.save_profile(team_id, ProfileDraft("UE1", "mentee", learns=["negotation"]), False)
    assert check.errors and "Did you mean *negotiation*" in check.errors[0].message
    check = mentoring.save_profile(team_id, ProfileDraft("UM1", "mentor", teaches=["python"], capacity="9"), False)
    assert [e.field for e in check.errors] == ["capacity"]
    assert [e.field for e in mentoring.save_profile(team_id, ProfileDraft("UE1", "mentee"), False).errors] == ["learns"]
    assert mentoring.status(team_id, "UE1").stored is None and mentoring.status(team_id, "UM1").stored is None
    for user in ("UBOT", "UGONE"):
        refused = mentoring.profile_form(team_id, user)
        assert isinstance(refused, Reply) and not refused.ok
    form = mentoring.profile_form(team_id, "UE1")
    assert isinstance(form, ProfileForm) and form.stored is None and form.skills == tuple(sorted(SKILLS))


def test_only_admins_and_managers_run_the_programme(mentoring: MentoringService, team_id: str) -> None:
    assert not mentoring.add_skills(team_id, "UE1", ["go"]).ok
    assert not mentoring.match_now(team_id, "UE1").ok
    assert mentoring.save_programme(team_id, ADMIN, ProgrammeSettings(managers=("UE1",))).ok
    assert mentoring.add_skills(team_id, "UE1", ["go"]).ok, "a named manager may"


def test_cycle_request_accept_intro_check_in_end(
    mentoring: MentoringService, team_id: str, clock: ManualClock, slack: RecordingSlack, hooked: list[Interaction]
) -> None:
    save(mentoring, team_id, mentor("UM1"), mentee("UE1"), mentee("UE2"))
    assert mentoring.match_now(team_id, ADMIN).ok
    run_due(mentoring, clock, team_id)
    # One slot, two mentees: one suggestion, one waitlisted with a reason.
    suggested = [u for u in ("UE1", "UE2") if any(a == "mentor_request_intro" for a, _ in slack.buttons(u))]
    [waiting] = {"UE1", "UE2"} - set(suggested)
    assert (
        "first in line next cycle" in slack.to(waiting)[-1] and "#1 on the mentoring waitlist" in slack.to(waiting)[-1]
    )
    [lucky] = suggested
    match_id = suggestion_for(slack, lucky)
    changed: list[str] = []
    mentoring.on_changed(lambda team, user: changed.append(user))
    assert mentoring.request_intro(team_id, lucky, match_id).ok
    assert sorted(changed) == sorted([lucky, "UM1"]), "both Home tabs show the request"
    changed.clear()
    assert not mentoring.request_intro(team_id, lucky, match_id).ok, "a second click changes nothing"
    assert changed == []
    assert any(a == "mentor_accept" for a, _ in slack.buttons("UM1"))
    assert not mentoring.accept(team_id, "UE2", match_id).ok, "only the mentor accepts"
    assert mentoring.accept(team_id, "UM1", match_id).ok
    group = "G" + "".join(sorted((lucky, "UM1")))
    intro = slack.to(group)
    assert intro and "First meeting" in repr(slack.posts[-1][2])
    status = mentoring.status(team_id, "UM1")
    assert status.stored is not None and status.stored.free_slots == 0 and len(status.matches) == 1
    # Four weeks on: the check-in in the group DM; "We met" logs for both and runs the hooks.
    clock.advance(timedelta(weeks=4, minutes=1))
    run_due(mentoring, clock, team_id)
    assert any(a == "mentor_we_met" for a, _ in slack.buttons(group))
    assert mentoring.we_met(team_id, lucky, match_id).ok
    assert {(i.author_id, i.source) for i in hooked} == {
        (lucky, InteractionSource.MENTORING),
        ("UM1", InteractionSource.MENTORING),
    }
    assert mentoring.keep_going(team_id, "UM1", match_id, pause=True).ok
    assert mentoring.end_match(team_id, lucky, match_id, 5, "great").ok
    assert not mentoring.end_match(team_id, lucky, match_id, 5, "again").ok
    after = mentoring.status(team_id, "UM1")
    assert after.stored is not None and after.stored.free_slots == 1, "the slot is free again"
    coverage = mentoring.coverage(team_id)
    assert coverage is None, "fewer than five people: no figures"
    # The ended pair is never suggested again; the waitlisted mentee goes first.
    slack.posts.clear()
    assert mentoring.match_now(team_id, ADMIN).ok
    run_due(mentoring, clock, team_id)
    assert suggestion_for(slack, waiting)
    assert not any(a == "mentor_request_intro" for a, _ in slack.buttons(lucky))


def test_two_concurrent_accepts_for_the_last_slot(
    mentoring: MentoringService,
    team_id: str,
    clock: ManualClock,
    slack: RecordingSlack,
    uow_factory: Callable[[], UnitOfWork],
) -> None:
    save(mentoring, team_id, mentor("UM1", capacity="1"), mentee("UE1"), mentee("UE2"), mentee("UE3"))
    assert mentoring.request_found(team_id, "UE1", "UM1").ok
    assert not mentoring.request_found(team_id, "UE2", "UM1").ok, "the pending request holds the only slot"
    # Two requests for one slot anyway (one from an older cycle): both mentees' accepts race.
    with uow_factory() as uow:
        rows = uow.mentor_matches.add_matches(team_id, None, [("UE3", "UM1", MatchStatus.SUGGESTED, 0, "w")], NOW)
        uow.mentor_matches.request(team_id, rows[0], NOW + timedelta(days=7), NOW)
        uow.commit()
        pending = [m.id for m in uow.mentor_matches.of_person(team_id, "UM1", {MatchStatus.REQUESTED})]
    assert len(pending) == 2
    barrier = threading.Barrier(2)

    def accept(match_id: int) -> bool:
        barrier.wait()
        return mentoring.accept(team_id, "UM1", match_id).ok

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(accept, pending))
    assert results.count(True) == 1
    status = mentoring.status(team_id, "UM1")
    assert status.stored is not None and status.stored.slots_taken == 1 and len(status.matches) == 1


def test_decline_then_next_and_expiry_then_next(
    mentoring: MentoringService, team_id: str, clock: ManualClock, slack: RecordingSlack
) -> None:
    save(mentoring, team_id, mentor("UM1"), mentor("UM2"), mentee("UE1"))
    assert mentoring.match_now(team_id, ADMIN).ok
    run_due(mentoring, clock, team_id)
    first = suggestion_for(slack, "UE1")
    assert mentoring.request_intro(team_id, "UE1", first).ok
    first_mentor = next(u for u in ("UM1", "UM2") if slack.buttons(u))
    assert mentoring.decline(team_id, first_mentor, first, "too busy this quarter").ok
    assert "too busy" not in slack.everything(), "the reason stays private"
    second = suggestion_for(slack, "UE1")
    assert second != first
    assert mentoring.request_intro(team_id, "UE1", second).ok
    clock.advance(timedelta(days=7, minutes=1))
    run_due(mentoring, clock, team_id)
    assert "wasn't answered in time" in " ".join(slack.to("UE1"))
    assert "you're on the waitlist" in slack.to("UE1")[-1], "both mentors tried: nobody else fits"


def test_show_another_and_not_now(
    mentoring: MentoringService, team_id: str, clock: ManualClock, slack: RecordingSlack
) -> None:
    save(mentoring, team_id, mentor("UM1"), mentor("UM2"), mentee("UE1"))
    assert mentoring.match_now(team_id, ADMIN).ok
    run_due(mentoring, clock, team_id)
    first = suggestion_for(slack, "UE1")
    following = mentoring.show_another(team_id, "UE1", first)
    assert following.message is not None
    again = mentoring.show_another(team_id, "UE1", first)
    assert again.message is None and not again.reply.ok, "the first was answered"
    latest = int(next(b["value"] for b in following.message[1][-1]["elements"] if b["action_id"] == "mentor_not_now"))
    assert mentoring.not_now(team_id, "UE1", latest).ok


def test_review_before_sending(
    mentoring: MentoringService, team_id: str, clock: ManualClock, slack: RecordingSlack
) -> None:
    assert mentoring.save_programme(team_id, ADMIN, ProgrammeSettings(review_first=True, managers=("USAM",))).ok
    save(mentoring, team_id, mentor("UM1"), mentee("UE1"))
    assert mentoring.match_now(team_id, ADMIN).ok
    run_due(mentoring, clock, team_id)
    assert not slack.to("UE1"), "nothing reaches mentees before review"
    assert slack.to("USAM") and slack.to(ADMIN)
    cycle = int(next(v for a, v in slack.buttons(ADMIN) if a == "mentor_publish"))
    assert not mentoring.decide_cycle(team_id, "UE1", cycle, True).ok
    assert mentoring.decide_cycle(team_id, ADMIN, cycle, True).ok
    assert not mentoring.decide_cycle(team_id, "USAM", cycle, False).ok, "decided once"
    run_due(mentoring, clock, team_id)
    assert suggestion_for(slack, "UE1")


def test_dropped_cycle_sends_nothing(
    mentoring: MentoringService, team_id: str, clock: ManualClock, slack: RecordingSlack
) -> None:
    saved = mentoring.save_programme(team_id, ADMIN, ProgrammeSettings(review_first=True))
    assert saved.ok and f"<@{ADMIN}> review each cycle" in saved.text, "with no managers named, the admin reviews"
    save(mentoring, team_id, mentor("UM1"), mentee("UE1"))
    clock.advance(timedelta(weeks=4, minutes=1))  # the scheduled cycle (no one asked for it): the admin reviews
    run_due(mentoring, clock, team_id)
    cycle = int(next(v for a, v in slack.buttons(ADMIN) if a == "mentor_drop"))
    assert mentoring.decide_cycle(team_id, ADMIN, cycle, False).ok
    run_due(mentoring, clock, team_id)
    assert not slack.to("UE1")


def test_find_ranks_mentors_with_a_free_slot(mentoring: MentoringService, team_id: str) -> None:
    save(
        mentoring,
        team_id,
        mentor("UM1", ("negotiation", "python")),
        mentor("UM2", ("python",)),
        mentee("UE1", ["python"]),
    )
    found = mentoring.find(team_id, "UE1", "Python")
    assert isinstance(found, Found) and found.skill == "python"
    assert {m.mentor_id for m in found.matches} == {"UM1", "UM2"}
    typo = mentoring.find(team_id, "UE1", "pyhton")
    assert isinstance(typo, Reply) and "Did you mean *python*" in typo.text
    assert mentoring.request_found(team_id, "UE1", "UM2").ok


def log_meeting(uow_factory: Callable[[], UnitOfWork], team_id: str, author: str, other: str) -> None:
    with uow_factory() as uow:
        uow.interactions.add(
            NewInteraction(team_id, author, NOW - timedelta(days=3), InteractionKind.COFFEE, "private note",
                           InteractionSource.COMMAND, (other,)),
            NOW,
        )  # fmt: skip
        uow.commit()


@pytest.mark.parametrize(("mentor_shares", "sam_shares"), [(False, True), (True, False), (True, True)])
def test_warm_intro_names_a_contact_only_when_they_opted_in(
    mentoring: MentoringService, team_id: str, clock: ManualClock, slack: RecordingSlack,
    uow_factory: Callable[[], UnitOfWork], mentor_shares: bool, sam_shares: bool,
) -> None:  # fmt: skip
    save(mentoring, team_id, mentee("UE1"))
    save(mentoring, team_id, mentor("UM1"), share=mentor_shares)
    save(mentoring, team_id, ProfileDraft("USAM", "mentee", learns=["python"]), share=sam_shares)
    log_meeting(uow_factory, team_id, "UE1", "USAM")
    log_meeting(uow_factory, team_id, "UM1", "USAM")
    assert mentoring.match_now(team_id, ADMIN).ok
    run_due(mentoring, clock, team_id)
    text = repr([post for post in slack.posts if post[0] == "UE1"])
    assert "private note" not in slack.everything()
    if mentor_shares and sam_shares:
        assert "You both met sam this quarter" in text
        draft = mentoring.draft_ask(team_id, "UE1", suggestion_for(slack, "UE1", "mentor_draft_ask"))
        assert draft.ok and "<@USAM>" in draft.text and "private note" not in draft.text
        assert not mentoring.draft_ask(team_id, "USAM", suggestion_for(slack, "UE1", "mentor_draft_ask")).ok
    else:
        assert "You both met" not in text and "introduce you" not in text and "mentor_draft_ask" not in text, (
            "an opted-out person's contacts never appear"
        )


def test_coverage_only_over_five_people_and_never_names(mentoring: MentoringService, team_id: str) -> None:
    save(mentoring, team_id, mentor("UM1"), mentee("UE1"), mentee("UE2"), mentee("UE3"))
    assert mentoring.coverage(team_id) is None
    save(mentoring, team_id, mentor("UM2"))
    coverage = mentoring.coverage(team_id)
    assert coverage is not None and (coverage.mentors, coverage.mentees, coverage.matched_mentees) == (2, 3, 0)
    assert coverage.mean_rating is None, "ratings only over five ended matches"
    from handlers.blocks.admin import mentoring_line

    assert "2* mentors, *0* of *3* mentees matched" in mentoring_line(coverage)
    summary = mentoring.summary(team_id, "UE1")
    assert summary.has_profile and summary.active == 0 and summary.waitlist_position is None
