"""Write verdicts into the registry off the reactor thread.

SQL calls block, so they run on one dedicated thread: the reactor keeps fetching while the
registry writes, and one writer per process keeps SQLite lock waits short.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from scrapy.crawler import Crawler

from crawler.items import PageItem
from crawler.registry import Registry
from crawler.registry.policy import policy_from

logger = logging.getLogger(__name__)


class RegistryPipeline:
    """Record every evaluated page; infringing ones create or update a site with evidence."""

    def __init__(self, registry: Registry, stats: Any) -> None:
        self.registry = registry
        self.stats = stats
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="registry")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RegistryPipeline:
        config = crawler.settings["ISOP_CONFIG"]
        return cls(Registry.open(config.database_url, policy_from(config)), crawler.stats)

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, PageItem) or item.verdict is None:
            return item
        loop = asyncio.get_running_loop()
        try:
            site = await loop.run_in_executor(self.executor, self._record, item)
        except Exception as exc:  # a registry failure must not lose the crawl: count, log
            self.stats.inc_value(f"isop/registry_errors/{type(exc).__name__}")
            logger.error("Registry write failed for %s: %s", item.url, exc)
            return item
        if site is not None and item.verdict.infringing:
            self.stats.inc_value("isop/registry/flags_written")
        return item

    def _record(self, item: PageItem) -> Any:
        verdict = item.verdict
        assert verdict is not None
        signals = [
            {"detector": s.detector, "name": s.name, "score": s.score, "evidence": s.evidence}
            for s in verdict.signals
        ]
        return self.registry.record_page_verdict(
            domain=item.domain,
            url=item.url,
            score=verdict.score,
            infringing=verdict.infringing,
            kind=verdict.kind,
            explanation=verdict.explanation,
            signals=signals,
            content_sha256=hashlib.sha256(item.body).hexdigest(),
            seen_at=item.fetched_at,
            aliases=[(dom, "redirect") for dom in item.redirect_domains],
        )

    def close_spider(self) -> None:
        self.executor.shutdown(wait=True)
        self.registry.close()
