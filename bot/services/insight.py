"""Insight: a person's goals and how they are doing against them, and how far their network reaches."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.insight.effectiveness import MIRROR_SLACK, Effectiveness
from bot.domain.insight.goals import (
    ClearGoal,
    Goal,
    GoalError,
    GoalKind,
    GoalProgress,
    GoalTally,
    parse_goal,
    progress,
    streak,
)
from bot.domain.insight.network import NetworkPicture, Tie, build_picture
from bot.domain.insight.periods import Period, Window, elapsed_fraction, previous, recent_windows, window_at
from bot.domain.insight.reach import Reach
from bot.services.people import PeopleService
from bot.services.ports import Clock, InsightRepository, UnitOfWorkFactory
from bot.services.ports.insight import FigureWindows

EFFECTIVENESS_SPAN = timedelta(days=90)
STREAK_PERIODS = {Period.WEEK: 12, Period.MONTH: 12, Period.QUARTER: 4}  # how far back a streak is counted


@dataclass(frozen=True, slots=True)
class GoalReport:
    """One goal, its current period, progress and streak."""

    window: Window
    progress: GoalProgress
    streak: int


@dataclass(frozen=True, slots=True)
class GoalChange:
    """What ``/network goal …`` did, in words; ``ok`` is False when nothing was stored."""

    ok: bool
    text: str


@dataclass(frozen=True, slots=True)
class PersonInsight:
    """What the Home tab shows of insight besides goals."""

    reach: Reach
    effectiveness: Effectiveness
    logged_anything: bool
    in_coffee: bool = False  # ever a member of a coffee channel (else the tab has no coffee to read)


class InsightService:
    """Goals and reach for one person, from their own log only."""

    def __init__(self, uow_factory: UnitOfWorkFactory, people: PeopleService, clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._people = people
        self._clock = clock

    def now(self) -> datetime:
        """The service's clock (what "today" and "fading" are measured from)."""
        return self._clock.now()

    def change_goal(self, team_id: str, user_id: str, text: str) -> GoalChange:
        """Set or clear a goal from the text after ``/network goal``."""
        parsed = parse_goal(text)
        if isinstance(parsed, GoalError):
            return GoalChange(False, parsed.message)
        now = self._clock.now()
        with self._uow_factory() as uow:
            uow.workspaces.ensure(team_id, now)
            if isinstance(parsed, ClearGoal):
                removed = uow.insight.clear_goals(team_id, user_id, parsed.kind)
                uow.commit()
                return GoalChange(True, "Goal cleared." if removed else "You had no goal like that to clear.")
            uow.insight.set_goal(team_id, user_id, parsed, now)
            uow.commit()
        return GoalChange(True, f"Goal set: {parsed.sentence}. I'll show your progress on the Home tab.")

    def goal_reports(self, team_id: str, user_id: str) -> list[GoalReport]:
        """Each of the person's goals against its current period, with the streak of periods met before it."""
        tz = self._people.tz_of(team_id, user_id)
        department = self._department(team_id, user_id)
        with self._uow_factory() as uow:
            return self.goal_reports_in(uow.insight, team_id, user_id, tz, department)

    def goal_reports_in(
        self, insight: InsightRepository, team_id: str, user_id: str, tz: str, department: str
    ) -> list[GoalReport]:
        """``goal_reports`` inside the caller's unit of work (the Home tab reads everything in one)."""
        now = self._clock.now()
        goals = insight.goals(team_id, user_id)
        return [self._report(insight, team_id, user_id, goal, now, tz, department) for goal in goals]

    def _report(
        self,
        insight: InsightRepository,
        team_id: str,
        user_id: str,
        goal: Goal,
        now: datetime,
        tz: str,
        department: str,
    ) -> GoalReport:
        period = goal.rule.period
        windows = recent_windows(period, now, tz, 1 + STREAK_PERIODS[period])
        tallies = self._tallies(insight, team_id, user_id, goal.kind, windows, now, department)
        current = progress(goal, tallies[0], elapsed_fraction(windows[0], now))
        earlier = [progress(goal, tally, 1.0).met for tally in tallies[1:]]
        return GoalReport(windows[0], current, streak(earlier, current.met))

    def _tallies(
        self,
        insight: InsightRepository,
        team_id: str,
        user_id: str,
        kind: GoalKind,
        windows: list[Window],
        now: datetime,
        department: str,
    ) -> list[GoalTally]:
        """The goal's counts for each window, newest first."""
        match kind:
            case GoalKind.NEW_PEOPLE:
                # One aggregate over the whole span (a row per contact, not per meeting), bucketed here.
                first = insight.first_met(team_id, user_id, windows[-1].start, windows[0].end)
                return [GoalTally(new_people=sum(1 for at in first.values() if w.contains(at))) for w in windows]
            case GoalKind.OUTSIDE_TEAM:
                spans = [(w.start, w.end) for w in windows]
                counts = insight.outside_team_contacts(team_id, user_id, spans, department)
                return [GoalTally(outside_team=count) for count in counts]
            case GoalKind.FOLLOW_THROUGH:
                spans = [(w.start, min(w.end, now)) for w in windows]
                return [
                    GoalTally(follow_ups_due=due, follow_ups_done=done)
                    for due, done in insight.follow_up_counts(team_id, user_id, spans)
                ]
            case GoalKind.KEEP_IN_TOUCH:
                # Cadences have no history: only "now" can be measured, so the earlier periods count as not met.
                total, on_time = insight.cadence_counts(team_id, user_id, now)
                return [GoalTally(cadences=total, cadences_on_time=on_time)] + [GoalTally() for _ in windows[1:]]

    def reach(self, team_id: str, user_id: str) -> Reach:
        """Teams and time zones met this quarter, and the new ties outside the person's team."""
        tz = self._people.tz_of(team_id, user_id)
        department = self._department(team_id, user_id)
        with self._uow_factory() as uow:
            return self.person_insight_in(uow.insight, team_id, user_id, tz, department).reach

    def has_logged(self, team_id: str, user_id: str) -> bool:
        """Whether the person ever logged a meeting (the Home tab's first-run test)."""
        with self._uow_factory() as uow:
            return uow.insight.has_logged(team_id, user_id)

    def effectiveness(self, team_id: str, user_id: str) -> Effectiveness:
        """The person's private measures over the last 90 days: follow-through, reciprocity (a count, never who),
        coffee groups that led to a second meeting, and how long follow-ups take."""
        with self._uow_factory() as uow:  # its figures span the last 90 days, whatever the person's time zone
            return self.person_insight_in(uow.insight, team_id, user_id, "UTC", "").effectiveness

    def person_insight_in(
        self, insight: InsightRepository, team_id: str, user_id: str, tz: str, department: str
    ) -> PersonInsight:
        """Reach, effectiveness and whether the person logged anything, inside the caller's unit of work (the Home
        tab reads everything in one), in four statements.

        Every figure is counted in SQL: this quarter's, last quarter's and the last 90 days' meetings by the
        contact's team and time zone in one grouped pass over the person's index range (joined to the directory
        cache); the single figures (follow-through, new ties from the per-contact roll-up, "logged anything",
        "named by anyone else") in one statement of index ranges; so a long history costs what two quarters do."""
        now = self._clock.now()
        quarter = window_at(Period.QUARTER, now, tz)
        before = previous(quarter, tz)
        start, end = now - EFFECTIVENESS_SPAN, now + timedelta(seconds=1)
        met, met_before, recent = insight.meetings_by_team_and_zone(
            team_id, user_id, [(quarter.start, quarter.end), (before.start, before.end), (start, end)]
        )
        windows = FigureWindows(
            follow_ups=(start, now),
            ties=(quarter.start, quarter.end),
            named=(start - MIRROR_SLACK, end + MIRROR_SLACK),
            own=department,
        )
        figures = insight.person_figures(team_id, user_id, windows)
        by_team: dict[str, int] = {}
        for (team, _zone), count in met.items():
            by_team[team] = by_team.get(team, 0) + count
        zones = len({zone for _team, zone in met if zone})
        teams_before = len({team for team, _zone in met_before if team})
        reach = Reach(by_team, zones, figures.new_ties, own_team=department, teams_last_quarter=teams_before)
        meetings, mirrored = sum(recent.values()), 0
        if figures.named_by_others:
            meetings, mirrored = insight.reciprocity(team_id, user_id, start, end)
        # Otherwise nobody logged a meeting naming the person around then (most contacts do not use Rapport):
        # nothing can mirror, and the window's meetings are already counted above.
        groups, again = insight.coffee_follow_through(team_id, user_id, start, end) if figures.in_coffee else (0, 0)
        delays = insight.follow_up_delays(team_id, user_id, start, end)
        effectiveness = Effectiveness(
            figures.follow_ups_due, figures.follow_ups_done, mirrored, meetings, groups, again, delays
        )
        return PersonInsight(reach, effectiveness, figures.has_logged, figures.in_coffee)

    def network_picture(self, team_id: str, user_id: str) -> NetworkPicture:
        """Everyone the person logged meetings with, strongest ties first (their own log only)."""
        now = self._clock.now()
        with self._uow_factory() as uow:
            contacts = uow.insight.contact_summaries(team_id, user_id)
            people = uow.people.get_many(team_id, list(contacts))
        ties = [
            Tie(
                contact,
                people[contact].label if contact in people else contact,
                people[contact].department if contact in people else "",
                meetings,
                last_met,
            )
            for contact, (meetings, last_met) in contacts.items()
        ]
        return build_picture(user_id, ties, now)

    def _department(self, team_id: str, user_id: str) -> str:
        return self._people_of(team_id, [user_id]).get(user_id, ("", ""))[0]

    def _people_of(self, team_id: str, user_ids: list[str]) -> dict[str, tuple[str, str]]:
        """Department and time zone from the directory cache; insight never calls Slack (a stale team is fine)."""
        if not user_ids:
            return {}
        with self._uow_factory() as uow:
            people = uow.people.get_many(team_id, user_ids)
        return {user: (person.department, person.tz) for user, person in people.items()}
