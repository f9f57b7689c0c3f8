"""Redis dedup keyed by Scrapy's own request fingerprints.

scrapy-redis hashes requests itself (SHA-1 of a JSON of method/url/body), which drifts from
``crawler.request_fingerprinter`` and from what Scrapy users configure.  This keeps the
scrapy-redis class and settings (``SCHEDULER_DUPEFILTER_KEY``) and only takes the
fingerprint from the crawler.  Bounded-memory Bloom dedup replaces it in the frontier work.
"""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy_redis.connection import get_redis_from_settings
from scrapy_redis.dupefilter import RFPDupeFilter


class FingerprintDupeFilter(RFPDupeFilter):  # type: ignore[misc]
    """scrapy-redis's dupefilter with the crawler's request fingerprinter."""

    def __init__(self, server: Any, key: str, debug: bool = False, fingerprinter: Any = None):
        super().__init__(server, key, debug)
        self.fingerprinter = fingerprinter

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FingerprintDupeFilter:
        settings = crawler.settings
        server = get_redis_from_settings(settings)
        spider = crawler.spidercls.name
        key = settings.get("SCHEDULER_DUPEFILTER_KEY") % {"spider": spider}
        return cls(
            server,
            key=key,
            debug=settings.getbool("DUPEFILTER_DEBUG"),
            fingerprinter=crawler.request_fingerprinter,
        )

    @classmethod
    def from_spider(cls, spider: Any) -> FingerprintDupeFilter:
        # The scheduler builds its dupefilter from the spider; the crawler has what we need.
        return cls.from_crawler(spider.crawler)

    def request_fingerprint(self, request: Request) -> str:
        if self.fingerprinter is None:
            return str(super().request_fingerprint(request))
        return bytes(self.fingerprinter.fingerprint(request)).hex()
