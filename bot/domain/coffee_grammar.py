"""The `/coffee` text grammar.

    /coffee                                               the channel's settings (a modal)
    /coffee help | status | pause | resume | stop | now   the channel's programme
    /coffee join | leave | skip | pause [until] <day>     your own part in it
    /coffee avoid [@person [off]] | intro <line> | intro off

Parsing never raises: every input yields a command or a ``CoffeeGrammarError`` whose message is ready to show the
user. Verbs are case-insensitive; text arrives escaped by Slack (mentions as ``<@U…|name>``) and an intro line is
kept as typed, in that form.

Decisions:

- **Channel commands and personal ones are two unions** (``ChannelCommand``, ``PersonalCommand``): a channel command
  typed in a DM or a group DM is refused before any work, while help, avoid and intro work anywhere. Why: the type
  says which is which, so a new command cannot be left out of a list of exemptions. Rejected: the handler's set of
  verb strings exempt from the check.
- **`pause` alone is the channel's, `pause <day>` is yours.** Organisers pause the programme; anybody pauses
  themselves until a day (``until`` is optional). The day is read by the service, which knows the person's zone.
- **A verb followed by words it does not take is not that verb** (``/coffee status please`` is unknown), so a typo
  never runs a channel-wide action the person did not quite ask for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

INTRO_USAGE = "Write a line after it: `/coffee intro Loves climbing and sourdough`."
AVOID_USAGE = "Mention one person: `/coffee avoid @someone` (or `… off` to undo)."
MAX_ECHO = 100  # characters of an unknown command shown back to the person

_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
_RAW_ID = re.compile(r"^[UW][A-Z0-9]{6,}$")


@dataclass(frozen=True, slots=True)
class OpenSettings:
    """`/coffee`: the channel's settings modal."""


@dataclass(frozen=True, slots=True)
class ShowStatus:
    """`/coffee status`: settings, next round and pool size."""


@dataclass(frozen=True, slots=True)
class PauseProgramme:
    """`/coffee pause`: no rounds in this channel until resumed."""


@dataclass(frozen=True, slots=True)
class ResumeProgramme:
    """`/coffee resume`."""


@dataclass(frozen=True, slots=True)
class StopProgramme:
    """`/coffee stop`."""


@dataclass(frozen=True, slots=True)
class StartNow:
    """`/coffee now`: a round right away."""


@dataclass(frozen=True, slots=True)
class Join:
    """`/coffee join`."""


@dataclass(frozen=True, slots=True)
class Leave:
    """`/coffee leave`."""


@dataclass(frozen=True, slots=True)
class SkipRound:
    """`/coffee skip`: sit out the next round."""


@dataclass(frozen=True, slots=True)
class PauseMe:
    """`/coffee pause [until] <day>`: sit out rounds until ``until`` (as typed; the service reads the day)."""

    until: str


@dataclass(frozen=True, slots=True)
class ShowHelp:
    """`/coffee help`."""


@dataclass(frozen=True, slots=True)
class ListAvoided:
    """`/coffee avoid`: the people you are never paired with."""


@dataclass(frozen=True, slots=True)
class Avoid:
    """`/coffee avoid @person`."""

    user_id: str


@dataclass(frozen=True, slots=True)
class Unavoid:
    """`/coffee avoid @person off`."""

    user_id: str


@dataclass(frozen=True, slots=True)
class SetIntro:
    """`/coffee intro <line>`: the line your groups see (Slack-escaped, as typed)."""

    line: str


@dataclass(frozen=True, slots=True)
class ClearIntro:
    """`/coffee intro off`."""


@dataclass(frozen=True, slots=True)
class ShowIntroUsage:
    """`/coffee intro` with nothing after it: how to use it (``INTRO_USAGE``)."""


@dataclass(frozen=True, slots=True)
class CoffeeGrammarError:
    """Input we cannot act on, with a message for the user (Slack mrkdwn)."""

    code: str
    message: str


ChannelCommand = (
    OpenSettings
    | ShowStatus
    | PauseProgramme
    | ResumeProgramme
    | StopProgramme
    | StartNow
    | Join
    | Leave
    | SkipRound
    | PauseMe
)
PersonalCommand = ShowHelp | ListAvoided | Avoid | Unavoid | SetIntro | ClearIntro | ShowIntroUsage
CoffeeCommand = ChannelCommand | PersonalCommand

# Verbs that take no words after them.
_BARE: dict[str, CoffeeCommand] = {
    "help": ShowHelp(),
    "status": ShowStatus(),
    "resume": ResumeProgramme(),
    "stop": StopProgramme(),
    "now": StartNow(),
    "join": Join(),
    "leave": Leave(),
    "skip": SkipRound(),
}


def parse_coffee(text: str) -> CoffeeCommand | CoffeeGrammarError:
    """Parse the text of a `/coffee` command (as Slack sends it)."""
    stripped = text.strip()
    words = stripped.split()
    if not words:
        return OpenSettings()
    verb, rest = words[0].lower(), words[1:]
    if verb in _BARE and not rest:
        return _BARE[verb]
    if verb == "pause":
        return _parse_pause(rest)
    if verb == "avoid":
        return _parse_avoid(rest)
    if verb == "intro":
        return _parse_intro(" ".join(stripped.split(maxsplit=1)[1:]))
    return CoffeeGrammarError("unknown", f"I don't know `/coffee {stripped[:MAX_ECHO]}`. Try `/coffee help`.")


def _parse_pause(rest: list[str]) -> PauseProgramme | PauseMe:
    if not rest:
        return PauseProgramme()
    if rest[0].lower() == "until" and len(rest) > 1:
        return PauseMe(" ".join(rest[1:]))
    return PauseMe(" ".join(rest))


def _user(word: str) -> str:
    """The user id in a mention (``<@U…|name>``) or a raw id; empty for anything else."""
    mention = _MENTION.match(word)
    if mention:
        return mention[1]
    return word if _RAW_ID.match(word) else ""


def _parse_avoid(rest: list[str]) -> ListAvoided | Avoid | Unavoid | CoffeeGrammarError:
    if not rest:
        return ListAvoided()
    user_id = _user(rest[0])
    if not user_id or len(rest) > 2 or (len(rest) == 2 and rest[1].lower() != "off"):
        return CoffeeGrammarError("bad_avoid", AVOID_USAGE)
    return Unavoid(user_id) if len(rest) == 2 else Avoid(user_id)


def _parse_intro(line: str) -> SetIntro | ClearIntro | ShowIntroUsage:
    if line.lower() == "off":
        return ClearIntro()
    return SetIntro(line) if line else ShowIntroUsage()
