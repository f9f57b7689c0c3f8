"""Site lifecycle and monitoring: status history, analyst verdicts and notes, check outcomes.

Revision ID: 0101
Revises: 0001
Create Date: 2026-11-23 13:20:00
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0101"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SITE_COLUMNS: tuple[tuple[str, sa.types.TypeEngine[Any]], ...] = (
    ("status_changed_at", sa.DateTime(timezone=True)),
    ("verdict", sa.String(length=16)),
    ("operator_cluster", sa.String(length=64)),
    ("next_check_at", sa.DateTime(timezone=True)),
    ("check_claimed_until", sa.DateTime(timezone=True)),
)
_CHECK_COLUMNS: tuple[tuple[str, sa.types.TypeEngine[Any]], ...] = (
    ("outcome", sa.String(length=16)),
    ("fingerprint", sa.String(length=64)),
    ("fingerprint_changed", sa.Boolean()),
    ("title", sa.String(length=300)),
)


def upgrade() -> None:
    # Plain ADD COLUMN (nullable, no default) works in place on SQLite too: no table copy,
    # so tables of other branches referencing "sites" are left alone.
    for name, type_ in _SITE_COLUMNS:
        op.add_column("sites", sa.Column(name, type_, nullable=True))
    op.create_index("ix_sites_status", "sites", ["status"], unique=False)
    for name, type_ in _CHECK_COLUMNS:
        op.add_column("checks", sa.Column(name, type_, nullable=True))
    op.create_table(
        "site_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("old", sa.String(length=16), nullable=True),
        sa.Column("new", sa.String(length=16), nullable=True),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_site_events_site_id_sites"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site_events")),
    )
    op.create_index("ix_site_events_site_at", "site_events", ["site_id", "at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_site_events_site_at", table_name="site_events")
    op.drop_table("site_events")
    # Plain DROP COLUMN (SQLite >= 3.35), not a batch copy: recreating "sites" with foreign
    # keys on would cascade the drop of the old table to every row that references it.
    for name, _ in reversed(_CHECK_COLUMNS):
        op.drop_column("checks", name)
    op.drop_index("ix_sites_status", table_name="sites")
    for name, _ in reversed(_SITE_COLUMNS):
        op.drop_column("sites", name)
