"""The network picture: who is drawn, and the PNG itself (size, deterministic, any number of contacts)."""

from __future__ import annotations

import struct
from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.insight.network import MAX_DRAWN, Tie, build_picture, fade
from handlers.pictures.network_map import draw_network_map

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)
TEAMS = ["eng", "sales", "ops", "design", "", "$money$", "_hidden", "legal", "hr", "it", "finance", "support"]


def ties(count: int) -> list[Tie]:
    return [
        Tie(f"U{i:08d}", f"Person {i} $x^2$", TEAMS[i % len(TEAMS)], 1 + i % 7, NOW - timedelta(days=(i * 13) % 400))
        for i in range(count)
    ]


def png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


@pytest.mark.parametrize("count", [0, 1, 2, 37, 500])
def test_any_number_of_contacts_draws(count: int) -> None:
    picture = build_picture("U0ME", ties(count), NOW)
    drawn = draw_network_map(picture, NOW, "me")
    assert drawn.nodes == min(count, MAX_DRAWN)
    assert png_size(drawn.png) == (drawn.width, drawn.height) == (1100, 1100)
    assert picture.hidden == max(0, count - MAX_DRAWN)


def test_the_strongest_ties_are_kept_and_the_rest_summarised() -> None:
    everyone = ties(500)
    picture = build_picture("U0ME", everyone, NOW)
    strongest = max(everyone, key=lambda t: t.meetings / (1 + (NOW - t.last_met).days / 30))
    assert strongest in picture.drawn
    assert "500 people" in picture.summary and "350 seen least are not drawn" in picture.summary


def test_same_data_same_png() -> None:
    picture = build_picture("U0ME", ties(40), NOW)
    assert draw_network_map(picture, NOW, "me").png == draw_network_map(picture, NOW, "me").png


def test_old_ties_fade() -> None:
    assert fade(Tie("a", "a", "", 1, NOW), NOW) == 1.0
    assert fade(Tie("b", "b", "", 1, NOW - timedelta(days=999)), NOW) == pytest.approx(0.15)
