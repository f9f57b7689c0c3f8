"""Store each flagged page's linking features before the registry records the page.

Runs between detection and the registry pipeline (priority 700 < 800) and awaits its
write, so a new domain's features are committed when the registry asks linking about it.
Only flagged pages are stored (a clean page of an unknown domain is not evidence of
anything), plus icons, which carry no verdict of their own.  SQL runs on a thread of its
own, as in the registry pipeline.  ``ISOP_LINKING_ENABLED = False`` turns it off.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.items import PageItem
from crawler.linking.features import chain_features, page_features
from crawler.linking.store import FeatureWriter

logger = logging.getLogger(__name__)


class LinkingPipeline:
    """Extract identifiers, redirect pointers, favicon and template keys; store them."""

    def __init__(self, writer: FeatureWriter, stats: Any) -> None:
        self.writer = writer
        self.stats = stats
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="linking")
        self._seen: dict[str, int] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LinkingPipeline:
        if not crawler.settings.getbool("ISOP_LINKING_ENABLED", True):
            raise NotConfigured("linking is off (ISOP_LINKING_ENABLED = False)")
        config = crawler.settings["ISOP_CONFIG"]
        return cls(FeatureWriter(config.database_url), crawler.stats)

    @staticmethod
    def wanted(item: PageItem) -> bool:
        """Flagged pages, and icons (which are never judged themselves)."""
        if item.verdict is not None and item.verdict.infringing:
            return True
        return item.status == 200 and (item.content_type.lower().startswith("image/x-icon")
                                       or item.url.split("?", 1)[0].endswith("/favicon.ico"))

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, PageItem) or not self.wanted(item):
            return item
        loop = asyncio.get_running_loop()
        try:
            count = await loop.run_in_executor(self.executor, self._store, item)
        except Exception as exc:  # linking must never lose the page: count, log, go on
            self.stats.inc_value(f"isop/linking_errors/{type(exc).__name__}")
            logger.error("Linking features of %s not stored: %s", item.url, exc)
            return item
        self.stats.inc_value("isop/linking/features_stored", count)
        for key, now in (("relinked", self.writer.relinked),
                         ("relink_errors", self.writer.relink_errors),
                         ("relink_retries", self.writer.relink_retries),
                         ("relink_replans", self.writer.relink_replans)):
            if now > self._seen.get(key, 0):  # domains re-decided on late evidence
                self.stats.inc_value(f"isop/linking/{key}", now - self._seen.get(key, 0))
                self._seen[key] = now
        return item

    def _store(self, item: PageItem) -> int:
        features = page_features(item.url, item.content_type, item.body)
        count = self.writer.write(item.domain, item.url, item.fetched_at, features)
        for source, feature in chain_features(item.redirect_chain, item.redirect_reasons,
                                              item.url):  # fmt: skip
            count += self.writer.write(source, feature.detail.split(" -> ", 1)[0],
                                       item.fetched_at, [feature])  # fmt: skip
        return count

    def close_spider(self) -> None:
        self.executor.shutdown(wait=True)
        self.writer.close()
