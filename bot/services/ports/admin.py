"""Ports the admin view uses: who is an admin (Slack), and workspace aggregates (storage)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class AdminDirectory(Protocol):
    """Whether Slack says someone is a workspace admin or owner (bot.slack.directory.SlackUserDirectory)."""

    def is_admin(self, team_id: str, user_id: str) -> bool: ...


class WorkspaceInsight(Protocol):
    """Workspace-wide counts (storage.repositories.insight.SqlWorkspaceInsight)."""

    def logging_activity(self, team_id: str, start: datetime, end: datetime) -> tuple[int, int]: ...

    def coffee_outcomes(self, team_id: str, start: datetime, end: datetime) -> dict[str, int]: ...

    def new_cross_team_ties(self, team_id: str, start: datetime, end: datetime) -> tuple[int, int]: ...
