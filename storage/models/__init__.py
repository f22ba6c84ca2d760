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

from storage.installations import installation_tables, oauth_states_table
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
    __table_args__ = (Index("ix_people_deactivated_at", "deactivated_at"),)

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
    # When the directory first saw the person deactivated (None while active): their data is forgotten
    # RAPPORT_DEACTIVATED_RETENTION_DAYS later.
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class InteractionRow(Base):
    """One logged meeting. ``notes`` is private to ``author_id``."""

    __tablename__ = "interactions"
    __table_args__ = (
        Index("ix_interactions_author_happened", "team_id", "author_id", "happened_at"),
        Index("uq_interactions_submission", "team_id", "submission_key", unique=True),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32), ForeignKey("workspaces.team_id"))
    author_id: Mapped[str] = mapped_column(String(32))
    happened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    kind: Mapped[str] = mapped_column(String(16))
    notes: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(16))
    follow_up_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Set for entries from a modal: one per view submission, so a retried submission cannot store twice (0006).
    submission_key: Mapped[str | None] = mapped_column(String(64), nullable=True)

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


class ContactRollupRow(Base):
    """Per author and contact: when they first and last met and how often (revision 0013).

    Derived from ``interactions`` + ``interaction_participants`` and kept in step in the same transaction that
    writes, deletes or forgets a meeting, so the Home tab's whole-history figures (new people, ties, the network
    picture, "have I logged anything") are an indexed read of one row per contact instead of a scan of the log.
    """

    __tablename__ = "contact_rollups"
    __table_args__ = (Index("ix_contact_rollups_first_met", "team_id", "author_id", "first_met_at"),)

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    author_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    contact_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    first_met_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_met_at: Mapped[datetime] = mapped_column(UTCDateTime())
    meetings: Mapped[int] = mapped_column(Integer)


# --- follow-ups (revision 0002) -----------------------------------------------------------------------------------

# Rows a sweep may claim (nudges, coffee round steps). Queries must use this exact literal: SQLite only uses a
# partial index when the query's WHERE visibly implies the index's, which a parameterised IN (?, ?) does not.
CLAIMABLE_SQL = "status IN ('pending', 'claimed')"
NUDGE_UNCLAIMED_SQL = "status <> 'claimed'"


