"""What the demo reads from the person: durations, start times, menu options; and how it writes times back."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

# Monday 30 Nov 2026, 09:00 in the demo user's time zone: a fresh working week, and a fixed date so transcripts
# are the same on every run.
DEFAULT_START = "2026-11-30T09:00"


class DemoError(Exception):
    """A command the demo could not carry out; the message is shown to the person."""


def parse_start(text: str, zone: ZoneInfo) -> datetime:
    """'2026-11-30T09:00' in ``zone`` (or with an explicit offset) as an aware datetime."""
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise DemoError(f"--start wants a date and time like {DEFAULT_START}, not {text!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)


_DURATION = re.compile(r"(\d+)\s*(w|weeks?|d|days?|h|hours?|m|min|mins|minutes?)", re.IGNORECASE)


def parse_duration(text: str) -> timedelta:
    """'7d', '3h', '2w', '90m', '1d 4h' → timedelta."""
    compact = text.strip()
    if not compact or _DURATION.sub("", compact).strip(" ,"):
        raise DemoError(f"wait wants a duration like 3h, 7d or 2w, not {text!r}")
    total = timedelta()
    for amount, unit in _DURATION.findall(compact):
        letter = unit[0].lower()
        total += {
            "w": timedelta(weeks=int(amount)),
            "d": timedelta(days=int(amount)),
            "h": timedelta(hours=int(amount)),
            "m": timedelta(minutes=int(amount)),
        }[letter]
    if total <= timedelta():
        raise DemoError("wait needs a positive duration")
    return total


def describe_duration(delta: timedelta) -> str:
    """timedelta → '7 days', '3 hours', '1 day 2 hours'."""
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [(days, "day"), (hours, "hour"), (minutes, "minute")]
    return " ".join(f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in parts if n) or "0 minutes"


def local_time(moment: datetime, tz: str) -> str:
    """'Mon 30 Nov 2026, 09:00' in the zone."""
    local = moment.astimezone(ZoneInfo(tz))
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M}"


def abbreviation(label: str) -> str:
    """'3 days' → '3d', 'In 1 week' → 'i1w' (which '1w' matches as a suffix): numbers whole, words by initial."""
    return "".join(word if word.isdigit() else word[0] for word in re.findall(r"[a-z]+|\d+", label.lower()))


def match_option(options: list[tuple[str, str]], text: str, positions: bool = True) -> str:
    """The value of the option the person meant: its label or value, '3d' for '3 days', a unique prefix or
    fragment ('month' for 'Keep in touch: monthly'), 'weekly' for 'Every week'; with ``positions`` a bare number
    is a position (1-based: the click prompt numbers the options). A form's field=value is read without positions,
    so `weekday=1` is the option whose value is 1."""
    wanted = text.lower().strip()
    compact = re.sub(r"[^a-z0-9]", "", wanted)
    in_range = wanted.isdigit() and 1 <= int(wanted) <= len(options)
    if positions and in_range and wanted not in {name.lower() for name, _ in options}:
        return options[int(wanted) - 1][1]
    stem = {"daily": "day"}.get(wanted, wanted.removesuffix("ly")) if wanted.endswith("ly") else ""
    rules = (
        lambda label, value: wanted in {label.lower(), value.lower()},
        lambda label, value: compact == re.sub(r"[^a-z0-9]", "", label.lower()),
        lambda label, value: bool(compact) and abbreviation(label).endswith(compact),
        lambda label, value: label.lower().startswith(wanted),
        lambda label, value: wanted in label.lower(),
        lambda label, value: bool(stem) and re.search(rf"\b{re.escape(stem)}\b", label.lower()) is not None,
    )
    for rule in rules:
        matches = [value for label, value in options if wanted and rule(label, value)]
        if len(matches) == 1:
            return matches[0]
    listed = " / ".join(label for label, _ in options)
    raise DemoError(f"no option {text!r} (options: {listed})")
