"""Reach: how widely a person's meetings spread across teams and time zones, in one figure and one sentence."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass


def effective_number(counts: Mapping[str, int]) -> float:
    """The effective number of groups: exp of the Shannon entropy of the shares (1 when everything is in one group,
    N when meetings spread evenly over N groups; 0 when there are none)."""
    total = sum(count for count in counts.values() if count > 0)
    if total == 0:
        return 0.0
    entropy = -sum((count / total) * math.log(count / total) for count in counts.values() if count > 0)
    return math.exp(entropy)


@dataclass(frozen=True, slots=True)
class Reach:
    """One person's reach over a period (a quarter on the Home tab)."""

    meetings_by_team: Mapping[str, int]  # contacts' teams ("" for unknown) → meetings with them
    time_zones: int  # distinct time zones of the people met
    new_cross_team_ties: int  # people from other teams met for the first time in the period
    own_team: str = ""
    teams_last_quarter: int = 0  # for reach growth: distinct known teams met in the quarter before

    @property
    def growth(self) -> int:
        """Teams met this quarter minus last quarter (reach growth)."""
        return self.teams - self.teams_last_quarter

    @property
    def teams(self) -> int:
        """Distinct known teams met."""
        return len([team for team, count in self.meetings_by_team.items() if team and count > 0])

    @property
    def effective_teams(self) -> float:
        """The diversity figure: how many teams' worth of evenly spread meetings this equals."""
        return effective_number({team: count for team, count in self.meetings_by_team.items() if team})


def reach_sentence(reach: Reach) -> str:
    """What the figures mean, in plain words."""
    if not any(reach.meetings_by_team.values()):
        return "No meetings logged this quarter yet — your reach starts with the first one."
    effective = reach.effective_teams
    own = reach.meetings_by_team.get(reach.own_team, 0) if reach.own_team else 0
    total = sum(reach.meetings_by_team.values())
    if reach.teams <= 1:
        where = "inside one team" if own == total or not reach.own_team else "with one team"
        return f"Your meetings this quarter were all {where} — one conversation elsewhere widens it."
    spread = f"{effective:.1f}".rstrip("0").rstrip(".")
    sentence = (
        f"Your meetings spread like {spread} evenly visited teams (of {reach.teams} you met) across "
        f"{reach.time_zones} time zone{'s' if reach.time_zones != 1 else ''}."
    )
    if reach.own_team and total and own / total > 0.7:
        sentence += f" Most were inside your own team ({own} of {total})."
    elif reach.new_cross_team_ties:
        ties = reach.new_cross_team_ties
        sentence += f" {ties} new {'tie' if ties == 1 else 'ties'} outside your team."
    return sentence
