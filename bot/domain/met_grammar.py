"""The `/met` text grammar.

    /met [help | list [@person] | undo | settings]
    /met cadence [@person (30d | monthly | quarterly | off)]
    /met @people… [when] [kind] [follow up in 3d | no follow-up] [every 30d] [— notes] [#tags]

The leading words are read one phrase at a time — mentions, a date, a kind, a follow-up
choice, tags — in any order; the first word that is none of these (or a separator such as
``—``, ``-``, ``,`` or ``:``) starts the free-text notes. ``#tags`` are collected anywhere.
Parsing never raises: every input yields a command or a ``GrammarError`` whose message is
ready to show the user. Text arrives escaped by Slack (``&amp;``, ``&lt;``, ``&gt;``, mentions as
``<@U…|name>``) and notes are kept in that form, so they render safely and mentions stay mentions;
their length is counted as the person typed them (``&amp;`` is one character).

Decisions:

- **Undashed trailing words are notes.** ``/met @dana lunch great chat about hiring`` logs a lunch
  with the notes "great chat about hiring", as the README and ``/met help`` say. A dash is only
  needed when the notes start with a word the grammar would otherwise read (``— coffee next time``).
  Why: that is how people type a quick log, the confirmation shows the notes it stored, and Undo is one
  click away. Rejected: refusing undashed words with a hint, which would turn the most common way of
  typing into an error for the sake of a rare misreading.
- **Misreadings that matter are dates, so the grammar recognises more of them.** A date read as notes
  silently logs the meeting on the wrong day (``/met @carol in 3 days`` was logged today). Phrases that
  point ahead (``tomorrow morning``, ``in 3 days``, ``next week``, ``next friday``, ``a week from now``…)
  are recognised as dates and refused as future ones by ``dates``; a time of day after a day is part
  of the date (``yesterday morning``, ``friday evening``), and ``this morning``, ``last night`` and ``the
  day before yesterday`` name their day. Rejected: the resolver guessing at arbitrary note text, which
  would read "may" or "march" in ordinary sentences as months.
- **Limits are the person's:** at most ``MAX_PEOPLE`` people and ``MAX_TAGS`` tags per entry, notes up
  to ``MAX_NOTES`` characters as typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from bot.domain.models import InteractionKind
from bot.domain.user_text import typed_length

MAX_PEOPLE = 20
MAX_NOTES = 3000
MAX_TAG_LENGTH = 80
MAX_TAGS = 20
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

_END = r"(?![\w/'’]|-\w)"
_MONTH = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december"
    r"|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?"
)
_WEEKDAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_ORDINAL = r"\d{1,2}(?:st|nd|rd|th)?"
# Not "lunch": it is a kind ("yesterday lunch").
_TIME_OF_DAY = r"(?:morning|afternoon|evening|night)"
_UNITS = r"(?:minute|min|hour|hr|day|week|wk|month|year)s?"
# Phrases that always point ahead: recognised so they are refused as future dates, never read as notes.
_AHEAD = (
    rf"tomorrow(?:\s+{_TIME_OF_DAY})?",
    r"(?:the\s+)?day\s+after\s+tomorrow",
    rf"in\s+(?:an?|\d{{1,3}}|(?:a\s+)?few|(?:a\s+)?couple(?:\s+of)?)\s+{_UNITS}",
    rf"(?:an?|\d{{1,3}})\s+{_UNITS}\s+from\s+(?:now|today)",
    rf"next\s+(?:week|month|year|weekend|{_WEEKDAY}|{_MONTH})",
    rf"(?:this\s+)?coming\s+(?:week|weekend|month|{_WEEKDAY})",
    r"later\s+(?:today|this\s+(?:week|month))",
)
# Days the resolver reads, optionally followed by a time of day that changes nothing ("friday evening").
_DAY = (
    r"today",
    r"yesterday",
    r"last\s+(?:week|month|year)",
    r"(?:an?|\d{1,3})\s+(?:day|week|month|year)s?\s+ago",
    rf"(?:on\s+|last\s+)?{_WEEKDAY}",
    r"(?:on\s+)?\d{4}[-/]\d{1,2}[-/]\d{1,2}",
    rf"(?:on\s+)?{_ORDINAL}\s+{_MONTH}(?:\s+\d{{4}})?",
    rf"(?:on\s+)?{_MONTH}\s+{_ORDINAL}(?:,?\s+\d{{4}})?",
)
_DATE = re.compile(
    r"(?:(?P<today>this\s+(?:morning|afternoon|evening)|earlier\s+today|tonight)"
    r"|(?P<yesterday>last\s+night)"
    r"|(?P<two_days_ago>(?:the\s+)?day\s+before\s+yesterday)"
    rf"|(?P<ahead>{'|'.join(_AHEAD)})"
    rf"|(?P<day>{'|'.join(_DAY)})(?:\s+(?:in\s+the\s+)?{_TIME_OF_DAY})?"
    rf"){_END}",
    re.IGNORECASE,
)
_KIND = re.compile(
    "(" + "|".join(re.escape(w) for w in sorted(KIND_WORDS, key=len, reverse=True)) + f"){_END}", re.IGNORECASE
)
_FOLLOW_UP = re.compile(
    r"(?:remind\s+me\s+to\s+)?follow[\s-]?up\s+in\s+(\d{1,3})\s*(d|days?|w|wks?|weeks?)" + _END, re.IGNORECASE
)
_NO_FOLLOW_UP = re.compile(r"(?:no|without)\s+follow[\s-]?ups?" + _END, re.IGNORECASE)
_CADENCE_UNITS = {"d": 1, "w": 7, "m": 30, "q": 90}
_CADENCE_WORDS = {"weekly": 7, "fortnightly": 14, "monthly": 30, "quarterly": 90}
_EVERY = re.compile(
    r"(?:keep\s+in\s+touch\s+)?(?:every\s+(?:(\d{1,3})\s*(d|days?|w|wks?|weeks?|m|mos?|months?)|(day|week|month|quarter))"
    r"|(weekly|fortnightly|monthly|quarterly))" + _END,
    re.IGNORECASE,
)
MIN_CADENCE_DAYS = 7
MAX_CADENCE_DAYS = 365
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
    cadence_days: int | None = None


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
class OpenSettings:
    """`/met settings`."""


@dataclass(frozen=True, slots=True)
class ListCadences:
    """`/met cadence`."""


@dataclass(frozen=True, slots=True)
class SetCadence:
    """`/met cadence @lee 30d` — keep in touch without logging a meeting."""

    user_id: str
    every_days: int


@dataclass(frozen=True, slots=True)
class StopCadence:
    """`/met cadence @lee off`."""

    user_id: str


@dataclass(frozen=True, slots=True)
class GrammarError:
    """Input we cannot act on, with a message for the user (Slack mrkdwn)."""

    code: str
    message: str


MetCommand = (
    LogMeeting
    | OpenLogModal
    | ShowHelp
    | ListHistory
    | UndoLast
    | OpenSettings
    | ListCadences
    | SetCadence
    | StopCadence
)


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


def _date_phrase(match: re.Match[str]) -> str:
    """The phrase handed to the date resolver: a time of day dropped, a few idioms named by their day."""
    if match["today"]:
        return "today"
    if match["yesterday"]:
        return "yesterday"
    if match["two_days_ago"]:
        return "2 days ago"
    return _WHITESPACE.sub(" ", match["ahead"] or match["day"])


def _follow_up_days(amount: str, unit: str) -> int:
    days = int(amount)
    return days * 7 if unit.lower().startswith("w") else days


def _cadence_days(match: re.Match[str]) -> int:
    """Days between keep-in-touch reminders for an ``_EVERY`` match."""
    if match[1]:
        return int(match[1]) * _CADENCE_UNITS[match[2][0].lower()]
    if match[3]:
        return _CADENCE_UNITS[match[3][0].lower()]
    return _CADENCE_WORDS[match[4].lower()]


def _cadence_error(days: int) -> GrammarError | None:
    if MIN_CADENCE_DAYS <= days <= MAX_CADENCE_DAYS:
        return None
    return GrammarError(
        "bad_cadence",
        f"Keep-in-touch reminders can be every {MIN_CADENCE_DAYS} to {MAX_CADENCE_DAYS} days, "
        "like `every 30d`, `monthly` or `quarterly`.",
    )


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
    if verb in {"settings", "preferences", "prefs"} and not rest.strip():
        return OpenSettings()
    if verb in {"cadence", "cadences", "keep-in-touch"}:
        return _parse_cadence(rest.strip(), author_id)
    return _parse_log(stripped, author_id)


_CADENCE_USAGE = "Try `/met cadence` to see them, `/met cadence @lee monthly` or `/met cadence @lee off`."


def _parse_cadence(rest: str, author_id: str) -> ListCadences | SetCadence | StopCadence | GrammarError:
    if not rest:
        return ListCadences()
    found = _mention_at(rest, 0)
    if found is None:
        return GrammarError("bad_cadence", "Mention one person to change a keep-in-touch reminder. " + _CADENCE_USAGE)
    user_id, unresolved, end = found
    if user_id is None:
        return GrammarError("user_not_found", f"I couldn't find *@{unresolved}* in this workspace.")
    if user_id == author_id:
        return GrammarError("only_self", "You're always in touch with yourself. " + _CADENCE_USAGE)
    tail = rest[end:].strip()
    if tail.lower() in {"off", "stop", "none", "never", "remove"}:
        return StopCadence(user_id)
    every = _EVERY.fullmatch(tail) or _EVERY.fullmatch("every " + tail)
    if every is None:
        return GrammarError("bad_cadence", "I didn't get how often. " + _CADENCE_USAGE)
    days = _cadence_days(every)
    return _cadence_error(days) or SetCadence(user_id, days)


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


@dataclass
class _Lead:
    """What the leading words of a log say, read one phrase at a time (see the module docstring)."""

    user_ids: list[str] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)
    date_phrase: str | None = None
    kind: InteractionKind | None = None
    follow_up_days: int | None = None
    no_follow_up: bool = False
    cadence_days: int | None = None

    def read(self, text: str) -> int:
        """Read phrases from the start of ``text``; return where the notes start."""
        pos, length = 0, len(text)
        while pos < length:
            if text[pos].isspace():
                pos += 1
                continue
            end = self._phrase(text, pos)
            if end is None:
                # Not a phrase: the notes start here, after a separator if there is one ("— notes", ", notes").
                separator = _SEPARATOR.match(text, pos)
                return separator.end() if separator else pos
            pos = end
        return pos

    def _phrase(self, text: str, pos: int) -> int | None:
        """The end of the phrase at ``pos`` (and what it says recorded), or None when none starts there."""
        readers = (self._mention, _filler, self._date, self._kind, self._follow_up, self._every, _between_mentions)
        for reader in readers:
            end = reader(text, pos)
            if end is not None:
                return end
        return None

    def _mention(self, text: str, pos: int) -> int | None:
        found = _mention_at(text, pos)
        if found is None:
            return None
        user_id, name, end = found
        if user_id:
            self.user_ids.append(user_id)
        elif name:
            self.unresolved.append(name)
        return end

    def _date(self, text: str, pos: int) -> int | None:
        found = _DATE.match(text, pos) if self.date_phrase is None else None
        if found is None:
            return None
        self.date_phrase = _date_phrase(found)
        return found.end()

    def _kind(self, text: str, pos: int) -> int | None:
        found = _KIND.match(text, pos) if self.kind is None else None
        if found is None:
            return None
        self.kind = KIND_WORDS[found[1].lower()]
        return found.end()

    def _follow_up(self, text: str, pos: int) -> int | None:
        if self.follow_up_days is not None or self.no_follow_up:
            return None
        if found := _FOLLOW_UP.match(text, pos):
            self.follow_up_days = _follow_up_days(found[1], found[2])
            return found.end()
        if found := _NO_FOLLOW_UP.match(text, pos):
            self.no_follow_up = True
            return found.end()
        return None

    def _every(self, text: str, pos: int) -> int | None:
        found = _EVERY.match(text, pos) if self.cadence_days is None else None
        if found is None:
            return None
        self.cadence_days = _cadence_days(found)
        return found.end()


def _filler(text: str, pos: int) -> int | None:
    """The end of a joining word between mentions ("and", "&", "with"), or None."""
    found = _FILLER.match(text, pos)
    return found.end() if found else None


def _between_mentions(text: str, pos: int) -> int | None:
    """Where the next mention starts after a separator between mentions ("@dana, @lee"), or None."""
    separator = _SEPARATOR.match(text, pos)
    if separator is None:
        return None
    after = separator.end()
    while after < len(text) and text[after].isspace():
        after += 1
    if after < len(text) and _mention_at(text, after) and not _UNESCAPED.match(text, after):
        return after
    return None


def _parse_log(text: str, author_id: str) -> LogMeeting | GrammarError:
    text, tags = _extract_tags(text)
    lead = _Lead()
    notes = _WHITESPACE.sub(" ", text[lead.read(text) :]).strip()
    parsed = _validate(
        author_id,
        lead.user_ids,
        lead.unresolved,
        lead.date_phrase,
        lead.kind,
        notes,
        tags,
        lead.follow_up_days,
        lead.no_follow_up,
    )
    if isinstance(parsed, LogMeeting) and lead.cadence_days is not None:
        return _cadence_error(lead.cadence_days) or replace(parsed, cadence_days=lead.cadence_days)
    return parsed


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
    typed = typed_length(notes)  # as the person typed it: Slack sends "&" as "&amp;"
    if typed > MAX_NOTES:
        return GrammarError(
            "notes_too_long",
            f"Notes can be up to {MAX_NOTES:,} characters (yours are {typed:,}). Shorten them and try again.",
        )
    if len(tags) > MAX_TAGS:
        return GrammarError(
            "too_many_tags",
            f"A meeting can have up to {MAX_TAGS} tags (you used {len(tags)}). Keep the ones you'll look for later.",
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
