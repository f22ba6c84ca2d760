"""Slash command listeners."""

from __future__ import annotations

from slack_bolt import App

from handlers.commands.coffee import handle_coffee
from handlers.commands.intro import handle_intro
from handlers.commands.mentor import handle_mentor
from handlers.commands.met import handle_met
from handlers.commands.network import handle_network
from handlers.commands.prep import handle_prep


def register(app: App) -> None:
    """Register every slash command."""
    app.command("/met")(handle_met)
    app.command("/coffee")(handle_coffee)
    app.command("/network")(handle_network)
    app.command("/prep")(handle_prep)
    app.command("/intro")(handle_intro)
    app.command("/mentor")(handle_mentor)
