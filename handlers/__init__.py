"""Bolt listeners (Slack in) and pure Block Kit builders."""

from __future__ import annotations

from slack_bolt import App

from bot.services.registry import Services
from handlers.after_ack import AfterAck


def register_all(app: App, services: Services, after_ack: AfterAck) -> None:
    """Register every listener Rapport has, after the middleware that cleans payloads and provides the services."""
    from handlers import actions, boundary, commands, events, inject, views

    boundary.register(app)
    inject.register(app, services, after_ack)
    commands.register(app)
    actions.register(app)
    views.register(app)
    events.register(app)
