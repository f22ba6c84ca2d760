"""Slash command listeners."""

from __future__ import annotations

from slack_bolt import App

from bot.services.registry import Services
from handlers.after_ack import AfterAck
from handlers.commands import coffee, met


def register(app: App, services: Services, after_ack: AfterAck) -> None:
    """Register every slash command."""
    met.register(app, services, after_ack)
    coffee.register(app, services)
