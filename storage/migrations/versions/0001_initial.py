"""Initial schema: workspaces, people directory cache, interactions with participants and tags.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "workspaces",
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("name", sa.String(255), nullable=False, server_default=""),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("team_id", name=op.f("pk_workspaces")),
    )
    op.create_table(
        "people",
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("name", sa.String(255), nullable=False, server_default=""),
        sa.Column("real_name", sa.String(255), nullable=False, server_default=""),
        sa.Column("display_name", sa.String(255), nullable=False, server_default=""),
        sa.Column("tz", sa.String(64), nullable=False, server_default="UTC"),
        sa.Column("title", sa.String(255), nullable=False, server_default=""),
        sa.Column("department", sa.String(255), nullable=False, server_default=""),
        sa.Column("is_bot", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("deleted", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("refreshed_at", storage.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["workspaces.team_id"], name=op.f("fk_people_team_id_workspaces")),
        sa.PrimaryKeyConstraint("team_id", "user_id", name=op.f("pk_people")),
    )
    op.create_table(
        "interactions",
        sa.Column("id", _id, autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("author_id", sa.String(32), nullable=False),
        sa.Column("happened_at", storage.types.UTCDateTime(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False, server_default=""),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("follow_up_days", sa.Integer(), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["workspaces.team_id"], name=op.f("fk_interactions_team_id_workspaces")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interactions")),
    )
    op.create_index("ix_interactions_author_happened", "interactions", ["team_id", "author_id", "happened_at"])
    op.create_table(
        "interaction_participants",
        sa.Column("interaction_id", _id, nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.ForeignKeyConstraint(
            ["interaction_id"],
            ["interactions.id"],
            name=op.f("fk_interaction_participants_interaction_id_interactions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("interaction_id", "user_id", name=op.f("pk_interaction_participants")),
    )
    op.create_index("ix_participants_team_user", "interaction_participants", ["team_id", "user_id"])
    op.create_table(
        "interaction_tags",
        sa.Column("interaction_id", _id, nullable=False),
        sa.Column("tag", sa.String(80), nullable=False),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.ForeignKeyConstraint(
            ["interaction_id"],
            ["interactions.id"],
            name=op.f("fk_interaction_tags_interaction_id_interactions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("interaction_id", "tag", name=op.f("pk_interaction_tags")),
    )
    op.create_index("ix_tags_team_tag", "interaction_tags", ["team_id", "tag"])


def downgrade() -> None:
    op.drop_index("ix_tags_team_tag", table_name="interaction_tags")
    op.drop_table("interaction_tags")
    op.drop_index("ix_participants_team_user", table_name="interaction_participants")
    op.drop_table("interaction_participants")
    op.drop_index("ix_interactions_author_happened", table_name="interactions")
    op.drop_table("interactions")
    op.drop_table("people")
    op.drop_table("workspaces")
