"""Less central Web API methods: listing conversations, join, reactions.remove, permalinks, scheduled messages,
file uploads (v2 flow of slack_sdk's files_upload_v2)."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.sandbox.client import HttpDriver
from bot.sandbox.slack import ALL_SCOPES, AppHome, FakeSlack


def slack_error(call: Any) -> str:
    with pytest.raises(SlackApiError) as raised:
        call()
    return str(raised.value.response["error"])


def test_conversations_list_and_users_conversations(fake: FakeSlack, client: WebClient) -> None:
    public = {c["name"] for c in client.conversations_list()["channels"]}
    assert public == {"general", "coffee", "random"}
    every = client.conversations_list(types="public_channel,private_channel,im,mpim", limit=2)
    assert len(every["channels"]) == 2
    assert every["response_metadata"]["next_cursor"]
    fake.dm_channel("maya")
    mine = {c["id"] for c in client.users_conversations(types="public_channel,im")["channels"]}
    assert mine == {fake.channel_id("general"), fake.channel_id("coffee"), fake.dm_channel("maya")}
    assert slack_error(lambda: client.conversations_list(types="nope")) == "invalid_types"


def test_conversations_join(fake: FakeSlack, client: WebClient) -> None:
    random_id = fake.channel_id("random")
    assert client.conversations_join(channel=random_id)["channel"]["is_member"] is True
    client.chat_postMessage(channel=random_id, text="joined")
    assert client.conversations_join(channel=random_id)["warning"] == "already_in_channel"


def test_reactions_remove_and_permalink(fake: FakeSlack, client: WebClient) -> None:
    coffee = fake.channel_id("coffee")
    ts = client.chat_postMessage(channel=coffee, text="hi")["ts"]
    client.reactions_add(channel=coffee, timestamp=ts, name="wave")
    client.reactions_remove(channel=coffee, timestamp=ts, name="wave")
    assert fake.message(coffee, ts).reactions == {}
    assert slack_error(lambda: client.reactions_remove(channel=coffee, timestamp=ts, name="wave")) == "no_reaction"
    link = client.chat_getPermalink(channel=coffee, message_ts=ts)["permalink"]
    assert link == f"https://rapport-sandbox.slack.com/archives/{coffee}/p{ts.replace('.', '')}"


def test_scheduled_messages_follow_the_wall_clock() -> None:
    now = [1_790_000_000.0]
    with FakeSlack(scopes=ALL_SCOPES, wall_clock=lambda: now[0]) as fake:
        client = WebClient(base_url=fake.api_url, token=fake.bot_token)
        maya = fake.user("maya").id
        assert slack_error(lambda: client.chat_scheduleMessage(channel=maya, post_at=int(now[0]) - 1, text="x")) == (
            "time_in_past"
        )
        first = client.chat_scheduleMessage(channel=maya, post_at=int(now[0]) + 60, text="in a minute")
        second = client.chat_scheduleMessage(channel=maya, post_at=int(now[0]) + 3600, text="in an hour")
        assert first["scheduled_message_id"].startswith("Q")
        listed = client.chat_scheduledMessages_list()["scheduled_messages"]
        assert [item["text"] for item in listed] == ["in a minute", "in an hour"]
        client.chat_deleteScheduledMessage(
            channel=second["channel"], scheduled_message_id=second["scheduled_message_id"]
        )
        assert fake.messages("maya") == []
        now[0] += 61
        assert [m.text for m in fake.messages("maya")] == ["in a minute"]
        assert fake.messages("maya")[0].ts.startswith(str(int(now[0])))
        assert client.chat_scheduledMessages_list()["scheduled_messages"] == []


def test_files_upload_v2(fake: FakeSlack, client: WebClient) -> None:
    coffee = fake.channel_id("coffee")
    answer = client.files_upload_v2(
        channel=coffee, content="name,met\nmaya,3\n", filename="export.csv", title="Export", initial_comment="Here"
    )
    assert answer["file"]["title"] == "Export"
    [stored] = fake.files()
    assert stored.content == b"name,met\nmaya,3\n"
    [message] = fake.messages(coffee)
    assert message.text == "Here"
    assert message.files[0]["id"] == stored.id
    assert stored.shares == [(coffee, message.ts)]


def test_app_home_switches_are_enforced(client: WebClient) -> None:
    home = {"type": "home", "blocks": []}
    with FakeSlack(scopes=ALL_SCOPES, app_home=AppHome(home_tab_enabled=False, messages_tab_enabled=False)) as fake:
        strict = WebClient(base_url=fake.api_url, token=fake.bot_token)
        maya = fake.user("maya").id
        assert slack_error(lambda: strict.views_publish(user_id=maya, view=home)) == "not_enabled"
        assert slack_error(lambda: strict.chat_postMessage(channel=maya, text="hi")) == "messages_tab_disabled"
        strict.chat_postMessage(channel=fake.channel_id("coffee"), text="channels still work")
        driver = HttpDriver(fake, "http://127.0.0.1:9/unused")
        with pytest.raises(PermissionError):
            driver.app_home_opened("maya")
        with pytest.raises(PermissionError):
            driver.message("maya", maya, "hello bot")


def test_app_home_defaults_come_from_the_manifest() -> None:
    from bot.sandbox.slack.manifest import manifest_app_home

    declared = manifest_app_home()
    settings = AppHome.from_manifest()
    if declared is None:
        assert settings == AppHome()
    else:
        assert settings.home_tab_enabled == declared.get("home_tab_enabled", False)
        assert settings.messages_tab_enabled == declared.get("messages_tab_enabled", False)
