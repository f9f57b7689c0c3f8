"""Acknowledge a leased request once its response or final failure has been handled.

Three places see the end of a request, and one component hooks all three:

* spider middleware ``process_spider_output``: the callback (or errback) produced all its
  output: new requests went to the scheduler first, then the lease is acknowledged;
* spider middleware ``process_spider_exception``: the callback raised;
* downloader middleware ``process_exception``: the download failed for good (retries are
  re-queued as new requests, which acknowledges the old lease in the scheduler).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response


class LeaseAcknowledger:
    """Spider and downloader middleware that tells the scheduler a request is done."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LeaseAcknowledger:
        scheduler = crawler.settings.get("SCHEDULER", "")
        if "FrontierScheduler" not in str(scheduler):
            raise NotConfigured("leases need crawler.frontier.scheduler.FrontierScheduler")
        return cls(crawler)

    def _finish(self, request: Request | None) -> None:
        engine = self.crawler.engine
        slot = getattr(engine, "_slot", None)
        scheduler = getattr(slot, "scheduler", None)
        if request is not None and scheduler is not None and hasattr(scheduler, "finish"):
            scheduler.finish(request)

    # spider middleware
    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        async for item in result:
            yield item
        self._finish(response.request)

    def process_spider_output(self, response: Response, result: Any) -> Any:
        yield from result
        self._finish(response.request)

    def process_spider_exception(self, response: Response, exception: Exception) -> None:
        self._finish(response.request)

    # downloader middleware
    def process_exception(self, request: Request, exception: Exception) -> None:
        self._finish(request)
