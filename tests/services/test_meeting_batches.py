"""Typed meetings stored together (group commit) leave exactly what storing them one at a time leaves.

Two workspaces in one database get the same history and the same `/met` commands: one workspace's commands are
stored one at a time, the other's arrive together and are stored as one batch (the first write is held until the
others are queued). Everything the meetings touch — the log, the per-contact roll-up, follow-ups (new, superseded,
left alone, none for a back-filled meeting or for "no follow-up"), cadence clocks and weekly reviews — must match.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
from sqlalchemy import select

from bot.clock import ManualClock
from bot.domain.met_grammar import LogMeeting, parse_met
from bot.domain.models import Interaction, Person
from bot.domain.nudges import NudgeSettings
from bot.services.followups import FollowUpService
from bot.services.interactions import InteractionService, Logged
from bot.services.people import PeopleService
from bot.services.ports import UnitOfWork
from bot.services.reviews import ReviewService
from handlers.blocks.nudges import render_delivery
from storage.models import ContactRollupRow, NudgeRow, WeeklyReviewRow
from tests.fakes import FakeDirectory

NOW = datetime(2026, 11, 25, 17, 0, tzinfo=UTC)
AUTHORS = ("UA1", "UA2", "UA3", "UA4", "UA5", "UA6")
CONTACTS = ("UC1", "UC2", "UC3")
COMMANDS = {
    "UA1": "<@UC1> yesterday coffee — supersedes an earlier follow-up",
    "UA2": "<@UC2> <@UC3> today lunch #launch #q3 — two contacts",
    "UA3": "<@UC1> 3 days ago call — resets a cadence",
    "UA4": "<@UC2> 2026-10-01 coffee — back-filled: older than the last meeting",
    "UA5": "<@UC3> yesterday — the author's default follow-up is 3 days",
    "UA6": "<@UC1> yesterday coffee no follow-up",
}


class Gate:
    """A hook that holds the first write until ``waiting`` more meetings are queued behind it."""

    def __init__(self, service: InteractionService, waiting: int) -> None:
        self.service = service
        self.waiting = waiting
        self.held = False
        self.batches: list[int] = []

    def __call__(self, uow: UnitOfWork, interaction: Interaction, now: datetime) -> None:
        self.batches.append(1)
        self._hold()

    def many(self, uow: UnitOfWork, interactions: Any, now: datetime) -> None:
        self.batches.append(len(interactions))

    def _hold(self) -> None:
        if self.held:
            return
        self.held = True
        queue = self.service._meetings._queue
        for _ in range(5_000):
            if len(queue) >= self.waiting:
                return
            threading.Event().wait(0.001)
        raise AssertionError("the other meetings never queued")


def build(uow_factory: Callable[[], UnitOfWork], team_id: str) -> tuple[InteractionService, FollowUpService]:
    clock = ManualClock(NOW)
    people = [Person(team_id, user, user.lower(), tz="Europe/Berlin") for user in AUTHORS + CONTACTS]
    directory = FakeDirectory(people)
    people_service = PeopleService(uow_factory, directory, clock)
    followups = FollowUpService(uow_factory, people_service, clock, cast(Any, None), render_delivery, threads=1)
    reviews = ReviewService(
        uow_factory,
        people_service,
        cast(Any, None),
        followups,
        cast(Any, None),
        cast(Any, None),
        cast(Any, None),
        clock,
    )
    service = InteractionService(uow_factory, people_service, clock)
    service.add_hook(followups.on_interaction_logged, many=followups.on_interactions_logged)
    service.add_hook(reviews.on_interaction_logged, many=reviews.on_interactions_logged)
    with uow_factory() as uow:
        uow.workspaces.ensure(team_id, NOW)
        for person in people:
            uow.people.upsert(person, NOW)
        uow.commit()
    return service, followups


def history(
    service: InteractionService, followups: FollowUpService, uow_factory: Callable[[], UnitOfWork], team: str
) -> None:
    """The same past in each workspace: earlier meetings, a pending follow-up, a cadence, settings, a review."""
    earlier = {"UA1": "<@UC1> 5 days ago", "UA2": "<@UC2> 2 days ago", "UA4": "<@UC2> 2026-11-20"}
    for author, text in earlier.items():
        assert isinstance(service.log_meeting(team, author, command(author, text)), Logged)
    followups.set_cadence(team, "UA3", "UC1", 14)
    with uow_factory() as uow:
        uow.nudge_settings.save(team, "UA5", NudgeSettings(default_follow_up_days=3), NOW)
        uow.reviews.set_schedule(team, "UA1", None, NOW + timedelta(days=7), NOW)  # reviews off: left off
        uow.commit()


def command(author: str, text: str) -> LogMeeting:
    parsed = parse_met(text, author)
    assert isinstance(parsed, LogMeeting), parsed
    return parsed


def state(uow_factory: Callable[[], UnitOfWork], team: str) -> dict[str, Any]:
    """Everything the meetings touched, without ids (they differ between the workspaces)."""
    with uow_factory() as uow:
        session = cast(Any, uow).session
        nudges = sorted(
            (r.user_id, r.contact_id, r.kind, r.status, r.due_at.isoformat(), r.interaction_id is not None)
            for r in session.scalars(select(NudgeRow).where(NudgeRow.team_id == team))
        )
        rollups = sorted(
            (r.author_id, r.contact_id, r.first_met_at.isoformat(), r.last_met_at.isoformat(), r.meetings)
            for r in session.scalars(select(ContactRollupRow).where(ContactRollupRow.team_id == team))
        )
        reviews = sorted(
            (r.user_id, r.status, r.available_at.isoformat())
            for r in session.scalars(select(WeeklyReviewRow).where(WeeklyReviewRow.team_id == team))
        )
        cadences = sorted(
            (c.user_id, c.contact_id, str(c.last_interaction_at), str(c.next_due_at))
            for author in AUTHORS
            for c in uow.cadences.list_active(team, author)
        )
        log = sorted(
            (i.author_id, i.participant_ids, i.tags, i.happened_at.isoformat(), i.notes)
            for author in AUTHORS
            for i in uow.interactions.list_for_author(team, author, limit=50)
        )
    return {"nudges": nudges, "rollups": rollups, "reviews": reviews, "cadences": cadences, "log": log}


def test_a_batch_leaves_what_one_at_a_time_leaves(uow_factory: Callable[[], UnitOfWork], team_id: str) -> None:
    one_by_one, batched = team_id, team_id + "B"
    service, followups = build(uow_factory, one_by_one)
    history(service, followups, uow_factory, one_by_one)
    for author, text in COMMANDS.items():
        assert isinstance(service.log_meeting(one_by_one, author, command(author, text)), Logged)

    service, followups = build(uow_factory, batched)
    history(service, followups, uow_factory, batched)
    gate = Gate(service, waiting=len(COMMANDS) - 1)
    service.add_hook(gate, many=gate.many)
    with ThreadPoolExecutor(len(COMMANDS)) as pool:
        outcomes = list(pool.map(lambda a: service.log_meeting(batched, a, command(a, COMMANDS[a])), COMMANDS))
    assert all(isinstance(outcome, Logged) for outcome in outcomes)
    assert gate.batches == [1, len(COMMANDS) - 1]  # the first alone, the rest together

    expected, got = state(uow_factory, one_by_one), state(uow_factory, batched)
    assert got == expected
    assert len(expected["log"]) == len(COMMANDS) + 3
    superseded = [n for n in expected["nudges"] if n[3] == "superseded"]
    assert superseded  # the scenario exercises superseding, not just adding


def test_two_meetings_of_one_author_never_share_a_batch(uow_factory: Callable[[], UnitOfWork], team_id: str) -> None:
    service, _ = build(uow_factory, team_id)
    gate = Gate(service, waiting=3)
    service.add_hook(gate, many=gate.many)
    texts = [("UA4", "<@UC2> today"), ("UA1", "<@UC1> yesterday"), ("UA1", "<@UC1> today"), ("UA2", "<@UC1> today")]
    with ThreadPoolExecutor(4) as pool:
        futures = []
        for author, text in texts:
            futures.append(pool.submit(service.log_meeting, team_id, author, command(author, text)))
            threading.Event().wait(0.05)  # queue in this order
        assert all(isinstance(f.result(10), Logged) for f in futures)
    assert gate.batches == [1, 2, 1]  # UA4 alone; UA1's first with UA2; UA1's second after them
    mine = [n for n in state(uow_factory, team_id)["nudges"] if n[0] == "UA1"]
    assert sorted(n[3] for n in mine) == ["pending", "superseded"]  # today's follow-up replaced yesterday's


def test_a_failing_meeting_in_a_batch_fails_alone(uow_factory: Callable[[], UnitOfWork], team_id: str) -> None:
    service, _ = build(uow_factory, team_id)
    gate = Gate(service, waiting=3)
    service.add_hook(gate, many=gate.many)

    def refuse_ua3(uow: UnitOfWork, interaction: Interaction, now: datetime) -> None:
        if interaction.author_id == "UA3":
            raise RuntimeError("this one cannot be stored")

    def refuse_ua3_in_batch(uow: UnitOfWork, interactions: Any, now: datetime) -> None:
        for interaction in interactions:
            refuse_ua3(uow, interaction, now)

    service.add_hook(refuse_ua3, many=refuse_ua3_in_batch)
    with ThreadPoolExecutor(4) as pool:
        futures = {}
        for author in ("UA1", "UA2", "UA3", "UA4"):
            futures[author] = pool.submit(service.log_meeting, team_id, author, command(author, "<@UC1> today"))
            threading.Event().wait(0.05)
        for author, future in futures.items():
            if author == "UA3":
                with pytest.raises(RuntimeError, match="cannot be stored"):
                    future.result(10)
            else:
                assert isinstance(future.result(10), Logged)
    logged = {entry[0] for entry in state(uow_factory, team_id)["log"]}
    assert logged == {"UA1", "UA2", "UA4"}
