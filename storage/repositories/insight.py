"""Goals, and the aggregates insight shows: indexed GROUP BY queries over one person's log, never a full scan."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import and_, case, delete, func, or_, select
from sqlalchemy.orm import Session

from bot.domain.insight.goals import Goal, GoalKind
from bot.domain.nudges import NudgeKind, NudgeStatus
from storage.models import CadenceRow, GoalRow, InteractionRow, NudgeRow, ParticipantRow
from storage.upsert import insert_statement

# Follow-ups that count towards follow-through: answered by Done or made moot by a later meeting.
_FOLLOWED_UP = (NudgeStatus.DONE.value, NudgeStatus.SUPERSEDED.value)
# Not part of the rate: "Not needed" is the person's call, a snoozed row is replaced by its successor, and a failed
# one never reached them.
_NOT_COUNTED = (NudgeStatus.DISMISSED.value, NudgeStatus.SNOOZED.value, NudgeStatus.FAILED.value)


class SqlInsightRepository:
    """Goals and per-person aggregates; every query is scoped by workspace and by the person it is about."""

    def __init__(self, session: Session) -> None:
        self._session = session

    # --- goals ----------------------------------------------------------------------------------------------------

    def goals(self, team_id: str, user_id: str) -> list[Goal]:
        """A person's goals, in a stable order."""
        rows = self._session.scalars(
            select(GoalRow).where(GoalRow.team_id == team_id, GoalRow.user_id == user_id).order_by(GoalRow.kind)
        )
        return [Goal(GoalKind(row.kind), row.target) for row in rows]

    def set_goal(self, team_id: str, user_id: str, goal: Goal, now: datetime) -> None:
        """Set (or replace) the person's goal of that kind."""
        values = {"team_id": team_id, "user_id": user_id, "kind": goal.kind.value, "target": goal.target}
        statement = insert_statement(self._session, GoalRow).values(**values, created_at=now, updated_at=now)
        self._session.execute(
            statement.on_conflict_do_update(
                index_elements=["team_id", "user_id", "kind"], set_={"target": goal.target, "updated_at": now}
            )
        )

    def clear_goals(self, team_id: str, user_id: str, kind: GoalKind | None) -> int:
        """Stop tracking one kind of goal (or all); returns how many were removed."""
        statement = delete(GoalRow).where(GoalRow.team_id == team_id, GoalRow.user_id == user_id)
        if kind is not None:
            statement = statement.where(GoalRow.kind == kind.value)
        return int(getattr(self._session.execute(statement), "rowcount", 0) or 0)

    # --- aggregates -----------------------------------------------------------------------------------------------

    def meetings_by_contact(self, team_id: str, author_id: str, start: datetime, end: datetime) -> dict[str, int]:
        """How many logged meetings the author had with each contact in [start, end)."""
        rows = self._session.execute(
            select(ParticipantRow.user_id, func.count())
            .join(InteractionRow, InteractionRow.id == ParticipantRow.interaction_id)
            .where(
                InteractionRow.team_id == team_id,
                InteractionRow.author_id == author_id,
                InteractionRow.happened_at >= start,
                InteractionRow.happened_at < end,
            )
            .group_by(ParticipantRow.user_id)
        )
        return {user_id: int(count) for user_id, count in rows}

    def meetings_with(self, team_id: str, author_id: str, contact_id: str) -> int:
        """How many meetings the author ever logged with this contact."""
        count = self._session.scalar(
            select(func.count())
            .select_from(ParticipantRow)
            .join(InteractionRow, InteractionRow.id == ParticipantRow.interaction_id)
            .where(
                InteractionRow.team_id == team_id,
                InteractionRow.author_id == author_id,
                ParticipantRow.user_id == contact_id,
            )
        )
        return int(count or 0)

    def contact_summaries(self, team_id: str, author_id: str) -> dict[str, tuple[int, datetime]]:
        """Each contact the author ever logged: (meetings, last met) — one row per contact, not per meeting."""
        rows = self._session.execute(
            select(ParticipantRow.user_id, func.count(), func.max(InteractionRow.happened_at))
            .join(InteractionRow, InteractionRow.id == ParticipantRow.interaction_id)
            .where(InteractionRow.team_id == team_id, InteractionRow.author_id == author_id)
            .group_by(ParticipantRow.user_id)
        )
        return {user_id: (int(count), _aware(last)) for user_id, count, last in rows}

    def first_met(self, team_id: str, author_id: str, start: datetime, end: datetime) -> dict[str, datetime]:
        """Contacts the author met for the first time in [start, end), with when."""
        met_in_window = (
            select(ParticipantRow.user_id)
            .join(InteractionRow, InteractionRow.id == ParticipantRow.interaction_id)
            .where(
                InteractionRow.team_id == team_id,
                InteractionRow.author_id == author_id,
                InteractionRow.happened_at >= start,
                InteractionRow.happened_at < end,
            )
            .distinct()
        )
        first = func.min(InteractionRow.happened_at)
        rows = self._session.execute(
            select(ParticipantRow.user_id, first)
            .join(InteractionRow, InteractionRow.id == ParticipantRow.interaction_id)
            .where(
                InteractionRow.team_id == team_id,
                InteractionRow.author_id == author_id,
                InteractionRow.happened_at < end,
                ParticipantRow.user_id.in_(met_in_window),
            )
            .group_by(ParticipantRow.user_id)
            .having(first >= start)
        )
        return {user_id: _aware(when) for user_id, when in rows}

    def follow_up_counts(self, team_id: str, user_id: str, start: datetime, end: datetime) -> tuple[int, int]:
        """(due, followed up) among the person's follow-ups that came due in [start, end)."""
        done = func.sum(case((NudgeRow.status.in_(_FOLLOWED_UP), 1), else_=0))
        due, followed = self._session.execute(
            select(func.count(), done).where(
                NudgeRow.team_id == team_id,
                NudgeRow.user_id == user_id,
                NudgeRow.kind == NudgeKind.FOLLOW_UP.value,
                NudgeRow.due_at >= start,
                NudgeRow.due_at < end,
                NudgeRow.status.not_in(_NOT_COUNTED),
            )
        ).one()
        return int(due or 0), int(followed or 0)

    def cadence_counts(self, team_id: str, user_id: str, now: datetime) -> tuple[int, int]:
        """(keep-in-touch contacts, of those not overdue at ``now``)."""
        on_time = func.sum(case((or_(CadenceRow.next_due_at.is_(None), CadenceRow.next_due_at > now), 1), else_=0))
        total, fine = self._session.execute(
            select(func.count(), on_time).where(
                and_(CadenceRow.team_id == team_id, CadenceRow.user_id == user_id, CadenceRow.active.is_(True))
            )
        ).one()
        return int(total or 0), int(fine or 0)


def _aware(value: datetime) -> datetime:
    # UTCDateTime returns aware values; an aggregate (MIN) may bypass the column type on SQLite, so restore it here.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
