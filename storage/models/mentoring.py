"""Mentoring's tables (revision 0011): profiles, the workspace skill list, the programme, cycles, matches, jobs.
Every table carries ``team_id``; imported by ``storage.models`` so they are part of ``Base.metadata``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import CLAIMABLE_SQL, Base, IdType
from storage.types import UTCDateTime


class MentorProfileRow(Base):
    """A person's mentoring profile (skills as JSON lists of workspace names, ``learns`` in priority order).

    ``slots_taken`` counts the mentor's active and paused matches; an accept takes a slot with one conditional
    UPDATE of this row (storage.repositories.mentoring), so the last slot can only be taken once.
    """

    __tablename__ = "mentor_profiles"

    team_id: Mapped[str] = mapped_column(String(32), ForeignKey("workspaces.team_id"), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    teaches: Mapped[str] = mapped_column(Text)
    learns: Mapped[str] = mapped_column(Text)
    tags: Mapped[str] = mapped_column(Text)
    goals: Mapped[str] = mapped_column(Text)
    years: Mapped[float | None] = mapped_column(Float, nullable=True)
    level: Mapped[str | None] = mapped_column(String(16), nullable=True)
    capacity: Mapped[int] = mapped_column(Integer)
    hours_per_month: Mapped[int | None] = mapped_column(Integer, nullable=True)
    prefer_other_team: Mapped[bool] = mapped_column(Boolean)
    same_team_ok: Mapped[bool] = mapped_column(Boolean)
    other_zones_ok: Mapped[bool] = mapped_column(Boolean)
    open_to_matches: Mapped[bool] = mapped_column(Boolean)
    share_contacts: Mapped[bool] = mapped_column(Boolean, default=False)
    slots_taken: Mapped[int] = mapped_column(Integer, default=0)
    waitlisted_since: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MentorSkillRow(Base):
    """One name on the workspace's curated skill list (``key``: its normal form)."""

    __tablename__ = "mentor_skills"

    team_id: Mapped[str] = mapped_column(String(32), ForeignKey("workspaces.team_id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MentorProgrammeRow(Base):
    """The workspace's mentoring programme settings (``managers``: comma-separated user ids)."""

    __tablename__ = "mentor_programmes"

    team_id: Mapped[str] = mapped_column(String(32), ForeignKey("workspaces.team_id"), primary_key=True)
    cadence_weeks: Mapped[int] = mapped_column(Integer)
    preset: Mapped[str] = mapped_column(String(24))
    review_first: Mapped[bool] = mapped_column(Boolean)
    managers: Mapped[str] = mapped_column(Text)
    request_days: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MentorCycleRow(Base):
    """One matching cycle: proposed (waiting for an admin's review), published or dropped."""

    __tablename__ = "mentor_cycles"
    __table_args__ = (Index("ix_mentor_cycles_team_id", "team_id"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32), ForeignKey("workspaces.team_id"))
    status: Mapped[str] = mapped_column(String(16))
    requested_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    total_score: Mapped[int] = mapped_column(BigInteger)
    certified: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MentorMatchRow(Base):
    """A mentee-mentor pair through its life (bot.domain.mentoring.programme.MatchStatus); a mentee left unmatched by a
    cycle has a row with an empty ``mentor_id`` and the reason in ``why``."""

    __tablename__ = "mentor_matches"
    __table_args__ = (
        Index("ix_mentor_matches_team_id", "team_id", "mentee_id"),
        Index("ix_mentor_matches_mentor", "team_id", "mentor_id", "status"),
        Index("ix_mentor_matches_cycle_id", "cycle_id"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32), ForeignKey("workspaces.team_id"))
    cycle_id: Mapped[int | None] = mapped_column(IdType, nullable=True)
    mentee_id: Mapped[str] = mapped_column(String(32))
    mentor_id: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    score: Mapped[int] = mapped_column(Integer)
    why: Mapped[str] = mapped_column(Text)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    decline_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    channel_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    rating: Mapped[int | None] = mapped_column(Integer, nullable=True)
    feedback: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MentorJobRow(Base):
    """Leased mentoring work (cycle, send, expire, check_in), claimed by sweeps like coffee steps."""

    __tablename__ = "mentor_jobs"
    __table_args__ = (
        Index(
            "ix_mentor_jobs_claimable",
            "available_at",
            postgresql_where=text(CLAIMABLE_SQL),
            sqlite_where=text(CLAIMABLE_SQL),
        ),
        Index("ix_mentor_jobs_team_id", "team_id", "kind", "status"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32), ForeignKey("workspaces.team_id"))
    kind: Mapped[str] = mapped_column(String(16))
    ref_id: Mapped[int | None] = mapped_column(IdType, nullable=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    available_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16))
    claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
