"""SQLAlchemy 2.0 typed models. Every table carries ``team_id``; the schema lives in Alembic migrations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from storage.types import UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite only auto-increments INTEGER primary keys; PostgreSQL gets a BIGINT identity.
IdType = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    """Declarative base with a stable constraint naming convention for migrations."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Workspace(Base):
    """A Slack workspace Rapport serves."""

    __tablename__ = "workspaces"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PersonRow(Base):
    """Directory cache of a workspace member (from users.info / users.list)."""

    __tablename__ = "people"

    team_id: Mapped[str] = mapped_column(String(32), ForeignKey("workspaces.team_id"), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(255), default="")
    real_name: Mapped[str] = mapped_column(String(255), default="")
    display_name: Mapped[str] = mapped_column(String(255), default="")
    tz: Mapped[str] = mapped_column(String(64), default="UTC")
    title: Mapped[str] = mapped_column(String(255), default="")
    department: Mapped[str] = mapped_column(String(255), default="")
    is_bot: Mapped[bool] = mapped_column(Boolean, default=False)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    refreshed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class InteractionRow(Base):
    """One logged meeting. ``notes`` is private to ``author_id``."""

    __tablename__ = "interactions"
    __table_args__ = (Index("ix_interactions_author_happened", "team_id", "author_id", "happened_at"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32), ForeignKey("workspaces.team_id"))
    author_id: Mapped[str] = mapped_column(String(32))
    happened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    kind: Mapped[str] = mapped_column(String(16))
    notes: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(16))
    follow_up_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    participants: Mapped[list[ParticipantRow]] = relationship(
        back_populates="interaction", cascade="all, delete-orphan", passive_deletes=True, lazy="selectin"
    )
    tags: Mapped[list[TagRow]] = relationship(
        back_populates="interaction", cascade="all, delete-orphan", passive_deletes=True, lazy="selectin"
    )


class ParticipantRow(Base):
    """A person the author met in an interaction."""

    __tablename__ = "interaction_participants"
    __table_args__ = (
        Index("ix_participants_team_user", "team_id", "user_id"),
        ForeignKeyConstraint(["interaction_id"], ["interactions.id"], ondelete="CASCADE"),
    )

    interaction_id: Mapped[int] = mapped_column(IdType, primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))

    interaction: Mapped[InteractionRow] = relationship(back_populates="participants")


class TagRow(Base):
    """A free-form tag (``#launch``) on an interaction."""

    __tablename__ = "interaction_tags"
    __table_args__ = (
        Index("ix_tags_team_tag", "team_id", "tag"),
        ForeignKeyConstraint(["interaction_id"], ["interactions.id"], ondelete="CASCADE"),
    )

    interaction_id: Mapped[int] = mapped_column(IdType, primary_key=True)
    tag: Mapped[str] = mapped_column(String(80), primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))

    interaction: Mapped[InteractionRow] = relationship(back_populates="tags")


# --- follow-ups (revision 0002) -----------------------------------------------------------------------------------

# Rows a sweep may claim. Queries must use this exact literal: SQLite only uses a partial index when the query's
# WHERE visibly implies the index's, which a parameterised IN (?, ?) does not.
NUDGE_CLAIMABLE_SQL = "status IN ('pending', 'claimed')"


class NudgeRow(Base):
    """One scheduled reminder. ``available_at`` is when it may next be claimed; for a claimed row, its lease expiry.

    The partial index holds only claimable rows (pending, claimed), so a sweep's claim is O(due), not O(pending).
    """

    __tablename__ = "nudges"
    __table_args__ = (
        Index(
            "ix_nudges_claimable",
            "available_at",
            postgresql_where=text(NUDGE_CLAIMABLE_SQL),
            sqlite_where=text(NUDGE_CLAIMABLE_SQL),
        ),
        Index("ix_nudges_team_user_contact", "team_id", "user_id", "contact_id"),
        ForeignKeyConstraint(["interaction_id"], ["interactions.id"], ondelete="CASCADE"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32), ForeignKey("workspaces.team_id"))
    user_id: Mapped[str] = mapped_column(String(32))
    contact_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    interaction_id: Mapped[int | None] = mapped_column(IdType, nullable=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    available_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16))
    claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    in_doubt: Mapped[bool] = mapped_column(Boolean, default=False)
    last_error: Mapped[str | None] = mapped_column(String(64), nullable=True)
    sent_channel: Mapped[str | None] = mapped_column(String(32), nullable=True)
    sent_ts: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class CadenceRow(Base):
    """Keep in touch with ``contact_id`` every ``every_days``; ``next_due_at`` is denormalised for an O(due) sweep."""

    __tablename__ = "cadences"
    __table_args__ = (
        UniqueConstraint("team_id", "user_id", "contact_id", name="uq_cadences_team_user_contact"),
        Index("ix_cadences_next_due", "next_due_at"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32), ForeignKey("workspaces.team_id"))
    user_id: Mapped[str] = mapped_column(String(32))
    contact_id: Mapped[str] = mapped_column(String(32))
    every_days: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_interaction_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_nudged_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    next_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class NudgeSettingsRow(Base):
    """A person's nudge preferences (absent row = defaults). Working hours as minutes after local midnight."""

    __tablename__ = "nudge_settings"

    team_id: Mapped[str] = mapped_column(String(32), ForeignKey("workspaces.team_id"), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    default_follow_up_days: Mapped[int] = mapped_column(Integer, default=7)
    work_start_minute: Mapped[int] = mapped_column(Integer, default=540)
    work_end_minute: Mapped[int] = mapped_column(Integer, default=1020)
    work_days: Mapped[int] = mapped_column(Integer, default=31)  # bit d set = weekday d (0 = Monday) is a work day
    paused_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    digest_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
