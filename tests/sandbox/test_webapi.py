"""The fake's Web API through a real slack_sdk WebClient over HTTP: shapes, state and Slack's refusals."""

from __future__ import annotations

import json
import re
import urllib.parse
import urllib.request
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.sandbox.slack import FakeSlack

USER_ID = re.compile(r"^[UW][A-Z0-9]{8,}$")
CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{8,}$")
TS = re.compile(r"^\d{10}\.\d{6}$")
BUTTON_BLOCKS = [
    {
        "type": "actions",
        "block_id": "undo_block",
        "elements": [
            {"type": "button", "action_id": "met_undo", "text": {"type": "plain_text", "text": "Undo"}, "value": "7"}
        ],
    }
]
MODAL = {
    "type": "modal",
    "callback_id": "met_form",
    "title": {"type": "plain_text", "text": "Log a meeting"},
    "submit": {"type": "plain_text", "text": "Save"},
    "blocks": [
        {
            "type": "input",
            "block_id": "who",
            "label": {"type": "plain_text", "text": "Who"},
            "element": {"type": "users_select", "action_id": "person"},
        }
    ],
}
HOME = {"type": "home", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Hello"}}]}


def slack_error(call: Any) -> dict[str, Any]:
    """The error body of a call expected to fail."""
    with pytest.raises(SlackApiError) as raised:
        call()
    return dict(raised.value.response.data)


def test_auth_test_and_team_info(fake: FakeSlack, client: WebClient) -> None:
    auth = client.auth_test()
    assert auth["user_id"] == fake.bot_user_id
    assert auth["team_id"] == fake.team_id == "T0RAPPORT1"
    assert auth["bot_id"] == fake.bot_id
    team = client.team_info()["team"]
    assert team["id"] == fake.team_id
    assert team["domain"] == "rapport-sandbox"


def test_wrong_or_missing_token_is_refused(fake: FakeSlack) -> None:
    wrong = WebClient(base_url=fake.api_url, token="xoxb-wrong")
    assert slack_error(wrong.auth_test)["error"] == "invalid_auth"
    anonymous = WebClient(base_url=fake.api_url)
    assert slack_error(anonymous.auth_test)["error"] == "not_authed"


def test_token_in_body_and_get_query_string_are_accepted(fake: FakeSlack) -> None:
    maya = fake.user("maya")
    body = urllib.parse.urlencode({"token": fake.bot_token, "user": maya.id}).encode()
    with urllib.request.urlopen(f"{fake.api_url}users.info", data=body, timeout=5) as answer:
        assert json.loads(answer.read())["user"]["id"] == maya.id
    query = urllib.parse.urlencode({"token": fake.bot_token, "user": maya.id})
    with urllib.request.urlopen(f"{fake.api_url}users.info?{query}", timeout=5) as answer:
        assert json.loads(answer.read())["user"]["name"] == "maya"


def test_users_info_shape(fake: FakeSlack, client: WebClient) -> None:
    maya = fake.user("maya")
    assert USER_ID.match(maya.id)
    user = client.users_info(user=maya.id)["user"]
    assert user["real_name"] == "Maya Chen"
    assert user["tz"] == "America/Los_Angeles"
    assert user["tz_offset"] in (-8 * 3600, -7 * 3600)
    assert user["is_bot"] is False
    assert user["deleted"] is False
    assert user["profile"]["title"] == "Staff Engineer"
    assert user["profile"]["display_name"] == "maya"
    assert user["profile"]["fields"]["Xf0RPTDEPT"] == {"value": "Engineering", "alt": "", "label": "Department"}


def test_users_info_for_bot_deactivated_and_unknown(fake: FakeSlack, client: WebClient) -> None:
    bot = client.users_info(user=fake.bot_user_id)["user"]
    assert bot["is_bot"] is True
    assert bot["profile"]["bot_id"] == fake.bot_id
    gone = client.users_info(user=fake.user("pat").id)["user"]
    assert gone["deleted"] is True
    assert slack_error(lambda: client.users_info(user="U0NOSUCH00"))["error"] == "user_not_found"


def test_users_list_paginates_with_cursor(fake: FakeSlack, client: WebClient) -> None:
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        page = client.users_list(limit=10, cursor=cursor) if cursor else client.users_list(limit=10)
        seen.extend(member["id"] for member in page["members"])
        pages += 1
        cursor = page["response_metadata"]["next_cursor"]
        if not cursor:
            break
    assert pages == 4
    assert len(seen) == len(set(seen)) == len(fake.users())
    assert fake.user("pat").id in seen
    assert "USLACKBOT" in seen
    assert slack_error(lambda: client.users_list(cursor="bm9wZQ=="))["error"] == "invalid_cursor"


def test_conversations_info_and_members(fake: FakeSlack, client: WebClient) -> None:
    general = fake.channel_id("general")
    info = client.conversations_info(channel=general, include_num_members=True)["channel"]
    assert info["name"] == "general"
    assert info["is_channel"] is True
    assert info["is_member"] is True
    assert info["is_general"] is True
    members: list[str] = []
    cursor = ""
    while True:
        page = client.conversations_members(channel=general, limit=7, cursor=cursor)
        members.extend(page["members"])
        cursor = page["response_metadata"]["next_cursor"]
        if not cursor:
            break
    assert len(members) == info["num_members"]
    assert fake.bot_user_id in members


def test_private_channel_the_bot_is_not_in_is_invisible(fake: FakeSlack, client: WebClient) -> None:
    leadership = fake.channel_id("leadership")
    assert slack_error(lambda: client.conversations_info(channel=leadership))["error"] == "channel_not_found"
    assert slack_error(lambda: client.chat_postMessage(channel=leadership, text="x"))["error"] == "channel_not_found"
    fake.join("leadership", "rapport")
    assert client.conversations_info(channel=leadership)["channel"]["is_private"] is True


def test_conversations_open_im_and_mpim(fake: FakeSlack, client: WebClient) -> None:
    maya, lee, arjun = (fake.user(name).id for name in ("maya", "lee", "arjun"))
    first = client.conversations_open(users=maya)
    assert first["channel"] == {"id": fake.dm_channel(maya)}
    assert first["channel"]["id"].startswith("D")
    again = client.conversations_open(users=maya, return_im=True)
    assert again["already_open"] is True
    assert again["channel"]["is_im"] is True
    assert again["channel"]["user"] == maya
    group = client.conversations_open(users=[maya, lee, arjun])["channel"]
    assert group["id"].startswith("G")
    assert group["is_mpim"] is True
    assert CHANNEL_ID.match(group["id"])
    assert fake.dm_channel([maya, lee, arjun]) == group["id"]
    assert set(client.conversations_members(channel=group["id"])["members"]) == {maya, lee, arjun, fake.bot_user_id}


def test_conversations_open_refusals(fake: FakeSlack, client: WebClient) -> None:
    nine = [user.id for user in fake.users() if not user.is_bot and not user.deleted][:9]
    assert slack_error(lambda: client.conversations_open(users=nine))["error"] == "too_many_users"
    assert slack_error(lambda: client.conversations_open(users="U0NOSUCH00"))["error"] == "user_not_found"
    assert slack_error(lambda: client.conversations_open(users=fake.user("pat").id))["error"] == "user_disabled"
    assert slack_error(lambda: client.api_call("conversations.open", params={}))["error"] == "users_list_not_supplied"


def test_post_message_to_user_id_lands_in_the_dm(fake: FakeSlack, client: WebClient) -> None:
    maya = fake.user("maya").id
    sent = client.chat_postMessage(channel=maya, text="Hello Maya", blocks=BUTTON_BLOCKS)
    assert sent["channel"] == fake.dm_channel(maya)
    assert TS.match(sent["ts"])
    assert sent["message"]["bot_id"] == fake.bot_id
    [message] = fake.messages(maya)
    assert message.text == "Hello Maya"
    assert message.user == fake.bot_user_id
    assert message.buttons() == [("met_undo", "Undo", "7")]
    assert fake.messages(sent["channel"])[0].ts == sent["ts"]


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
def test_post_message_checks_membership_and_content(fake: FakeSlack, client: WebClient) -> None:
    random_id = fake.channel_id("random")
    assert slack_error(lambda: client.chat_postMessage(channel=random_id, text="hi"))["error"] == "not_in_channel"
    assert slack_error(lambda: client.chat_postMessage(channel="C0NOSUCH00", text="hi"))["error"] == "channel_not_found"
    assert slack_error(lambda: client.chat_postMessage(channel=fake.channel_id("coffee")))["error"] == "no_text"
    too_many = [{"type": "divider"}] * 51
    refused = slack_error(lambda: client.chat_postMessage(channel=fake.channel_id("coffee"), blocks=too_many))
    assert refused["error"] == "invalid_blocks"
    assert refused["errors"]


def test_thread_reply_is_stored_with_thread_ts(fake: FakeSlack, client: WebClient) -> None:
    coffee = fake.channel_id("coffee")
    parent = client.chat_postMessage(channel=coffee, text="Round 1")["ts"]
    client.chat_postMessage(channel=coffee, text="pairs", thread_ts=parent)
    messages = fake.messages(coffee)
    assert [m.thread_ts for m in messages] == [None, parent]
    replies = client.conversations_replies(channel=coffee, ts=parent)["messages"]
    assert [m["text"] for m in replies] == ["Round 1", "pairs"]


def test_ephemeral_is_visible_only_to_its_user(fake: FakeSlack, client: WebClient) -> None:
    coffee = fake.channel_id("coffee")
    maya = fake.user("maya").id
    answer = client.chat_postEphemeral(channel=coffee, user=maya, text="only you")
    assert TS.match(answer["message_ts"])
    assert [m.text for m in fake.messages(coffee, as_user="maya")] == ["only you"]
    assert fake.messages(coffee, as_user="lee") == []
    assert fake.messages(coffee) == []
    ben = fake.user("ben").id
    refused = slack_error(lambda: client.chat_postEphemeral(channel=coffee, user=ben, text="x"))
    assert refused["error"] == "user_not_in_channel"


def test_update_and_delete(fake: FakeSlack, client: WebClient) -> None:
    coffee = fake.channel_id("coffee")
    ts = client.chat_postMessage(channel=coffee, text="v1", blocks=BUTTON_BLOCKS)["ts"]
    updated = client.chat_update(channel=coffee, ts=ts, text="v2", blocks=[])
    assert updated["ts"] == ts
    assert updated["text"] == "v2"
    [message] = fake.messages(coffee)
    assert message.text == "v2"
    assert message.buttons() == []
    assert message.edited
    assert slack_error(lambda: client.chat_update(channel=coffee, ts="1.000001", text="x"))["error"] == (
        "message_not_found"
    )
    human = fake.post_as_user("maya", coffee, "my own words")
    assert slack_error(lambda: client.chat_update(channel=coffee, ts=human.ts, text="x"))["error"] == (
        "cant_update_message"
    )
    assert slack_error(lambda: client.chat_delete(channel=coffee, ts=human.ts))["error"] == "cant_delete_message"
    assert client.chat_delete(channel=coffee, ts=ts)["ts"] == ts
    assert [m.text for m in fake.messages(coffee)] == ["my own words"]


def test_reactions_add(fake: FakeSlack, client: WebClient) -> None:
    coffee = fake.channel_id("coffee")
    message = fake.post_as_user("maya", coffee, "coffee anyone?")
    client.reactions_add(channel=coffee, timestamp=message.ts, name=":coffee:")
    assert fake.message(coffee, message.ts).reactions == {"coffee": [fake.bot_user_id]}
    again = slack_error(lambda: client.reactions_add(channel=coffee, timestamp=message.ts, name="coffee"))
    assert again["error"] == "already_reacted"
    bad = slack_error(lambda: client.reactions_add(channel=coffee, timestamp=message.ts, name="Not An Emoji"))
    assert bad["error"] == "invalid_name"


def test_views_open_needs_a_fresh_single_use_trigger(fake: FakeSlack, client: WebClient) -> None:
    maya = fake.user("maya").id
    trigger = fake.mint_trigger(maya)
    opened = client.views_open(trigger_id=trigger, view=MODAL)["view"]
    assert opened["id"].startswith("V")
    assert opened["callback_id"] == "met_form"
    assert opened["root_view_id"] == opened["id"]
    assert [v["id"] for v in fake.views("maya")] == [opened["id"]]
    assert slack_error(lambda: client.views_open(trigger_id=trigger, view=MODAL))["error"] == "exchanged_trigger_id"
    assert slack_error(lambda: client.views_open(trigger_id="1.2.nope", view=MODAL))["error"] == "invalid_trigger_id"


def test_expired_trigger_is_refused() -> None:
    now = [1000.0]
    with FakeSlack(clock=lambda: now[0]) as fake:
        client = WebClient(base_url=fake.api_url, token=fake.bot_token)
        trigger = fake.mint_trigger("maya")
        now[0] += 3.5
        assert slack_error(lambda: client.views_open(trigger_id=trigger, view=MODAL))["error"] == "expired_trigger_id"


def test_views_push_update_and_limits(fake: FakeSlack, client: WebClient) -> None:
    maya = fake.user("maya").id
    root = client.views_open(trigger_id=fake.mint_trigger(maya), view=MODAL)["view"]
    pushed = client.views_push(trigger_id=fake.mint_trigger(maya), view=dict(MODAL, callback_id="second"))["view"]
    assert pushed["previous_view_id"] == root["id"]
    assert pushed["root_view_id"] == root["id"]
    client.views_push(trigger_id=fake.mint_trigger(maya), view=MODAL)
    refused = slack_error(lambda: client.views_push(trigger_id=fake.mint_trigger(maya), view=MODAL))
    assert refused["error"] == "push_limit_reached"
    updated = client.views_update(view_id=root["id"], view=dict(MODAL, private_metadata="42"), hash=root["hash"])
    assert updated["view"]["private_metadata"] == "42"
    assert updated["view"]["id"] == root["id"]
    stale = slack_error(lambda: client.views_update(view_id=root["id"], view=MODAL, hash=root["hash"]))
    assert stale["error"] == "hash_conflict"
    assert slack_error(lambda: client.views_update(view_id="V0NOSUCH00", view=MODAL))["error"] == "not_found"


def test_views_update_by_external_id(fake: FakeSlack, client: WebClient) -> None:
    maya = fake.user("maya").id
    client.views_open(trigger_id=fake.mint_trigger(maya), view=dict(MODAL, external_id="met-1"))
    updated = client.views_update(external_id="met-1", view=dict(MODAL, external_id="met-1", private_metadata="x"))
    assert updated["view"]["private_metadata"] == "x"
    assert fake.views("maya")[0]["private_metadata"] == "x"


def test_view_title_too_long_is_invalid_blocks(fake: FakeSlack, client: WebClient) -> None:
    view = dict(MODAL, title={"type": "plain_text", "text": "x" * 25})
    refused = slack_error(lambda: client.views_open(trigger_id=fake.mint_trigger("maya"), view=view))
    assert refused["error"] == "invalid_blocks"


def test_views_publish_home(fake: FakeSlack, client: WebClient) -> None:
    maya = fake.user("maya").id
    assert fake.home("maya") is None
    first = client.views_publish(user_id=maya, view=HOME)["view"]
    second = client.views_publish(user_id=maya, view=dict(HOME, private_metadata="v2"))["view"]
    assert first["id"] == second["id"]
    home = fake.home("maya")
    assert home is not None
    assert home["type"] == "home"
    assert home["private_metadata"] == "v2"
    stale = slack_error(lambda: client.views_publish(user_id=maya, view=HOME, hash=first["hash"]))
    assert stale["error"] == "hash_conflict"


def test_every_call_is_recorded_without_token(fake: FakeSlack, client: WebClient) -> None:
    client.auth_test()
    client.chat_postMessage(channel=fake.user("maya").id, text="hi")
    assert [call.method for call in fake.calls()] == ["auth.test", "chat.postMessage"]
    [post] = fake.calls("chat.postMessage")
    assert post.args["text"] == "hi"
    assert "token" not in post.args


def test_missing_scope_from_manifest_scopes() -> None:
    with FakeSlack(scopes={"chat:write", "users:read"}) as fake:
        client = WebClient(base_url=fake.api_url, token=fake.bot_token)
        refused = slack_error(lambda: client.conversations_open(users=fake.user("maya").id))
        assert refused["error"] == "missing_scope"
        assert refused["needed"] == "im:write"
        user = client.users_info(user=fake.user("maya").id)["user"]
        assert "email" not in user["profile"]


def test_scopes_default_to_the_repository_manifest() -> None:
    from bot.sandbox.slack.manifest import manifest_bot_scopes

    declared = manifest_bot_scopes()
    with FakeSlack() as fake:
        if declared is None:
            assert "anything:at_all" in fake.scopes
        else:
            assert set(fake.scopes) == declared


def test_app_token_only_for_connections_open(fake: FakeSlack, client: WebClient) -> None:
    app_client = WebClient(base_url=fake.api_url, token=fake.app_token)
    url = app_client.apps_connections_open(app_token=fake.app_token)["url"]
    assert url.startswith("ws://127.0.0.1:")
    assert slack_error(lambda: client.apps_connections_open(app_token=fake.bot_token))["error"] == (
        "not_allowed_token_type"
    )
    assert slack_error(app_client.auth_test)["error"] == "not_allowed_token_type"


def test_concurrent_posts_get_unique_increasing_ts(fake: FakeSlack) -> None:
    from concurrent.futures import ThreadPoolExecutor

    coffee = fake.channel_id("coffee")

    def post(number: int) -> str:
        client = WebClient(base_url=fake.api_url, token=fake.bot_token)
        return str(client.chat_postMessage(channel=coffee, text=f"m{number}")["ts"])

    with ThreadPoolExecutor(max_workers=8) as pool:
        stamps = list(pool.map(post, range(80)))
    stored = [message.ts for message in fake.messages(coffee)]
    assert len(set(stamps)) == 80
    assert sorted(stored) == stored
    assert set(stored) == set(stamps)
    assert len(fake.calls("chat.postMessage")) == 80
