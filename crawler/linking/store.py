"""Writing a page's features: its own short transaction, before the registry sees the page.

The linking pipeline runs just before the registry pipeline, so when ``record_page_verdict``
asks :func:`crawler.linking.link.link_page` about a new domain, that domain's features are
already committed.  A repeated feature of a domain is ignored (``ON CONFLICT DO NOTHING``):
the first sighting is the one that counts as evidence.  A favicon usually arrives after the
domain's first page was judged, so storing one re-examines the domain
(:mod:`crawler.linking.relink`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from crawler.linking.features import Feature
from crawler.linking.models import VALUE_LEN, LinkFeature
from crawler.registry.db import ensure_sqlite_parent, make_engine, write_engine
from crawler.registry.migrate import upgrade

logger = logging.getLogger(__name__)
MAX_FEATURES_PER_PAGE = 200


def store_features(session: Session, domain: str, url: str, seen_at: datetime,
                   features: Iterable[Feature]) -> int:
    """Insert the features of one page of ``domain``; returns how many were offered."""
    rows = [{"domain": domain, "kind": f.kind, "value": f.value, "url": url, "seen_at": seen_at}
            for f in list(features)[:MAX_FEATURES_PER_PAGE] if len(f.value) <= VALUE_LEN]
    if rows:
        session.execute(_insert_ignoring_duplicates(session), rows)
    return len(rows)


def _insert_ignoring_duplicates(session: Session) -> Insert:
    dialect = session.get_bind().dialect.name
    keys = ["domain", "kind", "value"]
    if dialect == "postgresql":
        return postgresql.insert(LinkFeature).on_conflict_do_nothing(index_elements=keys)
    if dialect == "sqlite":
        return sqlite.insert(LinkFeature).on_conflict_do_nothing(index_elements=keys)
    raise NotImplementedError(f"linking: no insert-or-ignore for the {dialect} dialect")


class FeatureWriter:
    """A connection of its own to the registry database, migrated like the registry's."""

    def __init__(self, url: str) -> None:
        engine: Engine = make_engine(url)
        ensure_sqlite_parent(engine.url)
        upgrade(engine)
        self._engine = engine
        self.relinked = 0  # domains merged into a known site after their favicon arrived
        self.relink_errors = 0
        self._sessions = sessionmaker(write_engine(engine), expire_on_commit=False)

    def write(self, domain: str, url: str, seen_at: datetime, features: list[Feature]) -> int:
        """Commit one page's features; a favicon among them re-decides the domain's link
        (:func:`crawler.linking.relink.relink_domain`) in a transaction of its own."""
        with self._sessions() as session, session.begin():
            count = store_features(session, domain, url, seen_at, features)
        if any(f.kind == "favicon" for f in features):
            self.relink(domain)
        return count

    def relink(self, domain: str) -> bool:
        """True when ``domain`` was merged into a known site; an error is logged and counted
        (``relink_errors``), never raised: the features are stored either way."""
        from crawler.linking.relink import relink_domain

        try:
            with self._sessions() as session, session.begin():
                moved = relink_domain(session, domain) is not None
        except Exception as exc:  # a failed second look must not fail the image item
            self.relink_errors += 1
            logger.error("Linking: %s not re-examined after its favicon: %s", domain, exc)
            return False
        self.relinked += moved
        return moved

    def close(self) -> None:
        self._engine.dispose()
