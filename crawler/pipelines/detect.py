"""Attach the fused detector verdict to every fetched document the spider did not judge."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler

from crawler.detection import detection_for, evaluate
from crawler.items import PageItem


class DetectPipeline:
    """Runs the configured detectors on :class:`PageItem` items that have no verdict yet."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DetectPipeline:
        detection_for(crawler)  # fail at start on a missing or broken detector config
        return cls(crawler)

    async def process_item(self, item: Any) -> Any:
        if isinstance(item, PageItem):
            evaluate(self.crawler, item)
        return item
