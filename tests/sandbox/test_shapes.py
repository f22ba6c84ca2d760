"""Every field the fake answers exists in Slack's own response samples (java-slack-sdk shapes): no invented names."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from slack_sdk import WebClient

from bot.sandbox.client import Driver, DriverResponse
from bot.sandbox.slack import FakeSlack
from tests.sandbox.bolt_app import UNDO_BLOCKS, form_view

SHAPES: dict[str, Any] = json.loads((Path(__file__).parent / "data" / "java_shape_paths.json").read_text())
# Real fields the shape samples happen not to contain: custom profile fields are keyed by field id, and
# parent_conversation is in Slack's conversations.info docs.
ALLOWED_EXTRA = ("user.profile.fields", "members[].profile.fields", "channel.parent_conversation")


def field_paths(obj: Any, prefix: str = "") -> set[str]:
    """Dotted paths of every key (lists: first item, marked [])."""
    found: set[str] = set()
    if isinstance(obj, dict):
        for key, value in obj.items():
            path = f"{prefix}.{key}" if prefix else key
            found.add(path)
            found |= field_paths(value, path)
    elif isinstance(obj, list) and obj:
        found |= field_paths(obj[0], prefix + "[]")
    return found


def calls(fake: FakeSlack, client: WebClient) -> dict[str, Callable[[], Any]]:
    maya = fake.user("maya").id
    coffee = fake.channel_id("coffee")
    app_client = WebClient(base_url=fake.api_url, token=fake.app_token)
    return {
        "users.info": lambda: client.users_info(user=maya),
        "users.list": lambda: client.users_list(limit=3),
        "conversations.info": lambda: client.conversations_info(channel=coffee),
        "conversations.members": lambda: client.conversations_members(channel=coffee, limit=2),
        "auth.test": client.auth_test,
        "team.info": client.team_info,
        "chat.postEphemeral": lambda: client.chat_postEphemeral(channel=coffee, user=maya, text="x"),
        "apps.connections.open": lambda: app_client.apps_connections_open(app_token=fake.app_token),
    }


@pytest.mark.parametrize("method", [name for name in SHAPES if "." in name])
def test_response_fields_exist_in_slack_samples(fake: FakeSlack, client: WebClient, method: str) -> None:
    answer = calls(fake, client)[method]().data
    unknown = sorted(
        path
        for path in field_paths(answer) - set(SHAPES[method])
        if not any(path.startswith(allowed) for allowed in ALLOWED_EXTRA)
    )
    assert unknown == []


class CapturingDriver(Driver):
    """Builds payloads exactly like the real drivers and keeps them instead of sending them."""

    def __init__(self, fake: FakeSlack) -> None:
        super().__init__(fake)
        self.sent: list[dict[str, Any]] = []

    def _deliver(self, kind: str, payload: dict[str, Any]) -> DriverResponse:
        self.sent.append(payload)
        return DriverResponse(status=200, body="")

    def _deliver_event(self, payload: dict[str, Any]) -> DriverResponse:
        self.sent.append(payload)
        return DriverResponse(status=200, body="")


# Real fields the shape samples lack: state.values (keyed by block ids), response_urls, and the context_* ids
# Slack added to event wrappers; anything under blocks is checked by blockkit, not here.
PAYLOAD_ALLOWED_EXTRA = ("state.values", "view.state.values", "response_urls", "context_", "message.blocks")


def test_driver_payload_fields_exist_in_slack_samples(fake: FakeSlack, client: WebClient) -> None:
    driver = CapturingDriver(fake)
    driver.slash_command("maya", "/met", "lee")
    client.chat_postMessage(channel=fake.channel_id("coffee"), text="t", blocks=UNDO_BLOCKS)
    driver.click("maya", fake.messages("#coffee")[0], "met_undo")
    client.views_open(trigger_id=fake.mint_trigger("maya"), view=form_view(notify_on_close=True))
    driver.submit_view("maya", fake.views("maya")[0], {"kind": "coffee"})
    client.views_open(trigger_id=fake.mint_trigger("maya"), view=form_view(notify_on_close=True))
    driver.close_view("maya", fake.views("maya")[0])
    driver.app_home_opened("maya")
    driver.app_mention("maya", "#coffee", "hi")
    driver.uninstall_app()
    driver.member_joined_channel("ben", "#coffee")
    driver.message("maya", "#coffee", "yo")
    names = [
        "SlashCommandPayload",
        "BlockActionPayload",
        "ViewSubmissionPayload",
        "ViewClosedPayload",
        "AppHomeOpenedPayload",
        "AppMentionPayload",
        "TokensRevokedPayload",
        "AppUninstalledPayload",
        "MemberJoinedChannelPayload",
        "MessagePayload",
    ]
    assert len(driver.sent) == len(names)
    for name, payload in zip(names, driver.sent, strict=True):
        unknown = sorted(
            path
            for path in field_paths(payload) - set(SHAPES[name])
            if not path.startswith(PAYLOAD_ALLOWED_EXTRA) and ".blocks" not in path
        )
        assert unknown == [], name
