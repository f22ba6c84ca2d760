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
