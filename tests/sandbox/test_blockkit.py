"""Unit tests of the fake Slack's Block Kit limits (what Slack answers invalid_blocks for)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox.slack.blockkit import (
    MAX_MESSAGE_TEXT,
    check_message_blocks,
    check_message_text,
    check_view,
    truncate_message_text,
)

# Vendored from the shared slack-specs (tests/data/NOTICE.md), so a fresh clone runs these.
SPECS = Path(__file__).resolve().parents[1] / "data" / "slack-specs" / "payloads"
VIEW_FILES = sorted((SPECS / "views").glob("*.json"))


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def section(text: str = "hi", **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": mrkdwn(text), **extra}


def button(action_id: str = "a", text: str = "Go", **extra: Any) -> dict[str, Any]:
    return {"type": "button", "action_id": action_id, "text": plain(text), **extra}


def option(text: str = "One", value: str = "1") -> dict[str, Any]:
    return {"text": plain(text), "value": value}


def modal(blocks: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"type": "modal", "title": plain("Log a meeting"), "submit": plain("Save"), "blocks": blocks, **extra}


def input_block(element: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    element = element or {"type": "plain_text_input", "action_id": "note"}
    return {"type": "input", "label": plain("Note"), "element": element, **extra}


def test_three_sample_views_are_vendored() -> None:
    assert len(VIEW_FILES) == 3


@pytest.mark.parametrize("path", VIEW_FILES, ids=lambda p: p.name)
def test_slack_sample_views_are_valid(path: Path) -> None:
    assert check_view(json.loads(path.read_text())) is None


def test_slack_sample_rich_modal_and_message_blocks_are_valid() -> None:
    envelope = json.loads((SPECS / "socket_mode" / "envelope_interactive_block_actions.json").read_text())
    assert check_view(envelope["payload"]["view"]) is None
    event = json.loads((SPECS / "http" / "event_message_channel.json").read_text())
    assert check_message_blocks(event["event"]["blocks"]) is None


def test_no_blocks_is_fine() -> None:
    assert check_message_blocks(None, "hello") is None
    assert check_message_blocks([]) is None


def test_fifty_blocks_per_message() -> None:
    assert check_message_blocks([{"type": "divider"}] * 50) is None
    reason = check_message_blocks([{"type": "divider"}] * 51)
    assert reason == "no more than 50 items allowed [json-pointer:/blocks]"


def test_hundred_blocks_per_view() -> None:
    assert check_view({"type": "home", "blocks": [{"type": "divider"}] * 100}) is None
    reason = check_view({"type": "home", "blocks": [{"type": "divider"}] * 101})
    assert reason is not None and "no more than 100 items" in reason


@pytest.mark.parametrize(
    ("blocks", "pointer"),
    [
        ([section("x" * 3001)], "/blocks/0/text/text"),
        ([{"type": "section", "fields": [mrkdwn("f")] * 11}], "/blocks/0/fields"),
        ([{"type": "section", "fields": [mrkdwn("f" * 2001)]}], "/blocks/0/fields/0/text"),
        ([{"type": "header", "text": plain("h" * 151)}], "/blocks/0/text/text"),
        ([{"type": "header", "text": mrkdwn("*h*")}], "/blocks/0/text/type"),
        ([{"type": "actions", "elements": [button("b", "x" * 76)]}], "/blocks/0/elements/0/text/text"),
        ([{"type": "actions", "elements": [button(value="v" * 2001)]}], "/blocks/0/elements/0/value"),
        ([{"type": "actions", "elements": [button(url="https://x/" + "u" * 3000)]}], "/blocks/0/elements/0/url"),
        ([{"type": "actions", "elements": [button(f"b{i}") for i in range(26)]}], "/blocks/0/elements"),
        ([{"type": "actions", "elements": []}], "/blocks/0/elements"),
        ([{"type": "context", "elements": [mrkdwn("c")] * 11}], "/blocks/0/elements"),
        ([{"type": "section", "text": {"type": "markdown", "text": "x"}}], "/blocks/0/text/type"),
        ([{"type": "section", "text": mrkdwn("")}], "/blocks/0/text/text"),
        ([{"type": "carousel"}], "/blocks/0/type"),
        ([section(block_id="b" * 256)], "/blocks/0/block_id"),
        ([section(block_id="same"), section(block_id="same")], "/blocks/1/block_id"),
        ([{"type": "actions", "elements": [button("a" * 256)]}], "/blocks/0/elements/0/action_id"),
        ([{"type": "actions", "elements": [button("dup"), button("dup")]}], "/blocks/0/elements/1/action_id"),
        ([section(accessory=button("dup")), {"type": "actions", "elements": [button("dup")]}], "/blocks/1/elements/0"),
        ([section(accessory={"type": "carousel_picker"})], "/blocks/0/accessory/type"),
        ([{"type": "section"}], "/blocks/0"),
    ],
)
def test_message_limits(blocks: list[dict[str, Any]], pointer: str) -> None:
    reason = check_message_blocks(blocks)
    assert reason is not None
    assert f"[json-pointer:{pointer}" in reason


def test_limits_at_the_boundary_are_accepted() -> None:
    blocks = [
        section("x" * 3000, block_id="b" * 255),
        {"type": "section", "fields": [mrkdwn("f" * 2000)] * 10},
        {"type": "header", "text": plain("h" * 150)},
        {"type": "actions", "elements": [button(f"b{i}", "t" * 75, value="v" * 2000) for i in range(25)]},
        {"type": "context", "elements": [mrkdwn("c")] * 10},
        {"type": "actions", "elements": [button("a" * 255)]},
    ]
    assert check_message_blocks(blocks) is None


def test_static_select_options() -> None:
    def select(options: list[dict[str, Any]]) -> list[dict[str, Any]]:
        element = {"type": "static_select", "action_id": "s", "placeholder": plain("Pick"), "options": options}
        return [section(accessory=element)]

    assert check_message_blocks(select([option(str(i), str(i)) for i in range(100)])) is None
    assert check_message_blocks(select([option(str(i), str(i)) for i in range(101)])) is not None
    assert check_message_blocks(select([option("o" * 76)])) is not None
    assert check_message_blocks(select([option(value="v" * 151)])) is not None
    assert check_message_blocks(select([option(value="v" * 150)])) is None


def test_modal_title_submit_close_limits() -> None:
    assert check_view(modal([section()])) is None
    long_title = check_view(modal([section()], title=plain("t" * 25)))
    assert long_title == "must be less than 25 characters [json-pointer:/view/title/text]"
    assert check_view(modal([section()], submit=plain("s" * 25))) is not None
    assert check_view(modal([section()], close=plain("c" * 25))) is not None
    assert check_view(modal([section()], title=mrkdwn("*t*"))) is not None
    no_title = {"type": "modal", "blocks": [section()]}
    assert check_view(no_title) == "missing required field: title [json-pointer:/view]"


def test_modal_with_input_needs_submit() -> None:
    view = modal([input_block()])
    assert check_view(view) is None
    del view["submit"]
    reason = check_view(view)
    assert reason is not None and "submit is required" in reason


def test_input_limits() -> None:
    assert check_view(modal([input_block(label=plain("l" * 2001))])) is not None
    assert check_view(modal([input_block(hint=plain("h" * 2001))])) is not None
    text_input = {"type": "plain_text_input", "action_id": "n", "max_length": 3001}
    assert check_view(modal([input_block(text_input)])) is not None
    text_input["max_length"] = 3000
    assert check_view(modal([input_block(text_input)])) is None


def test_view_metadata_and_unique_ids() -> None:
    assert check_view(modal([section()], private_metadata="m" * 3000)) is None
    assert check_view(modal([section()], private_metadata="m" * 3001)) is not None
    same_action = [
        input_block({"type": "plain_text_input", "action_id": "x"}),
        input_block({"type": "plain_text_input", "action_id": "x"}),
    ]
    assert check_view(modal(same_action)) is not None


def test_view_type_and_surface() -> None:
    assert check_view({"type": "dialog", "blocks": []}) is not None
    assert check_view({"type": "home", "blocks": [{"type": "file", "external_id": "x", "source": "remote"}]})
    assert check_message_blocks([{"type": "file", "external_id": "x", "source": "remote"}]) is None


def test_validation_does_not_mutate_input() -> None:
    view = modal([input_block(), section(accessory=button())])
    before = copy.deepcopy(view)
    check_view(view)
    assert view == before


def test_message_text_length() -> None:
    long_text = "x" * (MAX_MESSAGE_TEXT + 1)
    assert check_message_text("chat.update", long_text) == "msg_too_long"
    assert check_message_text("chat.postEphemeral", long_text) == "msg_too_long"
    assert check_message_text("chat.update", "x" * MAX_MESSAGE_TEXT) is None
    assert check_message_text("chat.postMessage", long_text) is None
    assert len(truncate_message_text(long_text)) == MAX_MESSAGE_TEXT
