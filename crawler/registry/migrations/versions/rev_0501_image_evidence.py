"""Image evidence: matched images with their capture, thumbnail pair and catalog reference.

Revision ID: 0501
Revises: 0201
Create Date: 2026-11-23 16:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0501"
down_revision: str | Sequence[str] | None = "0201"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "image_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("domain", sa.String(length=253), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column("evidence_id", sa.Integer(), nullable=True),
        sa.Column("capture_id", sa.Integer(), nullable=True),
        sa.Column("image_url", sa.Text(), nullable=False),
        sa.Column("url_sha256", sa.String(length=64), nullable=False),
        sa.Column("page_url", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("content_type", sa.Text(), nullable=False),
        sa.Column("image_sha256", sa.String(length=64), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reference_id", sa.Integer(), nullable=True),
        sa.Column("work", sa.String(length=300), nullable=False),
        sa.Column("reference_kind", sa.String(length=16), nullable=False),
        sa.Column("catalog", sa.String(length=64), nullable=False),
        sa.Column("reference_source", sa.Text(), nullable=False),
        sa.Column("hash_name", sa.String(length=16), nullable=False),
        sa.Column("distance", sa.Integer(), nullable=False),
        sa.Column("dhash_distance", sa.Integer(), nullable=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("thumbnail", sa.LargeBinary(), nullable=True),
        sa.Column("thumbnail_type", sa.String(length=32), nullable=True),
        sa.Column("thumbnail_sha256", sa.String(length=64), nullable=True),
        sa.Column("thumbnail_error", sa.Text(), nullable=True),
        sa.Column("reference_thumbnail", sa.LargeBinary(), nullable=True),
        sa.Column("reference_thumbnail_type", sa.String(length=32), nullable=True),
        sa.Column("reference_thumbnail_sha256", sa.String(length=64), nullable=True),
        sa.Column("attached_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_image_evidence_site_id_sites"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["evidence_id"], ["evidence.id"], name=op.f("fk_image_evidence_evidence_id_evidence"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["capture_id"], ["evidence_captures.id"],
            name=op.f("fk_image_evidence_capture_id_evidence_captures"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_image_evidence")),
        sa.UniqueConstraint(
            "domain", "url_sha256", "image_sha256", name="uq_image_evidence_image"
        ),
    )  # fmt: skip
    op.create_index("ix_image_evidence_domain", "image_evidence", ["domain"], unique=False)
    op.create_index("ix_image_evidence_site_id", "image_evidence", ["site_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_image_evidence_site_id", table_name="image_evidence")
    op.drop_index("ix_image_evidence_domain", table_name="image_evidence")
    op.drop_table("image_evidence")
