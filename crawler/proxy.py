"""Send every request through one configured HTTP proxy (``crawl.proxy`` / ``--proxy``).

Scrapy's own ``HttpProxyMiddleware`` (priority 750) then does the proxying from
``request.meta["proxy"]``, exactly as for any Scrapy user; nothing here is sandbox-only.
"""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured


class ProxyMiddleware:
    def __init__(self, proxy: str) -> None:
        self.proxy = proxy

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProxyMiddleware:
        proxy = crawler.settings.get("ISOP_PROXY")
        if not proxy:
            raise NotConfigured("no proxy: set crawl.proxy or pass --proxy")
        return cls(proxy)

    def process_request(self, request: Request) -> Any:
        # Overwrite: a request resumed from the frontier may carry an older proxy URL.
        request.meta["proxy"] = self.proxy
        return None
