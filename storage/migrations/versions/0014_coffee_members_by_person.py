"""coffee_members by (team_id, user_id): the Home tab finds a person's coffee channels without a scan.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_coffee_members_team_user", "coffee_members", ["team_id", "user_id"])


def downgrade() -> None:
    op.drop_index("ix_coffee_members_team_user", table_name="coffee_members")
