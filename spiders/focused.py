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
from scrapy.linkextractors import IGNORED_EXTENSIONS

from crawler.detection import evaluate
from crawler.domains import registered_domain
from crawler.extract import ParseError
from crawler.extract.html import absolute, parse_html
from crawler.items import PageItem
from crawler.pages import classify
from crawler.safety.credentials import Redactor
from crawler.safety.logs import redactor_for
from spiders.discovery import DiscoverySpider

T = TypeVar("T")
_DENY_SET = frozenset([*IGNORED_EXTENSIONS, "torrent", "ts", "mkv", "m4s", "srt", "nfo", "woff",
                       "woff2", "m3u", "m3u8", "xml"])  # fmt: skip
_AD_HOST = re.compile(r"(?i)(?:^|\.)ads?\d*\.|adserv|popunder|popads|pushnotif|adsterra|"
                      r"propeller|clickvortex|poprevenue|doubleclick|googlesyndication")


class FocusedSpider(DiscoverySpider):
    """Shared plumbing: page items, safe parsing, same-site links, offsite follows."""

    #: Not a spider of its own: without this it would inherit "discovery" and Scrapy's
    #: spider loader would pick it instead of the discovery spider.
    name = ""

    #: Priority boost of pagination and detail links over other same-site links.
    PAGINATION_PRIORITY = 20
    DETAIL_PRIORITY = 10

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
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

    def same_site_links(self, response: TextResponse, root: Any, priority: int = 0,
                        boost: dict[str, int] | None = None) -> Iterator[Request]:  # fmt: skip
        """Requests for the page's <a>/<area> links on its own registered domain (from the
        tree already parsed: Scrapy's LinkExtractor would parse the page a second time)."""
        domain = registered_domain(response.url)
        boost = boost or {}
        base = response.url
        base_tag = root.find(".//base")
        if base_tag is not None and base_tag.get("href"):
            base = absolute(response.url, base_tag.get("href")) or base
        seen: set[str] = set()
        for anchor in root.iter("a", "area"):
            url = absolute(base, anchor.get("href"))
            if url is None or url in seen or not url.startswith(("http://", "https://")):
                continue
            seen.add(url.split("#", 1)[0])
            url = url.split("#", 1)[0]
            path = url.split("?", 1)[0].lower()
            if path.rsplit(".", 1)[-1] in _DENY_SET and "." in path.rsplit("/", 1)[-1]:
                continue
            if registered_domain(url) != domain:
                continue
            request = self.follow(url, response, priority=priority + boost.get(url, 0))
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
            redirect_reasons=list(response.meta.get("redirect_reasons", [])),
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
                    # Images first: they count in the frontier's page budget (see discovery).
                    yield from self.images.requests(response, root, self.parse_image,
                                                    self.on_error)
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
