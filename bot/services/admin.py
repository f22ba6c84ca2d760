"""The admin view (`/network admin`): how networking is going in the workspace, in aggregates only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.domain.insight.admin import AdminReport, activity, coffee_rate
from bot.domain.insight.periods import Period, recent_windows
from bot.services.ports import AdminDirectory, Clock, UnitOfWorkFactory

WEEKS_SHOWN = 12
MONTHS_SHOWN = 6
RECENT = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class AdminRefusal:
    """Why there is no report for this person."""

    text: str


class AdminInsightService:
    """Workspace aggregates for admins and owners, each hidden when it is about fewer than K people."""

    def __init__(self, uow_factory: UnitOfWorkFactory, admins: AdminDirectory, clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._admins = admins
        self._clock = clock

    def report(self, team_id: str, user_id: str) -> AdminReport | AdminRefusal:
        """The report, or a refusal for anyone Slack does not call an admin or owner."""
        if not self._admins.is_admin(team_id, user_id):
            return AdminRefusal("Only workspace admins and owners can see the admin view.")
        now = self._clock.now()
        until = now + timedelta(seconds=1)  # "today" meetings are stored at the moment they were logged
        weeks = list(reversed(recent_windows(Period.WEEK, now, "UTC", WEEKS_SHOWN)))
        months = list(reversed(recent_windows(Period.MONTH, now, "UTC", MONTHS_SHOWN)))
        with self._uow_factory() as uow:
            figures = uow.workspace_insight
            weekly = [activity(w.label, *figures.logging_activity(team_id, w.start, w.end)) for w in weeks]
            _, active = figures.logging_activity(team_id, now - RECENT, until)
            groups, rate = coffee_rate(figures.coffee_outcomes(team_id, now - RECENT, until))
            ties = [activity(m.label, *figures.new_cross_team_ties(team_id, m.start, m.end)) for m in months]
        return AdminReport(
            weeks=weekly,
            active_people=activity("", active, active).meetings,
            coffee_groups=groups,
            coffee_met_rate=rate,
            new_cross_team_ties=ties,
        )
