"""Judge fetched images against the catalog; favicons feed linking, matches the registry.

For each :class:`~crawler.items.ImageItem`:

- the detectors configured for content kind ``image`` run on it (``image_phash`` against the
  reference catalog); the verdict stays on the item;
- a favicon's key (:func:`crawler.linking.favicon.favicon_key`) is stored as a linking feature
  of the site's domain, like the favicon pages :class:`~crawler.linking.pipeline.
  LinkingPipeline` stores;
- an image_phash match is kept as evidence (:mod:`crawler.evidence.images`): its bytes in a
  WARC capture on the evidence chain, a re-encoded thumbnail beside the thumbnail of the
  catalog reference it matched (named by id), and registry evidence on the site that showed
  it.  An image alone never makes a site (see :mod:`detectors.image.detector`): a match on
  a domain no site owns yet is kept *pending* and attached when a site owns the domain
  (checked every :data:`ATTACH_EVERY` seconds while matches come, and when a crawl that
  fetched images closes, whichever crawl kept the match);
- the bytes are dropped unless the image matched (``sha256`` stays), so items stay small.

An empty catalog is said once in the log (images then match only the config samples).
Hashing runs on the reactor thread (a few ms an image); SQL on a thread of its own.
"""

from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from scrapy.crawler import Crawler

from crawler.detection import detection_for
from crawler.images.matches import catalog_of, image_match
from crawler.items import ImageItem
from crawler.linking.favicon import favicon_key
from crawler.linking.features import Feature
from crawler.linking.store import FeatureWriter
from detectors.base import Content
from detectors.pipeline import DetectionPipeline

logger = logging.getLogger(__name__)
MATCH_DETECTOR = "image_phash"
#: Seconds between two looks for pending matches whose domain a site now owns.
ATTACH_EVERY = 10.0


class ImagePipeline:
    """Detection, linking feature and registry evidence of the images the spiders fetched."""

    def __init__(self, crawler: Crawler, detection: DetectionPipeline, database_url: str,
                 linking: bool) -> None:  # fmt: skip
        self.crawler = crawler
        self.stats = crawler.stats
        self.detection = detection
        self.database_url = database_url
        self.linking = linking
        self._evidence: Any = None  # crawler.evidence.images.ImageEvidenceWriter, opened lazily
        self._attached_at = 0.0
        self._features: FeatureWriter | None = None
        self._catalog_checked = False
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="images")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ImagePipeline:
        config = crawler.settings["ISOP_CONFIG"]
        linking = crawler.settings.getbool("ISOP_LINKING_ENABLED", True)
        return cls(crawler, detection_for(crawler), config.database_url, linking)

    def _inc(self, key: str, count: int = 1) -> None:
        if self.stats is not None:
            self.stats.inc_value(f"isop/images/{key}", count)

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, ImageItem):
            return item
        self._check_catalog()
        item.verdict = self.detection.evaluate(
            Content(url=item.url, kind="image", body=item.body, content_type=item.content_type))
        self._inc(f"evaluated/{item.role}")
        matches = [s for s in item.verdict.signals if s.detector == MATCH_DETECTOR]
        icon = favicon_key(item.body) if item.role == "favicon" and self.linking else None
        if not matches:
            item.body = b""
        if not matches and icon is None:
            return item
        # Which reference, by id: asked of the catalog again (a few ms, matches only).
        found = image_match(catalog_of(self.detection), item.body, matches) if matches else None
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(self.executor, self._store, item, found, icon)
        except Exception as exc:  # the crawl goes on: count, log
            self._inc(f"store_errors/{type(exc).__name__}")
            logger.error("Image %s (shown by %s) not stored: %s", item.url, item.domain, exc)
        return item

    def _check_catalog(self) -> None:
        """Say once when the catalog holds no reference (only the config samples match)."""
        if self._catalog_checked:
            return
        self._catalog_checked = True
        for stage in self.detection.stages:
            if stage.name == MATCH_DETECTOR:
                catalog = stage.detector.catalog  # type: ignore[attr-defined]
                if not catalog.exists():
                    logger.warning("Image catalog %s is empty: images are hashed but match "
                                   "nothing but the config samples (isop catalog add)",
                                   catalog.directory)  # fmt: skip
                    self._inc("catalog_empty")
                return
        logger.warning("No %s detector configured: images are fetched but not matched",
                       MATCH_DETECTOR)  # fmt: skip

    def _store(self, item: ImageItem, found: Any, icon: str | None) -> None:
        if icon is not None:
            if self._features is None:
                self._features = FeatureWriter(self.database_url)
            stored = self._features.write(item.domain, item.url, item.fetched_at,
                                          [Feature("favicon", icon, item.url)])  # fmt: skip
            self._inc("favicon_features", stored)
        if found is not None:
            self._inc(f"matched/{item.role}")
            self._record_match(item, found)

    def _writer(self) -> Any:
        if self._evidence is None:
            from crawler.images.matches import open_writer

            self._evidence = open_writer(self.crawler.settings["ISOP_CONFIG"],
                                         self.crawler.settings["USER_AGENT"], self._inc,
                                         catalog_of(self.detection))  # fmt: skip
        return self._evidence

    def _record_match(self, item: ImageItem, found: Any) -> None:
        writer = self._writer()
        row = writer.record(item, found)
        if row is not None:
            self._inc("evidence_written" if row.site_id is not None else "match_without_site")
        if time.monotonic() - self._attached_at > ATTACH_EVERY:
            self._attached_at = time.monotonic()
            writer.attach_pending()

    def close_spider(self) -> None:
        self.executor.shutdown(wait=True)
        try:  # the sites this crawl made get the matches kept pending (by any crawl)
            if self._evidence is not None or self._catalog_checked:  # it saw images
                self._writer().attach_pending()
        except Exception as exc:
            self._inc(f"store_errors/{type(exc).__name__}")
            logger.error("Pending image evidence not attached: %s", exc)
        if self._evidence is not None:
            self._evidence.close()
        if self._features is not None:
            self._features.close()
