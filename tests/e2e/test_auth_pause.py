"""Auth errors pause, they never fail; deactivated people get nothing and are named in nothing.

Slack is the sandbox over real HTTP; its fault window runs on real time (a few seconds), the bot's clock is moved
by hand to reach the breaker's probes and the directory TTL.
"""

from __future__ import annotations

import time as real_time
from collections import Counter
from collections.abc import Iterator
from datetime import time, timedelta
from typing import Literal

import pytest

from bot.clock import ManualClock
from bot.domain.nudges import ALL_DAYS, NudgeKind, NudgeSettings
from bot.embedded import EmbeddedBot
from bot.sandbox.client import HttpDriver
from bot.sandbox.slack import FakeSlack
from bot.sandbox.slack.faults import Fault
from tests.e2e.conftest import bot_settings, wait_for

PEOPLE = ["maya", "lee", "arjun", "sofia", "nora", "theo", "carlos", "zoe", "grace", "david", "ivy", "omar"]
OUTAGE_SECONDS = 3.0


@pytest.fixture
def bot(fake: FakeSlack, database_url: str, clock: ManualClock) -> Iterator[EmbeddedBot]:
    """The real app, with the gateway's post ceiling raised (the fake needs no pacing)."""
    settings = bot_settings(fake, database_url, rapport_slack_posts_per_second=100.0)
    with EmbeddedBot(settings, clock=clock) as running:
        yield running


def delivered(fake: FakeSlack) -> Counter[int]:
    """Nudge ids found in the bot's reminder DMs, with how many times each arrived."""
    counts: Counter[int] = Counter()
    for handle in PEOPLE:
        for message in fake.messages(fake.user(handle).id):
            metadata = message.metadata or {}
            if metadata.get("event_type") == "rapport_nudge":
                counts.update(metadata["event_payload"]["ids"])
    return counts


@pytest.mark.parametrize("kind", ["invalid_auth", "token_revoked"])
def test_an_auth_error_for_3_seconds_loses_none_of_36_due_nudges(
    fake: FakeSlack, bot: EmbeddedBot, clock: ManualClock, kind: Literal["invalid_auth", "token_revoked"]
) -> None:
    followups = bot.container.services.followups
    now = clock.now()
    everywhere = NudgeSettings(work_start=time(0), work_end=time(0), work_days=ALL_DAYS, digest_enabled=False)
    ids: set[int] = set()
    for index, handle in enumerate(PEOPLE):
        user_id = fake.user(handle).id
        followups.save_settings(fake.team_id, user_id, everywhere)
        with bot.container.unit_of_work() as uow:
            for step in (1, 2, 3):
                contact = fake.user(PEOPLE[(index + step) % len(PEOPLE)]).id
                ids.add(uow.nudges.add(fake.team_id, user_id, contact, NudgeKind.CADENCE, now, now))
            uow.commit()
    assert len(ids) == 36
    probes = len(fake.calls("auth.test"))  # Bolt's own start-up check
    outage = fake.faults.add(Fault(method="*", kind=kind, until=fake.faults.now() + OUTAGE_SECONDS))
    started = real_time.monotonic()

    report = followups.sweep(team_id=fake.team_id)
    assert report.failed == 0 and report.sent == 0 and report.paused == report.claimed > 0, report
    with bot.container.unit_of_work() as uow:
        assert uow.nudges.status_counts(fake.team_id) == {"pending": 36}
        rows = [n for handle in PEOPLE for n in uow.nudges.list_for_user(fake.team_id, fake.user(handle).id)]
    assert all(row.attempts == 0 and not row.in_doubt for row in rows), "no attempt was counted"
    posts_during_outage = len(fake.calls("chat.postMessage"))
    assert posts_during_outage <= 8, "the sweep stopped at the first refusal (one per delivery thread at most)"

    clock.advance(timedelta(seconds=10))
    assert followups.sweep(team_id=fake.team_id).claimed == 0, "a paused workspace's rows are not claimed"
    clock.advance(timedelta(seconds=20))  # the first probe, 30 s after opening: Slack still refuses
    assert followups.sweep(team_id=fake.team_id).claimed == 0
    assert len(fake.calls("auth.test")) == probes + 1
    assert len(fake.calls("chat.postMessage")) == posts_during_outage

    real_time.sleep(max(0.0, OUTAGE_SECONDS - (real_time.monotonic() - started)) + 0.1)
    assert outage not in fake.faults.active()
    clock.advance(timedelta(seconds=30))  # the second probe waits 60 s: not yet
    assert followups.sweep(team_id=fake.team_id).claimed == 0
    assert len(fake.calls("auth.test")) == probes + 1
    clock.advance(timedelta(seconds=31))
    report = followups.sweep(team_id=fake.team_id)
    assert (report.sent, report.failed, report.paused) == (36, 0, 0), report
    assert len(fake.calls("auth.test")) == probes + 2
    counts = delivered(fake)
    assert set(counts) == ids and set(counts.values()) == {1}, "all 36 delivered, each exactly once"
    with bot.container.unit_of_work() as uow:
        assert uow.nudges.status_counts(fake.team_id) == {"sent": 36}


