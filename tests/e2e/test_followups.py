"""Follow-ups end to end: /met through signed HTTP, the clock moved, the sweep run, nudge DMs in the sandbox."""

from __future__ import annotations

import dataclasses
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import time, timedelta

import pytest

from bot.clock import ManualClock
from bot.domain.nudges import ALL_DAYS, NudgeKind, NudgeSettings
from bot.embedded import EmbeddedBot
from bot.sandbox.client import HttpDriver
from bot.sandbox.seed import default_workspace
from bot.sandbox.slack import FakeSlack
from bot.sandbox.slack.faults import Fault
from bot.sandbox.slack.records import FakeMessage
from bot.settings import Settings
from tests.e2e.conftest import wait_for
from tests.fakes import FakeMonotonic


def nudge_dms(fake: FakeSlack, user: str) -> list[FakeMessage]:
    return [m for m in fake.messages(fake.user(user).id) if (m.metadata or {}).get("event_type") == "rapport_nudge"]


def delivered_ids(fake: FakeSlack, users: list[str]) -> Counter[int]:
    counts: Counter[int] = Counter()
    for user in users:
        for message in nudge_dms(fake, user):
            counts.update(message.metadata["event_payload"]["ids"])  # type: ignore[index]
    return counts


def test_log_wait_nudge_snooze_nudge_done(
    slack: HttpDriver, fake: FakeSlack, bot: EmbeddedBot, clock: ManualClock
) -> None:
    followups = bot.container.services.followups
    maya = fake.user("maya")
    assert slack.slash_command("lee", "/met", f"<@{maya.id}|maya> lunch — Q3 launch", channel="#coffee").ok
    wait_for(lambda: fake.messages(fake.channel_id("#coffee"), as_user=fake.user("lee").id), what="/met reply")

    clock.advance(timedelta(days=6))
    assert followups.sweep(team_id=fake.team_id).claimed == 0, "not due yet"
    clock.advance(timedelta(days=1))  # Wed 2 Dec, 12:00 in New York (Lee's zone)
    assert followups.sweep(team_id=fake.team_id).sent == 1
    [dm] = nudge_dms(fake, "lee")
    assert dm.text == "You met maya 7 days ago (lunch — Q3 launch). Follow up?"
    [nudge_id] = dm.metadata["event_payload"]["ids"]  # type: ignore[index]
    labels = [label for _, label, _ in dm.buttons()]
    assert "Done" in labels and "Not needed" in labels

    assert slack.click("lee", dm, f"nudge_snooze:{nudge_id}", "1").ok
    wait_for(lambda: "Snoozed" in str(fake.message(dm.channel, dm.ts).blocks), what="the DM updated in place")
    snoozed = fake.message(dm.channel, dm.ts)
    assert snoozed.edited and "Thu 3 Dec" in str(snoozed.blocks) and snoozed.buttons() == []

    clock.advance(timedelta(hours=12))
    assert followups.sweep(team_id=fake.team_id).sent == 0
    clock.advance(timedelta(hours=12))
    assert followups.sweep(team_id=fake.team_id).sent == 1
    first, again = nudge_dms(fake, "lee")
    assert again.ts != first.ts and "maya" in again.text
    [again_id] = again.metadata["event_payload"]["ids"]  # type: ignore[index]

    assert slack.click("lee", again, f"nudge_done:{again_id}").ok
    wait_for(lambda: "Followed up with" in str(fake.message(again.channel, again.ts).blocks), what="Done in place")
    history = bot.container.services.interactions.history(fake.team_id, fake.user("lee").id, with_user=maya.id)
    assert len(history.entries) == 2, "Done logged a follow-up touch"
    assert followups.sweep(team_id=fake.team_id).claimed == 0


def test_keep_in_touch_button_sets_a_cadence(
    slack: HttpDriver, fake: FakeSlack, bot: EmbeddedBot, clock: ManualClock
) -> None:
    followups = bot.container.services.followups
    arjun = fake.user("arjun")
    assert slack.slash_command("lee", "/met", f"<@{arjun.id}|arjun> coffee follow up in 1d", channel="#coffee").ok
    wait_for(lambda: followups.pending(fake.team_id, fake.user("lee").id), what="the follow-up row")
    clock.advance(timedelta(days=1))
    followups.sweep(team_id=fake.team_id)
    [dm] = nudge_dms(fake, "lee")
    [nudge_id] = dm.metadata["event_payload"]["ids"]  # type: ignore[index]
    assert slack.click("lee", dm, f"nudge_cadence:{nudge_id}", "90").ok
    wait_for(lambda: "every 90 days" in str(fake.message(dm.channel, dm.ts).blocks), what="cadence confirmation")
    [cadence] = followups.list_cadences(fake.team_id, fake.user("lee").id)
    assert (cadence.contact_id, cadence.every_days) == (arjun.id, 90)


