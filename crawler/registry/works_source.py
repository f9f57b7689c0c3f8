"""The registry's works table as the title detector's live source, and attaching it.

``attach_registry_works(pipeline, engine, check_every)`` finds the ``title_match`` detectors
of a detection pipeline, seeds the works and channels tables from their YAML files if they
were never seeded, and points them at the tables: from then on they check its version at most every
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
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from crawler.registry import channels as channel_store
from crawler.registry import works as store
from crawler.registry.db import redact, write_engine
from detectors.title.catalog import ChannelSpec, WorkSpec

logger = logging.getLogger(__name__)
SEED_ACTOR = "seed"


class RegistryWorks:
    """Works, channels and their version, read from the registry (one short transaction)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._session = sessionmaker(engine, expire_on_commit=False)

    def version(self) -> int:
        with self._session() as session, session.begin():
            return store.version(session)

    def catalog(self) -> tuple[int, Sequence[WorkSpec], Sequence[ChannelSpec]]:
        with self._session() as session, session.begin():
            version = store.version(session)
            works = _specs(WorkSpec, store.works(session), store.fields_of)
            channels = _specs(ChannelSpec, channel_store.channels(session),
                              channel_store.fields_of)  # fmt: skip
        return version, works, channels

    def describe(self) -> str:
        return f"registry {redact(self.engine.url)}"


def _specs(model: type[Any], rows: Sequence[Any], fields: Any) -> list[Any]:
    specs = []
    for row in rows:
        try:
            specs.append(model(**fields(row)))
        except (ValidationError, TypeError) as exc:  # a row written around the store
            logger.warning("title catalog: %s #%s skipped: %s", row.__tablename__, row.id,
                           str(exc).splitlines()[0])  # fmt: skip
    return specs


def seed_if_due(engine: Engine, works_file: Any, channels_file: Any) -> None:
    """Seed the works and channels from their YAML files unless this database's were ever
    seeded: a cheap read first, the locked write only on a never-seeded database (of several
    processes starting together, one imports and the others find it done).  Audited as
    ``seed``; refused rows are logged."""
    with Session(engine) as session, session.begin():
        due = store.seed_due(session) or channel_store.seed_due(session)
    if not due:
        return
    from crawler.api import works as audited

    files = {"work": works_file, "channel": channels_file}
    with Session(write_engine(engine)) as session, session.begin():
        reports = {kind: audited.seed(session, path, kind)  # type: ignore[arg-type]
                   for kind, path in files.items()}  # fmt: skip
    for kind, report in reports.items():
        if report is None:
            continue
        logger.info("title catalog seeded from %s: %d %ss added, %d refused row(s)",
                    files[kind], len(report.added), kind, len(report.errors))  # fmt: skip
        for error in report.errors:
            logger.warning("title catalog seed %s: %s", files[kind], error)


def attach_registry_works(
    pipeline: Any, engine: Engine, check_every: float, background: bool = True
) -> int:
    """Point every title detector of ``pipeline`` at the registry; how many there were.

    ``background``: checks and reloads run in a thread, off the crawler's event loop."""
    from detectors.title.detector import TitleDetector

    attached = 0
    for stage in pipeline.stages:
        detector = stage.detector
        if isinstance(detector, TitleDetector):
            seed_if_due(engine, detector.works_file, detector.channels_file)
            detector.attach_works(RegistryWorks(engine), check_every, background)
            attached += 1
    return attached


def command_registry(config: Any) -> str | None:
    """The registry a one-shot command (``isop detect``, ``explain``, ``eval``, ``rescore``)
    reads the title catalog from: the configured database, else the default SQLite file if
    one exists; None with ``works.source: file`` or no registry (a laptop: the YAML files)."""
    if config.works.source != "registry":
        return None
    if config.database.url:
        return str(config.database.url)
    return str(config.database_url) if (config.data_dir / "registry.db").exists() else None


def attach_for_command(pipeline: Any, config: Any) -> str | None:
    """Point a one-shot command's title detectors at the registry when there is one (checked
    as a crawler would, without a thread); a warning to print when it cannot be read (the
    YAML files are used then).  A never-seeded registry is not written: its seed is exactly
    the YAML files the detector already has."""
    from crawler.registry.errors import RegistryUnavailable
    from crawler.registry.migrate import open_migrated

    url = command_registry(config)
    if url is None:
        return None
    try:
        engine = open_migrated(url)
        with Session(engine) as session, session.begin():
            seeded = not (store.seed_due(session) or channel_store.seed_due(session))
        if seeded:
            from detectors.title.detector import TitleDetector

            for stage in pipeline.stages:
                if isinstance(stage.detector, TitleDetector):
                    stage.detector.attach_works(RegistryWorks(engine), config.works.check_interval)
    except (RegistryUnavailable, SQLAlchemyError) as exc:
        return f"title catalog: {exc}; matching the works and channels of the YAML files"
    return None
