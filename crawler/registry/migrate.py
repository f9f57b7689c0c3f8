"""Alembic, configured in code: the scripts ship inside the package, no alembic.ini needed.

``upgrade(engine)`` is what ``Registry.open`` runs.  It holds a lock for the whole upgrade
(SQLite: the write lock of ``BEGIN IMMEDIATE``; PostgreSQL: an advisory lock) so that several
crawler processes starting at once on a fresh database migrate it exactly once.

For developers, ``python -m crawler.registry.migrate [--url URL] <alembic command...>`` runs
any Alembic command, e.g. ``revision --autogenerate -m "add column"`` (the URL defaults to
``$ISOP_DATABASE_URL``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import CommandLine, Config
from alembic.util import CommandError
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from crawler.registry.db import ensure_sqlite_parent, make_engine, redact, write_engine
from crawler.registry.errors import RegistryUnavailable

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Arbitrary constant shared by every I-SOP process: "isop" in ASCII.
_PG_LOCK_KEY = 0x69736F70


def alembic_config(url: str | None = None) -> Config:
    """An Alembic config pointing at the packaged migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # Revision files must be importable module names for mypy: no leading digit.
    config.set_main_option("file_template", "rev_%%(rev)s_%%(slug)s")
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def open_migrated(url: str) -> Engine:
    """An engine on ``url`` with the schema at every head: what the registry, the alert
    deliverer, evidence and the API open first.

    Raises ``RegistryUnavailable("<url without password>: <cause>")`` when the database
    can't be reached, opened or migrated.
    """
    engine: Engine | None = None
    try:
        engine = make_engine(url)
        ensure_sqlite_parent(engine.url)
        upgrade(engine)
    except (SQLAlchemyError, CommandError, OSError, ImportError, ValueError) as exc:
        if engine is not None:
            engine.dispose()
        raise RegistryUnavailable(f"{redact(url)}: {one_line_cause(exc)}") from exc
    return engine


def one_line_cause(exc: BaseException) -> str:
    """The driver's own message when there is one, without SQLAlchemy's help links."""
    if isinstance(exc, ImportError):
        return f"database driver not installed ({exc})"
    cause = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    lines = [line.strip() for line in str(cause).splitlines() if line.strip()]
    return lines[0][:300] if lines else type(cause).__name__


def upgrade(engine: Engine, revision: str = "heads") -> None:
    """Bring the schema of ``engine``'s database to ``revision``, once, under a lock.

    The default is every head: features (alerts, evidence, accounts) add their tables on
    branches of their own off the initial schema, and a database gets all of them.
    """
    _locked(engine, command.upgrade, revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Undo migrations down to ``revision`` ("base" for an empty database)."""
    _locked(engine, command.downgrade, revision)


def _locked(engine: Engine, run: Callable[[Config, str], None], revision: str) -> None:
    config = alembic_config()
    with write_engine(engine).connect() as connection, connection.begin():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
        # env.py sees a connection already in a transaction and runs inside it.
        config.attributes["connection"] = connection
        run(config, revision)


def main(argv: list[str] | None = None) -> None:
    """Run an Alembic command against the packaged migrations."""
    args = list(sys.argv[1:] if argv is None else argv)
    url = os.environ.get("ISOP_DATABASE_URL", "sqlite:///isop-data/registry.db")
    if len(args) >= 2 and args[0] == "--url":
        url, args = args[1], args[2:]
    cli = CommandLine(prog="python -m crawler.registry.migrate")
    options = cli.parser.parse_args(args)
    if not hasattr(options, "cmd"):
        cli.parser.error("too few arguments")
    cli.run_cmd(alembic_config(url), options)


if __name__ == "__main__":
    main()
