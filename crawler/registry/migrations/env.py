"""Alembic environment: runs inside the caller's connection when one is given.

``crawler.registry.migrate.upgrade`` passes its locked connection in
``config.attributes["connection"]``; the developer CLI passes only a URL.
"""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection

# Imported for their tables on Base: alert outbox; accounts, audit log and site tags;
# evidence captures and matched images; link features and domain proofs.
import crawler.alerts.models
import crawler.api.models
import crawler.evidence.image_models
import crawler.evidence.models
import crawler.linking.models
import crawler.registry.channels
import crawler.registry.observations  # observations, migration 0601
import crawler.registry.works  # noqa: F401  (protected works and channels, 0701 and 0702)
from crawler.registry.db import ensure_sqlite_parent, make_engine
from crawler.registry.models import Base
from crawler.registry.types import UTCDateTime

config = context.config
target_metadata = Base.metadata


def _render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Write portable column types into new revisions: migrations must not import app code."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite can only ALTER by copying the table
        compare_type=True,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no connection and no sqlalchemy.url given to the migrations")
    engine = make_engine(url)
    ensure_sqlite_parent(engine.url)
    try:
        with engine.connect() as conn:
            _run(conn)
            conn.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
