"""Discovery spider: from seeds in Redis, crawl sites within a page budget and follow
outbound links to new registered domains, a bounded number of cross-site hops away.

Seeds are read from the shared ``<prefix>:discovery:start_urls`` list (scrapy-redis), so
any worker of a fleet may take them; ``isop crawl --seeds FILE`` pushes them there.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import redis
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response, TextResponse
from scrapy.linkextractors import IGNORED_EXTENSIONS, LinkExtractor
from scrapy_redis.spiders import RedisSpider
from twisted.python.failure import Failure

from crawler.detection import evaluate
from crawler.domains import registered_domain
from crawler.images.fetch import ImageFetcher
from crawler.items import PageItem
from crawler.pages import classify

_DENY_EXTENSIONS = [*IGNORED_EXTENSIONS, "torrent", "ts", "mkv", "srt", "nfo", "woff", "woff2"]


def link_priority(page_score: float, site_hops: int) -> int:
    """Best-first: links found on a page that scores as infringing come first; among equals,
    the closer to a seed the better.  A flagged page (0.9) one hop out outranks a clean page
    (0.05) at the seed: 90 - 20 = 70 against 5."""
    return round(100 * page_score) - 20 * site_hops


class DiscoverySpider(RedisSpider):
    """Crawl seeds and what they link to; every fetched document becomes a PageItem."""

    name = "discovery"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.links = LinkExtractor(deny_extensions=_DENY_EXTENSIONS, unique=True)
        self.max_site_hops = 4
        self._idle_since: float | None = None
        self.idle_exit = 0.0
        self._images: ImageFetcher | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> DiscoverySpider:
        # Scrapy builds the spider before add-ons have set the Redis URL and the config, so
        # scrapy-redis's setup (done in RedisSpider.from_crawler) waits for start().
        spider: DiscoverySpider = Spider.from_crawler.__func__(cls, crawler, *args, **kwargs)  # type: ignore[attr-defined]
        return spider

    def _configure(self) -> None:
        config = self.crawler.settings["ISOP_CONFIG"]
        self.max_site_hops = config.crawl.max_site_hops
        self.max_idle_time = 0  # idle exit is ours: see spider_idle
        self.idle_exit = config.crawl.idle_exit
        self.setup_redis(self.crawler)
        self.crawler.signals.connect(self._busy, signal=signals.request_scheduled)
        self.crawler.signals.connect(self._busy, signal=signals.response_received)

    async def start(self) -> AsyncIterator[Any]:
        self._configure()
        for request in self.next_requests():
            yield request

    # -- seeds ---------------------------------------------------------------------------
    def make_request_from_data(self, data: bytes) -> Request | list[Request]:
        """A seed is a JSON object ``{"url": ..., "meta": {...}}`` or a bare URL."""
        text = data.decode(self.redis_encoding or "utf-8", errors="replace").strip()
        meta: dict[str, Any] = {}
        if text.startswith("{"):
            try:
                parsed = json.loads(text)
                url = str(parsed["url"])
                meta = dict(parsed.get("meta") or {})
            except (ValueError, KeyError, TypeError):
                self.logger.warning("Skipped malformed seed entry: %.200r", text)
                self.crawler.stats.inc_value("isop/seeds/malformed")
                return []
        else:
            url = text
        if not url.startswith(("http://", "https://")):
            self.logger.warning("Skipped seed that is not an http(s) URL: %.200r", url)
            self.crawler.stats.inc_value("isop/seeds/malformed")
            return []
        meta.setdefault("site_hops", 0)
        meta.setdefault("how_found", "seed")
        self.crawler.stats.inc_value("isop/seeds/read")
        return Request(url, callback=self.parse, errback=self.on_error, meta=meta)

    # -- idle exit -----------------------------------------------------------------------
    def _busy(self, *args: Any, **kwargs: Any) -> None:
        self._idle_since = None

    def spider_idle(self) -> None:
        """Take more seeds; close after ``idle_exit`` seconds with nothing at all to do."""
        try:
            seeds_waiting = self.server is not None and self.count_size(self.redis_key) > 0
        except redis.RedisError as exc:  # Redis away: stay open, the scheduler retries
            self.logger.warning("Cannot read seeds from Redis (%s); staying open", exc)
            self._idle_since = None
            raise DontCloseSpider from None
        if seeds_waiting:
            self._idle_since = None
            self.schedule_next_requests()
            raise DontCloseSpider
        now = time.monotonic()
        if self._idle_since is None:
            self._idle_since = now
        if self.idle_exit and now - self._idle_since >= self.idle_exit:
            if self._fleet_busy():
                self._idle_since = now  # requests queued or leased by others may come to us
                raise DontCloseSpider
            self.logger.info("Nothing to do for %.1fs: closing (idle exit)", self.idle_exit)
            return
        raise DontCloseSpider

    def _fleet_busy(self) -> bool:
        """Work queued or leased anywhere in the fleet (a dead worker's leases come back)."""
        slot = getattr(self.crawler.engine, "_slot", None)
        frontier = getattr(getattr(slot, "scheduler", None), "frontier", None)
        if frontier is None:
            return False
        try:
            return bool(frontier.outstanding(include_scheduled=False))
        except redis.RedisError:
            return True

    # -- pages ---------------------------------------------------------------------------
    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
        kind = classify(content_type, response.body)
        domain = registered_domain(response.url)
        hops = int(response.meta.get("site_hops", 0))
        item = PageItem(
            url=response.url,
            domain=domain,
            status=response.status,
            content_type=content_type,
            kind=kind,
            body=response.body,
            fetched_at=datetime.now(UTC),
            redirect_chain=list(response.meta.get("redirect_urls", [])),
            redirect_reasons=list(response.meta.get("redirect_reasons", [])),
            referer=(response.request.headers.get(b"Referer") or b"").decode("latin-1") or None
            if response.request
            else None,
            site_hops=hops,
        )
        verdict = evaluate(self.crawler, item)
        yield item
        if kind != "html" or not isinstance(response, TextResponse):
            return
        score = verdict.score if verdict is not None else 0.0
        # Images first: they count in the frontier's page budget, which the links would fill.
        yield from self.images.requests(response, response.selector.root, self.parse_image,
                                        self.on_error)
        for link in self.links.extract_links(response):
            target = registered_domain(link.url)
            if not target:
                continue
            next_hops = hops if target == domain else hops + 1
            if next_hops > self.max_site_hops:
                self.crawler.stats.inc_value("isop/links/too_far")
                continue
            yield Request(
                link.url,
                callback=self.parse,
                errback=self.on_error,
                priority=link_priority(score, next_hops),
                meta={"site_hops": next_hops, "how_found": "link", "found_on_score": score},
            )

    # -- images --------------------------------------------------------------------------
    @property
    def images(self) -> ImageFetcher:
        """Posters, logos and favicons of the pages, within the per-site image budget."""
        if self._images is None:
            self._images = ImageFetcher.from_crawler(self.crawler)
        return self._images

    def parse_image(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """An image a page showed (or a site's favicon): an ImageItem for the detectors."""
        item = self.images.item(response)
        if item is not None:
            yield item

    def on_error(self, failure: Failure) -> None:
        """Count a failed fetch by cause; the request is done (retries already happened)."""
        reason = type(failure.value).__name__
        self.crawler.stats.inc_value(f"isop/fetch_errors/{reason}")
        request = getattr(failure, "request", None)
        self.logger.info("Fetch failed (%s): %s", reason, getattr(request, "url", "?"))
