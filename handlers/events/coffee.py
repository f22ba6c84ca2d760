"""Channel membership events for coffee rounds (member_joined_channel, member_left_channel)."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.services.registry import Services
from handlers.context import team_id_of


def register(app: App, services: Services) -> None:
    """Keep coffee pools fresh and welcome newcomers."""

    @app.event("member_joined_channel")
    def handle_joined(body: dict[str, Any], event: dict[str, Any]) -> None:
        services.coffee.member_joined(team_id_of(body), str(event.get("channel", "")), str(event.get("user", "")))

    @app.event("member_left_channel")
    def handle_left(body: dict[str, Any], event: dict[str, Any]) -> None:
        services.coffee.member_left(team_id_of(body), str(event.get("channel", "")), str(event.get("user", "")))
