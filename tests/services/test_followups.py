"""FollowUpService on SQLite and PostgreSQL (real units of work), with a recording fake gateway."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest

from bot.clock import ManualClock
from bot.domain.models import InteractionKind, InteractionSource, NewInteraction, Person
from bot.domain.nudges import NudgeKind, NudgeSettings, NudgeStatus
from bot.services.followups import FollowUpService
from bot.services.people import PeopleService
from bot.services.ports import UnitOfWork
from bot.slack.errors import SendOutcome
from handlers.blocks.nudges import render_delivery
from tests.fakes import FakeDirectory

# Wednesday 25 Nov 2026 17:00 UTC.
NOW = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)
LEE, DANA, SAM = "ULEE", "UDANA", "USAM"


@dataclass
class RecordingSender:
    """Records posts; answers from a script (default ok) and serves them back as DM history."""

    script: deque[SendOutcome] = field(default_factory=deque)
    posts: list[dict[str, Any]] = field(default_factory=list)
    history_error: SendOutcome | None = None
    auth: SendOutcome = field(default_factory=SendOutcome.success)  # what auth.test answers
    lock: threading.Lock = field(default_factory=threading.Lock)

    def post_message(self, channel: str, text: str, blocks: list[dict[str, Any]] | None = None, **kwargs: Any) -> Any:
        with self.lock:
            result = self.script.popleft() if self.script else SendOutcome.success(ts=f"{len(self.posts) + 1}.0")
            if result.ok:
                self.posts.append({"channel": channel, "text": text, "blocks": blocks, **kwargs, "ts": result.ts})
                return SendOutcome.success(ts=result.ts, channel="D" + channel)
            return result

    def update_message(self, channel: str, ts: str, text: str, blocks: Any = None, **kwargs: Any) -> Any:
        return SendOutcome.success(ts=ts, channel=channel)

    def check_auth(self, team_id: str) -> Any:
        return self.auth

    def open_dm(self, user_id: str, *, team_id: str = "") -> tuple[Any, str | None]:
        return SendOutcome.success(), "D" + user_id

    def recent_messages(
        self, channel: str, oldest: float | None = None, limit: int = 100, *, team_id: str = ""
    ) -> tuple[Any, list[Any]]:
        if self.history_error is not None:
            return self.history_error, []
        return SendOutcome.success(), [
            {"ts": post["ts"], "metadata": post.get("metadata")}
            for post in self.posts
            if "D" + post["channel"] == channel
        ]

    def ids_posted(self) -> list[int]:
        return [nudge_id for post in self.posts for nudge_id in post["metadata"]["event_payload"]["ids"]]


@dataclass
class World:
    team_id: str
    clock: ManualClock
    sender: RecordingSender
    directory: FakeDirectory
    service: FollowUpService
    uow_factory: Callable[[], UnitOfWork]

    def log(
        self,
        contact: str = DANA,
        happened_at: datetime | None = None,
        follow_up_days: int | None = None,
        author: str = LEE,
    ) -> int:
        now = self.clock.now()
        with self.uow_factory() as uow:
            uow.workspaces.ensure(self.team_id, now)
            interaction = uow.interactions.add(
                NewInteraction(
                    team_id=self.team_id,
                    author_id=author,
                    happened_at=happened_at or now,
                    kind=InteractionKind.LUNCH,
                    notes="Q3 launch",
                    source=InteractionSource.COMMAND,
                    participant_ids=(contact,),
                    follow_up_days=follow_up_days,
                ),
                created_at=now,
            )
            self.service.on_interaction_logged(uow, interaction, now)
            uow.commit()
        return interaction.id

    def nudges(self, user: str = LEE) -> list[Any]:
        with self.uow_factory() as uow:
            return uow.nudges.list_for_user(self.team_id, user)

    def counts(self) -> dict[str, int]:
        with self.uow_factory() as uow:
            return uow.nudges.status_counts(self.team_id)


@pytest.fixture
def world(uow_factory: Callable[[], UnitOfWork], team_id: str) -> World:
    clock = ManualClock(NOW)
    directory = FakeDirectory(
        {
            LEE: Person(team_id, LEE, "lee", display_name="Lee", tz="America/New_York"),
            DANA: Person(team_id, DANA, "dana", display_name="Dana", tz="Europe/Berlin"),
            SAM: Person(team_id, SAM, "sam", display_name="Sam <&>", tz="UTC"),
        }
    )
    people = PeopleService(uow_factory, directory, clock)
    with uow_factory() as uow:  # /met looked these people up when the meetings were logged
        uow.workspaces.ensure(team_id, NOW)
        for person in directory.people.values():
            uow.people.upsert(person, NOW)
        uow.commit()
    sender = RecordingSender()
    service = FollowUpService(uow_factory, people, clock, sender, render_delivery, threads=2, worker_id="w1")
    return World(team_id, clock, sender, directory, service, uow_factory)


def test_follow_up_is_due_after_the_default_delay_in_working_hours(world: World) -> None:
    world.log()
    [nudge] = world.nudges()
    assert nudge.kind is NudgeKind.FOLLOW_UP and nudge.due_at == NOW + timedelta(days=7)
    assert world.service.sweep(team_id=world.team_id).claimed == 0
    world.clock.advance(timedelta(days=7))  # Wed 2 Dec 17:00 UTC = 12:00 in New York: inside working hours
    report = world.service.sweep(team_id=world.team_id)
    assert (report.sent, report.messages) == (1, 1)
    [post] = world.sender.posts
    assert post["channel"] == LEE
    assert post["text"] == "You met Dana 7 days ago (lunch — Q3 launch). Follow up?"
    assert post["metadata"] == {"event_type": "rapport_nudge", "event_payload": {"ids": [nudge.id]}}
    [sent] = world.nudges()
    assert (sent.status, sent.sent_channel, sent.sent_ts) == (NudgeStatus.SENT, "D" + LEE, "1.0")
    assert world.service.sweep(team_id=world.team_id).claimed == 0, "sent nudges are never claimed again"


def test_nudge_due_at_night_waits_for_working_hours(world: World) -> None:
    world.log(follow_up_days=1)
    world.clock.set(datetime(2026, 11, 27, 7, 0, tzinfo=UTC))  # Fri 02:00 in New York
    report = world.service.sweep(team_id=world.team_id)
    assert (report.deferred, report.sent) == (1, 0)
    [nudge] = world.nudges()
    assert nudge.status is NudgeStatus.PENDING
    assert nudge.available_at == datetime(2026, 11, 27, 14, 0, tzinfo=UTC)  # 09:00 New York
    world.clock.set(datetime(2026, 11, 27, 14, 0, tzinfo=UTC))
    assert world.service.sweep(team_id=world.team_id).sent == 1


def test_several_due_nudges_arrive_as_one_digest(world: World) -> None:
    world.log(DANA, follow_up_days=2)
    world.log(SAM, follow_up_days=2)
    world.clock.advance(timedelta(days=2))
    report = world.service.sweep(team_id=world.team_id)
    assert (report.sent, report.messages) == (2, 1)
    [post] = world.sender.posts
    assert post["text"].startswith("2 people to catch up with:")
    assert "Sam &lt;&amp;&gt;" in str(post["blocks"]), "names are escaped in blocks"
    action_ids = [e["action_id"] for b in post["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert len(action_ids) == len(set(action_ids))


def test_digest_off_sends_one_message_each(world: World) -> None:
    world.service.save_settings(world.team_id, LEE, NudgeSettings(digest_enabled=False))
    world.log(DANA, follow_up_days=2)
    world.log(SAM, follow_up_days=2)
    world.clock.advance(timedelta(days=2))
    assert world.service.sweep(team_id=world.team_id).messages == 2


def test_no_follow_up_and_backfilled_meetings(world: World) -> None:
    world.log(DANA, follow_up_days=0)
    assert world.nudges() == []
    world.log(SAM)
    world.log(SAM, happened_at=NOW - timedelta(days=20))  # back-filled, older than the last meeting: no nudge
    assert len(world.nudges()) == 1


def test_a_newer_meeting_supersedes_the_pending_follow_up(world: World) -> None:
    world.log(DANA)
    world.clock.advance(timedelta(days=2))
    world.log(DANA)
    statuses = sorted(n.status.value for n in world.nudges())
    assert statuses == ["pending", "superseded"]


def test_two_meetings_with_one_person_at_the_same_moment_leave_one_follow_up(world: World) -> None:
    # `/met @dana lunch` and later `/met @dana` the same day both happen "today": one reminder, for the latest log.
    world.log(DANA)
    latest = world.log(DANA)
    pending = [n for n in world.nudges() if n.status is NudgeStatus.PENDING]
    assert [n.interaction_id for n in pending] == [latest]
    assert sorted(n.status.value for n in world.nudges()) == ["pending", "superseded"]


def test_retryable_failure_backs_off_then_delivers(world: World) -> None:
    world.log(follow_up_days=1)
    world.clock.advance(timedelta(days=1))
    world.sender.script.append(SendOutcome.retry_later("timeout"))
    report = world.service.sweep(team_id=world.team_id)
    assert (report.retried, report.sent) == (1, 0)
    [nudge] = world.nudges()
    assert nudge.status is NudgeStatus.PENDING and nudge.in_doubt and nudge.last_error == "timeout"
    assert nudge.available_at == world.clock.now() + timedelta(seconds=30)
    world.clock.advance(timedelta(seconds=31))
    report = world.service.sweep(team_id=world.team_id)
    assert (report.sent, report.recovered) == (1, 0), "history lookup found nothing, so it was posted"
    assert world.sender.ids_posted() == [nudge.id]


def test_slack_5xx_answer_is_not_in_doubt(world: World) -> None:
    world.log(follow_up_days=1)
    world.clock.advance(timedelta(days=1))
    world.sender.script.append(SendOutcome.retry_later("fatal_error"))
    world.service.sweep(team_id=world.team_id)
    [nudge] = world.nudges()
    assert not nudge.in_doubt and nudge.last_error == "fatal_error"


def test_rate_limited_post_is_not_in_doubt(world: World) -> None:
    world.log(follow_up_days=1)
    world.clock.advance(timedelta(days=1))
    world.sender.script.append(SendOutcome.retry_later("ratelimited", 7))
    world.service.sweep(team_id=world.team_id)
    [nudge] = world.nudges()
    assert not nudge.in_doubt and nudge.available_at == world.clock.now() + timedelta(seconds=7)


def test_permanent_failure_ends_the_row(world: World) -> None:
    world.log(follow_up_days=1)
    world.clock.advance(timedelta(days=1))
    world.sender.script.append(SendOutcome.failed("channel_not_found"))
    report = world.service.sweep(team_id=world.team_id)
    assert report.failed == 1 and report.errors == {"channel_not_found": 1}
    [nudge] = world.nudges()
    assert (nudge.status, nudge.last_error) == (NudgeStatus.FAILED, "channel_not_found")
    world.clock.advance(timedelta(days=1))
    assert world.service.sweep(team_id=world.team_id).claimed == 0


@pytest.mark.parametrize("error", ["invalid_auth", "token_revoked", "account_inactive", "not_authed"])
def test_an_auth_error_pauses_the_workspace_and_keeps_the_nudge(world: World, error: str) -> None:
    world.log(follow_up_days=1)
    world.log(contact=SAM, follow_up_days=1)
    world.clock.advance(timedelta(days=1))
    world.sender.script.append(SendOutcome.refused(error))
    world.sender.auth = SendOutcome.refused(error)
    report = world.service.sweep(team_id=world.team_id)
    assert (report.failed, report.sent, report.paused) == (0, 0, 2), report
    assert world.counts() == {"pending": 2}
    assert all(n.attempts == 0 and not n.in_doubt for n in world.nudges())
    world.clock.advance(timedelta(seconds=10))
    assert world.service.sweep(team_id=world.team_id).claimed == 0, "paused: rows are not even claimed"
    world.clock.advance(timedelta(seconds=25))  # the first probe (30 s after opening) still fails
    assert world.service.sweep(team_id=world.team_id).claimed == 0
    world.sender.auth = SendOutcome.success()
    world.clock.advance(timedelta(seconds=30))  # not yet: the second probe waits 60 s
    assert world.service.sweep(team_id=world.team_id).claimed == 0
    world.clock.advance(timedelta(seconds=31))
    report = world.service.sweep(team_id=world.team_id)
    assert (report.sent, report.failed) == (2, 0)
    assert sorted(world.sender.ids_posted()) == sorted(n.id for n in world.nudges())


def test_deactivated_recipient_gets_nothing(world: World) -> None:
    world.log(follow_up_days=1)
    world.directory.people[LEE] = Person(world.team_id, LEE, "lee", deleted=True)
    with world.uow_factory() as uow:  # the cache says so too (a sweep trusts the directory cache)
        uow.people.upsert(world.directory.people[LEE], NOW)
        uow.commit()
    world.clock.advance(timedelta(days=1))
    report = world.service.sweep(team_id=world.team_id)
    assert report.errors == {"user_deleted": 1} and world.sender.posts == []


def test_crash_after_slack_accepted_is_not_sent_twice(world: World) -> None:
    world.log(follow_up_days=1)
    world.clock.advance(timedelta(days=1))
    now = world.clock.now()
    # A worker claims, marks the attempt, posts... and dies before recording the outcome.
    with world.uow_factory() as uow:
        [claimed] = uow.nudges.claim("dead", now, now + timedelta(minutes=5), 10, world.team_id)
        assert uow.nudges.mark_attempt([claimed.id], "dead", now, now + timedelta(minutes=5)) == 1
        uow.commit()
    world.sender.post_message(
        LEE, "x", [], metadata={"event_type": "rapport_nudge", "event_payload": {"ids": [claimed.id]}}
    )
    assert world.service.sweep(team_id=world.team_id).claimed == 0, "the lease still holds"
    world.clock.advance(timedelta(minutes=6))
    report = world.service.sweep(team_id=world.team_id)
    assert (report.recovered, report.sent, report.messages) == (1, 1, 0)
    assert world.sender.ids_posted() == [claimed.id]
    [nudge] = world.nudges()
    assert nudge.status is NudgeStatus.SENT and nudge.sent_ts == "1.0"


def test_an_expired_lease_cannot_start_a_post(world: World) -> None:
    world.log(follow_up_days=1)
    world.clock.advance(timedelta(days=1))
    now = world.clock.now()
    with world.uow_factory() as uow:
        [claimed] = uow.nudges.claim("slow", now, now + timedelta(minutes=5), 10, world.team_id)
        uow.commit()
    later = now + timedelta(minutes=6)
    with world.uow_factory() as uow:
        assert uow.nudges.mark_attempt([claimed.id], "slow", later, later + timedelta(minutes=5)) == 0


def test_claimed_but_never_attempted_rows_are_simply_sent(world: World) -> None:
    world.log(follow_up_days=1)
    world.clock.advance(timedelta(days=1))
    now = world.clock.now()
    with world.uow_factory() as uow:
        uow.nudges.claim("dead", now, now + timedelta(minutes=5), 10, world.team_id)
        uow.commit()
    world.clock.advance(timedelta(minutes=6))
    report = world.service.sweep(team_id=world.team_id)
    assert (report.sent, report.recovered) == (1, 0)


def test_unknown_outcome_and_unreachable_history_stays_in_doubt(world: World) -> None:
    world.log(follow_up_days=1)
    world.clock.advance(timedelta(days=1))
    world.sender.script.append(SendOutcome.retry_later("timeout"))
    world.service.sweep(team_id=world.team_id)
    world.sender.history_error = SendOutcome.retry_later("fatal_error")
    world.clock.advance(timedelta(minutes=1))
    report = world.service.sweep(team_id=world.team_id)
    assert report.sent == 0 and world.sender.posts == []
    [nudge] = world.nudges()
    assert nudge.in_doubt and nudge.status is NudgeStatus.PENDING


def test_concurrent_claims_never_overlap(world: World) -> None:
    for index in range(60):
        world.log(f"UC{index:03d}", follow_up_days=1)
    world.clock.advance(timedelta(days=1))
    now = world.clock.now()
    claimed: dict[str, list[int]] = {}
    barrier = threading.Barrier(4)

    def claim(worker: str) -> None:
        barrier.wait()
        ids: list[int] = []
        for _ in range(10):
            with world.uow_factory() as uow:
                ids += [n.id for n in uow.nudges.claim(worker, now, now + timedelta(minutes=5), 7, world.team_id)]
                uow.commit()
        claimed[worker] = ids

    threads = [threading.Thread(target=claim, args=(f"w{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [nudge_id for ids in claimed.values() for nudge_id in ids]
    assert len(every) == len(set(every)) == 60


def test_pause_holds_nudges_until_it_ends(world: World) -> None:
    world.service.save_settings(world.team_id, LEE, NudgeSettings(paused_until=NOW + timedelta(days=10)))
    world.log(follow_up_days=1)
    world.clock.advance(timedelta(days=1))
    assert world.service.sweep(team_id=world.team_id).deferred == 1
    [nudge] = world.nudges()
    assert nudge.available_at >= NOW + timedelta(days=10)


def test_done_logs_a_touch_and_resolves(world: World) -> None:
    world.log(follow_up_days=1)
    world.clock.advance(timedelta(days=1))
    world.service.sweep(team_id=world.team_id)
    [nudge] = world.nudges()
    outcome = world.service.complete(world.team_id, LEE, nudge.id)
    assert outcome is not None and outcome.changed and outcome.status is NudgeStatus.DONE
    again = world.service.complete(world.team_id, LEE, nudge.id)
    assert again is not None and not again.changed
    assert world.service.complete(world.team_id, DANA, nudge.id) is None, "only the recipient may answer"
    with world.uow_factory() as uow:
        latest = uow.interactions.latest_for_author(world.team_id, LEE)
    assert latest is not None and latest.participant_ids == (DANA,) and latest.follow_up_days == 0
    assert [n.status for n in world.nudges()] == [NudgeStatus.DONE]


def test_snooze_schedules_the_same_reminder_later(world: World) -> None:
    world.log(follow_up_days=1)
    world.clock.advance(timedelta(days=1))
    world.service.sweep(team_id=world.team_id)
    [nudge] = world.nudges()
    outcome = world.service.snooze(world.team_id, LEE, nudge.id, 1)
    assert outcome is not None and outcome.snoozed_until is not None
    snoozed, again = world.nudges()
    assert snoozed.status is NudgeStatus.SNOOZED and again.status is NudgeStatus.PENDING
    assert again.due_at == world.clock.now() + timedelta(days=1) and again.interaction_id == nudge.interaction_id
    world.clock.advance(timedelta(days=1))
    assert world.service.sweep(team_id=world.team_id).sent == 1
    assert "(due" not in world.sender.posts[-1]["text"], "a snoozed reminder is not late"


def test_dismiss(world: World) -> None:
    world.log(follow_up_days=1)
    [nudge] = world.nudges()
    outcome = world.service.dismiss(world.team_id, LEE, nudge.id)
    assert outcome is not None and outcome.status is NudgeStatus.DISMISSED
    world.clock.advance(timedelta(days=2))
    assert world.service.sweep(team_id=world.team_id).claimed == 0


def test_overdue_work_is_delivered_late_with_its_date(world: World) -> None:
    world.log(follow_up_days=1)
    world.clock.advance(timedelta(days=6))  # the bot was down for days
    world.service.sweep(team_id=world.team_id)
    assert world.sender.posts[0]["text"].endswith("(due Thu 26 Nov)")


def test_cadence_clock_runs_from_the_last_interaction_including_backfilled(world: World) -> None:
    info = world.service.set_cadence(world.team_id, LEE, SAM, 30)
    assert info.last_interaction_at is None and info.next_due_at == NOW + timedelta(days=30)
    world.log(SAM, happened_at=NOW - timedelta(days=3), follow_up_days=0)  # back-filled meeting resets the clock
    [listed] = world.service.list_cadences(world.team_id, LEE)
    assert listed.last_interaction_at == NOW - timedelta(days=3)
    assert listed.next_due_at == NOW + timedelta(days=27)
    world.clock.advance(timedelta(days=27))
    assert world.service.sweep_cadences(team_id=world.team_id) == 1
    assert world.service.sweep_cadences(team_id=world.team_id) == 0, "one reminder per period"
    world.service.sweep(team_id=world.team_id)
    assert world.sender.posts[-1]["text"] == "It's been 30 days since you talked to Sam <&>."
    assert world.service.stop_cadence(world.team_id, LEE, SAM)
    assert not world.service.stop_cadence(world.team_id, LEE, SAM)
    assert world.service.list_cadences(world.team_id, LEE) == []


def test_keep_in_touch_from_a_nudge(world: World) -> None:
    world.log(follow_up_days=1)
    [nudge] = world.nudges()
    outcome = world.service.keep_in_touch(world.team_id, LEE, nudge.id, 90)
    assert outcome is not None and outcome.cadence is not None and outcome.cadence.every_days == 90
    assert [c.contact_id for c in world.service.list_cadences(world.team_id, LEE)] == [DANA]


def test_settings_round_trip_and_default_delay(world: World) -> None:
    assert world.service.get_settings(world.team_id, LEE) == NudgeSettings()
    chosen = NudgeSettings(
        default_follow_up_days=3,
        work_start=time(8, 30),
        work_end=time(12, 0),
        work_days=frozenset({0, 2}),
        paused_until=None,
        digest_enabled=False,
    )
    world.service.save_settings(world.team_id, LEE, chosen)
    assert world.service.get_settings(world.team_id, LEE) == chosen
    world.log()
    assert world.nudges()[0].due_at == NOW + timedelta(days=3)


def test_undoing_the_meeting_removes_its_follow_up(world: World) -> None:
    interaction_id = world.log()
    with world.uow_factory() as uow:
        uow.interactions.delete_for_author(world.team_id, LEE, interaction_id)
        uow.commit()
    assert world.nudges() == []
