"""The admin view's chart: meetings logged per week, with hidden weeks left as gaps. Deterministic PNG."""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")

from matplotlib import pyplot

from bot.domain.insight.admin import PeriodActivity, hidden_note


def draw_weekly_trend(weeks: Sequence[PeriodActivity]) -> bytes:
    """A bar per week; a week hidden by k-anonymity is an empty slot marked "—"."""
    figure = pyplot.figure(figsize=(9, 4), dpi=100)
    try:
        axes = figure.add_subplot(1, 1, 1)
        positions = range(len(weeks))
        heights = [week.meetings or 0 for week in weeks]
        axes.bar(positions, heights, color="#4C78A8")
        for position, week in zip(positions, weeks, strict=True):
            if week.meetings is None:
                axes.annotate("—", (position, 0), ha="center", va="bottom", color="#888888")
        axes.set_xticks(
            list(positions), [week.label.replace("week of ", "") for week in weeks], rotation=45, ha="right"
        )
        axes.set_ylabel("meetings logged")
        axes.set_title("Meetings logged per week", fontsize=11)
        axes.spines[["top", "right"]].set_visible(False)
        figure.text(0.01, 0.01, hidden_note(), fontsize=8, color="#666666")
        figure.tight_layout(rect=(0, 0.04, 1, 1))
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", metadata={"Software": None})
        return buffer.getvalue()
    finally:
        pyplot.close(figure)
