"""One person's data, whole: read for an export, deleted and anonymised to forget them.

Decisions:

* Export reads rows as plain dicts straight from the tables (Core, no ORM entities): the export is "what Rapport
  holds", column by column, and a new column shows up in it without anyone remembering to add it.
* Forgetting deletes every row the person owns (their log, reminders, cadences, settings, goals, coffee
  membership, intro line, avoid list, mentoring profile, directory entry) and replaces their id with one random
  token everywhere it appears in other people's rows (participants of others' meetings, others' reminders and
  cadences about them, coffee groups, avoid lists aimed at them, mentoring matches and cycles, where their decline
  reasons are erased too). The token is random, not a hash of the id (Slack ids are easy to
  enumerate), and the same one across tables, so others' coffee history still counts "met someone" without
  knowing who. A second forget finds nothing to do.
* Purging a workspace (uninstalled longer than the retention period) deletes every row of every table that has a
  ``team_id`` column, children before parents, read from the metadata: a table added later is purged without
  anyone remembering to add it here.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, literal, or_, select, update
from sqlalchemy.orm import Session

from storage.models import (
    Base,
    CadenceRow,
    CoffeeAvoidRow,
    CoffeeFairnessRow,
    CoffeeGroupRow,
    CoffeeMemberRow,
    CoffeeNoticeRow,
    CoffeeProfileRow,
    CoffeeProgramRow,
    ContactRollupRow,
    GoalRow,
    InteractionRow,
    NudgeRow,
    NudgeSettingsRow,
    ParticipantRow,
    PersonRow,
    TagRow,
    WeeklyReviewRow,
)
from storage.models.mentoring import MentorCycleRow, MentorMatchRow, MentorProfileRow, MentorProgrammeRow
from storage.repositories.common import SqlRepository

ANONYMOUS_PREFIX = "ANON"


def anonymous_token() -> str:
    """A fresh stand-in id: shaped like a Slack id, never equal to one (Slack ids don't start with A-N-O-N)."""
    return ANONYMOUS_PREFIX + secrets.token_hex(6).upper()


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    return value


def _rows(session: Session, table: Any, *where: Any) -> list[dict[str, Any]]:
    result = session.execute(select(table).where(*where)).mappings()
    return [{key: _plain(value) for key, value in row.items() if key != "team_id"} for row in result]


class SqlPersonalData(SqlRepository):
    """Everything stored about one person in one workspace."""

    def export(self, team_id: str, user_id: str) -> dict[str, list[dict[str, Any]]]:
        """Every row the person owns, and the coffee groups they were in, table by table."""
        s = self._session
        interactions = InteractionRow.__table__
        mine = select(InteractionRow.id).where(InteractionRow.team_id == team_id, InteractionRow.author_id == user_id)
        groups = [
            row
            for row in _rows(s, CoffeeGroupRow.__table__, CoffeeGroupRow.team_id == team_id)
            if user_id in str(row.get("member_ids", "")).split(",")
        ]
        return {
            "directory_entry": _rows(
                s, PersonRow.__table__, PersonRow.team_id == team_id, PersonRow.user_id == user_id
            ),
            "interactions": _rows(
                s, interactions, InteractionRow.team_id == team_id, InteractionRow.author_id == user_id
            ),
            "interaction_participants": _rows(
                s, ParticipantRow.__table__, ParticipantRow.team_id == team_id, ParticipantRow.interaction_id.in_(mine)
            ),
            "interaction_tags": _rows(s, TagRow.__table__, TagRow.team_id == team_id, TagRow.interaction_id.in_(mine)),
            "follow_ups": _rows(s, NudgeRow.__table__, NudgeRow.team_id == team_id, NudgeRow.user_id == user_id),
            "cadences": _rows(s, CadenceRow.__table__, CadenceRow.team_id == team_id, CadenceRow.user_id == user_id),
            "settings": _rows(
                s, NudgeSettingsRow.__table__, NudgeSettingsRow.team_id == team_id, NudgeSettingsRow.user_id == user_id
            ),
            "goals": _rows(s, GoalRow.__table__, GoalRow.team_id == team_id, GoalRow.user_id == user_id),
            "weekly_review": _rows(
                s, WeeklyReviewRow.__table__, WeeklyReviewRow.team_id == team_id, WeeklyReviewRow.user_id == user_id
            ),
            "coffee_memberships": _rows(
                s, CoffeeMemberRow.__table__, CoffeeMemberRow.team_id == team_id, CoffeeMemberRow.user_id == user_id
            ),
            "coffee_intro": _rows(
                s, CoffeeProfileRow.__table__, CoffeeProfileRow.team_id == team_id, CoffeeProfileRow.user_id == user_id
            ),
            "coffee_avoid_list": _rows(
                s, CoffeeAvoidRow.__table__, CoffeeAvoidRow.team_id == team_id, CoffeeAvoidRow.user_id == user_id
            ),
            "coffee_groups": groups,
            "mentoring_profile": _rows(
                s, MentorProfileRow.__table__, MentorProfileRow.team_id == team_id, MentorProfileRow.user_id == user_id
            ),
            "mentoring_matches": [
                _without_private(row, user_id)
                for row in _rows(
                    s,
                    MentorMatchRow.__table__,
                    MentorMatchRow.team_id == team_id,
                    or_(MentorMatchRow.mentee_id == user_id, MentorMatchRow.mentor_id == user_id),
                )
            ],
        }

    def holds_anything(self, team_id: str, user_id: str) -> bool:
        """Whether any row names the person (what a completed forget leaves: nothing)."""
        return any(self.export(team_id, user_id).values()) or bool(self._mentions(team_id, user_id))

    def _mentions(self, team_id: str, user_id: str) -> int:
        s = self._session
        counts = [
            s.scalar(select(func.count()).where(ParticipantRow.team_id == team_id, ParticipantRow.user_id == user_id)),
            s.scalar(select(func.count()).where(NudgeRow.team_id == team_id, NudgeRow.contact_id == user_id)),
            s.scalar(select(func.count()).where(CadenceRow.team_id == team_id, CadenceRow.contact_id == user_id)),
            s.scalar(
                select(func.count()).where(CoffeeAvoidRow.team_id == team_id, CoffeeAvoidRow.avoided_id == user_id)
            ),
            s.scalar(
                select(func.count()).where(CoffeeNoticeRow.team_id == team_id, CoffeeNoticeRow.user_id == user_id)
            ),
            s.scalar(
                select(func.count()).where(CoffeeFairnessRow.team_id == team_id, CoffeeFairnessRow.user_id == user_id)
            ),
            s.scalar(
                select(func.count()).where(CoffeeProgramRow.team_id == team_id, CoffeeProgramRow.set_up_by == user_id)
            ),
            s.scalar(
                select(func.count()).where(CoffeeGroupRow.team_id == team_id, CoffeeGroupRow.answered_by == user_id)
            ),
        ]
        counts += [
            s.scalar(
                select(func.count()).where(
                    MentorMatchRow.team_id == team_id,
                    or_(MentorMatchRow.mentee_id == user_id, MentorMatchRow.mentor_id == user_id),
                )
            ),
            s.scalar(
                select(func.count()).where(MentorCycleRow.team_id == team_id, MentorCycleRow.requested_by == user_id)
            ),
            s.scalar(
                select(func.count()).where(
                    MentorProgrammeRow.team_id == team_id, MentorProgrammeRow.managers.like(f"%{user_id}%")
                )
            ),
        ]
        groups = sum(
            1
            for (members,) in s.execute(select(CoffeeGroupRow.member_ids).where(CoffeeGroupRow.team_id == team_id))
            if user_id in str(members).split(",")
        )
        return sum(int(count or 0) for count in counts) + groups

    def forget(self, team_id: str, user_id: str) -> int:
        """Delete what the person owns and anonymise where they appear in others' rows; returns rows touched."""
        s = self._session
        touched = 0
        owned: tuple[tuple[Any, Any], ...] = (
            (NudgeRow, NudgeRow.user_id),
            (CadenceRow, CadenceRow.user_id),
            (NudgeSettingsRow, NudgeSettingsRow.user_id),
            (GoalRow, GoalRow.user_id),
            (CoffeeMemberRow, CoffeeMemberRow.user_id),
            (CoffeeProfileRow, CoffeeProfileRow.user_id),
            (CoffeeAvoidRow, CoffeeAvoidRow.user_id),
            (CoffeeNoticeRow, CoffeeNoticeRow.user_id),
            (CoffeeFairnessRow, CoffeeFairnessRow.user_id),
            (InteractionRow, InteractionRow.author_id),
            (ContactRollupRow, ContactRollupRow.author_id),
            (WeeklyReviewRow, WeeklyReviewRow.user_id),
            (MentorProfileRow, MentorProfileRow.user_id),
            (PersonRow, PersonRow.user_id),
        )
        for table, column in owned:
            touched += _count(s.execute(delete(table).where(table.team_id == team_id, column == user_id)))
        # Participants and tags of the deleted meetings go with them (ON DELETE CASCADE), except on SQLite
        # connections without foreign keys: delete the orphans explicitly.
        live = select(InteractionRow.id)
        s.execute(
            delete(ParticipantRow).where(ParticipantRow.team_id == team_id, ParticipantRow.interaction_id.not_in(live))
        )
        s.execute(delete(TagRow).where(TagRow.team_id == team_id, TagRow.interaction_id.not_in(live)))
        touched += self._forget_mentoring(team_id, user_id)
        token = anonymous_token()
        mentions: tuple[tuple[Any, Any], ...] = (
            (ParticipantRow, ParticipantRow.user_id),
            (ContactRollupRow, ContactRollupRow.contact_id),  # one row per author: the fresh token stays unique
            (NudgeRow, NudgeRow.contact_id),
            (CadenceRow, CadenceRow.contact_id),
            (CoffeeAvoidRow, CoffeeAvoidRow.avoided_id),
            (CoffeeProgramRow, CoffeeProgramRow.set_up_by),
            (CoffeeGroupRow, CoffeeGroupRow.answered_by),
            (MentorMatchRow, MentorMatchRow.mentee_id),
            (MentorMatchRow, MentorMatchRow.mentor_id),
            (MentorCycleRow, MentorCycleRow.requested_by),
        )
        for table, column in mentions:
            touched += _count(
                s.execute(
                    update(table)
                    .where(table.team_id == team_id, column == user_id)
                    .values({column.key: literal(token)})
                    .execution_options(synchronize_session=False)
                )
            )
        for group_id, members in s.execute(
            select(CoffeeGroupRow.id, CoffeeGroupRow.member_ids).where(
                CoffeeGroupRow.team_id == team_id,
                or_(CoffeeGroupRow.member_ids.like(f"%{user_id}%")),
            )
        ).all():
            ids = str(members).split(",")
            if user_id in ids:
                replaced = ",".join(token if member == user_id else member for member in ids)
                s.execute(update(CoffeeGroupRow).where(CoffeeGroupRow.id == group_id).values(member_ids=replaced))
                touched += 1
        return touched

    def purge_workspace(self, team_id: str) -> int:
        """Delete every row of the workspace in every table (installs and tokens included); returns rows deleted."""
        deleted = 0
        for table in reversed(Base.metadata.sorted_tables):
            if "team_id" in table.c:
                deleted += _count(self._session.execute(delete(table).where(table.c.team_id == team_id)))
        return deleted

    def _forget_mentoring(self, team_id: str, user_id: str) -> int:
        """Mentoring history keeps its shape (others' slots and exclusions still count) but loses what the person
        wrote in it (a decline reason, feedback), and they leave the programme's managers."""
        s = self._session
        touched = _count(
            s.execute(
                update(MentorMatchRow)
                .where(
                    MentorMatchRow.team_id == team_id,
                    MentorMatchRow.mentor_id == user_id,
                    MentorMatchRow.decline_reason.is_not(None),
                )
                .values(decline_reason=None)
                .execution_options(synchronize_session=False)
            )
        )
        for row in s.scalars(
            select(MentorProgrammeRow).where(
                MentorProgrammeRow.team_id == team_id, MentorProgrammeRow.managers.like(f"%{user_id}%")
            )
        ):
            row.managers = ",".join(m for m in row.managers.split(",") if m and m != user_id)
            touched += 1
        return touched


def _without_private(row: dict[str, Any], user_id: str) -> dict[str, Any]:
    """A mentoring row as the person may see it: the mentor's decline reason only for the mentor."""
    if row.get("mentor_id") != user_id:
        row.pop("decline_reason", None)
    return row


def _count(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
