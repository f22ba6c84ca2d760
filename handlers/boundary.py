"""The Slack-in boundary: user text cleaned and numbers parsed defensively, in one place for every listener.

Decisions:

* Control characters are removed from *every* string of a verified payload by one Bolt middleware
  (:func:`scrub_middleware`), before any listener sees it, rather than by each listener: a listener added later
  cannot forget it. NUL is the sharp one (PostgreSQL refuses it in text); the other C0 characters (except newline
  and tab, which people type) and DEL have no place in a note, a tag or an intro line either. Rejected: refusing the
  request with an error, which would lose what the person typed for a character they never meant to send.
* A value that comes back from Slack (a button's ``value``, a menu option, an id in an ``action_id``) is text the
  client controls, so it is parsed into a bounded ``int`` or refused; a listener answers a refusal with a friendly
  ephemeral line, never an exception.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import date
from typing import Any

from slack_bolt import App, BoltRequest

from handlers.middleware import direct

logger = logging.getLogger(__name__)

# C0 controls except tab (\x09) and newline (\x0a), plus DEL. A CR is dropped (CRLF becomes LF).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# Database ids are 64-bit; anything larger cannot name a row (and PostgreSQL would reject the parameter).
MAX_ID = 2**63 - 1
_MAX_DIGITS = 20
_SLACK_ID = re.compile(r"[A-Z][A-Z0-9]{2,31}")
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)


def clean_text(text: str) -> str:
    """``text`` without NUL and the other control characters a person never means to type (newline/tab kept)."""
    return _CONTROL.sub("", text)


def scrub(value: Any) -> Any:
    """``value`` with :func:`clean_text` applied to every string inside it (dicts and lists changed in place)."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        for key, item in value.items():
            value[key] = scrub(item)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            value[index] = scrub(item)
    return value


def scrub_middleware(request: BoltRequest, next_: Callable[[], None]) -> None:
    """Bolt global middleware (runs after signature verification): clean every string in the payload."""
    scrub(request.body)
    next_()


def bounded_int(value: Any, low: int, high: int) -> int | None:
    """``value`` as an int within [low, high], or None for anything else (floats, huge numbers, words, None)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    else:
        text = str(value if value is not None else "").strip()
        if not text or len(text) > _MAX_DIGITS or not re.fullmatch(r"-?\d+", text):
            return None
        number = int(text)
    return number if low <= number <= high else None


def calendar_day(value: Any) -> date | None:
    """An ISO day from a date picker within 2000–2100, or None: outside that, zone arithmetic can overflow."""
    try:
        day = date.fromisoformat(str(value or ""))
    except ValueError:
        return None
    return day if FIRST_DAY <= day <= LAST_DAY else None


def slack_id(value: Any, prefixes: str) -> str | None:
    """A Slack id (``U0ABC…``) starting with one of ``prefixes``, or None: ids are stored in 32-character columns."""
    text = str(value or "")
    return text if _SLACK_ID.fullmatch(text) and text[0] in prefixes else None


def record_id(value: Any) -> int | None:
    """A database id from a payload (a positive 64-bit integer), or None."""
    return bounded_int(value, 1, MAX_ID)


def register(app: App) -> None:
    """Install the scrubbing middleware on ``app`` (before any listener is registered)."""
    app.middleware(direct(scrub_middleware))
