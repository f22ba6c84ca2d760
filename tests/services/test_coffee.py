"""CoffeeService on real SQLite and PostgreSQL, with Slack replaced at its port by a recorder."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest

from bot.clock import ManualClock
from bot.domain.coffee import CheckIn, JobKind, OptIn, ProgramSettings, ProgramStatus, RoundStatus
from bot.domain.matching import PoolMode
from bot.domain.models import Interaction, InteractionKind, InteractionSource, NewInteraction, Person
from bot.domain.nudges import NudgeSettings
from bot.domain.outcomes import SendOutcome
from bot.services.coffee import CheckInResult, CoffeeService, Reply, StatusReport
from bot.services.people import PeopleService
from bot.services.ports import ChannelInfo, DirectoryLookupError, UnitOfWork
from handlers.blocks.coffee import CoffeeMessages

NOW = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)  # Wednesday
CHANNEL = "C0COFFEE"
BOT = "UBOT"
PEOPLE = {
    "UA": ("ana", "Engineering", "America/New_York"),
    "UB": ("bo", "Engineering", "America/New_York"),
    "UC": ("cy", "Design", "Europe/London"),
    "UD": ("di", "Design", "Europe/Berlin"),
    "UE": ("ed", "Sales", "America/Chicago"),
    "UF": ("fa", "Sales", "Europe/Paris"),
}
FRIDAY_NY = ProgramSettings(cadence_weeks=1, weekday=4, local_minute=600, tz="America/New_York")


@dataclass
class RecordingSlack:
    """The CoffeeSlack port: channel reads from a dict, every post recorded, failures injectable."""

    members: dict[str, list[str]] = field(default_factory=lambda: {CHANNEL: [BOT, *PEOPLE]})
    admins: set[str] = field(default_factory=set)
    posts: list[tuple[str, str, list[dict[str, Any]]]] = field(default_factory=list)
    failures: dict[int, SendOutcome] = field(default_factory=dict)  # post attempt number (from 1) → its failure
    attempts: int = 0
    auth: SendOutcome = field(default_factory=SendOutcome.success)  # what auth.test answers
    lock: threading.Lock = field(default_factory=threading.Lock)

    def channel_info(self, channel_id: str, *, team_id: str = "") -> tuple[SendOutcome, ChannelInfo | None]:
        if channel_id not in self.members:
            return SendOutcome(ok=False, error="channel_not_found"), None
        return SendOutcome.success(), ChannelInfo(
            id=channel_id, name="coffee", is_member=BOT in self.members[channel_id]
        )

    def channel_members(self, channel_id: str, *, team_id: str = "") -> tuple[SendOutcome, list[str]]:
        if channel_id not in self.members:
            return SendOutcome(ok=False, error="channel_not_found"), []
        return SendOutcome.success(), list(self.members[channel_id])

    def is_admin(self, user_id: str, *, team_id: str = "") -> bool:
        return user_id in self.admins

    def check_auth(self, team_id: str) -> SendOutcome:
        return self.auth

    def open_group(self, user_ids: Sequence[str], *, team_id: str = "") -> tuple[SendOutcome, str | None]:
        return SendOutcome.success(), "G" + "".join(sorted(user_ids))

    def post_message(
        self, channel: str, text: str, blocks: list[dict[str, Any]] | None = None, **_: Any
    ) -> SendOutcome:
        with self.lock:
            self.attempts += 1
            if self.attempts in self.failures:
                return self.failures[self.attempts]
            self.posts.append((channel, text, blocks or []))
            return SendOutcome.success(ts=f"{len(self.posts)}.000", channel=channel)

    def to(self, channel: str) -> list[str]:
        return [text for target, text, _ in self.posts if target == channel]


class Directory:
    """users.info at the port: the people above plus a bot."""

    def __init__(self, team_id: str) -> None:
        self.team_id = team_id

    def fetch_person(self, team_id: str, user_id: str) -> Person | None:
        if user_id == BOT:
            return Person(team_id, BOT, "rapport", is_bot=True)
        handle, team, tz = PEOPLE[user_id]
        return Person(team_id, user_id, handle, tz=tz, title="Engineer", department=team)


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
def coffee(uow_factory: Callable[[], UnitOfWork], team_id: str, clock: ManualClock, slack: RecordingSlack,
           hooked: list[Interaction]) -> CoffeeService:  # fmt: skip
    people = PeopleService(uow_factory, Directory(team_id), clock)
    service = CoffeeService(uow_factory, people, slack, CoffeeMessages(), clock, seed_source=lambda: 7)
    service.add_hook(lambda uow, interaction, now: hooked.append(interaction))
    return service


def set_up(coffee: CoffeeService, team_id: str, settings: ProgramSettings = FRIDAY_NY, user: str = "UA") -> Reply:
    reply = coffee.save_settings(team_id, CHANNEL, user, settings)
    assert reply.ok, reply
    return reply


def status(coffee: CoffeeService, team_id: str, user: str = "UA") -> StatusReport:
    report = coffee.status(team_id, CHANNEL, user)
    assert isinstance(report, StatusReport)
    return report


def group_channels(slack: RecordingSlack) -> list[str]:
    return sorted({target for target, text, _ in slack.posts if target.startswith("G") and "coffee group" in text})


def test_set_up_schedules_every_step_of_the_next_round(
    coffee: CoffeeService, team_id: str, uow_factory: Callable[[], UnitOfWork]
) -> None:
    reply = set_up(coffee, team_id)
    assert "Fri 27 Nov at 10:00 (America/New_York)" in reply.text
    report = status(coffee, team_id)
    assert report.next_round is not None and report.pool_size == len(PEOPLE)
    times = report.next_round.times
    assert times.starts_at == datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
    assert times.heads_up_at == datetime(2026, 11, 26, 15, 0, tzinfo=UTC), "one business day before"
    assert times.check_in_at == times.starts_at + timedelta(days=3)
    assert times.ends_at == times.starts_at + timedelta(weeks=1)
    with uow_factory() as uow:
        steps = uow.coffee_jobs.statuses(team_id, report.next_round.id)
    assert steps == {kind.value: "pending" for kind in JobKind}


def test_a_monday_round_gets_its_heads_up_on_friday(coffee: CoffeeService, team_id: str) -> None:
    set_up(coffee, team_id, ProgramSettings(weekday=0, local_minute=9 * 60, tz="Europe/Berlin"))
    next_round = status(coffee, team_id).next_round
    assert next_round is not None
    assert next_round.times.starts_at == datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    assert next_round.times.heads_up_at == datetime(2026, 11, 27, 8, 0, tzinfo=UTC)


def test_heads_up_round_and_notices(
    coffee: CoffeeService, team_id: str, clock: ManualClock, slack: RecordingSlack
) -> None:
    set_up(coffee, team_id)
    assert "left" in coffee.leave(team_id, CHANNEL, "UF").text
    paused = coffee.pause_member(team_id, CHANNEL, "UE", "2027-01-10")
    assert paused.ok and "Sun 10 Jan 2027" in paused.text
    clock.set(datetime(2026, 11, 26, 15, 0, tzinfo=UTC))
    coffee.sweep(team_id=team_id)
    heads_up = [target for target, text, _ in slack.posts if text.startswith("Heads-up")]
    assert sorted(heads_up) == ["UA", "UB", "UC", "UD"], "not the one who left, nor the paused one"
    assert coffee.skip(team_id, CHANNEL, "UD").ok
    coffee.sweep(team_id=team_id)
    assert len([1 for _, text, _ in slack.posts if text.startswith("Heads-up")]) == 4, "heads-ups are sent once"

    clock.set(datetime(2026, 11, 27, 15, 0, tzinfo=UTC))
    report = coffee.sweep(team_id=team_id)
    assert report.failed == 0 and report.done >= 1
    groups = group_channels(slack)
    assert len(groups) == 1 and set(groups[0][1:].split("U")[1:]) == {"A", "B", "C"}, "a pair became a trio"
    assert any("skip this round" in text for text in slack.to("UD"))
    assert any("paused coffee rounds until Sun 10 Jan" in text for text in slack.to("UE"))
    assert not any("No coffee group" in text for text in slack.to("UF")), "someone who left is not messaged"
    upcoming = status(coffee, team_id).next_round
    assert upcoming is not None and upcoming.times.starts_at == datetime(2026, 12, 4, 15, 0, tzinfo=UTC)


def test_recent_meetings_and_avoid_lists_shape_groups(
    coffee: CoffeeService, team_id: str, slack: RecordingSlack, uow_factory: Callable[[], UnitOfWork]
) -> None:
    slack.members[CHANNEL] = [BOT, "UA", "UB", "UC", "UD"]
    set_up(coffee, team_id, ProgramSettings(pool_mode=PoolMode.ANYONE, tz="UTC", weekday=2, local_minute=18 * 60))
    with uow_factory() as uow:  # UA logged a /met with UB (and UC as a second participant) yesterday
        uow.interactions.add(
            NewInteraction(team_id, "UA", NOW - timedelta(days=1), InteractionKind.LUNCH, "secret",
                           InteractionSource.COMMAND, ("UB", "UC")),
            created_at=NOW,
        )  # fmt: skip
        uow.commit()
    coffee.avoid(team_id, "UD", "UA")
    assert coffee.start_now(team_id, CHANNEL, "UA").ok
    groups = [{"U" + c for c in channel[1:].split("U")[1:]} for channel in group_channels(slack)]
    # UA, UB and UC all met yesterday (one lunch); UD avoids UA. Never the blocked pair; at most one repeat.
    assert groups and not any({"UA", "UD"} <= group for group in groups)
    placed = [member for group in groups for member in group]
    told = {target for target, text, _ in slack.posts if "No coffee group" in text}
    assert sorted(placed + sorted(told)) == ["UA", "UB", "UC", "UD"], "everyone is grouped once or told why"
    everything = " ".join(text + str(blocks) for _, text, blocks in slack.posts)
    assert "avoid" not in everything.lower() and "secret" not in everything


def test_a_retried_start_sends_only_what_is_missing(
    coffee: CoffeeService, team_id: str, slack: RecordingSlack, clock: ManualClock
) -> None:
    set_up(coffee, team_id)
    clock.set(datetime(2026, 11, 27, 15, 0, tzinfo=UTC))
    # The first intro goes out; Slack rate-limits the second: the step is retried later.
    slack.failures = {slack.attempts + 2: SendOutcome(ok=False, retryable=True, error="ratelimited", retry_after=30)}
    report = coffee.sweep(team_id=team_id)
    assert report.deferred == 1 and report.retried == 0 and report.failed == 0
    assert len([1 for _, text, _ in slack.posts if "coffee group" in text]) == 1
    clock.advance(timedelta(seconds=31))
    # Then a 5xx: retried after a back-off, with the attempt counted.
    slack.failures = {slack.attempts + 1: SendOutcome(ok=False, retryable=True, error="internal_error")}
    report = coffee.sweep(team_id=team_id)
    assert report.retried == 1
    clock.advance(timedelta(minutes=3))
    coffee.sweep(team_id=team_id)
    intros = [target for target, text, _ in slack.posts if "coffee group" in text]
    assert len(intros) == 3 and len(set(intros)) == 3, "no group is introduced twice"


def test_concurrent_sweeps_perform_each_step_once(
    coffee: CoffeeService, team_id: str, slack: RecordingSlack, clock: ManualClock
) -> None:
    set_up(coffee, team_id)
    clock.set(datetime(2026, 11, 27, 15, 0, tzinfo=UTC))
    barrier = threading.Barrier(3)

    def sweep(worker: str) -> None:
        barrier.wait()
        coffee.sweep(worker_id=worker, team_id=team_id)

    threads = [threading.Thread(target=sweep, args=(f"w{i}",)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    heads_ups = [target for target, text, _ in slack.posts if text.startswith("Heads-up")]
    assert heads_ups == [], "a heads-up whose round already started is not sent"
    intros = [target for target, text, _ in slack.posts if "coffee group" in text]
    assert len(intros) == len(set(intros)) == 3


def test_three_ignored_rounds_set_someone_aside(
    coffee: CoffeeService, team_id: str, slack: RecordingSlack, clock: ManualClock
) -> None:
    slack.members[CHANNEL] = [BOT, "UA", "UC"]
    set_up(coffee, team_id)
    coffee.set_program_status(team_id, CHANNEL, "UA", ProgramStatus.PAUSED)  # only the extra rounds below run
    coffee.set_program_status(team_id, CHANNEL, "UA", ProgramStatus.ACTIVE)
    coffee.set_program_status(team_id, CHANNEL, "UA", ProgramStatus.PAUSED)
    for _ in range(3):
        assert coffee.start_now(team_id, CHANNEL, "UA").ok
        clock.advance(timedelta(weeks=1, minutes=1))
        coffee.sweep(team_id=team_id)
    summaries = slack.to(CHANNEL)
    assert summaries == ["0 of 1 group met this round."] * 3
    assert any("set you aside" in text for text in slack.to("UA"))
    assert any("set you aside" in text for text in slack.to("UC"))
    result = coffee.start_now(team_id, CHANNEL, "UA")
    assert not result.ok and "Only 0 people" in result.text
    assert coffee.join(team_id, CHANNEL, "UA").ok and coffee.join(team_id, CHANNEL, "UC").ok
    assert coffee.start_now(team_id, CHANNEL, "UA").ok


def test_we_met_logs_one_interaction_per_member_once(
    coffee: CoffeeService,
    team_id: str,
    slack: RecordingSlack,
    clock: ManualClock,
    hooked: list[Interaction],
    uow_factory: Callable[[], UnitOfWork],
) -> None:
    slack.members[CHANNEL] = [BOT, "UA", "UC", "UE"]
    set_up(coffee, team_id, ProgramSettings(group_size=3, tz="UTC"))
    assert coffee.start_now(team_id, CHANNEL, "UA").ok
    clock.advance(timedelta(days=7))
    coffee.sweep(team_id=team_id)
    check_ins = [(target, blocks) for target, text, blocks in slack.posts if text == "Did you meet?"]
    assert len(check_ins) == 1
    group_id = int(check_ins[0][1][1]["elements"][0]["value"])
    refused = coffee.check_in(team_id, group_id, "UB", CheckIn.MET)
    assert isinstance(refused, Reply) and not refused.ok
    scheduled = coffee.check_in(team_id, group_id, "UC", CheckIn.SCHEDULED)
    assert isinstance(scheduled, CheckInResult) and scheduled.changed and scheduled.interaction_id is None
    met = coffee.check_in(team_id, group_id, "UA", CheckIn.MET)
    assert isinstance(met, CheckInResult) and met.changed and met.interaction_id is not None
    again = coffee.check_in(team_id, group_id, "UE", CheckIn.MET)
    assert isinstance(again, CheckInResult) and not again.changed and again.answered_by == "UA"
    assert sorted(i.author_id for i in hooked) == ["UA", "UC", "UE"], "the hooks ran once per member"
    assert all(i.kind == InteractionKind.COFFEE and i.source == InteractionSource.COFFEE for i in hooked)
    assert {i.author_id: set(i.participant_ids) for i in hooked}["UA"] == {"UC", "UE"}
    assert coffee.add_note(team_id, "UA", met.interaction_id, "we talked about <b>")
    assert not coffee.add_note(team_id, "UC", met.interaction_id, "not mine"), "notes only on one's own entry"
    with uow_factory() as uow:
        mine = uow.interactions.list_for_author(team_id, "UA")
    assert mine[0].notes == "we talked about <b>"


def test_channel_controls_need_an_admin_or_the_organiser(
    coffee: CoffeeService, team_id: str, slack: RecordingSlack
) -> None:
    set_up(coffee, team_id, user="UA")
    refused = coffee.set_program_status(team_id, CHANNEL, "UB", ProgramStatus.PAUSED)
    assert not refused.ok and "<@UA>" in refused.text
    assert not coffee.start_now(team_id, CHANNEL, "UB").ok
    slack.admins.add("UB")
    assert coffee.set_program_status(team_id, CHANNEL, "UB", ProgramStatus.PAUSED).ok
    assert status(coffee, team_id).next_round is None, "pausing cancels the rounds that have not started"
    assert coffee.set_program_status(team_id, CHANNEL, "UA", ProgramStatus.ACTIVE).ok
    assert status(coffee, team_id).next_round is not None
    assert coffee.set_program_status(team_id, CHANNEL, "UA", ProgramStatus.STOPPED).ok
    stopped = coffee.start_now(team_id, CHANNEL, "UA")
    assert not stopped.ok and "stopped" in stopped.text


def test_channel_problems(coffee: CoffeeService, team_id: str, slack: RecordingSlack) -> None:
    assert coffee.check_channel(team_id, "D123") is not None
    missing = coffee.check_channel(team_id, "CNOPE")
    assert missing is not None and "/invite @Rapport" in missing.message
    slack.members["CNOBOT"] = ["UA"]
    without = coffee.check_channel(team_id, "CNOBOT")
    assert without is not None and without.code == "not_in_channel"
    assert coffee.problem_from_payload("G1", "mpdm-a--b-1") is not None
    not_set_up = coffee.status(team_id, CHANNEL, "UA")
    assert not isinstance(not_set_up, StatusReport) and not_set_up.code == "not_set_up"


@pytest.mark.parametrize(
    ("phrase", "fragment"),
    [("2026-02-30", "isn't a real date"), ("yesterday", "isn't in the future"), ("zzz", "couldn't read")],
)
def test_bad_pause_dates(coffee: CoffeeService, team_id: str, phrase: str, fragment: str) -> None:
    set_up(coffee, team_id)
    reply = coffee.pause_member(team_id, CHANNEL, "UA", phrase)
    assert not reply.ok and fragment in reply.text


def test_opt_in_channels_only_group_people_who_joined(
    coffee: CoffeeService, team_id: str, slack: RecordingSlack
) -> None:
    set_up(coffee, team_id, ProgramSettings(opt_in=OptIn.JOIN, tz="UTC"))
    assert status(coffee, team_id).pool_size == 0
    coffee.join(team_id, CHANNEL, "UA")
    coffee.join(team_id, CHANNEL, "UB")
    assert status(coffee, team_id).pool_size == 2
    assert coffee.start_now(team_id, CHANNEL, "UA").ok
    assert group_channels(slack) == ["GUAUB"]


def test_welcome_once_and_leaving_the_channel(coffee: CoffeeService, team_id: str, slack: RecordingSlack) -> None:
    set_up(coffee, team_id)
    coffee.member_joined(team_id, CHANNEL, "UC")
    coffee.member_joined(team_id, CHANNEL, "UC")
    coffee.member_joined(team_id, CHANNEL, BOT)
    assert len([t for t in slack.to("UC") if t.startswith("Welcome")]) == 1
    assert slack.to(BOT) == []
    coffee.member_left(team_id, CHANNEL, "UC")
    assert status(coffee, team_id, "UC").member.in_channel is False


def test_concurrent_joins_welcome_once(coffee: CoffeeService, team_id: str, slack: RecordingSlack) -> None:
    set_up(coffee, team_id)
    # Slack may deliver a join twice, and a rejoin can land while the first welcome is still being posted.
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda _: coffee.member_joined(team_id, CHANNEL, "UC"), range(8)))
    assert len([t for t in slack.to("UC") if t.startswith("Welcome")]) == 1


def test_a_welcome_that_failed_is_sent_on_the_next_join(
    coffee: CoffeeService, team_id: str, slack: RecordingSlack
) -> None:
    set_up(coffee, team_id)
    slack.failures[slack.attempts + 1] = SendOutcome(ok=False, error="ratelimited")
    coffee.member_joined(team_id, CHANNEL, "UC")
    assert [t for t in slack.to("UC") if t.startswith("Welcome")] == []
    coffee.member_joined(team_id, CHANNEL, "UC")
    assert len([t for t in slack.to("UC") if t.startswith("Welcome")]) == 1


def test_skip_from_the_heads_up_after_the_round_started(
    coffee: CoffeeService, team_id: str, clock: ManualClock
) -> None:
    set_up(coffee, team_id)
    round_ = status(coffee, team_id).next_round
    assert round_ is not None
    clock.set(round_.times.starts_at + timedelta(minutes=1))
    coffee.sweep(team_id=team_id)
    late = coffee.skip_round(team_id, round_.id, "UA")
    assert not late.ok and "already started" in late.text
    assert coffee.pause_member_until(team_id, round_.program_id, "UA", date(2026, 11, 1)).ok is False


def test_round_status_after_the_summary(
    coffee: CoffeeService, team_id: str, clock: ManualClock, uow_factory: Callable[[], UnitOfWork]
) -> None:
    set_up(coffee, team_id)
    round_ = status(coffee, team_id).next_round
    assert round_ is not None
    clock.set(round_.times.ends_at + timedelta(minutes=1))
    coffee.sweep(team_id=team_id)
    with uow_factory() as uow:
        done = uow.coffee_rounds.round(team_id, round_.id)
    assert done is not None and done.status == RoundStatus.DONE and done.seed == 7


def test_a_round_in_a_lost_channel_pauses_and_tells_the_organiser(
    coffee: CoffeeService,
    team_id: str,
    slack: RecordingSlack,
    clock: ManualClock,
    uow_factory: Callable[[], UnitOfWork],
) -> None:
    set_up(coffee, team_id, user="UB")
    round_ = status(coffee, team_id).next_round
    assert round_ is not None
    del slack.members[CHANNEL]  # the channel was deleted (or the bot removed from a private one)
    clock.set(round_.times.starts_at + timedelta(minutes=1))
    report = coffee.sweep(team_id=team_id)
    assert report.failed == 1 and report.errors == {"channel_not_found": 1}
    told = slack.to("UB")
    assert told and "paused coffee rounds" in told[-1] and "/coffee resume" in told[-1]
    with uow_factory() as uow:
        program = uow.coffee_programmes.program_for_channel(team_id, CHANNEL)
        assert program is not None and program.status == ProgramStatus.PAUSED
        assert uow.coffee_rounds.next_scheduled_round(team_id, program.id) is None


def test_suggested_time_respects_saved_working_hours(
    coffee: CoffeeService, team_id: str, slack: RecordingSlack, uow_factory: Callable[[], UnitOfWork]
) -> None:
    slack.members[CHANNEL] = [BOT, "UA", "UC"]
    set_up(coffee, team_id, ProgramSettings(tz="UTC"))
    with uow_factory() as uow:  # ana works 06:00–10:00 in New York, cy 14:00–18:00 in London: 14:00–15:00 UTC
        uow.nudge_settings.save(team_id, "UA", NudgeSettings(work_start=time(6), work_end=time(10)), NOW)
        uow.nudge_settings.save(team_id, "UC", NudgeSettings(work_start=time(14), work_end=time(18)), NOW)
        uow.commit()
    assert coffee.start_now(team_id, CHANNEL, "UA").ok
    intro = next(str(blocks) for target, text, blocks in slack.posts if "coffee group" in text)
    assert "Thu 26 Nov — ana 09:00, cy 14:00" in intro


def test_a_long_step_yields_at_half_its_lease_and_finishes(
    uow_factory: Callable[[], UnitOfWork], team_id: str, clock: ManualClock, slack: RecordingSlack
) -> None:
    people = PeopleService(uow_factory, Directory(team_id), clock)
    hurried = CoffeeService(uow_factory, people, slack, CoffeeMessages(), clock, lease=timedelta(0))
    set_up(hurried, team_id)
    clock.set(datetime(2026, 11, 27, 15, 0, tzinfo=UTC))
    report = hurried.sweep(team_id=team_id)
    assert report.yielded >= 2 and report.failed == 0
    intros = [target for target, text, _ in slack.posts if "coffee group" in text]
    assert len(intros) == len(set(intros)) == 3, "each claim sends one more and nothing twice"


def test_a_heads_up_before_the_weekend_names_the_day(
    coffee: CoffeeService, team_id: str, clock: ManualClock, slack: RecordingSlack
) -> None:
    set_up(coffee, team_id, ProgramSettings(weekday=0, local_minute=600, tz="America/New_York"))
    clock.set(datetime(2026, 11, 27, 15, 0, tzinfo=UTC))  # Friday 10:00 New York
    coffee.sweep(team_id=team_id)
    assert slack.to("UA") == ["Heads-up: you'll be paired in <#C0COFFEE> on Mon 30 Nov."]


def test_a_scheduled_round_with_one_person_tells_them_why(
    coffee: CoffeeService, team_id: str, clock: ManualClock, slack: RecordingSlack
) -> None:
    slack.members[CHANNEL] = [BOT, "UA"]
    set_up(coffee, team_id)
    clock.set(datetime(2026, 11, 27, 15, 0, tzinfo=UTC))
    report = coffee.sweep(team_id=team_id)
    assert report.failed == 0 and group_channels(slack) == []
    assert slack.to("UA")[-1] == (
        "No coffee group for you this round in <#C0COFFEE>. "
        "Not enough people were available this round to form a group."
    )
    assert slack.to(CHANNEL) == [], "no summary for a round without groups"


class FlakyDirectory(Directory):
    """users.info that can't answer about some people until told to."""

    def __init__(self, team_id: str, unreachable: set[str]) -> None:
        super().__init__(team_id)
        self.unreachable = unreachable

    def fetch_person(self, team_id: str, user_id: str) -> Person | None:
        if user_id in self.unreachable:
            raise DirectoryLookupError("ratelimited")
        return super().fetch_person(team_id, user_id)


