"""The `/met` text grammar.

    /met [help | list [@person] | undo]
    /met @people… [when] [kind] [follow up in 3d | no follow-up] [— notes] [#tags]

The leading words are read one phrase at a time — mentions, a date, a kind, a follow-up
choice, tags — in any order; the first word that is none of these (or a separator such as
``—``, ``-``, ``,`` or ``:``) starts the free-text notes. ``#tags`` are collected anywhere.
Parsing never raises: every input yields a command or a ``GrammarError`` whose message is
ready to show the user. Text arrives escaped by Slack (``&amp;``, ``&lt;``, ``&gt;``, mentions as
``<@U…|name>``) and notes are kept in that form, so they render safely and mentions stay mentions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.domain.models import InteractionKind

MAX_PEOPLE = 20
MAX_NOTES = 3000
MAX_TAG_LENGTH = 80
USAGE_EXAMPLE = "`/met @dana yesterday coffee — talked about the Q3 launch #launch`"

KIND_WORDS: dict[str, InteractionKind] = {
    "coffee": InteractionKind.COFFEE,
    "tea": InteractionKind.COFFEE,
    "lunch": InteractionKind.LUNCH,
    "dinner": InteractionKind.LUNCH,
    "breakfast": InteractionKind.LUNCH,
    "meeting": InteractionKind.MEETING,
    "1:1": InteractionKind.MEETING,
    "1on1": InteractionKind.MEETING,
    "call": InteractionKind.CALL,
    "phone": InteractionKind.CALL,
    "event": InteractionKind.EVENT,
    "conference": InteractionKind.EVENT,
    "meetup": InteractionKind.EVENT,
    "online": InteractionKind.ONLINE,
    "video": InteractionKind.ONLINE,
    "zoom": InteractionKind.ONLINE,
    "virtual": InteractionKind.ONLINE,
    "other": InteractionKind.OTHER,
}

_END = r"(?![\w/]|-\w)"
_MONTH = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december"
    r"|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?"
)
_WEEKDAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_ORDINAL = r"\d{1,2}(?:st|nd|rd|th)?"
_DATE = re.compile(
    "|".join(
        (
            r"(?:today|yesterday|tomorrow)",
            r"last\s+(?:week|month)",
            r"(?:an?|\d{1,3})\s+(?:day|week|month)s?\s+ago",
            rf"(?:on\s+|last\s+)?{_WEEKDAY}",
            r"(?:on\s+)?\d{4}[-/]\d{1,2}[-/]\d{1,2}",
            rf"(?:on\s+)?{_ORDINAL}\s+{_MONTH}(?:\s+\d{{4}})?",
            rf"(?:on\s+)?{_MONTH}\s+{_ORDINAL}(?:,?\s+\d{{4}})?",
        )
    ).join(("(?:", f"){_END}")),
    re.IGNORECASE,
)
_KIND = re.compile(
    "(" + "|".join(re.escape(w) for w in sorted(KIND_WORDS, key=len, reverse=True)) + f"){_END}", re.IGNORECASE
)
_FOLLOW_UP = re.compile(
    r"(?:remind\s+me\s+to\s+)?follow[\s-]?up\s+in\s+(\d{1,3})\s*(d|days?|w|wks?|weeks?)" + _END, re.IGNORECASE
)
_NO_FOLLOW_UP = re.compile(r"(?:no|without)\s+follow[\s-]?ups?" + _END, re.IGNORECASE)
_MENTION = re.compile(r"<@([UW][A-Z0-9]{2,})(?:\|([^>]*))?>")
_RAW_ID = re.compile(r"([UW][A-Z0-9]{8,})(?![\w])")
_UNESCAPED = re.compile(r"@([\w][\w.\-']*)")
_TAG = re.compile(r"(?<![\w&])#([\w][\w-]*)")
_CHANNEL_TAG = re.compile(r"<#(C[A-Z0-9]+)(?:\|([^>]*))?>")
_FILLER = re.compile(r"(?:and|&|with)" + r"(?=\s+(?:<@|@|[UW][A-Z0-9]{8,}))", re.IGNORECASE)
_SEPARATOR = re.compile(r"(?:—|–|--|-|,|;|:)(?=\s|$)|[.](?=\s|$)")
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class LogMeeting:
    """Log a meeting with ``user_ids``; date, kind and follow-up are resolved by the service."""

    user_ids: tuple[str, ...]
    date_phrase: str | None = None
    kind: InteractionKind | None = None
    notes: str = ""
    tags: tuple[str, ...] = ()
    follow_up_days: int | None = None
    no_follow_up: bool = False


@dataclass(frozen=True, slots=True)
class OpenLogModal:
    """`/met` with no text."""


@dataclass(frozen=True, slots=True)
class ShowHelp:
    """`/met help`."""


@dataclass(frozen=True, slots=True)
class ListHistory:
    """`/met list [@person]`."""

    with_user: str | None = None


@dataclass(frozen=True, slots=True)
class UndoLast:
    """`/met undo`."""


@dataclass(frozen=True, slots=True)
class GrammarError:
    """Input we cannot act on, with a message for the user (Slack mrkdwn)."""

    code: str
    message: str


MetCommand = LogMeeting | OpenLogModal | ShowHelp | ListHistory | UndoLast


def _extract_tags(text: str) -> tuple[str, tuple[str, ...]]:
    """Remove ``#tags`` and escaped channel mentions from text; return the rest and the tags in order."""
    tags: list[str] = []

    def channel(match: re.Match[str]) -> str:
        if match[2]:
            tags.append(match[2])
        return " "

    def plain(match: re.Match[str]) -> str:
        tags.append(match[1])
        return " "

    text = _CHANNEL_TAG.sub(channel, text)
    text = _TAG.sub(plain, text)
    cleaned = tuple(dict.fromkeys(t.lower().strip("-")[:MAX_TAG_LENGTH] for t in tags if t.strip("-")))
    return text, cleaned


