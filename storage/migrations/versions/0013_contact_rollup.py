"""contact_rollups: first/last met and meeting count per author and contact; nudges by user, status and due date.

The roll-up is backfilled from the log in one INSERT … SELECT; from then on the interactions repository keeps it
in step in the same transaction as every write, delete and forget.

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0013"
down_revision = "0011"
branch_labels = None
depends_on = None

BACKFILL = """
INSERT INTO contact_rollups (team_id, author_id, contact_id, first_met_at, last_met_at, meetings)
SELECT i.team_id, i.author_id, p.user_id, MIN(i.happened_at), MAX(i.happened_at), COUNT(*)
FROM interactions i JOIN interaction_participants p ON p.interaction_id = i.id
GROUP BY i.team_id, i.author_id, p.user_id
"""


def upgrade() -> None:
    op.create_table(
        "contact_rollups",
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("author_id", sa.String(32), nullable=False),
        sa.Column("contact_id", sa.String(32), nullable=False),
        sa.Column("first_met_at", UTCDateTime(), nullable=False),
        sa.Column("last_met_at", UTCDateTime(), nullable=False),
        sa.Column("meetings", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "author_id", "contact_id", name=op.f("pk_contact_rollups")),
    )
    op.create_index("ix_contact_rollups_first_met", "contact_rollups", ["team_id", "author_id", "first_met_at"])
    op.execute(BACKFILL)
    op.create_index("ix_nudges_team_user_status_due", "nudges", ["team_id", "user_id", "status", "due_at"])


def downgrade() -> None:
    op.drop_index("ix_nudges_team_user_status_due", table_name="nudges")
    op.drop_index("ix_contact_rollups_first_met", table_name="contact_rollups")
    op.drop_table("contact_rollups")
