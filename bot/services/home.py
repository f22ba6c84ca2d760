"""The App Home tab's content for one person: goals, what needs doing, and reach — their own data only."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.domain.coffee import CoffeeOutlook
from bot.domain.insight.effectiveness import Effectiveness
from bot.domain.insight.reach import Reach
from bot.domain.nudges import DueNudge, cadence_info
from bot.services.followups import FollowUpService
from bot.services.insight import GoalReport, InsightService
from bot.services.mentoring.profiles import Summary as MentoringSummary
from bot.services.people import PeopleService
from bot.services.ports import Clock, UnitOfWorkFactory

MAX_DUE_SHOWN = 5  # follow-ups with buttons on the tab; the rest are counted
MAX_OVERDUE_SHOWN = 5
MAX_COFFEE_SHOWN = 3  # coffee channels on the tab
MAX_DUE_COUNTED = 100  # "…and 95+ more": past this the tab stops counting (a backlog costs what 100 does)


@dataclass(frozen=True, slots=True)
class OverdueContact:
    """A keep-in-touch contact past their date."""

    user_id: str
    label: str
    every_days: int
    due_at: datetime


@dataclass(frozen=True, slots=True)
class HomeView:
    """Everything the tab shows; ``first_run`` when the person has logged nothing and set no goal yet."""

    user_id: str
    tz: str
    now: datetime
    first_run: bool
    goals: list[GoalReport]
    due: list[DueNudge]
    more_due: int
    overdue: list[OverdueContact]
    more_overdue: int
    reach: Reach
    effectiveness: Effectiveness
    more_due_counted_all: bool = True  # False: ``more_due`` is a floor ("95+")
    coffee: tuple[CoffeeOutlook, ...] = ()
    mentoring: MentoringSummary | None = None  # None: mentoring is not offered here


class HomeService:
    """Gathers the tab from the services that own each part."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        people: PeopleService,
        insight: InsightService,
        followups: FollowUpService,
        clock: Clock,
        mentoring: Callable[[str, str], MentoringSummary] | None = None,
    ) -> None:
        self._uow_factory = uow_factory
        self._people = people
        self._insight = insight
        self._followups = followups
        self._clock = clock
        self._mentoring = mentoring

    def view(self, team_id: str, user_id: str) -> HomeView:
        """The tab for ``user_id``: every figure read in one unit of work (a round trip less per part)."""
        now = self._clock.now()
        person = self._people.find(team_id, user_id)
        tz, department = (person.tz, person.department) if person else ("UTC", "")
        with self._uow_factory() as uow:
            goals = self._insight.goal_reports_in(uow.insight, team_id, user_id, tz, department)
            due_rows, due_total = uow.nudges.due_for_user(team_id, user_id, now, MAX_DUE_SHOWN, MAX_DUE_COUNTED)
            cadences = [
                info for c in uow.cadences.list_active(team_id, user_id) if (info := cadence_info(c)).next_due_at <= now
            ]
            insight = self._insight.person_insight_in(uow.insight, team_id, user_id, tz, department)
            coffee = uow.coffee_rounds.outlook(team_id, user_id, now, MAX_COFFEE_SHOWN) if insight.in_coffee else []
        shown_ids = tuple(dict.fromkeys([n.contact_id for n in due_rows] + [c.contact_id for c in cadences]))
        labels = self._people.labels(team_id, shown_ids)
        due = [
            DueNudge(
                id=nudge.id,
                team_id=team_id,
                user_id=user_id,
                contact_id=nudge.contact_id,
                kind=nudge.kind,
                due_at=nudge.due_at,
                contact=labels.get(nudge.contact_id, f"<@{nudge.contact_id}>"),
            )
            for nudge in due_rows
        ]
        overdue = [
            OverdueContact(c.contact_id, labels.get(c.contact_id, f"<@{c.contact_id}>"), c.every_days, c.next_due_at)
            for c in cadences[:MAX_OVERDUE_SHOWN]
        ]
        return HomeView(
            user_id=user_id,
            tz=tz,
            now=now,
            first_run=not insight.logged_anything and not goals,
            goals=goals,
            due=due,
            more_due=max(0, due_total - len(due_rows)),
            more_due_counted_all=due_total < MAX_DUE_COUNTED,
            overdue=overdue,
            more_overdue=max(0, len(cadences) - MAX_OVERDUE_SHOWN),
            reach=insight.reach,
            effectiveness=insight.effectiveness,
            coffee=tuple(coffee),
            mentoring=self._mentoring(team_id, user_id) if self._mentoring else None,
        )
