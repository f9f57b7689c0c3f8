"""Acknowledge a leased request once its response or final failure has been handled.

Three places see the end of a request, and one component hooks all three:

* spider middleware ``process_spider_output``: the callback (or errback) produced all its
  output: new requests went to the scheduler first; the lease is acknowledged once every
  item of that output has left the item pipelines too (``item_scraped``, ``item_dropped``
  or ``item_error``), so a worker killed while the registry writes a verdict leaves the
  lease to expire and the page to be fetched again, rather than the verdict lost;
* spider middleware ``process_spider_exception``: the callback raised;
* downloader middleware ``process_exception``: the download failed for good (retries are
  re-queued as new requests, which acknowledges the old lease in the scheduler).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response


class LeaseAcknowledger:
    """Spider and downloader middleware that tells the scheduler a request is done."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        # Per request (by id): items yielded by its callback and not yet out of the item
        # pipelines, and whether the callback's output has been read to the end.
        self._open_items: dict[int, int] = {}
        self._output_read: dict[int, Request] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LeaseAcknowledger:
        scheduler = crawler.settings.get("SCHEDULER", "")
        if "FrontierScheduler" not in str(scheduler):
            raise NotConfigured("leases need crawler.frontier.scheduler.FrontierScheduler")
        middleware = cls(crawler)
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(middleware._item_done, signal=signal)
        return middleware

    def _finish(self, request: Request | None) -> None:
        engine = self.crawler.engine
        slot = getattr(engine, "_slot", None)
        scheduler = getattr(slot, "scheduler", None)
        if request is not None and scheduler is not None and hasattr(scheduler, "finish"):
            scheduler.finish(request)

    def _count(self, request: Request | None, element: Any) -> None:
        if request is not None and element is not None and not isinstance(element, Request):
            self._open_items[id(request)] = self._open_items.get(id(request), 0) + 1

    def _output_done(self, request: Request | None) -> None:
        if request is None or self._open_items.get(id(request), 0) == 0:
            self._open_items.pop(id(request), None)
            self._finish(request)
        else:
            self._output_read[id(request)] = request

    def _item_done(self, item: Any, response: Response | None = None, **_: Any) -> None:
        request = response.request if response is not None else None
        if request is None or id(request) not in self._open_items:
            return
        left = self._open_items[id(request)] - 1
        self._open_items[id(request)] = left
        if left <= 0 and id(request) in self._output_read:
            del self._open_items[id(request)]
            self._finish(self._output_read.pop(id(request)))

    # spider middleware
    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        async for element in result:
            self._count(response.request, element)
            yield element
        self._output_done(response.request)

    def process_spider_output(self, response: Response, result: Any) -> Any:
        for element in result:
            self._count(response.request, element)
            yield element
        self._output_done(response.request)

    def process_spider_exception(self, response: Response, exception: Exception) -> None:
        self._output_done(response.request)

    # downloader middleware
    def process_exception(self, request: Request, exception: Exception) -> None:
        self._finish(request)
