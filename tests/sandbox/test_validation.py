"""Unit tests of the fake Slack's method catalog: Slack's argument and scope rules."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest

from bot.sandbox.slack.validation import MethodCatalog, SlackError, scopes_from_manifest

BOT_METHODS = [
    "auth.test",
    "team.info",
    "users.info",
    "users.list",
    "users.lookupByEmail",
    "conversations.open",
    "conversations.info",
    "conversations.members",
    "conversations.list",
    "conversations.history",
    "conversations.join",
    "chat.postMessage",
    "chat.update",
    "chat.postEphemeral",
    "chat.delete",
    "chat.getPermalink",
    "chat.scheduleMessage",
    "reactions.add",
    "reactions.remove",
    "views.open",
    "views.update",
    "views.push",
    "views.publish",
    "files.getUploadURLExternal",
    "files.completeUploadExternal",
    "apps.connections.open",
    "bots.info",
    "oauth.v2.access",
]
ALL_SCOPES = {
    "chat:write",
    "users:read",
    "users:read.email",
    "team:read",
    "channels:read",
    "groups:read",
    "im:read",
    "mpim:read",
    "im:write",
    "mpim:write",
    "channels:history",
    "channels:join",
    "reactions:write",
    "files:write",
}


@pytest.fixture(scope="module")
def catalog() -> MethodCatalog:
    return MethodCatalog.load()


def test_catalog_covers_every_method_the_bot_uses(catalog: MethodCatalog) -> None:
    missing = [m for m in BOT_METHODS if m not in catalog]
    assert missing == []


def test_packaged_json_is_readable_via_importlib_resources() -> None:
    raw = json.loads(resources.files("bot.sandbox").joinpath("data", "methods.json").read_text())
    assert raw["methods"]["chat.postMessage"]["http_method"] == "POST"


@pytest.mark.parametrize(
    ("method", "tier"),
    [
        ("chat.postMessage", "special"),
        ("users.list", 2),
        ("conversations.open", 3),
        ("reactions.add", 3),
        ("users.info", 4),
        ("views.publish", 4),
        ("chat.postEphemeral", 4),
    ],
)
def test_tiers_follow_slack_docs(catalog: MethodCatalog, method: str, tier: object) -> None:
    assert catalog.tier(method) == tier


def test_unknown_method(catalog: MethodCatalog) -> None:
    assert catalog.check_call("chat.postMesage", {}, ALL_SCOPES) == SlackError("unknown_method")


def test_valid_post_message_passes(catalog: MethodCatalog) -> None:
    assert catalog.check_call("chat.postMessage", {"channel": "C123", "text": "hi", "token": "x"}, ALL_SCOPES) is None


def test_missing_scope_names_needed_and_provided(catalog: MethodCatalog) -> None:
    error = catalog.check_call("chat.postMessage", {"channel": "C1", "text": "hi"}, {"users:read", "channels:read"})
    assert error == SlackError("missing_scope", {"needed": "chat:write", "provided": "channels:read,users:read"})


def test_scope_is_checked_before_arguments(catalog: MethodCatalog) -> None:
    error = catalog.check_call("chat.postMessage", {}, set())
    assert error is not None and error.error == "missing_scope"


def test_missing_channel_is_channel_not_found(catalog: MethodCatalog) -> None:
    assert catalog.check_call("chat.postMessage", {"text": "hi"}, ALL_SCOPES) == SlackError("channel_not_found")
    assert catalog.check_call("chat.postMessage", {"channel": "", "text": "hi"}, ALL_SCOPES) == SlackError(
        "channel_not_found"
    )


@pytest.mark.parametrize(
    ("method", "args", "code"),
    [
        ("users.info", {}, "user_not_found"),
        ("users.lookupByEmail", {}, "users_not_found"),
        ("chat.update", {"channel": "C1", "text": "x"}, "message_not_found"),
        ("chat.postEphemeral", {"channel": "C1", "text": "x"}, "user_not_in_channel"),
        ("reactions.add", {"name": "tada", "channel": "C1"}, "no_item_specified"),
        ("reactions.add", {"channel": "C1", "timestamp": "1.2"}, "invalid_name"),
        ("conversations.open", {}, "users_list_not_supplied"),
        ("chat.postMessage", {"channel": "C1"}, "no_text"),
        ("chat.postMessage", {"channel": "C1", "text": "a", "markdown_text": "**a**"}, "markdown_text_conflict"),
        ("files.getUploadURLExternal", {"filename": "a.txt"}, "missing_argument"),
    ],
)
def test_missing_arguments_answer_the_methods_own_error(
    catalog: MethodCatalog, method: str, args: dict[str, object], code: str
) -> None:
    error = catalog.check_call(method, args, ALL_SCOPES)
    assert error is not None and error.error == code


def test_views_open_without_view_is_invalid_arguments_with_message(catalog: MethodCatalog) -> None:
    error = catalog.check_call("views.open", {"trigger_id": "1.2.abc"}, set())
    assert error is not None
    assert error.error == "invalid_arguments"
    assert error.extra["response_metadata"]["messages"] == ["[ERROR] missing required field: view"]


def test_views_open_needs_exactly_one_trigger(catalog: MethodCatalog) -> None:
    assert catalog.check_call("views.open", {"view": "{}"}, set()) is not None
    assert catalog.check_call("views.open", {"view": "{}", "trigger_id": "1.2.a"}, set()) is None
    both = {"view": "{}", "trigger_id": "1.2.a", "interactivity_pointer": "1.2.a"}
    assert catalog.check_call("views.open", both, set()) is not None


def test_views_need_no_scope(catalog: MethodCatalog) -> None:
    assert catalog.check_call("views.publish", {"user_id": "U1", "view": "{}"}, set()) is None


def test_conversations_scopes_follow_the_channel_type(catalog: MethodCatalog) -> None:
    args = {"channel": "G1"}
    error = catalog.check_call("conversations.history", args, {"channels:history"}, channel_type="private")
    assert error == SlackError("missing_scope", {"needed": "groups:history", "provided": "channels:history"})
    assert catalog.check_call("conversations.history", args, {"channels:history"}, channel_type="public") is None


def test_conversations_without_known_type_accept_any_of_the_scopes(catalog: MethodCatalog) -> None:
    assert catalog.check_call("conversations.info", {"channel": "C1"}, {"im:read"}) is None
    error = catalog.check_call("conversations.info", {"channel": "C1"}, {"chat:write"})
    assert error is not None and error.error == "missing_scope"
    assert set(error.extra["needed"].split(",")) == {"channels:read", "groups:read", "im:read", "mpim:read"}


def test_conversations_list_needs_a_scope_per_requested_type(catalog: MethodCatalog) -> None:
    granted = {"channels:read", "groups:read"}
    assert catalog.check_call("conversations.list", {}, granted) is None
    error = catalog.check_call("conversations.list", {"types": "public_channel,im"}, granted)
    assert error == SlackError("missing_scope", {"needed": "im:read", "provided": "channels:read,groups:read"})


def test_conversations_open_needs_im_or_mpim_write(catalog: MethodCatalog) -> None:
    assert catalog.check_call("conversations.open", {"users": "U1"}, {"im:write"}) is None
    error = catalog.check_call("conversations.open", {"users": "U1,U2"}, {"im:write"})
    assert error is not None and error.extra["needed"] == "mpim:write"


def test_socket_mode_needs_an_app_level_token(catalog: MethodCatalog) -> None:
    assert catalog.check_call("apps.connections.open", {}, set(), token_type="app") is None
    assert catalog.check_call("apps.connections.open", {}, ALL_SCOPES) == SlackError("not_allowed_token_type")
    assert catalog.check_call("chat.postMessage", {"channel": "C1", "text": "x"}, ALL_SCOPES, token_type="app") == (
        SlackError("not_allowed_token_type")
    )


def test_unknown_arguments_are_ignored_but_reported(catalog: MethodCatalog) -> None:
    args = {"channel": "C1", "text": "x", "token": "t", "colour": "red"}
    assert catalog.check_call("chat.postMessage", args, ALL_SCOPES) is None
    assert catalog.unknown_args("chat.postMessage", args) == ["colour"]
    assert catalog.unknown_args("nope.nope", args) == []


def test_malformed_argument_name_is_invalid_arg_name(catalog: MethodCatalog) -> None:
    error = catalog.check_call("chat.postMessage", {"channel": "C1", "text": "x", "bad-name": 1}, ALL_SCOPES)
    assert error == SlackError("invalid_arg_name")


def test_error_body_shape() -> None:
    body = SlackError("missing_scope", {"needed": "chat:write", "provided": ""}).to_body()
    assert body == {"ok": False, "error": "missing_scope", "needed": "chat:write", "provided": ""}


def test_scopes_from_manifest(tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.yml"
    manifest.write_text(
        "display_information:\n  name: Rapport\noauth_config:\n  scopes:\n    bot:\n      - chat:write\n"
        "      - users:read\n"
    )
    assert scopes_from_manifest(manifest) == {"chat:write", "users:read"}
    empty = tmp_path / "empty.yml"
    empty.write_text("display_information:\n  name: x\n")
    assert scopes_from_manifest(empty) == set()


# The few method files build_methods.py reads, vendored from the shared slack-specs (tests/data/NOTICE.md).
REFERENCE = Path(__file__).resolve().parents[1] / "data" / "slack-specs" / "method-reference"


def test_committed_methods_json_matches_its_generator(tmp_path: Path) -> None:
    script = Path(__file__).resolve().parents[2] / "bot" / "sandbox" / "data" / "build_methods.py"
    out = tmp_path / "methods.json"
    subprocess.run([sys.executable, str(script), str(REFERENCE), "--out", str(out)], check=True, capture_output=True)
    packaged = resources.files("bot.sandbox").joinpath("data", "methods.json").read_text()
    assert json.loads(out.read_text()) == json.loads(packaged)
