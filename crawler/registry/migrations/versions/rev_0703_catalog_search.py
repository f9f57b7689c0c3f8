"""A folded search column on the protected works and channels: accent- and case-insensitive
search that behaves alike on SQLite (whose ``lower()`` is ASCII-only) and PostgreSQL (whose
``unaccent`` is an extension a server may lack).  Existing rows are backfilled here.  On
SQLite both tables become AUTOINCREMENT (ids never reused).

Revision ID: 0703
Revises: 0702
Create Date: 2026-11-23 16:30:00.000000
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0703"
down_revision: str | Sequence[str] | None = "0702"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (("catalog_works", "title"), ("catalog_channels", "name"))


def _fold(text: str) -> str:
    """A copy of ``crawler.registry.works.fold`` (migrations do not import app code)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(unicodedata.normalize("NFC", bare).split())


def upgrade() -> None:
    # On SQLite the tables are rebuilt with AUTOINCREMENT: a plain rowid hands a removed
    # row's id to the next one added, and a stale "remove work 43, revision 1" would then
    # remove a different work.  PostgreSQL's sequences never reuse an id.
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, _ in TABLES:
        with op.batch_alter_table(
            table, recreate="always" if sqlite else "auto",
            table_kwargs={"sqlite_autoincrement": True},
        ) as batch:  # fmt: skip
            batch.add_column(sa.Column("search_text", sa.Text(), server_default="",
                                       nullable=False))  # fmt: skip
    connection = op.get_bind()
    for table, source in TABLES:
        rows = sa.table(table, sa.column("id", sa.Integer()), sa.column(source, sa.String()),
                        sa.column("search_text", sa.Text()))  # fmt: skip
        found = connection.execute(sa.select(rows.c.id, rows.c[source])).all()
        if found:  # one executemany, not a statement per row
            connection.execute(
                sa.update(rows).where(rows.c.id == sa.bindparam("row_id"))
                .values(search_text=sa.bindparam("folded")),
                [{"row_id": row_id, "folded": _fold(value or "")} for row_id, value in found],
            )  # fmt: skip


def downgrade() -> None:
    for table, _ in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("search_text")