def test_a_round_waits_for_people_slack_cannot_tell_us_about_yet(
    uow_factory: Callable[[], UnitOfWork], team_id: str, clock: ManualClock, slack: RecordingSlack
) -> None:
    directory = FlakyDirectory(team_id, {"UF"})
    coffee = CoffeeService(uow_factory, PeopleService(uow_factory, directory, clock), slack, CoffeeMessages(), clock)
    set_up(coffee, team_id)
    assert status(coffee, team_id).pool_size == len(PEOPLE) - 1, "status just counts whom it knows"
    clock.set(datetime(2026, 11, 27, 15, 0, tzinfo=UTC))
    report = coffee.sweep(team_id=team_id)
    assert report.retried == 1 and report.failed == 0 and group_channels(slack) == []
    directory.unreachable.clear()
    clock.advance(timedelta(minutes=3))
    coffee.sweep(team_id=team_id)
    grouped = sorted(member for channel in group_channels(slack) for member in channel[1:].split("U")[1:])
    assert grouped == ["A", "B", "C", "D", "E", "F"]


def test_a_round_goes_ahead_without_someone_slack_never_tells_us_about(
    uow_factory: Callable[[], UnitOfWork], team_id: str, clock: ManualClock, slack: RecordingSlack
) -> None:
    directory = FlakyDirectory(team_id, {"UF"})
    coffee = CoffeeService(uow_factory, PeopleService(uow_factory, directory, clock), slack, CoffeeMessages(), clock)
    set_up(coffee, team_id)
    clock.set(datetime(2026, 11, 27, 15, 0, tzinfo=UTC))
    for _ in range(4):  # waits of 2, 4 and 8 minutes, then the round starts without UF
        coffee.sweep(team_id=team_id)
        clock.advance(timedelta(minutes=10))
    grouped = sorted(member for channel in group_channels(slack) for member in channel[1:].split("U")[1:])
    assert grouped == ["A", "B", "C", "D", "E"]


