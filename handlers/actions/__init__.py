"""Block action listeners."""

from __future__ import annotations

from slack_bolt import App

from bot.services.registry import Services
from handlers.actions import coffee, met, nudges


def register(app: App, services: Services) -> None:
    """Register every block action."""
    met.register(app, services)
    nudges.register(app, services)
    coffee.register(app, services)