def test_someone_deactivated_after_being_cached_gets_nothing_and_is_named_in_nothing(
    slack: HttpDriver, fake: FakeSlack, bot: EmbeddedBot, clock: ManualClock
) -> None:
    maya, nora, lee = fake.user("maya"), fake.user("nora"), fake.user("lee")
    # Lee met Maya and Nora; Maya met Lee. The directory caches all three as active.
    assert slack.slash_command("lee", "/met", f"<@{maya.id}|maya> <@{nora.id}|nora> lunch", channel="#coffee").ok
    wait_for(lambda: fake.messages(fake.channel_id("#coffee"), as_user=lee.id), what="lee's /met reply")
    assert slack.slash_command("maya", "/met", f"<@{lee.id}|lee> call", channel="#coffee").ok
    wait_for(lambda: fake.messages(fake.channel_id("#coffee"), as_user=maya.id), what="maya's /met reply")

    fake.deactivate("maya")
    clock.advance(timedelta(days=7))  # far past RAPPORT_DIRECTORY_TTL_HOURS (12 h): Wed 2 Dec 17:00 UTC
    followups = bot.container.services.followups
    for _ in range(12):  # through everyone's working hours
        followups.sweep(team_id=fake.team_id)
        clock.advance(timedelta(hours=1))

    reminders = [m for m in fake.messages(lee.id) if (m.metadata or {}).get("event_type") == "rapport_nudge"]
    assert reminders, "lee is reminded about nora"
    assert all("nora" in m.text and "maya" not in m.text.lower() and maya.id not in str(m.blocks) for m in reminders)
    assert [m for m in fake.messages(maya.id) if m.user == fake.bot_user_id] == [], "no DM to maya"
    assert all(call.args.get("channel") != maya.id for call in fake.calls("chat.postMessage"))
    with bot.container.unit_of_work() as uow:
        about_maya = [n for n in uow.nudges.list_for_user(fake.team_id, lee.id) if n.contact_id == maya.id]
        mayas = uow.nudges.list_for_user(fake.team_id, maya.id)
    assert [(n.status.value, n.last_error) for n in about_maya] == [("failed", "contact_deactivated")]
    assert [(n.status.value, n.last_error) for n in mayas] == [("failed", "user_deleted")]


def test_single_workspace_uninstall_holds_work_until_the_token_works_again(
    fake: FakeSlack, bot: EmbeddedBot, clock: ManualClock
) -> None:
    from bot.domain.breaker import UNINSTALLED
    from bot.services.workspaces import DEFAULT_RETENTION

    followups = bot.container.services.followups
    everywhere = NudgeSettings(work_start=time(0), work_end=time(0), work_days=ALL_DAYS, digest_enabled=False)
    maya, lee = fake.user("maya").id, fake.user("lee").id
    followups.save_settings(fake.team_id, maya, everywhere)
    HttpDriver(fake, bot.events_url).uninstall_app()

    def uninstalled() -> bool:
        with bot.container.unit_of_work() as uow:
            breaker = uow.breakers.get(fake.team_id)
        return breaker is not None and breaker.is_open and breaker.reason == UNINSTALLED

    wait_for(uninstalled, what="the uninstall to hold the workspace")
    with bot.container.unit_of_work() as uow:
        nudge = uow.nudges.add(fake.team_id, maya, lee, NudgeKind.CADENCE, clock.now(), clock.now())
        uow.commit()
    clock.advance(timedelta(minutes=20))  # probes find the token still revoked: held
    report = followups.sweep(team_id=fake.team_id)
    assert report.claimed == 0 and report.failed == 0
    with bot.container.unit_of_work() as uow:
        assert uow.nudges.status_counts(fake.team_id) == {"pending": 1}

    fake.restore_tokens()  # reinstalled (the operator configured the new token)
    clock.advance(timedelta(minutes=20))
    assert followups.sweep(team_id=fake.team_id).sent == 1
    assert nudge in delivered(fake)
    clock.advance(DEFAULT_RETENTION)
    bot.container.services.workspaces.purge_departed()
    with bot.container.unit_of_work() as uow:
        assert uow.nudges.status_counts(fake.team_id) == {"sent": 1}, "working again: never purged"
