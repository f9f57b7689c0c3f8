"""Run the configured detectors on every fetched document and attach the fused verdict."""

from __future__ import annotations

from typing import Any

from detectors.base import Content
from detectors.pipeline import DetectionPipeline
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from crawler.items import PageItem


class DetectPipeline:
    """Turns a :class:`PageItem` into detector :class:`Content` and stores the verdict on it."""

    def __init__(self, detection: DetectionPipeline, stats: Any) -> None:
        self.detection = detection
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DetectPipeline:
        config = crawler.settings["ISOP_CONFIG"]
        path = config.detectors_path
        if not path.exists():
            raise NotConfigured(f"detector config {path} not found: set detectors.config")
        return cls(DetectionPipeline.from_config(path), crawler.stats)

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, PageItem) or item.kind == "other":
            return item
        content = Content(
            url=item.url, kind=item.kind, body=item.body, content_type=item.content_type
        )
        item.verdict = self.detection.evaluate(content)
        self.stats.inc_value(f"isop/pages_evaluated/{item.kind}")
        if item.verdict.infringing:
            self.stats.inc_value("isop/pages_flagged")
        return item
