"""Mentoring profiles, the workspace skill list and the programme settings; every query scoped by ``team_id``.

Decision: **a slot is taken by one conditional UPDATE of the mentor's row** (``take_slot``:
``SET slots_taken = slots_taken + 1 WHERE … AND slots_taken < capacity``). On PostgreSQL a second concurrent
accept blocks on the row lock and re-checks the condition against the committed row (READ COMMITTED re-evaluates
the WHERE), so it matches nothing; SQLite serialises writers. Either way two accepts can never both take the last
slot. Rejected: counting active matches and then inserting (both counts see a free slot), and SERIALIZABLE
transactions (retries everywhere for one row's invariant).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import delete, select, update

from bot.domain.mentoring.profile import Experience, Level, MentoringProfile, Preferences, Role, normalise_skill
from bot.domain.mentoring.programme import ProgrammeSettings, StoredProfile
from bot.domain.mentoring.score import Preset
from storage.models.mentoring import MentorProfileRow, MentorProgrammeRow, MentorSkillRow
from storage.repositories.common import SqlRepository, rowcount
from storage.upsert import get_or_insert


def _stored(row: MentorProfileRow) -> StoredProfile:
    profile = MentoringProfile(
        user_id=row.user_id,
        role=Role(row.role),
        teaches=tuple(json.loads(row.teaches)),
        learns=tuple(json.loads(row.learns)),
        tags=tuple(json.loads(row.tags)),
        goals=row.goals,
        experience=Experience(row.years, Level(row.level) if row.level else None),
        capacity=row.capacity,
        hours_per_month=row.hours_per_month,
        preferences=Preferences(row.prefer_other_team, row.same_team_ok, row.other_zones_ok),
        open_to_matches=row.open_to_matches,
    )
    return StoredProfile(profile, row.share_contacts, row.slots_taken, row.waitlisted_since)


class SqlMentorProfileRepository(SqlRepository):
    """Profiles, skills and programme settings within the caller's unit of work."""

    # --- profiles -----------------------------------------------------------------------------------------------

    def save(self, team_id: str, profile: MentoringProfile, share_contacts: bool, now: datetime) -> None:
        """Create or replace a person's profile (slots taken and the waitlist place are kept)."""
        values = {
            "role": profile.role.value,
            "teaches": json.dumps(list(profile.teaches)),
            "learns": json.dumps(list(profile.learns)),
            "tags": json.dumps(list(profile.tags)),
            "goals": profile.goals,
            "years": profile.experience.years,
            "level": profile.experience.level.value if profile.experience.level else None,
            "capacity": profile.capacity,
            "hours_per_month": profile.hours_per_month,
            "prefer_other_team": profile.preferences.prefer_other_team,
            "same_team_ok": profile.preferences.same_team_ok,
            "other_zones_ok": profile.preferences.other_zones_ok,
            "open_to_matches": profile.open_to_matches,
            "share_contacts": share_contacts,
            "updated_at": now,
        }
        key = {"team_id": team_id, "user_id": profile.user_id}
        row = get_or_insert(
            self._session,
            MentorProfileRow,
            (team_id, profile.user_id),
            {**key, **values, "slots_taken": 0, "created_at": now},
        )
        for name, value in values.items():
            setattr(row, name, value)
        self._session.flush()

    def get(self, team_id: str, user_id: str) -> StoredProfile | None:
        """One person's profile, or None."""
        row = self._session.get(MentorProfileRow, (team_id, user_id))
        return _stored(row) if row is not None else None

    def all(self, team_id: str) -> list[StoredProfile]:
        """Every profile in the workspace, by user id."""
        rows = self._session.scalars(
            select(MentorProfileRow).where(MentorProfileRow.team_id == team_id).order_by(MentorProfileRow.user_id)
        )
        return [_stored(row) for row in rows]

    def sharing_contacts(self, team_id: str) -> set[str]:
        """Who opted in to being named as a shared contact in others' warm intros."""
        return set(
            self._session.scalars(
                select(MentorProfileRow.user_id).where(
                    MentorProfileRow.team_id == team_id, MentorProfileRow.share_contacts.is_(True)
                )
            )
        )

    def take_slot(self, team_id: str, mentor_id: str, now: datetime) -> bool:
        """Take one of the mentor's slots if one is free (one conditional UPDATE: see the module docstring)."""
        result = self._session.execute(
            update(MentorProfileRow)
            .where(
                MentorProfileRow.team_id == team_id,
                MentorProfileRow.user_id == mentor_id,
                MentorProfileRow.slots_taken < MentorProfileRow.capacity,
            )
            .values(slots_taken=MentorProfileRow.slots_taken + 1, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        return rowcount(result) == 1

    def free_slot(self, team_id: str, mentor_id: str, now: datetime) -> None:
        """Give back one of the mentor's slots (a match ended)."""
        self._session.execute(
            update(MentorProfileRow)
            .where(
                MentorProfileRow.team_id == team_id,
                MentorProfileRow.user_id == mentor_id,
                MentorProfileRow.slots_taken > 0,
            )
            .values(slots_taken=MentorProfileRow.slots_taken - 1, updated_at=now)
            .execution_options(synchronize_session=False)
        )

    def set_waitlisted(self, team_id: str, user_ids: Iterable[str], now: datetime) -> None:
        """Put people on the waitlist (those already on it keep their place)."""
        ids = sorted(set(user_ids))
        if ids:
            self._session.execute(
                update(MentorProfileRow)
                .where(
                    MentorProfileRow.team_id == team_id,
                    MentorProfileRow.user_id.in_(ids),
                    MentorProfileRow.waitlisted_since.is_(None),
                )
                .values(waitlisted_since=now)
                .execution_options(synchronize_session=False)
            )

    def clear_waitlisted(self, team_id: str, user_ids: Iterable[str]) -> None:
        """Take people off the waitlist (they got a suggestion)."""
        ids = sorted(set(user_ids))
        if ids:
            self._session.execute(
                update(MentorProfileRow)
                .where(MentorProfileRow.team_id == team_id, MentorProfileRow.user_id.in_(ids))
                .values(waitlisted_since=None)
                .execution_options(synchronize_session=False)
            )

    def waitlist(self, team_id: str) -> list[str]:
        """The waitlist, first in line first."""
        return list(
            self._session.scalars(
                select(MentorProfileRow.user_id)
                .where(MentorProfileRow.team_id == team_id, MentorProfileRow.waitlisted_since.is_not(None))
                .order_by(MentorProfileRow.waitlisted_since, MentorProfileRow.user_id)
            )
        )

    # --- the skill list -----------------------------------------------------------------------------------------

    def skills(self, team_id: str) -> list[str]:
        """The workspace's skill names, alphabetically."""
        return list(
            self._session.scalars(
                select(MentorSkillRow.name).where(MentorSkillRow.team_id == team_id).order_by(MentorSkillRow.key)
            )
        )

    def add_skills(self, team_id: str, names: Sequence[str], now: datetime) -> list[str]:
        """Add names not on the list yet (by normal form); the ones added."""
        present = {normalise_skill(name) for name in self.skills(team_id)}
        added = []
        for name in names:
            key = normalise_skill(name)
            if key and key not in present:
                present.add(key)
                self._session.add(MentorSkillRow(team_id=team_id, key=key, name=name.strip(), created_at=now))
                added.append(name.strip())
        self._session.flush()
        return added

    def remove_skills(self, team_id: str, names: Sequence[str]) -> int:
        """Remove names (by normal form); how many were on the list."""
        keys = [normalise_skill(name) for name in names]
        return rowcount(
            self._session.execute(
                delete(MentorSkillRow).where(MentorSkillRow.team_id == team_id, MentorSkillRow.key.in_(keys))
            )
        )

    # --- programme settings ---------------------------------------------------------------------------------------

    def programme(self, team_id: str) -> ProgrammeSettings | None:
        """The programme's settings, or None before anyone set it up."""
        row = self._session.get(MentorProgrammeRow, team_id)
        if row is None:
            return None
        return ProgrammeSettings(
            cadence_weeks=row.cadence_weeks,
            preset=Preset(row.preset),
            review_first=row.review_first,
            managers=tuple(m for m in row.managers.split(",") if m),
            request_days=row.request_days,
        )

    def save_programme(self, team_id: str, settings: ProgrammeSettings, now: datetime) -> None:
        """Create or replace the programme's settings."""
        values = {
            "cadence_weeks": settings.cadence_weeks,
            "preset": settings.preset.value,
            "review_first": settings.review_first,
            "managers": ",".join(settings.managers),
            "request_days": settings.request_days,
            "updated_at": now,
        }
        row = get_or_insert(
            self._session, MentorProgrammeRow, (team_id,), {"team_id": team_id, "created_at": now, **values}
        )
        for name, value in values.items():
            setattr(row, name, value)
        self._session.flush()
