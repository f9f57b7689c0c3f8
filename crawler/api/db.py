"""The API's handle on the registry database: one engine, read and write sessions.

Opened like ``Registry.open`` (same engine settings, migrated to every head) so that the API,
the crawler and the CLI agree on the schema; write sessions take SQLite's write lock up
front (``BEGIN IMMEDIATE``) exactly as the registry's own writers do.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from alembic.util import CommandError
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

import crawler.api.models  # noqa: F401  (the API's tables on the registry metadata)
from crawler.registry.db import ensure_sqlite_parent, make_engine, redact, write_engine
from crawler.registry.errors import RegistryUnavailable
from crawler.registry.migrate import upgrade


class Database:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._read = sessionmaker(engine, expire_on_commit=False)
        self._write = sessionmaker(write_engine(engine), expire_on_commit=False)

    @classmethod
    def open(cls, url: str) -> Database:
        engine: Engine | None = None
        try:
            engine = make_engine(url)
            ensure_sqlite_parent(engine.url)
            upgrade(engine)
        except (SQLAlchemyError, CommandError, OSError, ImportError, ValueError) as exc:
            if engine is not None:
                engine.dispose()
            first = str(getattr(exc, "orig", None) or exc).strip().splitlines() or ["error"]
            raise RegistryUnavailable(f"{redact(url)}: {first[0]}") from exc
        return cls(engine)

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with self._read() as session, session.begin():
            yield session

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """One short write transaction, committed when the block ends without error."""
        with self._write() as session, session.begin():
            yield session

    def ping(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True

    def close(self) -> None:
        self.engine.dispose()
