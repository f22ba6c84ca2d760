"""Mentoring: profiles, the workspace skill list, programme settings, cycles, matches and their leased jobs.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

CLAIMABLE = sa.text("status IN ('pending', 'claimed')")
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _team_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["team_id"], ["workspaces.team_id"], name=op.f(f"fk_{table}_team_id_workspaces"))


def _stamps() -> list[sa.Column[object]]:
    return [
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "mentor_profiles",
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("teaches", sa.Text(), nullable=False),
        sa.Column("learns", sa.Text(), nullable=False),
        sa.Column("tags", sa.Text(), nullable=False),
        sa.Column("goals", sa.Text(), nullable=False),
        sa.Column("years", sa.Float(), nullable=True),
        sa.Column("level", sa.String(16), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("hours_per_month", sa.Integer(), nullable=True),
        sa.Column("prefer_other_team", sa.Boolean(), nullable=False),
        sa.Column("same_team_ok", sa.Boolean(), nullable=False),
        sa.Column("other_zones_ok", sa.Boolean(), nullable=False),
        sa.Column("open_to_matches", sa.Boolean(), nullable=False),
        sa.Column("share_contacts", sa.Boolean(), nullable=False),
        sa.Column("slots_taken", sa.Integer(), nullable=False),
        sa.Column("waitlisted_since", UTCDateTime(), nullable=True),
        *_stamps(),
        _team_fk("mentor_profiles"),
        sa.PrimaryKeyConstraint("team_id", "user_id", name=op.f("pk_mentor_profiles")),
    )
    op.create_table(
        "mentor_skills",
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("key", sa.String(80), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        _team_fk("mentor_skills"),
        sa.PrimaryKeyConstraint("team_id", "key", name=op.f("pk_mentor_skills")),
    )
    op.create_table(
        "mentor_programmes",
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("cadence_weeks", sa.Integer(), nullable=False),
        sa.Column("preset", sa.String(24), nullable=False),
        sa.Column("review_first", sa.Boolean(), nullable=False),
        sa.Column("managers", sa.Text(), nullable=False),
        sa.Column("request_days", sa.Integer(), nullable=False),
        *_stamps(),
        _team_fk("mentor_programmes"),
        sa.PrimaryKeyConstraint("team_id", name=op.f("pk_mentor_programmes")),
    )
    op.create_table(
        "mentor_cycles",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("requested_by", sa.String(32), nullable=True),
        sa.Column("total_score", sa.BigInteger(), nullable=False),
        sa.Column("certified", sa.Boolean(), nullable=False),
        *_stamps(),
        _team_fk("mentor_cycles"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mentor_cycles")),
    )
    op.create_index("ix_mentor_cycles_team_id", "mentor_cycles", ["team_id"])
    op.create_table(
        "mentor_matches",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("cycle_id", ID, nullable=True),
        sa.Column("mentee_id", sa.String(32), nullable=False),
        sa.Column("mentor_id", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("why", sa.Text(), nullable=False),
        sa.Column("notified_at", UTCDateTime(), nullable=True),
        sa.Column("requested_at", UTCDateTime(), nullable=True),
        sa.Column("expires_at", UTCDateTime(), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("decline_reason", sa.Text(), nullable=True),
        sa.Column("channel_id", sa.String(32), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("feedback", sa.Text(), nullable=True),
        *_stamps(),
        _team_fk("mentor_matches"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mentor_matches")),
    )
    op.create_index("ix_mentor_matches_team_id", "mentor_matches", ["team_id", "mentee_id"])
    op.create_index("ix_mentor_matches_mentor", "mentor_matches", ["team_id", "mentor_id", "status"])
    op.create_index("ix_mentor_matches_cycle_id", "mentor_matches", ["cycle_id"])
    op.create_table(
        "mentor_jobs",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("ref_id", ID, nullable=True),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("available_at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("claimed_by", sa.String(64), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(64), nullable=True),
        *_stamps(),
        _team_fk("mentor_jobs"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mentor_jobs")),
    )
    op.create_index(
        "ix_mentor_jobs_claimable", "mentor_jobs", ["available_at"], postgresql_where=CLAIMABLE, sqlite_where=CLAIMABLE
    )
    op.create_index("ix_mentor_jobs_team_id", "mentor_jobs", ["team_id", "kind", "status"])


def downgrade() -> None:
    op.drop_index("ix_mentor_jobs_team_id", table_name="mentor_jobs")
    op.drop_index("ix_mentor_jobs_claimable", table_name="mentor_jobs")
    op.drop_table("mentor_jobs")
    op.drop_index("ix_mentor_matches_cycle_id", table_name="mentor_matches")
    op.drop_index("ix_mentor_matches_mentor", table_name="mentor_matches")
    op.drop_index("ix_mentor_matches_team_id", table_name="mentor_matches")
    op.drop_table("mentor_matches")
    op.drop_index("ix_mentor_cycles_team_id", table_name="mentor_cycles")
    op.drop_table("mentor_cycles")
    op.drop_table("mentor_programmes")
    op.drop_table("mentor_skills")
    op.drop_table("mentor_profiles")
