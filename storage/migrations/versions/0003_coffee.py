"""Coffee rounds: channel programmes, members, intros, avoid lists, rounds, groups, notices, fairness, round jobs.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_CLAIMABLE = sa.text("status IN ('pending', 'claimed')")
_dt = storage.types.UTCDateTime


def _cascade(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete="CASCADE"
    )


def _workspace(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["team_id"], ["workspaces.team_id"], name=op.f(f"fk_{table}_team_id_workspaces"))


def upgrade() -> None:
    op.create_table(
        "coffee_programs",
        sa.Column("id", _id, autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("channel_id", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("cadence_weeks", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("local_minute", sa.Integer(), nullable=False),
        sa.Column("tz", sa.String(64), nullable=False),
        sa.Column("group_size", sa.Integer(), nullable=False),
        sa.Column("pool_mode", sa.String(24), nullable=False),
        sa.Column("opt_in", sa.String(8), nullable=False),
        sa.Column("set_up_by", sa.String(32), nullable=False),
        sa.Column("created_at", _dt(), nullable=False),
        sa.Column("updated_at", _dt(), nullable=False),
        _workspace("coffee_programs"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coffee_programs")),
        sa.UniqueConstraint("team_id", "channel_id", name="uq_coffee_programs_team_channel"),
    )
    op.create_table(
        "coffee_members",
        sa.Column("program_id", _id, nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("in_channel", sa.Boolean(), nullable=False),
        sa.Column("opted_in", sa.Boolean(), nullable=False),
        sa.Column("left", sa.Boolean(), nullable=False),
        sa.Column("paused_until", _dt(), nullable=True),
        sa.Column("skip_round_id", _id, nullable=True),
        sa.Column("ignored_rounds", sa.Integer(), nullable=False),
        sa.Column("set_aside", sa.Boolean(), nullable=False),
        sa.Column("welcomed", sa.Boolean(), nullable=False),
        sa.Column("heads_up_round_id", _id, nullable=True),
        sa.Column("updated_at", _dt(), nullable=False),
        _cascade("coffee_members", "program_id", "coffee_programs"),
        sa.PrimaryKeyConstraint("program_id", "user_id", name=op.f("pk_coffee_members")),
    )
    op.create_table(
        "coffee_profiles",
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("intro", sa.Text(), nullable=False),
        sa.Column("updated_at", _dt(), nullable=False),
        _workspace("coffee_profiles"),
        sa.PrimaryKeyConstraint("team_id", "user_id", name=op.f("pk_coffee_profiles")),
    )
    op.create_table(
        "coffee_avoids",
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("avoided_id", sa.String(32), nullable=False),
        sa.Column("created_at", _dt(), nullable=False),
        _workspace("coffee_avoids"),
        sa.PrimaryKeyConstraint("team_id", "user_id", "avoided_id", name=op.f("pk_coffee_avoids")),
    )
    op.create_table(
        "coffee_rounds",
        sa.Column("id", _id, autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("program_id", _id, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("regular", sa.Boolean(), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("heads_up_at", _dt(), nullable=False),
        sa.Column("starts_at", _dt(), nullable=False),
        sa.Column("check_in_at", _dt(), nullable=False),
        sa.Column("ends_at", _dt(), nullable=False),
        sa.Column("pool_size", sa.Integer(), nullable=False),
        sa.Column("summary_ts", sa.String(32), nullable=True),
        sa.Column("created_at", _dt(), nullable=False),
        sa.Column("updated_at", _dt(), nullable=False),
        _cascade("coffee_rounds", "program_id", "coffee_programs"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coffee_rounds")),
    )
    op.create_index("ix_coffee_rounds_program_starts", "coffee_rounds", ["program_id", "starts_at"])
    op.create_table(
        "coffee_groups",
        sa.Column("id", _id, autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("round_id", _id, nullable=False),
        sa.Column("member_ids", sa.String(400), nullable=False),
        sa.Column("reason", sa.String(400), nullable=False),
        sa.Column("channel_id", sa.String(32), nullable=True),
        sa.Column("intro_ts", sa.String(32), nullable=True),
        sa.Column("check_in_ts", sa.String(32), nullable=True),
        sa.Column("outcome", sa.String(16), nullable=True),
        sa.Column("answered_by", sa.String(32), nullable=True),
        sa.Column("answered_at", _dt(), nullable=True),
        sa.Column("last_error", sa.String(64), nullable=True),
        _cascade("coffee_groups", "round_id", "coffee_rounds"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coffee_groups")),
    )
    op.create_index("ix_coffee_groups_round", "coffee_groups", ["round_id"])
    op.create_table(
        "coffee_notices",
        sa.Column("round_id", _id, nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("text", sa.String(400), nullable=False),
        sa.Column("sent_at", _dt(), nullable=True),
        _cascade("coffee_notices", "round_id", "coffee_rounds"),
        sa.PrimaryKeyConstraint("round_id", "user_id", name=op.f("pk_coffee_notices")),
    )
    op.create_table(
        "coffee_fairness",
        sa.Column("program_id", _id, nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("times_left_out", sa.Integer(), nullable=False),
        sa.Column("times_in_larger_group", sa.Integer(), nullable=False),
        sa.Column("last_left_out", _dt(), nullable=True),
        sa.Column("last_in_larger_group", _dt(), nullable=True),
        _cascade("coffee_fairness", "program_id", "coffee_programs"),
        sa.PrimaryKeyConstraint("program_id", "user_id", name=op.f("pk_coffee_fairness")),
    )
    op.create_table(
        "coffee_jobs",
        sa.Column("id", _id, autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("round_id", _id, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("due_at", _dt(), nullable=False),
        sa.Column("available_at", _dt(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("claimed_by", sa.String(64), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(64), nullable=True),
        sa.Column("created_at", _dt(), nullable=False),
        sa.Column("updated_at", _dt(), nullable=False),
        _cascade("coffee_jobs", "round_id", "coffee_rounds"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coffee_jobs")),
    )
    op.create_index(
        "ix_coffee_jobs_claimable",
        "coffee_jobs",
        ["available_at"],
        postgresql_where=_CLAIMABLE,
        sqlite_where=_CLAIMABLE,
    )
    op.create_index("ix_coffee_jobs_round", "coffee_jobs", ["round_id"])


def downgrade() -> None:
    op.drop_index("ix_coffee_jobs_round", table_name="coffee_jobs")
    op.drop_index("ix_coffee_jobs_claimable", table_name="coffee_jobs")
    op.drop_table("coffee_jobs")
    op.drop_table("coffee_fairness")
    op.drop_table("coffee_notices")
    op.drop_index("ix_coffee_groups_round", table_name="coffee_groups")
    op.drop_table("coffee_groups")
    op.drop_index("ix_coffee_rounds_program_starts", table_name="coffee_rounds")
    op.drop_table("coffee_rounds")
    op.drop_table("coffee_avoids")
    op.drop_table("coffee_profiles")
    op.drop_table("coffee_members")
    op.drop_table("coffee_programs")
