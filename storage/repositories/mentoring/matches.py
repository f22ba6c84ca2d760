"""Mentoring cycles and matches; every query scoped by ``team_id``. A match changes state only from the states
its use case expects (one conditional UPDATE per use), so a double click or a late expiry changes nothing."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update

from bot.domain.mentoring.programme import BUSY, EXCLUDING, HOLDING, Cycle, Match, MatchStatus
from storage.models import CoffeeGroupRow
from storage.models.mentoring import MentorCycleRow, MentorMatchRow
from storage.repositories.common import SqlRepository, rowcount

NewMatch = tuple[str, str, MatchStatus, int, str]  # mentee, mentor ("" when unmatched), status, score, why


def _match(row: MentorMatchRow) -> Match:
    return Match(
        id=row.id,
        team_id=row.team_id,
        cycle_id=row.cycle_id,
        mentee_id=row.mentee_id,
        mentor_id=row.mentor_id,
        status=MatchStatus(row.status),
        score=row.score,
        why=row.why,
        notified_at=row.notified_at,
        requested_at=row.requested_at,
        expires_at=row.expires_at,
        channel_id=row.channel_id,
    )


def _values(statuses: Collection[MatchStatus]) -> list[str]:
    return sorted(status.value for status in statuses)


class SqlMentorMatchRepository(SqlRepository):
    """Cycles and the pairs they suggested, within the caller's unit of work."""

    # --- cycles ---------------------------------------------------------------------------------------------------

    def add_cycle(
        self, team_id: str, status: str, requested_by: str | None, total_score: int, certified: bool, now: datetime
    ) -> int:
        """Record a cycle; its id."""
        row = MentorCycleRow(
            team_id=team_id,
            status=status,
            requested_by=requested_by,
            total_score=total_score,
            certified=certified,
            created_at=now,
            updated_at=now,
        )
        self._session.add(row)
        self._session.flush()
        return int(row.id)

    def cycle(self, team_id: str, cycle_id: int) -> Cycle | None:
        """One cycle, or None."""
        row = self._session.get(MentorCycleRow, cycle_id)
        if row is None or row.team_id != team_id:
            return None
        return Cycle(row.id, row.team_id, row.status, row.requested_by, row.total_score, row.certified)

    def decide_cycle(self, team_id: str, cycle_id: int, before: str, after: str, now: datetime) -> bool:
        """Move a cycle from ``before`` to ``after`` (pending → proposed → published or dropped), once: False when
        it was not in ``before`` any more."""
        result = self._session.execute(
            update(MentorCycleRow)
            .where(MentorCycleRow.team_id == team_id, MentorCycleRow.id == cycle_id, MentorCycleRow.status == before)
            .values(status=after, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        return rowcount(result) == 1

    def add_matches(self, team_id: str, cycle_id: int | None, rows: Sequence[NewMatch], now: datetime) -> list[int]:
        """Store a cycle's suggestions (and unmatched mentees); their ids in order."""
        stored = [
            MentorMatchRow(
                team_id=team_id,
                cycle_id=cycle_id,
                mentee_id=mentee,
                mentor_id=mentor,
                status=status.value,
                score=score,
                why=why,
                created_at=now,
                updated_at=now,
            )
            for mentee, mentor, status, score, why in rows
        ]
        self._session.add_all(stored)
        self._session.flush()
        return [int(row.id) for row in stored]

    def of_cycle(self, team_id: str, cycle_id: int) -> list[Match]:
        """A cycle's rows, by mentee."""
        rows = self._session.scalars(
            select(MentorMatchRow)
            .where(MentorMatchRow.team_id == team_id, MentorMatchRow.cycle_id == cycle_id)
            .order_by(MentorMatchRow.mentee_id, MentorMatchRow.id)
        )
        return [_match(row) for row in rows]

    def move_cycle(self, team_id: str, cycle_id: int, before: MatchStatus, after: MatchStatus, now: datetime) -> None:
        """Move a cycle's rows in state ``before`` to ``after`` (publishing or dropping it)."""
        self._session.execute(
            update(MentorMatchRow)
            .where(
                MentorMatchRow.team_id == team_id,
                MentorMatchRow.cycle_id == cycle_id,
                MentorMatchRow.status == before.value,
            )
            .values(status=after.value, updated_at=now)
            .execution_options(synchronize_session=False)
        )

    def supersede(self, team_id: str, now: datetime) -> None:
        """Older open suggestions (and waitlist notes) pass when a new cycle is published."""
        self._session.execute(
            update(MentorMatchRow)
            .where(MentorMatchRow.team_id == team_id, MentorMatchRow.status == MatchStatus.SUGGESTED.value)
            .values(status=MatchStatus.PASSED.value, updated_at=now)
            .execution_options(synchronize_session=False)
        )

    # --- one match ------------------------------------------------------------------------------------------------

    def get(self, team_id: str, match_id: int) -> Match | None:
        """One match, or None."""
        row = self._session.get(MentorMatchRow, match_id)
        return _match(row) if row is not None and row.team_id == team_id else None

    def _move(
        self, team_id: str, match_id: int, before: Collection[MatchStatus], after: MatchStatus, **values: Any
    ) -> bool:
        result = self._session.execute(
            update(MentorMatchRow)
            .where(
                MentorMatchRow.team_id == team_id,
                MentorMatchRow.id == match_id,
                MentorMatchRow.status.in_(_values(before)),
            )
            .values(status=after.value, **values)
            .execution_options(synchronize_session=False)
        )
        return rowcount(result) == 1

    def mark_notified(self, team_id: str, match_id: int, now: datetime) -> None:
        """The person was told about this row (a retried send skips it)."""
        self._session.execute(
            update(MentorMatchRow)
            .where(MentorMatchRow.team_id == team_id, MentorMatchRow.id == match_id)
            .values(notified_at=now, updated_at=now)
            .execution_options(synchronize_session=False)
        )

    def request(self, team_id: str, match_id: int, expires_at: datetime, now: datetime) -> bool:
        """The mentee asked for the intro (from a suggestion)."""
        return self._move(
            team_id,
            match_id,
            {MatchStatus.SUGGESTED},
            MatchStatus.REQUESTED,
            requested_at=now,
            expires_at=expires_at,
            updated_at=now,
        )

    def pass_on(self, team_id: str, match_id: int, now: datetime) -> bool:
        """The mentee passed ("Not now", "Show another")."""
        return self._move(team_id, match_id, {MatchStatus.SUGGESTED}, MatchStatus.PASSED, updated_at=now)

    def decline(self, team_id: str, match_id: int, reason: str, now: datetime) -> bool:
        """The mentor declined (the reason is private to the mentor and never shown to the mentee)."""
        return self._move(
            team_id,
            match_id,
            {MatchStatus.REQUESTED},
            MatchStatus.DECLINED,
            decline_reason=reason or None,
            decided_at=now,
            updated_at=now,
        )

    def expire(self, team_id: str, match_id: int, now: datetime) -> bool:
        """Nobody answered the request in time."""
        return self._move(
            team_id, match_id, {MatchStatus.REQUESTED}, MatchStatus.EXPIRED, decided_at=now, updated_at=now
        )

    def activate(self, team_id: str, match_id: int, now: datetime) -> bool:
        """The mentor accepted (the caller took the slot in the same transaction)."""
        return self._move(
            team_id, match_id, {MatchStatus.REQUESTED}, MatchStatus.ACTIVE, decided_at=now, updated_at=now
        )

    def set_channel(self, team_id: str, match_id: int, channel_id: str, now: datetime) -> None:
        """The group DM the pair was introduced in."""
        self._session.execute(
            update(MentorMatchRow)
            .where(MentorMatchRow.team_id == team_id, MentorMatchRow.id == match_id)
            .values(channel_id=channel_id, updated_at=now)
            .execution_options(synchronize_session=False)
        )

    def pause(self, team_id: str, match_id: int, now: datetime) -> bool:
        """The pair pauses (the slot stays theirs)."""
        return self._move(team_id, match_id, {MatchStatus.ACTIVE}, MatchStatus.PAUSED, updated_at=now)

    def resume(self, team_id: str, match_id: int, now: datetime) -> bool:
        """A paused pair is meeting again."""
        return self._move(team_id, match_id, {MatchStatus.PAUSED}, MatchStatus.ACTIVE, updated_at=now)

    def end(self, team_id: str, match_id: int, now: datetime) -> bool:
        """The pair ends the match (the caller frees the slot in the same transaction)."""
        return self._move(team_id, match_id, HOLDING, MatchStatus.ENDED, decided_at=now, updated_at=now)

    def record_feedback(self, team_id: str, match_id: int, rating: int | None, note: str, now: datetime) -> bool:
        """Private feedback on an ended match (admins see only aggregates)."""
        result = self._session.execute(
            update(MentorMatchRow)
            .where(
                MentorMatchRow.team_id == team_id,
                MentorMatchRow.id == match_id,
                MentorMatchRow.status == MatchStatus.ENDED.value,
            )
            .values(rating=rating, feedback=note or None, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        return rowcount(result) == 1

    # --- what a cycle and "status" read -------------------------------------------------------------------------

    def excluded_pairs(self, team_id: str) -> set[tuple[str, str]]:
        """(mentee, mentor) pairs the history forbids: requested, active, paused, declined, ended or expired."""
        rows = self._session.execute(
            select(MentorMatchRow.mentee_id, MentorMatchRow.mentor_id).where(
                MentorMatchRow.team_id == team_id, MentorMatchRow.status.in_(_values(EXCLUDING))
            )
        )
        return {(mentee, mentor) for mentee, mentor in rows}

    def shown_to(self, team_id: str, mentee_id: str, cycle_id: int | None) -> set[str]:
        """Mentors already shown to the mentee in this cycle (for "show another")."""
        rows = self._session.scalars(
            select(MentorMatchRow.mentor_id).where(
                MentorMatchRow.team_id == team_id,
                MentorMatchRow.mentee_id == mentee_id,
                MentorMatchRow.cycle_id == cycle_id,
            )
        )
        return {mentor for mentor in rows if mentor}

    def busy_mentees(self, team_id: str) -> set[str]:
        """Mentees with a pending request or a current match (not cycled again until it ends)."""
        return set(
            self._session.scalars(
                select(MentorMatchRow.mentee_id).where(
                    MentorMatchRow.team_id == team_id, MentorMatchRow.status.in_(_values(BUSY))
                )
            )
        )

    def pending_requests(self, team_id: str) -> dict[str, int]:
        """Requests each mentor has not answered yet (they hold a slot in the next cycle's count)."""
        rows = self._session.execute(
            select(MentorMatchRow.mentor_id, func.count())
            .where(MentorMatchRow.team_id == team_id, MentorMatchRow.status == MatchStatus.REQUESTED.value)
            .group_by(MentorMatchRow.mentor_id)
        )
        return {mentor: int(count) for mentor, count in rows}

    def of_person(self, team_id: str, user_id: str, statuses: Collection[MatchStatus]) -> list[Match]:
        """A person's rows (as mentee or mentor) in these states, newest first."""
        rows = self._session.scalars(
            select(MentorMatchRow)
            .where(
                MentorMatchRow.team_id == team_id,
                (MentorMatchRow.mentee_id == user_id) | (MentorMatchRow.mentor_id == user_id),
                MentorMatchRow.status.in_(_values(statuses)),
            )
            .order_by(MentorMatchRow.id.desc())
        )
        return [_match(row) for row in rows]

    def feedback_summary(self, team_id: str) -> tuple[int, int, float | None]:
        """(matches ended, ratings given, the mean rating): the only view of feedback anyone gets."""
        ended, rated, mean = self._session.execute(
            select(func.count(), func.count(MentorMatchRow.rating), func.avg(MentorMatchRow.rating)).where(
                MentorMatchRow.team_id == team_id, MentorMatchRow.status == MatchStatus.ENDED.value
            )
        ).one()
        return int(ended or 0), int(rated or 0), float(mean) if mean is not None else None

    def shared_coffee_group(self, team_id: str, first: str, second: str) -> bool:
        """Whether the two were in one coffee group (a fact both of them saw)."""
        rows = self._session.scalars(
            select(CoffeeGroupRow.member_ids).where(
                CoffeeGroupRow.team_id == team_id, CoffeeGroupRow.member_ids.like(f"%{first}%")
            )
        )
        return any({first, second} <= set(str(members).split(",")) for members in rows)
