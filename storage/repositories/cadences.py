"""Keep-in-touch cadences ("remind me to talk to Lee every 60 days") and each person's nudge settings.

Every query is scoped by ``team_id`` and the person. The statements are built once at import: every logged meeting
reads the author's settings and cadences (scheduling its follow-up and resetting cadence clocks), and building a
statement per call cost several times the database's own work.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time
from typing import Any

from sqlalchemy import Table, bindparam, select, update

from bot.domain.nudges import Cadence, NudgeSettings
from storage.models import CadenceRow, NudgeSettingsRow
from storage.repositories.common import SqlRepository, pair_params
from storage.upsert import insert_if_missing

_CADENCES: Table = CadenceRow.__table__  # type: ignore[assignment]
_SETTINGS: Table = NudgeSettingsRow.__table__  # type: ignore[assignment]

_CADENCES_FOR_CONTACTS = select(_CADENCES).where(
    _CADENCES.c.team_id == bindparam("team_id"),
    _CADENCES.c.user_id == bindparam("user_id"),
    _CADENCES.c.contact_id.in_(bindparam("contact_ids", expanding=True)),
)
_SETTINGS_OF = select(_SETTINGS).where(
    _SETTINGS.c.team_id == bindparam("team_id"), _SETTINGS.c.user_id == bindparam("user_id")
)
# A batch of meetings (group commit) reads the rows of every author (and contact) in it and keeps the wanted ones.
_SETTINGS_OF_MANY = select(_SETTINGS).where(
    _SETTINGS.c.team_id == bindparam("team_id"), _SETTINGS.c.user_id.in_(bindparam("user_ids", expanding=True))
)
_CADENCES_FOR_PAIRS = select(_CADENCES).where(
    _CADENCES.c.team_id == bindparam("team_id"),
    _CADENCES.c.user_id.in_(bindparam("user_ids", expanding=True)),
    _CADENCES.c.contact_id.in_(bindparam("contact_ids", expanding=True)),
)
_ACTIVE_CADENCES = (
    select(_CADENCES)
    .where(_CADENCES.c.team_id == bindparam("team_id"), _CADENCES.c.user_id == bindparam("user_id"))
    .where(_CADENCES.c.active.is_(True))
    .order_by(_CADENCES.c.next_due_at, _CADENCES.c.contact_id)
)


def _cadence(row: Any) -> Cadence:
    # An ORM CadenceRow or a Core row of the cadences table: the same attribute names.
    return Cadence(
        id=row.id,
        team_id=row.team_id,
        user_id=row.user_id,
        contact_id=row.contact_id,
        every_days=row.every_days,
        active=row.active,
        created_at=row.created_at,
        last_interaction_at=row.last_interaction_at,
        last_nudged_at=row.last_nudged_at,
        next_due_at=row.next_due_at,
    )


class SqlCadenceRepository(SqlRepository):
    """Keep-in-touch cadences."""

    def get(self, team_id: str, user_id: str, contact_id: str) -> Cadence | None:
        """The cadence for this pair (active or not)."""
        row = self._row(team_id, user_id, contact_id)
        return _cadence(row) if row else None

    def _row(self, team_id: str, user_id: str, contact_id: str, reload: bool = False) -> CadenceRow | None:
        query = select(CadenceRow).where(
            CadenceRow.team_id == team_id, CadenceRow.user_id == user_id, CadenceRow.contact_id == contact_id
        )
        return self._session.scalars(query.execution_options(populate_existing=reload)).first()

    def upsert(
        self,
        team_id: str,
        user_id: str,
        contact_id: str,
        every_days: int,
        last_interaction_at: datetime | None,
        next_due_at: datetime,
        now: datetime,
    ) -> Cadence:
        """Create or re-arm the cadence for this pair."""
        row = self._row(team_id, user_id, contact_id)
        if row is None:
            values = {
                "team_id": team_id,
                "user_id": user_id,
                "contact_id": contact_id,
                "every_days": every_days,
                "created_at": now,
                "updated_at": now,
            }
            insert_if_missing(self._session, CadenceRow, values)
            row = self._row(team_id, user_id, contact_id, reload=True)
            assert row is not None
        row.every_days = every_days
        row.active = True
        row.last_interaction_at = last_interaction_at
        row.last_nudged_at = None
        row.next_due_at = next_due_at
        row.updated_at = now
        self._session.flush()
        return _cadence(row)

    def update_clock(
        self, cadence_id: int, last_interaction_at: datetime, next_due_at: datetime, now: datetime
    ) -> None:
        """A newer interaction reset the cadence's clock."""
        self._session.execute(
            update(CadenceRow)
            .where(CadenceRow.id == cadence_id, CadenceRow.active.is_(True))
            .values(last_interaction_at=last_interaction_at, next_due_at=next_due_at, updated_at=now)
            .execution_options(synchronize_session=False)
        )

    def deactivate(self, team_id: str, user_id: str, contact_id: str, now: datetime) -> bool:
        """Stop the cadence; False when there was no active one."""
        row = self._row(team_id, user_id, contact_id)
        if row is None or not row.active:
            return False
        row.active = False
        row.next_due_at = None
        row.updated_at = now
        self._session.flush()
        return True

    def list_active(self, team_id: str, user_id: str) -> list[Cadence]:
        """The person's active cadences, soonest due first."""
        return [_cadence(row) for row in self._run(_ACTIVE_CADENCES, team_id=team_id, user_id=user_id)]

    def due(self, now: datetime, limit: int, team_id: str | None = None) -> list[Cadence]:
        """Active cadences whose next reminder is due (all workspaces unless ``team_id``; index on next_due_at)."""
        query = select(CadenceRow).where(CadenceRow.next_due_at <= now, CadenceRow.active.is_(True))
        if team_id is not None:
            query = query.where(CadenceRow.team_id == team_id)
        return [_cadence(row) for row in self._session.scalars(query.order_by(CadenceRow.next_due_at).limit(limit))]

    def advance(self, cadence_id: int, expected_due: datetime, next_due_at: datetime, nudged_at: datetime) -> bool:
        """Move a due cadence on, only if nobody else did (compare-and-set on next_due_at)."""
        result = self._session.execute(
            update(CadenceRow)
            .where(CadenceRow.id == cadence_id, CadenceRow.next_due_at == expected_due, CadenceRow.active.is_(True))
            .values(next_due_at=next_due_at, last_nudged_at=nudged_at, updated_at=nudged_at)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0))

    def for_pairs(self, team_id: str, pairs: Sequence[tuple[str, str]]) -> dict[tuple[str, str], Cadence]:
        """Cadences for (user, contact) pairs in one query, by pair."""
        wanted = set(pairs)
        if not wanted:
            return {}
        rows = self._session.execute(_CADENCES_FOR_PAIRS, pair_params(team_id, wanted))
        return {(row.user_id, row.contact_id): _cadence(row) for row in rows if (row.user_id, row.contact_id) in wanted}

    def for_contacts(self, team_id: str, user_id: str, contact_ids: Sequence[str]) -> dict[str, Cadence]:
        """The person's cadences for these contacts, by contact id."""
        if not contact_ids:
            return {}
        params = {"team_id": team_id, "user_id": user_id, "contact_ids": list(contact_ids)}
        return {row.contact_id: _cadence(row) for row in self._session.execute(_CADENCES_FOR_CONTACTS, params)}


