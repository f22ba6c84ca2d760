"""`/mentor` text into typed commands (like bot.domain.met_grammar): never raises, whatever is typed."""

from __future__ import annotations

import re
from dataclasses import dataclass

USAGE = (
    "`/mentor` opens your profile · `/mentor status` · `/mentor find negotiation` · "
    "admins: `/mentor skills add python, negotiation` · `/mentor skills remove python` · `/mentor programme` · "
    "`/mentor match now`"
)


@dataclass(frozen=True, slots=True)
class OpenProfile:
    """`/mentor`: the profile modal."""


@dataclass(frozen=True, slots=True)
class ShowStatus:
    """`/mentor status`."""


@dataclass(frozen=True, slots=True)
class ShowHelp:
    """`/mentor help`."""


@dataclass(frozen=True, slots=True)
class ListSkills:
    """`/mentor skills`: the workspace list."""


@dataclass(frozen=True, slots=True)
class AddSkills:
    """`/mentor skills add a, b`."""

    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RemoveSkills:
    """`/mentor skills remove a, b`."""

    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class OpenProgramme:
    """`/mentor programme`: the programme modal."""


@dataclass(frozen=True, slots=True)
class MatchNow:
    """`/mentor match now`."""


@dataclass(frozen=True, slots=True)
class Find:
    """`/mentor find SKILL`."""

    skill: str


@dataclass(frozen=True, slots=True)
class MentorGrammarError:
    """What to tell the person about text that is not a command."""

    message: str


MentorCommand = (
    OpenProfile | ShowStatus | ShowHelp | ListSkills | AddSkills | RemoveSkills | OpenProgramme | MatchNow | Find
)

_SPACES = re.compile(r"\s+")


def _names(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))


def parse_mentor(text: str) -> MentorCommand | MentorGrammarError:
    """The command ``text`` (what followed `/mentor`) asks for."""
    clean = _SPACES.sub(" ", text).strip()
    word, _, rest = clean.partition(" ")
    key = word.casefold()
    simple: dict[str, MentorCommand] = {
        "": OpenProfile(),
        "profile": OpenProfile(),
        "status": ShowStatus(),
        "help": ShowHelp(),
        "programme": OpenProgramme(),
        "program": OpenProgramme(),
    }
    if key in simple and not rest:
        return simple[key]
    if key == "match" and rest.casefold() == "now":
        return MatchNow()
    if key == "find":
        return Find(rest) if rest else MentorGrammarError("Which skill? For example `/mentor find negotiation`.")
    if key == "skills":
        verb, _, names = rest.partition(" ")
        if not verb:
            return ListSkills()
        if verb.casefold() in ("add", "remove") and _names(names):
            return AddSkills(_names(names)) if verb.casefold() == "add" else RemoveSkills(_names(names))
        return MentorGrammarError("Use `/mentor skills add python, negotiation` or `/mentor skills remove python`.")
    return MentorGrammarError(f"I didn't understand that. {USAGE}")
