"""The seeded workspace: deterministic, realistic, addressable by handle; workspace edits for tests."""

from __future__ import annotations

import re
from collections import Counter

from slack_sdk import WebClient

from bot.sandbox.seed import default_workspace
from bot.sandbox.slack import FakeSlack

USER_ID = re.compile(r"^U[A-Z0-9]{8,}$")
CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{8,}$")


def test_default_workspace_is_deterministic_and_well_formed() -> None:
    seed = default_workspace()
    assert seed == default_workspace()
    people = [user for user in seed.users if not user.is_bot]
    assert 25 <= len(people) <= 35
    assert all(USER_ID.match(user.id) for user in seed.users)
    assert all(CHANNEL_ID.match(channel.id) for channel in seed.channels)
    assert len({user.id for user in seed.users}) == len(seed.users)
    assert len({user.handle for user in seed.users}) == len(seed.users)
    assert all(user.handle == user.handle.lower() for user in seed.users)
    teams = Counter(user.department for user in people)
    assert {"Engineering", "Design", "Sales", "Marketing", "People", "Finance"} <= set(teams)
    zones = {user.tz for user in people}
    assert {"America/Los_Angeles", "Europe/London", "Asia/Kolkata", "Asia/Tokyo", "Australia/Sydney"} <= zones
    assert sum(user.deleted for user in seed.users) == 2
    assert [user.handle for user in seed.users if user.is_bot] == ["rapport", "polly"]


def test_bot_membership() -> None:
    seed = default_workspace()
    bot = seed.bot.id
    assert bot in seed.channel("general").members
    assert bot in seed.channel("#coffee").members
    assert bot not in seed.channel("random").members
    leadership = seed.channel("leadership")
    assert leadership.is_private
    assert bot not in leadership.members


def test_handles_and_workspace_edits(fake: FakeSlack, client: WebClient) -> None:
    assert fake.user("maya").real_name == "Maya Chen"
    assert fake.user(fake.user("maya").id).handle == "maya"
    newcomer = fake.add_user(
        "noor", "Noor Aziz", title="Analyst", department="Finance", tz="Asia/Dubai", channels=("coffee",)
    )
    assert USER_ID.match(newcomer.id)
    info = client.users_info(user=newcomer.id)["user"]
    assert info["tz"] == "Asia/Dubai"
    assert info["tz_offset"] == 4 * 3600
    assert newcomer.id in client.conversations_members(channel=fake.channel_id("coffee"))["members"]
    fake.deactivate("noor")
    assert client.users_info(user=newcomer.id)["user"]["deleted"] is True
    fake.join("random", "rapport")
    client.chat_postMessage(channel=fake.channel_id("random"), text="now I can post")
    fake.leave("random", "rapport")
    assert fake.channel_id("#random") == "C0RPTRANDM"


def test_conversations_lists_channels_and_opened_dms(fake: FakeSlack) -> None:
    assert {c.name for c in fake.conversations()} == {"general", "coffee", "random", "leadership"}
    dm = fake.dm_channel("maya")
    group = fake.dm_channel(["maya", "lee"])
    mine = {c.id for c in fake.conversations(member="maya")}
    assert {dm, group, fake.channel_id("general"), fake.channel_id("coffee"), fake.channel_id("random")} == mine
    assert [c.kind for c in fake.conversations() if c.id in {dm, group}] == ["im", "mpim"]
