"""The registry's public API: validate, then delegate to the SQL backend.

Writers are crawler processes running at once.  Each write is one short transaction; a
write that loses a race (a unique constraint hit because another process created the same
domain, a lock or deadlock reported by the backend) is retried from the start, and the retry
then finds the other writer's row.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from types import TracebackType
from typing import Any, Self, TypeVar

from alembic.util import CommandError
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from crawler.registry import backend, validate
from crawler.registry.db import ensure_sqlite_parent, make_engine, redact, write_engine
from crawler.registry.errors import RegistryUnavailable
from crawler.registry.migrate import upgrade
from crawler.registry.views import EvidenceView, SiteView

T = TypeVar("T")

WRITE_ATTEMPTS = 8
_TRANSIENT = ("locked", "busy", "deadlock", "could not serialize")


class Registry:
    """Sites, their domains and evidence, in any SQLAlchemy database (SQLite by default)."""

    def __init__(self, engine: Engine) -> None:
        """Wrap an engine whose schema is already current; use ``Registry.open`` normally."""
        self._engine = engine
        self._read = sessionmaker(engine, expire_on_commit=False)
        self._write = sessionmaker(write_engine(engine), expire_on_commit=False)

    @classmethod
    def open(cls, url: str) -> Registry:
        """Connect to ``url`` and migrate it to the current schema.

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
            raise RegistryUnavailable(f"{redact(url)}: {_one_line(exc)}") from exc
        return cls(engine)

    def close(self) -> None:
        """Close every pooled connection (unclosed SQLite connections warn)."""
        self._engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def record_page_verdict(
        self,
        domain: str,
        url: str,
        score: float,
        infringing: bool,
        kind: str | None,
        explanation: str,
        signals: list[dict[str, Any]],
        content_sha256: str,
        seen_at: datetime,
        aliases: Iterable[tuple[str, str]] = (),
        how_linked: str = "discovered",
    ) -> SiteView | None:
        """Record one page's fused verdict; returns its site, or None for a clean stranger.

        The site owning ``domain`` is updated (created when the page is infringing and the
        domain unknown; a redirect from a known site's domain makes the new domain that
        site's primary).  ``aliases`` are ``(domain, how_linked)`` pairs, e.g. the domains of
        the redirect chain that led here; unowned ones join the site ("redirect" ones as
        "former" domains).  Evidence is stored once per (site, url, content hash).
        """
        page = backend.PageVerdict(
            domain=validate.domain(domain),
            url=validate.text(url, "url"),
            score=validate.score(score),
            infringing=bool(infringing),
            kind=validate.kind(kind),
            explanation=validate.text(explanation, "explanation", empty=True),
            signals=validate.signals(signals),
            content_sha256=validate.sha256_hex(content_sha256),
            seen_at=validate.aware(seen_at, "seen_at"),
            aliases=validate.aliases(aliases, owner=domain),
            how_linked=validate.text(how_linked, "how_linked"),
        )
        return self._write_retrying(lambda session: backend.record_page_verdict(session, page))

    def sites(self) -> list[SiteView]:
        """Every site, highest score first."""
        with self._read() as session, session.begin():
            return backend.site_views(session)

    def site_by_domain(self, domain: str) -> SiteView | None:
        """The site owning ``domain`` (primary, alias, mirror or former), if any."""
        name = validate.domain(domain)
        with self._read() as session, session.begin():
            found = backend.site_views(session, name)
        return found[0] if found else None

    def evidence(self, site_id: int) -> list[EvidenceView]:
        """The evidence of a known site, oldest first."""
        if isinstance(site_id, bool) or not isinstance(site_id, int):
            raise ValueError(f"site_id must be an int, got {site_id!r}")
        with self._read() as session, session.begin():
            if not backend.site_exists(session, site_id):
                raise ValueError(f"unknown site id {site_id}")
            return backend.evidence_views(session, site_id)

    def _write_retrying(self, work: Callable[[Session], T]) -> T:
        """Run ``work`` in its own transaction, again from scratch if it lost a race."""
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            try:
                with self._write() as session, session.begin():
                    return work(session)
            except (IntegrityError, OperationalError) as exc:
                if attempt == WRITE_ATTEMPTS or not _lost_race(exc):
                    raise
                time.sleep(random.uniform(0, 0.01 * 2**attempt))  # jitter: don't collide again
        raise AssertionError("unreachable")


def _lost_race(exc: DBAPIError) -> bool:
    if isinstance(exc, IntegrityError):
        return True
    return any(word in str(exc.orig).lower() for word in _TRANSIENT)


def _one_line(exc: BaseException) -> str:
    """The driver's own message when there is one, without SQLAlchemy's help links."""
    if isinstance(exc, ImportError):
        return f"database driver not installed ({exc})"
    cause = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    lines = [line.strip() for line in str(cause).splitlines() if line.strip()]
    return lines[0] if lines else type(cause).__name__
