"""Bolt listeners (Slack in) and pure Block Kit builders."""

from __future__ import annotations

from slack_bolt import App

from bot.services.registry import Services


def register_all(app: App, services: Services) -> None:
    """Register every listener Rapport has."""
    from handlers import actions, boundary, commands, events, views

    boundary.register(app)
    commands.register(app, services)
    actions.register(app, services)
    views.register(app, services)
    events.register(app, services)
