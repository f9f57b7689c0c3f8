"""The registry's works table as the title detector's live source, and attaching it.

``attach_registry_works(pipeline, engine, check_every)`` finds the ``title_match`` detectors
of a detection pipeline, seeds the works table from their YAML file if it was never seeded,
and points them at the table: from then on they check its version at most every
``check_every`` seconds and reload when it moved (``detectors.title.live``).  Crawlers do it
at start (:class:`crawler.extensions.works.LiveWorksExtension`); without a registry the
detector keeps reading its YAML file.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from crawler.registry import works as store
from crawler.registry.db import redact, write_engine
from detectors.title.catalog import WorkSpec

logger = logging.getLogger(__name__)
SEED_ACTOR = "seed"


class RegistryWorks:
    """Works and their version, read from the registry (one short transaction per read)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._session = sessionmaker(engine, expire_on_commit=False)

    def version(self) -> int:
        with self._session() as session, session.begin():
            return store.version(session)

    def works(self) -> tuple[int, Sequence[WorkSpec]]:
        with self._session() as session, session.begin():
            version = store.version(session)
            rows = store.works(session)
        specs = []
        for row in rows:
            try:
                specs.append(WorkSpec(**store.fields_of(row)))
            except (ValidationError, TypeError) as exc:  # a row written around the store
                logger.warning("works catalog: work #%s skipped: %s", row.id,
                               str(exc).splitlines()[0])  # fmt: skip
        return version, specs

    def describe(self) -> str:
        return f"registry {redact(self.engine.url)}"


def seed_if_due(engine: Engine, path: Any) -> store.ImportReport | None:
    """Seed the works from ``path`` unless this database's works were ever seeded.

    The cheap read comes first; the write transaction (locked) only on a never-seeded
    database, where one of several processes starting together imports and the others find
    it done.  Audited as the ``seed`` actor.
    """
    with Session(engine) as session, session.begin():
        if not store.seed_due(session):
            return None
    from crawler.api import works as audited

    with Session(write_engine(engine)) as session, session.begin():
        report = audited.seed(session, path)
    if report is not None:
        logger.info("works catalog seeded from %s: %d added, %d refused row(s)",
                    path, len(report.added), len(report.errors))  # fmt: skip
        for error in report.errors:
            logger.warning("works catalog seed %s: %s", path, error)
    return report


def attach_registry_works(pipeline: Any, engine: Engine, check_every: float) -> int:
    """Point every title detector of ``pipeline`` at the registry; how many there were."""
    from detectors.title.detector import TitleDetector

    attached = 0
    for stage in pipeline.stages:
        detector = stage.detector
        if isinstance(detector, TitleDetector):
            seed_if_due(engine, detector.works_file)
            detector.attach_works(RegistryWorks(engine), check_every)
            attached += 1
    return attached