class CountingDirectory(Directory):
    """The directory above, plus users.list, counting what each lookup costs."""

    def __init__(self, team_id: str, extra: int) -> None:
        super().__init__(team_id)
        self.extra = [f"UX{index:04d}" for index in range(extra)]
        self.singles = 0
        self.lists = 0

    def fetch_person(self, team_id: str, user_id: str) -> Person | None:
        self.singles += 1
        if user_id in self.extra:
            return Person(team_id, user_id, user_id.lower(), tz="Asia/Tokyo", department="Support")
        return super().fetch_person(team_id, user_id)

    def fetch_all(self, team_id: str) -> list[Person]:
        self.lists += 1
        known = [Directory.fetch_person(self, team_id, user) for user in [BOT, *PEOPLE]]
        extra = [Person(team_id, user, user.lower(), tz="Asia/Tokyo", department="Support") for user in self.extra]
        return [person for person in (*known, *extra) if person is not None]


def test_a_large_channel_of_unknown_people_fills_the_directory_in_bulk(
    uow_factory: Callable[[], UnitOfWork], team_id: str, clock: ManualClock, slack: RecordingSlack
) -> None:
    directory = CountingDirectory(team_id, extra=120)
    slack.members[CHANNEL] = [BOT, *PEOPLE, *directory.extra]
    coffee = CoffeeService(
        uow_factory, PeopleService(uow_factory, directory, clock), slack, CoffeeMessages(), clock, seed_source=lambda: 7
    )
    set_up(coffee, team_id, ProgramSettings(tz="UTC", weekday=2, local_minute=18 * 60))
    singles_before = directory.singles
    assert coffee.start_now(team_id, CHANNEL, "UA").ok
    assert directory.lists == 1 and directory.singles == singles_before, "one users.list, no users.info per member"
    assert len(group_channels(slack)) == (len(PEOPLE) + len(directory.extra)) // 2


def test_each_group_s_members_are_told_once_its_intro_is_posted(
    coffee: CoffeeService, team_id: str, slack: RecordingSlack
) -> None:
    grouped: list[tuple[str, ...]] = []
    coffee.on_grouped(lambda team, members: grouped.append(members))
    set_up(coffee, team_id, ProgramSettings(tz="UTC", weekday=2, local_minute=18 * 60))
    assert coffee.start_now(team_id, CHANNEL, "UA").ok
    assert sorted(member for members in grouped for member in members) == sorted(PEOPLE)
    assert len(grouped) == len(group_channels(slack))


def test_a_member_s_own_changes_are_announced_for_their_home_tab(coffee: CoffeeService, team_id: str) -> None:
    changed: list[str] = []
    coffee.on_member_changed(lambda team, user: changed.append(user))
    set_up(coffee, team_id)
    assert coffee.skip(team_id, CHANNEL, "UB").ok and coffee.leave(team_id, CHANNEL, "UC").ok
    assert not coffee.pause_member(team_id, CHANNEL, "UD", "someday soonish").ok
    coffee.member_left(team_id, CHANNEL, "UE")
    assert changed == ["UB", "UC", "UE"], "refusals change nothing"
