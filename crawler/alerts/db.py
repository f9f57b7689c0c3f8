"""An engine on the registry database, migrated, for the commands that read it directly.

The alert, evidence and export commands work on rows the ``Registry`` facade does not
expose (the outbox, the evidence chain, streamed exports); they open the database the same
way ``Registry.open`` does and fail the same way: one ``RegistryUnavailable`` line.
"""

from __future__ import annotations

from alembic.util import CommandError
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from crawler.registry.db import ensure_sqlite_parent, make_engine, redact
from crawler.registry.errors import RegistryUnavailable
from crawler.registry.migrate import upgrade


def open_engine(url: str) -> Engine:
    """An engine on ``url`` with the schema at every head; ``RegistryUnavailable`` if not."""
    engine: Engine | None = None
    try:
        engine = make_engine(url)
        ensure_sqlite_parent(engine.url)
        upgrade(engine)
    except (SQLAlchemyError, CommandError, OSError, ImportError, ValueError) as exc:
        if engine is not None:
            engine.dispose()
        cause = " ".join(str(exc).split())[:300]
        raise RegistryUnavailable(f"{redact(url)}: {cause}") from exc
    return engine