class NudgeRow(Base):
    """One scheduled reminder. ``available_at`` is when it may next be claimed; for a claimed row, its lease expiry.

    The partial index holds only claimable rows (pending, claimed), so a sweep's claim is O(due), not O(pending).
    """

    __tablename__ = "nudges"
    __table_args__ = (
        Index(
            "ix_nudges_claimable",
            "available_at",
            postgresql_where=text(CLAIMABLE_SQL),
            sqlite_where=text(CLAIMABLE_SQL),
        ),
        # On PostgreSQL claimed rows are left out, so a claim (a non-HOT update) writes one index entry fewer per
        # row. SQLite only maintains indexes whose columns change; a partial index would make it work on every claim.
        Index(
            "ix_nudges_team_user_contact",
            "team_id",
            "user_id",
            "contact_id",
            postgresql_where=text(NUDGE_UNCLAIMED_SQL),
        ),
        # A person's follow-ups by status and due date (revision 0013): the Home tab's "due now" list and count
        # and the follow-through windows read a range of it instead of every nudge the person ever had.
        Index("ix_nudges_team_user_status_due", "team_id", "user_id", "status", "due_at"),
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


# --- coffee rounds (revision 0003) --------------------------------------------------------------------------------


class CoffeeProgramRow(Base):
    """A channel's coffee programme and its settings (one per channel)."""

    __tablename__ = "coffee_programs"
    __table_args__ = (UniqueConstraint("team_id", "channel_id", name="uq_coffee_programs_team_channel"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32), ForeignKey("workspaces.team_id"))
    channel_id: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    cadence_weeks: Mapped[int] = mapped_column(Integer)
    weekday: Mapped[int] = mapped_column(Integer)
    local_minute: Mapped[int] = mapped_column(Integer)
    tz: Mapped[str] = mapped_column(String(64))
    group_size: Mapped[int] = mapped_column(Integer)
    pool_mode: Mapped[str] = mapped_column(String(24))
    opt_in: Mapped[str] = mapped_column(String(8))
    set_up_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CoffeeMemberRow(Base):
    """A person's state in one channel's programme."""

    __tablename__ = "coffee_members"
    __table_args__ = (
        ForeignKeyConstraint(["program_id"], ["coffee_programs.id"], ondelete="CASCADE"),
        Index("ix_coffee_members_team_user", "team_id", "user_id"),  # the Home tab: a person's channels
    )

    program_id: Mapped[int] = mapped_column(IdType, primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    in_channel: Mapped[bool] = mapped_column(Boolean, default=True)
    opted_in: Mapped[bool] = mapped_column(Boolean, default=False)
    left: Mapped[bool] = mapped_column(Boolean, default=False)
    paused_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    skip_round_id: Mapped[int | None] = mapped_column(IdType, nullable=True)
    ignored_rounds: Mapped[int] = mapped_column(Integer, default=0)
    set_aside: Mapped[bool] = mapped_column(Boolean, default=False)
    welcomed: Mapped[bool] = mapped_column(Boolean, default=False)
    heads_up_round_id: Mapped[int | None] = mapped_column(IdType, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CoffeeProfileRow(Base):
    """A person's intro line, shown in every group intro they are part of (workspace-wide)."""

    __tablename__ = "coffee_profiles"

    team_id: Mapped[str] = mapped_column(String(32), ForeignKey("workspaces.team_id"), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    intro: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CoffeeAvoidRow(Base):
    """A private "never pair me with" entry of ``user_id``; nobody else is ever told."""

    __tablename__ = "coffee_avoids"

    team_id: Mapped[str] = mapped_column(String(32), ForeignKey("workspaces.team_id"), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    avoided_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CoffeeRoundRow(Base):
    """One round of a programme: its calendar, its seed (for replay) and its state."""

    __tablename__ = "coffee_rounds"
    __table_args__ = (
        Index("ix_coffee_rounds_program_starts", "program_id", "starts_at"),
        ForeignKeyConstraint(["program_id"], ["coffee_programs.id"], ondelete="CASCADE"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32))
    program_id: Mapped[int] = mapped_column(IdType)
    status: Mapped[str] = mapped_column(String(16))
    regular: Mapped[bool] = mapped_column(Boolean, default=True)
    seed: Mapped[int] = mapped_column(BigInteger)
    heads_up_at: Mapped[datetime] = mapped_column(UTCDateTime())
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    check_in_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    pool_size: Mapped[int] = mapped_column(Integer, default=0)
    summary_ts: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CoffeeGroupRow(Base):
    """A group of a round: members, the matcher's reason, its group DM and its check-in answer."""

    __tablename__ = "coffee_groups"
    __table_args__ = (
        Index("ix_coffee_groups_round", "round_id"),
        ForeignKeyConstraint(["round_id"], ["coffee_rounds.id"], ondelete="CASCADE"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32))
    round_id: Mapped[int] = mapped_column(IdType)
    member_ids: Mapped[str] = mapped_column(String(400))  # comma-separated user ids, 2..5 of them
    reason: Mapped[str] = mapped_column(String(400))
    channel_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    intro_ts: Mapped[str | None] = mapped_column(String(32), nullable=True)
    check_in_ts: Mapped[str | None] = mapped_column(String(32), nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)
    answered_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(64), nullable=True)


class CoffeeNoticeRow(Base):
    """Someone in a round's pool who was not grouped, why, and whether they were told."""

    __tablename__ = "coffee_notices"
    __table_args__ = (ForeignKeyConstraint(["round_id"], ["coffee_rounds.id"], ondelete="CASCADE"),)

    round_id: Mapped[int] = mapped_column(IdType, primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(String(400))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class CoffeeFairnessRow(Base):
    """The fairness ledger of a programme: how often someone was left out or put in a larger group."""

    __tablename__ = "coffee_fairness"
    __table_args__ = (ForeignKeyConstraint(["program_id"], ["coffee_programs.id"], ondelete="CASCADE"),)

    program_id: Mapped[int] = mapped_column(IdType, primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    times_left_out: Mapped[int] = mapped_column(Integer, default=0)
    times_in_larger_group: Mapped[int] = mapped_column(Integer, default=0)
    last_left_out: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_in_larger_group: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class CoffeeJobRow(Base):
    """A step of a round (heads_up, start, check_in, summary) claimed by sweeps with a lease, like nudges."""

    __tablename__ = "coffee_jobs"
    __table_args__ = (
        Index(
            "ix_coffee_jobs_claimable",
            "available_at",
            postgresql_where=text(CLAIMABLE_SQL),
            sqlite_where=text(CLAIMABLE_SQL),
        ),
        Index("ix_coffee_jobs_round", "round_id"),
        ForeignKeyConstraint(["round_id"], ["coffee_rounds.id"], ondelete="CASCADE"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32))
    round_id: Mapped[int] = mapped_column(IdType)
    kind: Mapped[str] = mapped_column(String(16))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    available_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16))
    claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


# --- auth breakers (revision 0005) --------------------------------------------------------------------------------


class AuthBreakerRow(Base):
    """A workspace's auth breaker (bot.domain.breaker): open while Slack refuses its token; one row per workspace."""

    __tablename__ = "auth_breakers"

    team_id: Mapped[str] = mapped_column(String(32), ForeignKey("workspaces.team_id"), primary_key=True)
    state: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(String(64))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    next_probe_at: Mapped[datetime] = mapped_column(UTCDateTime())
    failed_probes: Mapped[int] = mapped_column(Integer, default=0)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SeenRequestRow(Base):
    """A key of an inbound Slack request already processed (signature or event id), kept until it expires.

    ``kind`` is ``request`` (key: ``timestamp:signature``) or ``event`` (key: the Events API ``event_id``). The
    table is global, not per workspace: a replayed signature is refused before its team is trusted, so ``team_id``
    is informational (``''`` when the request named none).
    """

    __tablename__ = "seen_requests"
    __table_args__ = (Index("ix_seen_requests_expires_at", "expires_at"),)

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), default="")
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class GoalRow(Base):
    """A person's networking goal (one per kind)."""

    __tablename__ = "goals"

    team_id: Mapped[str] = mapped_column(String(32), ForeignKey("workspaces.team_id"), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(24), primary_key=True)
    target: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


# slack_sdk's OAuth tables (multi-workspace installs), defined by its own builders: see storage/installations.py.
SLACK_INSTALLATIONS, SLACK_BOTS = installation_tables(Base.metadata)
SLACK_OAUTH_STATES = oauth_states_table(Base.metadata)


class WeeklyReviewRow(Base):
    """A person's weekly review: when it is next due (leased like nudges) and whether they want it."""

    __tablename__ = "weekly_reviews"
    __table_args__ = (
        UniqueConstraint("team_id", "user_id", name="uq_weekly_reviews_team_user"),
        Index(
            "ix_weekly_reviews_claimable",
            "available_at",
            postgresql_where=text(CLAIMABLE_SQL),
            sqlite_where=text(CLAIMABLE_SQL),
        ),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32), ForeignKey("workspaces.team_id"))
    user_id: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))  # pending / claimed / off
    weekday: Mapped[int] = mapped_column(Integer, default=0)  # the person's review day, 0 = Monday
    available_at: Mapped[datetime] = mapped_column(UTCDateTime())
    claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(64), nullable=True)
    last_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


# Mentoring's tables live in their own module; imported here so that Base.metadata (migrations' check, the purge of
# an uninstalled workspace's every table) always holds them.
from storage.models import mentoring as _mentoring  # noqa: E402,F401
