"""Evidence captures get their position in the chain (``seq``), so that heads can be named
``SEQ:HASH`` in the chain-head log and by investigators, and a removed tail shows as the
first missing sequence number.  Existing rows are numbered in chain (id) order.

Revision ID: 0801
Revises: 0201
Create Date: 2026-11-23 16:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0801"
down_revision: str | Sequence[str] | None = "0201"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("evidence_captures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE evidence_captures SET seq = numbered.n FROM "
        "(SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS n FROM evidence_captures) AS numbered "
        "WHERE numbered.id = evidence_captures.id"
    )
    with op.batch_alter_table("evidence_captures", schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f("uq_evidence_captures_seq"), ["seq"])


def downgrade() -> None:
    with op.batch_alter_table("evidence_captures", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_evidence_captures_seq"), type_="unique")
        batch_op.drop_column("seq")
