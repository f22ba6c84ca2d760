"""One table of Block Kit element types: how each one starts, what state Slack reports for it, how it reads.

The fake (which elements a user can act on), the drivers (the state a choice produces, an element's initial value)
and the demo (how an element is described on screen) all read this table instead of each keeping a chain of
``if kind == ...`` branches.

Decisions: a frozen record per element type rather than subclasses. The three users need data (keys and a value
shape), not behaviour, and a table shows at a glance that every type is covered. Rejected: deriving the table from
python-slack-sdk's models, which describe how to build elements, not the state Slack reports back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any


class Shape(Enum):
    """How an element's value is written: in the driver's input form, and in Slack's reported state."""

    TEXT = "text"  # a string ("value")
    RICH_TEXT = "rich_text"  # a rich_text object, passed through
    OPTION = "option"  # one option, chosen by its value
    OPTIONS = "options"  # several options, chosen by their values
    ID = "id"  # one user or conversation id
    IDS = "ids"  # several user or conversation ids
    RAW = "raw"  # a date, a time, a timestamp: passed through as given
    PRESS = "press"  # pressed, not set (buttons): no state


class Family(Enum):
    """How the demo describes an element and asks for its value."""

    BUTTON = "button"
    OVERFLOW = "overflow"
    SELECT = "select"  # one option from a list (static/external selects, radio buttons)
    MULTI_SELECT = "multi_select"
    CHECKBOXES = "checkboxes"
    USERS = "users"
    CONVERSATIONS = "conversations"
    DATE = "date"
    TIME = "time"
    DATETIME = "datetime"
    TEXT = "text"
    OTHER = "other"  # file inputs, workflow buttons, feedback and icon buttons: listed by type only


@dataclass(frozen=True)
class ElementType:
    """What the sandbox knows about one Block Kit element type."""

    shape: Shape
    family: Family
    state_key: str | None  # the key in state.values ('value', 'selected_option', ...); None: no state
    initial_key: str | None  # the field holding its starting value ('initial_option', ...)
    interactive: bool = True  # a user can act on it (images are elements too, but not interactive)

    @property
    def multiple(self) -> bool:
        """True when it holds several values (multi-selects, checkboxes)."""
        return self.shape in {Shape.OPTIONS, Shape.IDS}


def _text(state_key: str = "value") -> ElementType:
    return ElementType(Shape.TEXT, Family.TEXT, state_key, "initial_value")


ELEMENT_TYPES: Mapping[str, ElementType] = {
    "button": ElementType(Shape.PRESS, Family.BUTTON, None, None),
    "overflow": ElementType(Shape.OPTION, Family.OVERFLOW, "selected_option", None),
    "static_select": ElementType(Shape.OPTION, Family.SELECT, "selected_option", "initial_option"),
    "external_select": ElementType(Shape.OPTION, Family.SELECT, "selected_option", "initial_option"),
    "radio_buttons": ElementType(Shape.OPTION, Family.SELECT, "selected_option", "initial_option"),
    "multi_static_select": ElementType(Shape.OPTIONS, Family.MULTI_SELECT, "selected_options", "initial_options"),
    "multi_external_select": ElementType(Shape.OPTIONS, Family.MULTI_SELECT, "selected_options", "initial_options"),
    "checkboxes": ElementType(Shape.OPTIONS, Family.CHECKBOXES, "selected_options", "initial_options"),
    "users_select": ElementType(Shape.ID, Family.USERS, "selected_user", "initial_user"),
    "multi_users_select": ElementType(Shape.IDS, Family.USERS, "selected_users", "initial_users"),
    "conversations_select": ElementType(
        Shape.ID, Family.CONVERSATIONS, "selected_conversation", "initial_conversation"
    ),
    "multi_conversations_select": ElementType(
        Shape.IDS, Family.CONVERSATIONS, "selected_conversations", "initial_conversations"
    ),
    "channels_select": ElementType(Shape.ID, Family.CONVERSATIONS, "selected_channel", "initial_channel"),
    "multi_channels_select": ElementType(Shape.IDS, Family.CONVERSATIONS, "selected_channels", "initial_channels"),
    "datepicker": ElementType(Shape.RAW, Family.DATE, "selected_date", "initial_date"),
    "timepicker": ElementType(Shape.RAW, Family.TIME, "selected_time", "initial_time"),
    "datetimepicker": ElementType(Shape.RAW, Family.DATETIME, "selected_date_time", "initial_date_time"),
    "plain_text_input": _text(),
    "email_text_input": _text(),
    "url_text_input": _text(),
    "number_input": _text(),
    "rich_text_input": ElementType(Shape.RICH_TEXT, Family.TEXT, "rich_text_value", "initial_value"),
    "file_input": ElementType(Shape.RAW, Family.OTHER, "value", None),
    "workflow_button": ElementType(Shape.PRESS, Family.OTHER, None, None),
    "feedback_buttons": ElementType(Shape.RAW, Family.OTHER, "value", None),
    "icon_button": ElementType(Shape.PRESS, Family.OTHER, None, None),
    "image": ElementType(Shape.RAW, Family.OTHER, None, None, interactive=False),
}
UNKNOWN = ElementType(Shape.RAW, Family.OTHER, "value", None, interactive=False)


def element_type(element: Mapping[str, Any]) -> ElementType:
    """The table entry of an element (UNKNOWN for a type Slack does not have)."""
    return ELEMENT_TYPES.get(str(element.get("type")), UNKNOWN)


def is_interactive(element: Any) -> bool:
    """True for an element a user can act on (a button, a select, a picker, an input...)."""
    return isinstance(element, dict) and ELEMENT_TYPES.get(str(element.get("type")), UNKNOWN).interactive


def all_options(element: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every option object of a select, radio group, overflow or checkbox group, option groups flattened."""
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options.extend(group.get("options") or [])
    return options
