"""Every field the fake answers exists in Slack's own response samples (java-slack-sdk shapes): no invented names."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from slack_sdk import WebClient

from bot.sandbox.fake_slack import FakeSlack

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


@pytest.mark.parametrize("method", [name for name in SHAPES if not name.startswith("_")])
def test_response_fields_exist_in_slack_samples(fake: FakeSlack, client: WebClient, method: str) -> None:
    answer = calls(fake, client)[method]().data
    unknown = sorted(
        path
        for path in field_paths(answer) - set(SHAPES[method])
        if not any(path.startswith(allowed) for allowed in ALLOWED_EXTRA)
    )
    assert unknown == []
