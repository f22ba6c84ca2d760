"""Modal (view) listeners."""

from __future__ import annotations

from slack_bolt import App

from bot.services.registry import Services
from handlers.views import coffee, met, settings


def register(app: App, services: Services) -> None:
    """Register every view listener."""
    met.register(app, services)
    settings.register(app, services)
    coffee.register(app, services)