def _minutes(value: time) -> int:
    return value.hour * 60 + value.minute


def _time(minutes: int) -> time:
    return time(minutes // 60 % 24, minutes % 60)


def _days_mask(days: frozenset[int]) -> int:
    return sum(1 << day for day in days)


def _days(mask: int) -> frozenset[int]:
    return frozenset(day for day in range(7) if mask & (1 << day))


class SqlNudgeSettingsRepository(SqlRepository):
    """Per-person nudge settings; a missing row means the defaults."""

    def get(self, team_id: str, user_id: str) -> NudgeSettings | None:
        """The person's saved settings, or None."""
        row = self._session.execute(_SETTINGS_OF, {"team_id": team_id, "user_id": user_id}).first()
        return _settings(row) if row else None

    def get_many(self, team_id: str, user_ids: Sequence[str]) -> dict[str, NudgeSettings]:
        """Saved settings by user id (people with defaults are absent)."""
        if not user_ids:
            return {}
        rows = self._session.execute(_SETTINGS_OF_MANY, {"team_id": team_id, "user_ids": sorted(set(user_ids))})
        return {row.user_id: _settings(row) for row in rows}

    def save(self, team_id: str, user_id: str, settings: NudgeSettings, now: datetime) -> None:
        """Insert or replace the person's settings."""
        row = self._session.get(NudgeSettingsRow, (team_id, user_id))
        if row is None:
            values = {"team_id": team_id, "user_id": user_id, "updated_at": now}
            insert_if_missing(self._session, NudgeSettingsRow, values)
            row = self._session.get(NudgeSettingsRow, (team_id, user_id), populate_existing=True)
            assert row is not None
        row.default_follow_up_days = settings.default_follow_up_days
        row.work_start_minute = _minutes(settings.work_start)
        row.work_end_minute = _minutes(settings.work_end)
        row.work_days = _days_mask(settings.work_days)
        row.paused_until = settings.paused_until
        row.digest_enabled = settings.digest_enabled
        row.updated_at = now
        self._session.flush()


def _settings(row: Any) -> NudgeSettings:
    # An ORM NudgeSettingsRow or a Core row of its table: the same attribute names.
    return NudgeSettings(
        default_follow_up_days=row.default_follow_up_days,
        work_start=_time(row.work_start_minute),
        work_end=_time(row.work_end_minute),
        work_days=_days(row.work_days),
        paused_until=row.paused_until,
        digest_enabled=row.digest_enabled,
    )
