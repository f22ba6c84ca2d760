"""Follow-ups: nudges (scheduled reminders claimed by sweeps), keep-in-touch cadences, per-person nudge settings.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_CLAIMABLE = sa.text("status IN ('pending', 'claimed')")
_UNCLAIMED = sa.text("status <> 'claimed'")


def upgrade() -> None:
    op.create_table(
        "nudges",
        sa.Column("id", _id, autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("contact_id", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("interaction_id", _id, nullable=True),
        sa.Column("due_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("available_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("claimed_by", sa.String(64), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("in_doubt", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("last_error", sa.String(64), nullable=True),
        sa.Column("sent_channel", sa.String(32), nullable=True),
        sa.Column("sent_ts", sa.String(32), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("sent_at", storage.types.UTCDateTime(), nullable=True),
        sa.Column("resolved_at", storage.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["team_id"], ["workspaces.team_id"], name=op.f("fk_nudges_team_id_workspaces")),
        sa.ForeignKeyConstraint(
            ["interaction_id"],
            ["interactions.id"],
            name=op.f("fk_nudges_interaction_id_interactions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nudges")),
    )
    op.create_index(
        "ix_nudges_claimable", "nudges", ["available_at"], postgresql_where=_CLAIMABLE, sqlite_where=_CLAIMABLE
    )
    op.create_index(
        "ix_nudges_team_user_contact",
        "nudges",
        ["team_id", "user_id", "contact_id"],
        postgresql_where=_UNCLAIMED,
    )
    op.create_table(
        "cadences",
        sa.Column("id", _id, autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("contact_id", sa.String(32), nullable=False),
        sa.Column("every_days", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("last_interaction_at", storage.types.UTCDateTime(), nullable=True),
        sa.Column("last_nudged_at", storage.types.UTCDateTime(), nullable=True),
        sa.Column("next_due_at", storage.types.UTCDateTime(), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["workspaces.team_id"], name=op.f("fk_cadences_team_id_workspaces")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cadences")),
        sa.UniqueConstraint("team_id", "user_id", "contact_id", name="uq_cadences_team_user_contact"),
    )
    op.create_index("ix_cadences_next_due", "cadences", ["next_due_at"])
    op.create_table(
        "nudge_settings",
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("default_follow_up_days", sa.Integer(), nullable=False, server_default="7"),
        sa.Column("work_start_minute", sa.Integer(), nullable=False, server_default="540"),
        sa.Column("work_end_minute", sa.Integer(), nullable=False, server_default="1020"),
        sa.Column("work_days", sa.Integer(), nullable=False, server_default="31"),
        sa.Column("paused_until", storage.types.UTCDateTime(), nullable=True),
        sa.Column("digest_enabled", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("updated_at", storage.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["workspaces.team_id"], name=op.f("fk_nudge_settings_team_id_workspaces")),
        sa.PrimaryKeyConstraint("team_id", "user_id", name=op.f("pk_nudge_settings")),
    )


def downgrade() -> None:
    op.drop_table("nudge_settings")
    op.drop_index("ix_cadences_next_due", table_name="cadences")
    op.drop_table("cadences")
    op.drop_index("ix_nudges_team_user_contact", table_name="nudges")
    op.drop_index("ix_nudges_claimable", table_name="nudges")
    op.drop_table("nudges")
