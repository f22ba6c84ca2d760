"""people.deactivated_at: when the directory first saw someone deactivated, for the retention sweep.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.add_column(sa.Column("deactivated_at", UTCDateTime(), nullable=True))
    op.create_index("ix_people_deactivated_at", "people", ["deactivated_at"])


def downgrade() -> None:
    op.drop_index("ix_people_deactivated_at", table_name="people")
    with op.batch_alter_table("people") as batch:
        batch.drop_column("deactivated_at")
