"""An item pipeline that redacts IPTV credentials in every ``PageItem``'s URLs before the
evidence, linking and registry pipelines store them, whichever spider fetched the page
(the per-kind spiders already redact their own items; discovery and monitor do not)."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler

from crawler.items import PageItem
from crawler.safety.credentials import Redactor
from crawler.safety.logs import redactor_for


class RedactPipeline:
    """Replaces credentials in ``url``, ``redirect_chain`` and ``referer`` of page items."""

    def __init__(self, crawler: Crawler, redactor: Redactor) -> None:
        self.crawler = crawler
        self.redactor = redactor

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedactPipeline:
        return cls(crawler, redactor_for(crawler))

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, PageItem):
            return item
        redacted = self.redactor.redact_url(item.url)
        if redacted.credential:
            item.url = redacted.url
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value("isop/safety/credentials_redacted")
        item.redirect_chain = [self.redactor.redact_url(u).url for u in item.redirect_chain]
        if item.referer:
            item.referer = self.redactor.redact_url(item.referer).url
        return item
