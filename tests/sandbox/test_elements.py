"""The one table of Block Kit element types covers every element Slack has, and its users agree with it."""

from __future__ import annotations

from typing import Any

import pytest

from bot.sandbox.client import element_state, initial_value
from bot.sandbox.demo.render import describe_element
from bot.sandbox.elements import ELEMENT_TYPES, Shape
from bot.sandbox.slack import blockkit
from bot.sandbox.slack.records import iter_elements

OPTIONS = [{"text": {"type": "plain_text", "text": "Weekly"}, "value": "weekly"}]


def test_the_table_knows_exactly_the_element_types_slack_validates() -> None:
    assert set(ELEMENT_TYPES) == set(blockkit.ELEMENT_TYPES)


def test_images_are_the_only_elements_nobody_acts_on() -> None:
    blocks = [{"type": "actions", "elements": [{"type": kind, "action_id": kind} for kind in sorted(ELEMENT_TYPES)]}]
    assert {element["type"] for _, element in iter_elements(blocks)} == set(ELEMENT_TYPES) - {"image"}


@pytest.mark.parametrize(
    ("element", "value", "state"),
    [
        ({"type": "plain_text_input"}, 3, {"value": "3"}),
        ({"type": "static_select", "options": OPTIONS}, "weekly", {"selected_option": OPTIONS[0]}),
        ({"type": "checkboxes", "options": OPTIONS}, "weekly", {"selected_options": OPTIONS}),
        ({"type": "multi_users_select"}, ("U1", "U2"), {"selected_users": ["U1", "U2"]}),
        ({"type": "channels_select"}, "C1", {"selected_channel": "C1"}),
        ({"type": "datetimepicker"}, 1_700_000_000, {"selected_date_time": 1_700_000_000}),
        ({"type": "rich_text_input"}, {"type": "rich_text"}, {"rich_text_value": {"type": "rich_text"}}),
    ],
)
def test_element_state_is_slacks_shape(element: dict[str, Any], value: Any, state: dict[str, Any]) -> None:
    assert element_state(element, value) == {"type": element["type"], **state}


def test_initial_values_and_descriptions_read_the_same_fields() -> None:
    select = {"type": "static_select", "options": OPTIONS, "initial_option": OPTIONS[0]}
    users = {"type": "multi_users_select", "initial_users": ["U1"]}
    assert initial_value(select) == "weekly" and describe_element(select).startswith("Weekly ▾")
    assert initial_value(users) == ["U1"] and describe_element(users).startswith("@U1 ▾")
    assert initial_value({"type": "datepicker", "initial_date": "2026-12-01"}) == "2026-12-01"
    assert all(kind.shape is not Shape.PRESS or kind.state_key is None for kind in ELEMENT_TYPES.values())