def _mention_at(text: str, pos: int) -> tuple[str | None, str | None, int] | None:
    """(user_id, unresolved_name, end) for a mention starting at ``pos``."""
    if m := _MENTION.match(text, pos):
        return m[1], None, m.end()
    if m := _RAW_ID.match(text, pos):
        return m[1], None, m.end()
    if m := _UNESCAPED.match(text, pos):
        return None, m[1], m.end()
    return None


def _follow_up_days(amount: str, unit: str) -> int:
    days = int(amount)
    return days * 7 if unit.lower().startswith("w") else days


def parse_met(text: str, author_id: str) -> MetCommand | GrammarError:
    """Parse the text of a `/met` command typed by ``author_id``."""
    stripped = text.strip()
    if not stripped:
        return OpenLogModal()
    first, _, rest = stripped.partition(" ")
    verb = first.lower()
    if verb in {"help", "-h", "--help", "?"}:
        return ShowHelp()
    if verb == "undo" and not rest.strip():
        return UndoLast()
    if verb in {"list", "history", "ls"}:
        return _parse_list(rest.strip())
    return _parse_log(stripped, author_id)


def _parse_list(rest: str) -> ListHistory | GrammarError:
    if not rest:
        return ListHistory()
    found = _mention_at(rest, 0)
    if found is None or rest[found[2] :].strip():
        return GrammarError("bad_list", "To see your history with someone, mention one person: `/met list @dana`.")
    user_id, unresolved, _ = found
    if user_id is None:
        return GrammarError("user_not_found", f"I couldn't find *@{unresolved}* in this workspace.")
    return ListHistory(with_user=user_id)


def _parse_log(text: str, author_id: str) -> LogMeeting | GrammarError:
    text, tags = _extract_tags(text)
    user_ids: list[str] = []
    unresolved: list[str] = []
    date_phrase: str | None = None
    kind: InteractionKind | None = None
    follow_up_days: int | None = None
    no_follow_up = False

    pos = 0
    length = len(text)
    while pos < length:
        if text[pos].isspace():
            pos += 1
            continue
        if mention := _mention_at(text, pos):
            user_id, name, pos = mention
            if user_id:
                user_ids.append(user_id)
            elif name:
                unresolved.append(name)
            continue
        if filler := _FILLER.match(text, pos):
            pos = filler.end()
            continue
        if date_phrase is None and (m := _DATE.match(text, pos)):
            date_phrase = _WHITESPACE.sub(" ", m[0])
            pos = m.end()
            continue
        if kind is None and (m := _KIND.match(text, pos)):
            kind = KIND_WORDS[m[1].lower()]
            pos = m.end()
            continue
        if follow_up_days is None and not no_follow_up:
            if m := _FOLLOW_UP.match(text, pos):
                follow_up_days = _follow_up_days(m[1], m[2])
                pos = m.end()
                continue
            if m := _NO_FOLLOW_UP.match(text, pos):
                no_follow_up = True
                pos = m.end()
                continue
        if sep := _SEPARATOR.match(text, pos):
            # A separator between mentions ("@dana, @lee") keeps the lead going; otherwise notes start.
            after = sep.end()
            while after < length and text[after].isspace():
                after += 1
            if after < length and _mention_at(text, after) and not _UNESCAPED.match(text, after):
                pos = after
                continue
            pos = sep.end()
        break

    notes = _WHITESPACE.sub(" ", text[pos:]).strip()
    return _validate(author_id, user_ids, unresolved, date_phrase, kind, notes, tags, follow_up_days, no_follow_up)


def _validate(
    author_id: str,
    user_ids: list[str],
    unresolved: list[str],
    date_phrase: str | None,
    kind: InteractionKind | None,
    notes: str,
    tags: tuple[str, ...],
    follow_up_days: int | None,
    no_follow_up: bool,
) -> LogMeeting | GrammarError:
    if unresolved:
        names = ", ".join(f"*@{n}*" for n in dict.fromkeys(unresolved))
        return GrammarError(
            "user_not_found",
            f"I couldn't find {names} in this workspace. Pick people from Slack's @-autocomplete so I know "
            "exactly who you mean.",
        )
    people = tuple(dict.fromkeys(u for u in user_ids))
    others = tuple(u for u in people if u != author_id)
    if not people:
        return GrammarError("no_people", f"Who did you meet? Mention them, like {USAGE_EXAMPLE}.")
    if not others:
        return GrammarError(
            "only_self", "Meeting yourself is good for reflection, but I can only log meetings with other people."
        )
    if len(others) > MAX_PEOPLE:
        return GrammarError(
            "too_many_people",
            f"You can log up to {MAX_PEOPLE} people at once (you named {len(others)}). "
            "Split it into a few `/met` commands.",
        )
    if len(notes) > MAX_NOTES:
        return GrammarError(
            "notes_too_long",
            f"Notes can be up to {MAX_NOTES:,} characters (yours are {len(notes):,}). Shorten them and try again.",
        )
    if follow_up_days is not None and not 1 <= follow_up_days <= 365:
        return GrammarError("bad_follow_up", "Follow-ups can be from 1 day to a year away, like `follow up in 3d`.")
    return LogMeeting(
        user_ids=others,
        date_phrase=date_phrase,
        kind=kind,
        notes=notes,
        tags=tags,
        follow_up_days=follow_up_days,
        no_follow_up=no_follow_up,
    )
