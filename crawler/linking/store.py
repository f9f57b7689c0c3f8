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
import random
import time
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from crawler.linking.features import POINTER_KINDS, Feature
from crawler.linking.models import VALUE_LEN, LinkFeature
from crawler.registry.db import ensure_sqlite_parent, lost_race, make_engine, write_engine
from crawler.registry.errors import SiteMovedMeanwhile
from crawler.registry.migrate import upgrade

logger = logging.getLogger(__name__)
MAX_FEATURES_PER_PAGE = 200
RELINK_ATTEMPTS = 5  # a relink that keeps losing races is counted an error after these
MAX_RELINK_TARGETS = 5  # redirect targets of one page re-decided (a page has one or two)


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
        self.relinked = 0  # domains merged into a known site on evidence that came late
        self.relink_errors = 0
        self.relink_retries = 0  # relinks run again after losing a race (see ``relink``)
        self.relink_replans = 0  # ... because a site they read was merged away meanwhile
        self._sessions = sessionmaker(write_engine(engine), expire_on_commit=False)

    def write(self, domain: str, url: str, seen_at: datetime, features: list[Feature]) -> int:
        """Commit one page's features.  Evidence that comes after a domain's first page
        re-decides that domain's link (:func:`crawler.linking.relink.relink_domain`), each in
        a transaction of its own: a favicon (fetched after the page) re-decides ``domain``;
        a redirect pointer (meta refresh, JS location, HTTP redirect) re-decides its target,
        which may have been seen before the page that points to it."""
        with self._sessions() as session, session.begin():
            count = store_features(session, domain, url, seen_at, features)
        if any(f.kind == "favicon" for f in features):
            self.relink(domain)
        targets = {f.value for f in features if f.kind in POINTER_KINDS and f.value != domain}
        for target in sorted(targets)[:MAX_RELINK_TARGETS]:
            self.relink(target)
        return count

    def relink(self, domain: str) -> bool:
        """True when ``domain`` was merged into a known site.  A relink that lost a race (a
        deadlock or serialisation failure, a lock wait given up, a unique key taken by a
        concurrent writer, a site merged away between reading and locking it) is run again
        from the start, up to :data:`RELINK_ATTEMPTS` times (``relink_retries``): it then
        sees the other writer's rows, and a merge that writer made is simply found made.
        Any other error is logged and counted (``relink_errors``), never raised: the
        features are stored either way."""
        from crawler.linking.relink import relink_domain

        for attempt in range(1, RELINK_ATTEMPTS + 1):
            try:
                with self._sessions() as session, session.begin():
                    moved = relink_domain(session, domain) is not None
            except (DBAPIError, SiteMovedMeanwhile) as exc:
                if attempt < RELINK_ATTEMPTS and isinstance(exc, SiteMovedMeanwhile):
                    self.relink_replans += 1  # read unlocked while planning: no lock problem
                elif attempt < RELINK_ATTEMPTS and isinstance(exc, DBAPIError) \
                        and lost_race(exc):  # fmt: skip
                    self.relink_retries += 1
                else:
                    return self._relink_failed(domain, exc)
                time.sleep(random.uniform(0, 0.01 * 2**attempt))  # don't collide again
                continue
            except Exception as exc:  # a failed second look must not fail the image item
                return self._relink_failed(domain, exc)
            self.relinked += moved
            return moved
        raise AssertionError("unreachable")

    def _relink_failed(self, domain: str, exc: Exception) -> bool:
        self.relink_errors += 1
        logger.error("Linking: %s not re-examined after late evidence: %s", domain, exc)
        return False

    def close(self) -> None:
        self._engine.dispose()