# --- faults: in-process, both clocks moved together ----------------------------------------------------------------

RECIPIENTS = ["maya", "lee", "arjun", "sofia", "nora", "theo", "carlos", "zoe", "grace", "david"]


@pytest.fixture
def fake_clock() -> FakeMonotonic:
    return FakeMonotonic()


@pytest.fixture
def faulty(fake_clock: FakeMonotonic) -> Iterator[FakeSlack]:
    seed = dataclasses.replace(default_workspace(), team_id="T" + uuid.uuid4().hex[:10].upper())
    with FakeSlack(seed=seed, clock=fake_clock) as slack:
        yield slack


@pytest.fixture
def faulty_bot(faulty: FakeSlack, database_url: str, clock: ManualClock) -> Iterator[EmbeddedBot]:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        slack_bot_token=faulty.bot_token,  # type: ignore[arg-type]
        slack_signing_secret=faulty.signing_secret,  # type: ignore[arg-type]
        slack_api_url=faulty.api_url,
        database_url=database_url,
        rapport_slack_posts_per_second=50,
    )
    with EmbeddedBot(settings, clock=clock) as running:
        yield running


def seed_due_nudges(bot: EmbeddedBot, fake: FakeSlack, per_person: int = 2) -> set[int]:
    """Due follow-ups for ten people, all inside 24/7 working hours."""
    followups = bot.container.services.followups
    now = bot.container.services.clock.now()
    ids: set[int] = set()
    everywhere = NudgeSettings(work_start=time(0), work_end=time(0), work_days=ALL_DAYS, digest_enabled=False)
    for handle in RECIPIENTS:
        user_id = fake.user(handle).id
        followups.save_settings(fake.team_id, user_id, everywhere)
        with bot.container.unit_of_work() as uow:
            for index in range(per_person):
                contact = fake.user(RECIPIENTS[(RECIPIENTS.index(handle) + 1 + index) % len(RECIPIENTS)]).id
                ids.add(uow.nudges.add(fake.team_id, user_id, contact, NudgeKind.CADENCE, now, now))
            uow.commit()
    return ids


def sweep_until_done(bot: EmbeddedBot, fake: FakeSlack, clock: ManualClock, fake_clock: FakeMonotonic) -> int:
    sweeps = 0
    while True:
        sweeps += 1
        bot.container.services.followups.sweep(team_id=fake.team_id)
        with bot.container.unit_of_work() as uow:
            counts = uow.nudges.status_counts(fake.team_id)
        if set(counts) == {"sent"}:
            return sweeps
        assert sweeps < 60, counts
        clock.advance(timedelta(seconds=30))
        fake_clock.advance(30)


def test_429_storm_loses_and_duplicates_nothing(
    faulty: FakeSlack, faulty_bot: EmbeddedBot, clock: ManualClock, fake_clock: FakeMonotonic
) -> None:
    ids = seed_due_nudges(faulty_bot, faulty)
    faulty.faults.add(Fault(method="chat.postMessage", kind="ratelimit", count=15, retry_after=2))
    sweeps = sweep_until_done(faulty_bot, faulty, clock, fake_clock)
    assert sweeps > 1, "the storm forced retries"
    delivered = delivered_ids(faulty, RECIPIENTS)
    assert set(delivered) == ids and set(delivered.values()) == {1}


def test_5xx_for_a_minute_loses_and_duplicates_nothing(
    faulty: FakeSlack, faulty_bot: EmbeddedBot, clock: ManualClock, fake_clock: FakeMonotonic
) -> None:
    ids = seed_due_nudges(faulty_bot, faulty)
    faulty.faults.add(Fault(method="chat.postMessage", kind="http_500", until=fake_clock() + 60))
    faulty_bot.container.services.followups.sweep(team_id=faulty.team_id)
    assert delivered_ids(faulty, RECIPIENTS) == Counter(), "nothing gets through while Slack answers 500"
    sweep_until_done(faulty_bot, faulty, clock, fake_clock)
    delivered = delivered_ids(faulty, RECIPIENTS)
    assert set(delivered) == ids and set(delivered.values()) == {1}


def test_deactivated_recipient_gets_nothing(
    slack: HttpDriver, fake: FakeSlack, bot: EmbeddedBot, clock: ManualClock
) -> None:
    pat = fake.user("pat")  # deactivated in the seed
    now = clock.now()
    with bot.container.unit_of_work() as uow:
        uow.workspaces.ensure(fake.team_id, now)
        uow.nudges.add(fake.team_id, pat.id, fake.user("lee").id, NudgeKind.CADENCE, now, now)
        uow.commit()
    clock.advance(timedelta(hours=1))
    report = bot.container.services.followups.sweep(team_id=fake.team_id)
    assert report.errors == {"user_deleted": 1}
    assert fake.calls("chat.postMessage") == []
