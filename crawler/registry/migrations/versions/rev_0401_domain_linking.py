"""Domain linking: features seen on each domain and the proofs that linked domains to sites.

Revision ID: 0401
Revises: 0001
Create Date: 2026-11-23 14:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0401"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "link_features",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("domain", sa.String(length=253), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("value", sa.String(length=600), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link_features")),
        sa.UniqueConstraint("domain", "kind", "value", name="uq_link_features_entry"),
    )
    op.create_index("ix_link_features_kind_value", "link_features", ["kind", "value"])
    op.create_table(
        "domain_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("domain", sa.String(length=253), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("proof", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("via_domain", sa.String(length=253), nullable=False),
        sa.Column("source_url", sa.Text(), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"],
                                name=op.f("fk_domain_links_site_id_sites"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_domain_links")),
        sa.UniqueConstraint("domain", "site_id", "proof", "via_domain",
                            name="uq_domain_links_proof"),
    )
    op.create_index(op.f("ix_domain_links_domain"), "domain_links", ["domain"])
    op.create_index(op.f("ix_domain_links_site_id"), "domain_links", ["site_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_domain_links_site_id"), table_name="domain_links")
    op.drop_index(op.f("ix_domain_links_domain"), table_name="domain_links")
    op.drop_table("domain_links")
    op.drop_index("ix_link_features_kind_value", table_name="link_features")
    op.drop_table("link_features")
