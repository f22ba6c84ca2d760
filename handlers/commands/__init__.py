"""Slash command listeners."""

from __future__ import annotations

from slack_bolt import App

from bot.services.registry import Services
from handlers.commands import coffee, met


def register(app: App, services: Services) -> None:
    """Register every slash command."""
    met.register(app, services)
    coffee.register(app, services)
