"""Coffee programmes and what people chose in them: member state, intro lines, private avoid lists.

Every query is scoped by ``team_id``. Avoid lists are only ever read back by their owner, or as anonymous blocked
pairs for the matcher. Member state changes through one method per use, each naming the fields it sets: only
those columns are written, so a sweep marking a heads-up and a person joining never undo each other.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bot.domain.coffee import MemberState, OptIn, Program, ProgramSettings, ProgramStatus
from bot.domain.matching import PoolMode
from storage.models import CoffeeAvoidRow, CoffeeMemberRow, CoffeeProfileRow, CoffeeProgramRow
from storage.repositories.common import rowcount
from storage.upsert import get_or_insert, insert_if_missing


def _program(row: CoffeeProgramRow) -> Program:
    return Program(
        id=row.id,
        team_id=row.team_id,
        channel_id=row.channel_id,
        status=ProgramStatus(row.status),
        settings=ProgramSettings(
            cadence_weeks=row.cadence_weeks,
            weekday=row.weekday,
            local_minute=row.local_minute,
            tz=row.tz,
            group_size=row.group_size,
            pool_mode=PoolMode(row.pool_mode),
            opt_in=OptIn(row.opt_in),
        ),
        set_up_by=row.set_up_by,
    )


def _program_values(settings: ProgramSettings) -> dict[str, Any]:
    return {
        "cadence_weeks": settings.cadence_weeks,
        "weekday": settings.weekday,
        "local_minute": settings.local_minute,
        "tz": settings.tz,
        "group_size": settings.group_size,
        "pool_mode": settings.pool_mode.value,
        "opt_in": settings.opt_in.value,
    }


# A member row's columns are MemberState's fields (one mapping, both ways), plus its key and updated_at.
_MEMBER_FIELDS = tuple(name for name in MemberState.__dataclass_fields__ if name != "user_id")


def _member(row: CoffeeMemberRow) -> MemberState:
    return MemberState(row.user_id, **{name: getattr(row, name) for name in _MEMBER_FIELDS})


class SqlCoffeeProgrammeRepository:
    """Programmes, member state, intro lines and avoid lists."""

    def __init__(self, session: Session) -> None:
        self._session = session

    # --- programmes ---------------------------------------------------------------------------------------------

    def program_for_channel(self, team_id: str, channel_id: str) -> Program | None:
        """The channel's programme, if it was ever set up."""
        row = self._session.scalars(
            select(CoffeeProgramRow).where(
                CoffeeProgramRow.team_id == team_id, CoffeeProgramRow.channel_id == channel_id
            )
        ).first()
        return _program(row) if row else None

    def program(self, team_id: str, program_id: int) -> Program | None:
        """A programme by id."""
        row = self._session.scalars(
            select(CoffeeProgramRow).where(CoffeeProgramRow.team_id == team_id, CoffeeProgramRow.id == program_id)
        ).first()
        return _program(row) if row else None

    def save_program(
        self, team_id: str, channel_id: str, settings: ProgramSettings, set_up_by: str, now: datetime
    ) -> Program:
        """Create the channel's programme or replace its settings; either way it becomes active."""
        # Two organisers saving the first settings at once both create-or-find the one row.
        insert_if_missing(
            self._session,
            CoffeeProgramRow,
            {
                **_program_values(settings),
                "team_id": team_id,
                "channel_id": channel_id,
                "status": ProgramStatus.ACTIVE.value,
                "set_up_by": set_up_by,
                "created_at": now,
                "updated_at": now,
            },
        )
        row = self._session.scalars(
            select(CoffeeProgramRow)
            .where(CoffeeProgramRow.team_id == team_id, CoffeeProgramRow.channel_id == channel_id)
            .execution_options(populate_existing=True)
        ).one()
        row.status = ProgramStatus.ACTIVE.value
        for name, value in _program_values(settings).items():
            setattr(row, name, value)
        row.updated_at = now
        self._session.flush()
        return _program(row)

    def set_program_status(self, team_id: str, program_id: int, status: ProgramStatus, now: datetime) -> None:
        """Pause, resume or stop a programme."""
        self._session.execute(
            update(CoffeeProgramRow)
            .where(CoffeeProgramRow.team_id == team_id, CoffeeProgramRow.id == program_id)
            .values(status=status.value, updated_at=now)
        )

    # --- members ------------------------------------------------------------------------------------------------

    def member(self, team_id: str, program_id: int, user_id: str) -> MemberState:
        """A person's state (defaults when they have no row yet)."""
        row = self._session.get(CoffeeMemberRow, (program_id, user_id))
        return _member(row) if row is not None and row.team_id == team_id else MemberState(user_id)

    def members(self, team_id: str, program_id: int) -> dict[str, MemberState]:
        """Every stored member state of a programme."""
        rows = self._session.scalars(
            select(CoffeeMemberRow).where(CoffeeMemberRow.team_id == team_id, CoffeeMemberRow.program_id == program_id)
        )
        return {row.user_id: _member(row) for row in rows}

    def join(self, team_id: str, program_id: int, user_id: str, now: datetime) -> None:
        """Opt in (again): clears leave, set-aside, the ignored-round count and any pause."""
        self._set(
            team_id,
            program_id,
            user_id,
            now,
            opted_in=True,
            left=False,
            set_aside=False,
            ignored_rounds=0,
            paused_until=None,
        )

    def leave(self, team_id: str, program_id: int, user_id: str, now: datetime) -> None:
        """Stop being grouped (and no longer opted in)."""
        self._set(team_id, program_id, user_id, now, left=True, opted_in=False)

    def skip_round(self, team_id: str, program_id: int, user_id: str, round_id: int, now: datetime) -> None:
        """Sit out one round."""
        self._set(team_id, program_id, user_id, now, skip_round_id=round_id)

    def pause_until(self, team_id: str, program_id: int, user_id: str, until: datetime, now: datetime) -> None:
        """Not grouped before ``until``."""
        self._set(team_id, program_id, user_id, now, paused_until=until)

    def set_in_channel(self, team_id: str, program_id: int, user_id: str, in_channel: bool, now: datetime) -> None:
        """Record that the person joined or left the channel."""
        self._set(team_id, program_id, user_id, now, in_channel=in_channel)

    def mark_heads_up(self, team_id: str, program_id: int, user_id: str, round_id: int, now: datetime) -> None:
        """Record that the person was sent the round's heads-up."""
        self._set(team_id, program_id, user_id, now, heads_up_round_id=round_id)

    def reset_ignored_rounds(self, team_id: str, program_id: int, user_id: str, now: datetime) -> None:
        """Their group answered the check-in: no quiet rounds in a row."""
        self._set(team_id, program_id, user_id, now, ignored_rounds=0)

    def record_ignored_round(
        self, team_id: str, program_id: int, user_id: str, ignored_rounds: int, set_aside: bool, now: datetime
    ) -> None:
        """Their group never answered: the new count of quiet rounds in a row, and whether they are set aside."""
        self._set(team_id, program_id, user_id, now, ignored_rounds=ignored_rounds, set_aside=set_aside)

    def release_welcome(self, team_id: str, program_id: int, user_id: str, now: datetime) -> None:
        """Hand back a welcome claimed with :meth:`claim_welcome` whose DM failed, so a later join can try again."""
        self._set(team_id, program_id, user_id, now, welcomed=False)

    def _set(self, team_id: str, program_id: int, user_id: str, now: datetime, **values: object) -> None:
        """Insert the person's row with the defaults if missing, then set only ``values`` (MemberState fields)."""
        defaults = {**asdict(MemberState(user_id)), "program_id": program_id, "team_id": team_id, "updated_at": now}
        row = get_or_insert(self._session, CoffeeMemberRow, (program_id, user_id), defaults)
        for name, value in values.items():
            assert name in _MEMBER_FIELDS, name
            setattr(row, name, value)
        row.updated_at = now
        self._session.flush()

    def claim_welcome(self, team_id: str, program_id: int, user_id: str, now: datetime) -> bool:
        """Mark a stored member welcomed; True only for the one caller that flipped it (so one welcome, ever)."""
        result = self._session.execute(
            update(CoffeeMemberRow)
            .where(
                CoffeeMemberRow.team_id == team_id,
                CoffeeMemberRow.program_id == program_id,
                CoffeeMemberRow.user_id == user_id,
                CoffeeMemberRow.welcomed.is_(False),
            )
            .values(welcomed=True, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        return rowcount(result) == 1

    def mark_in_channel(self, team_id: str, program_id: int, user_ids: Iterable[str], now: datetime) -> None:
        """Record the channel's current membership: these are in, every other stored member is out."""
        present = set(user_ids)
        existing = self.members(team_id, program_id)
        for user_id, state in existing.items():
            if state.in_channel != (user_id in present):
                self.set_in_channel(team_id, program_id, user_id, user_id in present, now)
        for user_id in present - set(existing):
            self.set_in_channel(team_id, program_id, user_id, True, now)

    # --- intros and avoid lists ---------------------------------------------------------------------------------

    def intros(self, team_id: str, user_ids: Sequence[str]) -> dict[str, str]:
        """Intro lines of these people (absent when they wrote none)."""
        if not user_ids:
            return {}
        rows = self._session.scalars(
            select(CoffeeProfileRow).where(
                CoffeeProfileRow.team_id == team_id, CoffeeProfileRow.user_id.in_(list(user_ids))
            )
        )
        return {row.user_id: row.intro for row in rows if row.intro}

    def set_intro(self, team_id: str, user_id: str, intro: str, now: datetime) -> None:
        """Set (or clear, with "") a person's intro line."""
        values = {"team_id": team_id, "user_id": user_id, "intro": "", "updated_at": now}
        row = get_or_insert(self._session, CoffeeProfileRow, (team_id, user_id), values)
        row.intro = intro
        row.updated_at = now
        self._session.flush()

    def add_avoid(self, team_id: str, user_id: str, avoided_id: str, now: datetime) -> bool:
        """Add to the person's private avoid list; False when already there."""
        values = {"team_id": team_id, "user_id": user_id, "avoided_id": avoided_id, "created_at": now}
        return insert_if_missing(self._session, CoffeeAvoidRow, values) is not None

    def remove_avoid(self, team_id: str, user_id: str, avoided_id: str) -> bool:
        """Remove from the person's avoid list; False when it was not there."""
        result = self._session.execute(
            delete(CoffeeAvoidRow).where(
                CoffeeAvoidRow.team_id == team_id,
                CoffeeAvoidRow.user_id == user_id,
                CoffeeAvoidRow.avoided_id == avoided_id,
            )
        )
        return rowcount(result) > 0

    def avoids_of(self, team_id: str, user_id: str) -> list[str]:
        """The person's own avoid list (only ever shown to them)."""
        return list(
            self._session.scalars(
                select(CoffeeAvoidRow.avoided_id)
                .where(CoffeeAvoidRow.team_id == team_id, CoffeeAvoidRow.user_id == user_id)
                .order_by(CoffeeAvoidRow.created_at, CoffeeAvoidRow.avoided_id)
            )
        )

    def blocked_pairs(self, team_id: str, user_ids: Sequence[str]) -> set[frozenset[str]]:
        """Pairs in this pool that must not be grouped (either side asked), without saying who asked."""
        pool = set(user_ids)
        rows = self._session.execute(
            select(CoffeeAvoidRow.user_id, CoffeeAvoidRow.avoided_id).where(CoffeeAvoidRow.team_id == team_id)
        )
        return {frozenset((a, b)) for a, b in rows if a in pool and b in pool and a != b}
