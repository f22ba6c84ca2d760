"""Modal (view) listeners."""

from __future__ import annotations

from slack_bolt import App

from handlers import ids
from handlers.views import coffee, forget, goal, mentor, met, settings


def register(app: App) -> None:
    """Register every view listener."""
    app.view(ids.MET_LOG_CALLBACK)(met.handle_log_submission)
    app.view(ids.SETTINGS_CALLBACK)(settings.handle_settings_submission)
    app.view(ids.COFFEE_SETTINGS_CALLBACK)(coffee.handle_settings)
    app.view(ids.COFFEE_NOTE_CALLBACK)(coffee.handle_note)
    app.view(ids.GOAL_CALLBACK)(goal.handle_goal_submission)
    app.view(ids.FORGET_CALLBACK)(forget.handle_forget_submission)
    app.view(ids.MENTOR_PROFILE_CALLBACK)(mentor.handle_profile)
    app.view(ids.MENTOR_PROGRAMME_CALLBACK)(mentor.handle_programme)
    app.view(ids.MENTOR_DECLINE_CALLBACK)(mentor.handle_reason)
    app.view(ids.MENTOR_END_CALLBACK)(mentor.handle_reason)
