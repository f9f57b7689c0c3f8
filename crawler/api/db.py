"""The API's handle on the registry database: one engine, read and write sessions.

Opened like ``Registry.open`` (same engine settings, migrated to every head) so that the API,
the crawler and the CLI agree on the schema; write sessions take SQLite's write lock up
front (``BEGIN IMMEDIATE``) exactly as the registry's own writers do.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

import crawler.api.models  # noqa: F401  (the API's tables on the registry metadata)
from crawler.registry.db import write_engine
from crawler.registry.migrate import open_migrated


class Database:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._read = sessionmaker(engine, expire_on_commit=False)
        self._write = sessionmaker(write_engine(engine), expire_on_commit=False)

    @classmethod
    def open(cls, url: str) -> Database:
        return cls(open_migrated(url))

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
