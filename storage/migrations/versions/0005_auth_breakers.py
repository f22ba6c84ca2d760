"""Auth breakers: one row per workspace whose token Slack refused, so every process pauses and resumes together.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_dt = storage.types.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "auth_breakers",
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("state", sa.String(8), nullable=False),
        sa.Column("reason", sa.String(64), nullable=False),
        sa.Column("opened_at", _dt(), nullable=False),
        sa.Column("next_probe_at", _dt(), nullable=False),
        sa.Column("failed_probes", sa.Integer(), nullable=False),
        sa.Column("closed_at", _dt(), nullable=True),
        sa.Column("updated_at", _dt(), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["workspaces.team_id"], name=op.f("fk_auth_breakers_team_id_workspaces")),
        sa.PrimaryKeyConstraint("team_id", name=op.f("pk_auth_breakers")),
    )


def downgrade() -> None:
    op.drop_table("auth_breakers")
