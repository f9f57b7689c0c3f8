"""Base of the per-kind spiders (index, streaming, iptv): the discovery spider's frontier,
seeds and idle handling, with a focused crawl instead of following every link.

Each fetched document still becomes a :class:`~crawler.items.PageItem` with its verdict
(detectors and the registry see every page), and the subclass's ``extract_*`` methods add
typed items. Hostile input never stops the spider: a parser that fails is counted as
``isop/parse_errors/<parser>`` and the rest of the page is still used.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any, TypeVar

from scrapy import Request
from scrapy.http import Response, TextResponse
from scrapy.linkextractors import IGNORED_EXTENSIONS, LinkExtractor

from crawler.detection import evaluate
from crawler.domains import registered_domain
from crawler.extract import ParseError
from crawler.extract.html import parse_html
from crawler.items import PageItem
from crawler.pages import classify
from crawler.safety.credentials import Redactor
from crawler.safety.logs import redactor_for
from spiders.discovery import DiscoverySpider

T = TypeVar("T")
_DENY = [*IGNORED_EXTENSIONS, "torrent", "ts", "mkv", "m4s", "srt", "nfo", "woff", "woff2",
         "m3u", "m3u8", "xml"]  # fmt: skip
_AD_HOST = re.compile(r"(?i)(?:^|\.)ads?\d*\.|adserv|popunder|popads|pushnotif|adsterra|"
                      r"propeller|clickvortex|poprevenue|doubleclick|googlesyndication")


class FocusedSpider(DiscoverySpider):
    """Shared plumbing: page items, safe parsing, same-site links, offsite follows."""

    #: Priority boost of pagination and detail links over other same-site links.
    PAGINATION_PRIORITY = 20
    DETAIL_PRIORITY = 10

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.site_links = LinkExtractor(deny_extensions=_DENY, unique=True)
        self._redactor: Redactor | None = None

    @property
    def redactor(self) -> Redactor:
        if self._redactor is None:
            self._redactor = redactor_for(self.crawler)
        return self._redactor

    # -- plumbing ------------------------------------------------------------------------
    def now(self) -> datetime:
        return datetime.now(UTC)

    def parse_error(self, parser: str, exc: BaseException, url: str) -> None:
        """Count (and log, redacted) a document a parser could not read."""
        self.crawler.stats.inc_value(f"isop/parse_errors/{parser}")
        self.logger.info("Parse error (%s) on %s: %s", parser, self.redactor.redact_url(url).url,
                         str(exc)[:200])  # fmt: skip

    def safely(self, parser: str, url: str, fn: Callable[..., T], *args: Any) -> T | None:
        """``fn(*args)``, or None with the error counted: hostile input is normal input."""
        try:
            return fn(*args)
        except (ParseError, ValueError, TypeError, KeyError, IndexError, RecursionError,
                UnicodeError, AttributeError) as exc:  # fmt: skip
            self.parse_error(parser, exc, url)
            return None

    def follow(self, url: str, response: Response, callback: Callable[..., Any] | None = None,
               priority: int = 0, **meta: Any) -> Request | None:  # fmt: skip
        """A request for ``url`` found on ``response``, counting site hops like discovery."""
        if not url.startswith(("http://", "https://")):
            return None
        hops = int(response.meta.get("site_hops", 0))
        target = registered_domain(url)
        if not target:
            return None
        next_hops = hops if target == registered_domain(response.url) else hops + 1
        if next_hops > self.max_site_hops:
            self.crawler.stats.inc_value("isop/links/too_far")
            return None
        meta.setdefault("how_found", "link")
        return Request(url, callback=callback or self.parse, errback=self.on_error,
                       priority=priority, meta={"site_hops": next_hops, **meta})  # fmt: skip

    def same_site_links(self, response: TextResponse, priority: int = 0,
                        boost: dict[str, int] | None = None) -> Iterator[Request]:  # fmt: skip
        """Requests for the page's links on its own registered domain."""
        domain = registered_domain(response.url)
        boost = boost or {}
        for link in self.site_links.extract_links(response):
            if registered_domain(link.url) != domain:
                continue
            request = self.follow(link.url, response, priority=priority + boost.get(link.url, 0))
            if request is not None:
                yield request

    @staticmethod
    def is_ad(url: str) -> bool:
        """An ad-network URL (iframes and scripts not worth fetching)."""
        from crawler.extract.html import host

        return bool(_AD_HOST.search(host(url)))

    # -- pages ---------------------------------------------------------------------------
    def page_item(self, response: Response) -> PageItem:
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
        referer = None
        if response.request is not None:
            raw = (response.request.headers.get(b"Referer") or b"").decode("latin-1")
            referer = self.redactor.redact_url(raw).url if raw else None
        item = PageItem(
            url=self.redactor.redact_url(response.url).url,
            domain=registered_domain(response.url),
            status=response.status,
            content_type=content_type,
            kind=classify(content_type, response.body),
            body=response.body,
            fetched_at=self.now(),
            redirect_chain=[self.redactor.redact_url(u).url
                            for u in response.meta.get("redirect_urls", [])],
            referer=referer,
            site_hops=int(response.meta.get("site_hops", 0)),
        )  # fmt: skip
        evaluate(self.crawler, item)
        return item

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        item = self.page_item(response)
        yield item
        try:
            if item.kind == "html" and isinstance(response, TextResponse):
                root = self.safely("html", response.url, parse_html, response.body)
                if root is not None:
                    yield from self.extract_html(response, root, item)
            else:
                yield from self.extract_other(response, item)
        except Exception as exc:  # a bug met on hostile input must not stop the crawl
            self.parse_error(f"unexpected/{type(exc).__name__}", exc, response.url)

    def extract_html(self, response: TextResponse, root: Any, item: PageItem) -> Iterator[Any]:
        """Typed items and requests from an HTML page (subclasses)."""
        yield from ()

    def extract_other(self, response: Response, item: PageItem) -> Iterator[Any]:
        """Typed items from a playlist, panel answer or other document (subclasses)."""
        yield from ()
