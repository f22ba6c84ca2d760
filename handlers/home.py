"""Redrawing the App Home tab after a listener changed what it shows: handed to the background refresher.

The listener has acked already; ``changed`` only queues the person (coalesced), and the render and views.publish
happen on the refresher's pool through the outbound gateway (bot/services/home_refresh.py says why).
"""

from __future__ import annotations

from typing import Any

from bot.services.home_refresh import HomeRefresher


def redraw_home(context: Any, team_id: str, user_id: str) -> None:
    """Queue a redraw of ``user_id``'s Home tab (returns at once)."""
    refresher: HomeRefresher = context["home_refresh"]
    refresher.changed(team_id, user_id)
