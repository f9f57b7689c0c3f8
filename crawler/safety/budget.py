"""Spider middleware against crawler traps: canonical URLs (no session or tracking
parameters), a depth budget per site, at most N calendar-like pages per site, and the trap
checks of :mod:`crawler.safety.urls`. The page budget per site is the frontier's
(``crawl.page_budget_per_site``, counted fleet-wide inside its Lua scripts)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response

from crawler.domains import registered_domain
from crawler.safety.urls import TrapLimits, canonical_url, is_calendar, trap_reason


class SiteBudget:
    """Rewrites outgoing requests to canonical URLs and drops the ones that look like traps."""

    def __init__(self, crawler: Crawler, max_depth: int, max_calendar: int,
                 limits: TrapLimits) -> None:  # fmt: skip
        self.crawler = crawler
        self.max_depth = max_depth
        self.max_calendar = max_calendar
        self.limits = limits
        self.calendar_pages: dict[str, int] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SiteBudget:
        safety = crawler.settings["ISOP_CONFIG"].safety
        limits = TrapLimits(max_url_length=safety.max_url_length,
                            max_page_number=safety.max_page_number)  # fmt: skip
        return cls(crawler, safety.max_site_depth, safety.max_calendar_pages, limits)

    def _drop(self, reason: str) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"isop/safety/dropped/{reason}")

    def check(self, request: Request, response: Response | None) -> Request | None:
        """The request to send (canonical, with its site depth), or None to drop it."""
        url = canonical_url(request.url)
        reason = trap_reason(url, self.limits)
        if reason is not None:
            self._drop(reason)
            return None
        domain = registered_domain(url)
        depth = 0
        if response is not None and registered_domain(response.url) == domain:
            depth = int(response.meta.get("site_depth", 0)) + 1
        if depth > self.max_depth:
            self._drop("site_depth")
            return None
        if depth and is_calendar(url):
            seen = self.calendar_pages.get(domain, 0)
            if seen >= self.max_calendar:
                self._drop("calendar")
                return None
            self.calendar_pages[domain] = seen + 1
        if url != request.url:
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value("isop/safety/canonicalised")
            request = request.replace(url=url)
        request.meta["site_depth"] = depth
        return request

    def _filter(self, result: Iterable[Any], response: Response | None) -> Iterable[Any]:
        for item in result:
            if isinstance(item, Request):
                checked = self.check(item, response)
                if checked is not None:
                    yield checked
            else:
                yield item

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterable[Any]:
        return self._filter(result, response)

    async def process_spider_output_async(self, response: Response,
                                          result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for item in result:
            if isinstance(item, Request):
                checked = self.check(item, response)
                if checked is not None:
                    yield checked
            else:
                yield item

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for item in start:
            if isinstance(item, Request):
                checked = self.check(item, None)
                if checked is not None:
                    yield checked
            else:
                yield item
