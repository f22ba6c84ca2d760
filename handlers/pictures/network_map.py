"""``/network map``: me at the centre, contacts around me grouped and coloured by team, line width by meetings,
fading with time since we last met. Deterministic: the same picture data gives the same PNG."""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from datetime import datetime

import matplotlib

matplotlib.use("Agg")  # no screen on servers; must precede pyplot

from matplotlib import pyplot

from bot.domain.insight.network import NetworkPicture, fade

SIZE_INCHES = 10.0
DPI = 110
PALETTE = (
    "#4C78A8", "#F58518", "#54A24B", "#E45756", "#72B7B2", "#EECA3B",
    "#B279A2", "#FF9DA6", "#9D755D", "#BAB0AC",
)  # fmt: skip
OTHER_COLOUR = "#8C8C8C"


@dataclass(frozen=True, slots=True)
class DrawnMap:
    """The PNG and what it shows (for the message and for tests)."""

    png: bytes
    nodes: int  # contacts drawn (not counting me)
    width: int
    height: int


def _colour(team: str, teams: list[str]) -> str:
    index = teams.index(team) if team in teams else len(PALETTE)
    return PALETTE[index] if index < len(PALETTE) else OTHER_COLOUR


def _legend_label(team: str) -> str:
    # Legends parse mathtext and skip labels that start with "_"; team names are people's text.
    label = (team or "team unknown").replace("$", r"\$")
    return "\u200b" + label if label.startswith("_") else label


def _positions(picture: NetworkPicture) -> dict[str, tuple[float, float]]:
    """Teams get angular sectors sized by their share; within a sector contacts sit on two staggered rings."""
    positions: dict[str, tuple[float, float]] = {}
    total = len(picture.drawn)
    start = 0.0
    for team in picture.teams:
        members = [tie for tie in picture.drawn if tie.team == team]
        span = 2 * math.pi * len(members) / total
        for index, tie in enumerate(members):
            angle = start + span * (index + 0.5) / len(members)
            radius = 0.62 if index % 2 == 0 else 0.85
            positions[tie.user_id] = (radius * math.cos(angle), radius * math.sin(angle))
        start += span
    return positions


def draw_network_map(picture: NetworkPicture, now: datetime, my_label: str) -> DrawnMap:
    """Render the picture as a PNG."""
    figure = pyplot.figure(figsize=(SIZE_INCHES, SIZE_INCHES), dpi=DPI)
    try:
        axes = figure.add_axes((0.0, 0.05, 1.0, 0.95))
        axes.set_xlim(-1.25, 1.25)
        axes.set_ylim(-1.15, 1.15)
        axes.set_aspect("equal")
        axes.axis("off")
        teams = list(picture.teams)
        positions = _positions(picture)
        heaviest = max((tie.meetings for tie in picture.drawn), default=1)
        font = 9 if len(picture.drawn) <= 40 else (7 if len(picture.drawn) <= 90 else 5.5)
        for tie in picture.drawn:
            x, y = positions[tie.user_id]
            colour = _colour(tie.team, teams)
            axes.plot([0, x], [0, y], color=colour, alpha=fade(tie, now), linewidth=0.8 + 4.2 * tie.meetings / heaviest)
            axes.scatter([x], [y], s=60 + 140 * tie.meetings / heaviest, color=colour, zorder=3)
            axes.annotate(
                tie.label,
                (x, y),
                xytext=(x * 1.12, y * 1.12),
                fontsize=font,
                ha="center",
                va="center",
                zorder=4,
                parse_math=False,  # names are people's text: "$" is a dollar, not mathtext
            )
        axes.scatter([0], [0], s=900, color="#222222", zorder=5)
        axes.annotate(
            my_label,
            (0, 0),
            color="white",
            fontsize=10,
            ha="center",
            va="center",
            zorder=6,
            weight="bold",
            parse_math=False,
        )
        for team in teams[: len(PALETTE)]:
            axes.scatter([], [], color=_colour(team, teams), label=_legend_label(team))
        if len(teams) > len(PALETTE):
            axes.scatter([], [], color=OTHER_COLOUR, label=f"{len(teams) - len(PALETTE)} other teams")
        if teams:
            axes.legend(loc="upper left", fontsize=8, frameon=False)
        figure.text(0.5, 0.02, picture.summary, ha="center", fontsize=10, color="#444444", parse_math=False)
        if not picture.drawn:
            figure.text(0.5, 0.6, "No meetings logged yet — log one with /met", ha="center", fontsize=14)
        buffer = io.BytesIO()
        # Fixed metadata: matplotlib stamps its version and a date otherwise, and the PNG would differ run to run.
        figure.savefig(buffer, format="png", metadata={"Software": None})
        width, height = (round(SIZE_INCHES * DPI),) * 2
        return DrawnMap(buffer.getvalue(), len(picture.drawn), width, height)
    finally:
        pyplot.close(figure)
