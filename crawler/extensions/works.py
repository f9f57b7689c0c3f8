"""Crawlers match the protected works and channels of the registry, and pick up edits without
a restart.

At start the extension points the crawler's ``title_match`` detectors at the registry's works
and channels tables (seeding them once from their YAML files, see
:mod:`crawler.registry.works`); from then on each detector checks the catalog's version at
most every ``works.check_interval`` seconds and reloads when an analyst changed something.
``works.source: file`` (or no title detector) turns it off: the detector then reads its YAML
files, as ``isop detect`` does.

The reloads and failed checks are counted in the crawl stats at close
(``isop/works/reloads``, ``isop/works/check_errors``).
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from sqlalchemy import Engine

from crawler.detection import detection_for
from crawler.registry.migrate import open_migrated
from crawler.registry.works_source import attach_registry_works

logger = logging.getLogger(__name__)


class LiveWorksExtension:
    """Owns the engine the title detectors read their works through."""

    def __init__(self, crawler: Crawler, engine: Engine, detectors: list[Any]) -> None:
        self.crawler = crawler
        self.engine = engine
        self.detectors = detectors

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LiveWorksExtension:
        config = crawler.settings.get("ISOP_CONFIG")
        if config is None or config.works.source != "registry":
            raise NotConfigured("works.source is not 'registry': the works file is read once")
        pipeline = detection_for(crawler)
        titles = [s.detector for s in pipeline.stages if s.name == "title_match"]
        if not titles:
            raise NotConfigured("no title_match detector in the detection pipeline")
        engine = open_migrated(config.database_url)
        attach_registry_works(pipeline, engine, config.works.check_interval)
        logger.info("title_match reads its works from the registry (checked every %ss)",
                    config.works.check_interval)  # fmt: skip
        extension = cls(crawler, engine, titles)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_closed(self) -> None:
        stats = self.crawler.stats
        if stats is not None:
            for detector in self.detectors:
                live = detector.live
                if live is not None:
                    stats.inc_value("isop/works/reloads", live.reloads)
                    stats.inc_value("isop/works/check_errors", live.errors)
        self.engine.dispose()
