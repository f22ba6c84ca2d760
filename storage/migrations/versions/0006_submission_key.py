"""Idempotent modal submissions: interactions.submission_key, unique per workspace.

A `/met` form is stored after the ack; Slack (or the person) may send the same submission again, and the unique
index turns the second insert into a no-op (INSERT … ON CONFLICT DO NOTHING).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("interactions") as batch:
        batch.add_column(sa.Column("submission_key", sa.String(64), nullable=True))
    op.create_index("uq_interactions_submission", "interactions", ["team_id", "submission_key"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_interactions_submission", table_name="interactions")
    with op.batch_alter_table("interactions") as batch:
        batch.drop_column("submission_key")
