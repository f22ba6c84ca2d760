"""The picture of one person's network, as data: who, in which team, how often and how recently — no drawing here."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

MAX_DRAWN = 150  # more names than this stop being legible on one picture
FADE_DAYS = 180  # a tie last seen this long ago is drawn at its faintest


@dataclass(frozen=True, slots=True)
class Tie:
    """One contact as the picture shows them."""

    user_id: str
    label: str
    team: str  # "" when unknown
    meetings: int
    last_met: datetime


@dataclass(frozen=True, slots=True)
class NetworkPicture:
    """The ties drawn (strongest first) and a summary of the rest."""

    me: str
    drawn: Sequence[Tie]
    hidden: int  # contacts not drawn
    hidden_teams: int  # teams among the hidden ones
    teams: Sequence[str]  # teams of the drawn ties, largest first (the colour order)

    @property
    def summary(self) -> str:
        """The line under the picture."""
        people = len(self.drawn) + self.hidden
        text = f"{people} {'person' if people == 1 else 'people'} you've logged meetings with"
        if self.hidden:
            text += f"; the {self.hidden} seen least are not drawn ({self.hidden_teams} teams)"
        return text


def strength(tie: Tie, now: datetime) -> float:
    """How much a tie counts for the cut: meetings, discounted by time since the last one."""
    days = max(0.0, (now - tie.last_met).total_seconds() / 86_400)
    return tie.meetings / (1.0 + days / 30.0)


def fade(tie: Tie, now: datetime) -> float:
    """Opacity for the tie's line: 1 for this week, down to 0.15 at ``FADE_DAYS`` and older."""
    days = max(0.0, (now - tie.last_met).total_seconds() / 86_400)
    return max(0.15, 1.0 - 0.85 * min(days, FADE_DAYS) / FADE_DAYS)


def build_picture(me: str, ties: Sequence[Tie], now: datetime, limit: int = MAX_DRAWN) -> NetworkPicture:
    """Keep the ``limit`` strongest ties (ties broken by id, so the picture is deterministic)."""
    ranked = sorted(ties, key=lambda tie: (-strength(tie, now), tie.user_id))
    drawn, rest = ranked[:limit], ranked[limit:]
    sizes: Mapping[str, int] = Counter(tie.team for tie in drawn)
    teams = sorted(sizes, key=lambda team: (-sizes[team], team))
    return NetworkPicture(me, drawn, len(rest), len({tie.team for tie in rest}), teams)
