"""Protected channels in the registry beside the works, versioned by the same counter.

Revision ID: 0702
Revises: 0701
Create Date: 2026-11-23 16:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0702"
down_revision: str | Sequence[str] | None = "0701"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "catalog_channels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("match_key", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_channels")),
        sa.UniqueConstraint("match_key", name=op.f("uq_catalog_channels_match_key")),
    )
    with op.batch_alter_table("catalog_works_state") as batch:
        batch.add_column(sa.Column("channels_seeded_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("catalog_works_state") as batch:
        batch.drop_column("channels_seeded_at")
    op.drop_table("catalog_channels")
