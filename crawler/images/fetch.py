"""The spider side of image matching: requests for a page's images, ImageItems from answers.

Image requests go through the same frontier and middlewares as pages (SSRF refusal, media
guard, robots, politeness); they carry ``download_maxsize = safety.max_image_bytes`` whatever
their URL looks like, rank below every page (:data:`IMAGE_PRIORITY`) and keep the page's
site-hop count (an image leads nowhere). An answer that is not an image by its magic bytes
(an HTML 'not found' page served with 200) is counted and dropped.  An item keeps how it was
fetched (headers, address, redirects): a catalog match is kept as a WARC capture.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response

from crawler.domains import registered_domain
from crawler.evidence.capture import capture_of
from crawler.images.finder import ImageBudget, ImageRef, page_images
from crawler.items import IMAGE_ROLES, ImageItem
from crawler.safety.logs import redactor_for
from detectors.inputs import is_image

#: Below any page link (discovery ranks pages from -20 x max_site_hops up to 100).
IMAGE_PRIORITY = -200
META_KEY = "isop_image"


class ImageFetcher:
    """Per spider: the image budget, and the requests and items of images."""

    def __init__(self, crawler: Crawler, per_site: int, max_bytes: int) -> None:
        self.crawler = crawler
        self.budget = ImageBudget(per_site)
        self.max_bytes = max_bytes

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ImageFetcher:
        config = crawler.settings["ISOP_CONFIG"]
        return cls(crawler, config.crawl.images_per_site, config.safety.max_image_bytes)

    def _inc(self, key: str, count: int = 1) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"isop/images/{key}", count)

    def requests(self, response: Response, root: Any, callback: Callable[..., Any],
                 errback: Callable[..., Any]) -> Iterator[Request]:  # fmt: skip
        """Requests for the images of an HTML page, within its site's budget."""
        if self.budget.per_site > 0 and root is not None:
            refs = page_images(root, response.url)
            yield from self._requests(response, refs, callback, errback)

    def logo_requests(self, response: Response, urls: Iterable[str],
                      callback: Callable[..., Any],
                      errback: Callable[..., Any]) -> Iterator[Request]:  # fmt: skip
        """Requests for channel logos (a playlist's ``tvg-logo``), within the site's budget."""
        if self.budget.per_site > 0:
            refs = [ImageRef(u, "logo") for u in dict.fromkeys(urls)
                    if u.startswith(("http://", "https://"))][:50]  # fmt: skip
            yield from self._requests(response, refs, callback, errback)

    def _requests(self, response: Response, refs: list[ImageRef], callback: Callable[..., Any],
                  errback: Callable[..., Any]) -> Iterator[Request]:  # fmt: skip
        site = registered_domain(response.url)
        if not site:
            return
        hops = int(response.meta.get("site_hops", 0))
        for ref in self.budget.take(site, refs):
            self._inc(f"requested/{ref.role}")
            yield Request(ref.url, callback=callback, errback=errback, priority=IMAGE_PRIORITY,
                          meta={"site_hops": hops, "how_found": "image",
                                "download_maxsize": self.max_bytes,
                                META_KEY: {"role": ref.role, "page_url": response.url,
                                           "site": site}})  # fmt: skip

    def item(self, response: Response) -> ImageItem | None:
        """The ImageItem of an image answer (URLs redacted of IPTV credentials); None
        (counted) when it is not an image."""
        info = response.meta.get(META_KEY) or {}
        role = str(info.get("role")) if info.get("role") in IMAGE_ROLES else "thumbnail"
        body = response.body
        if response.status != 200 or not is_image(body):
            self._inc(f"not_image/{role}")
            return None
        if len(body) > self.max_bytes:  # the downloader's cap should have stopped it
            self._inc("too_large")
            return None
        self._inc(f"fetched/{role}")
        page_url = str(info.get("page_url") or response.url)
        redactor = redactor_for(self.crawler)

        def redact(url: str) -> str:
            return redactor.redact_url(url).url

        return ImageItem(
            url=redact(response.url),
            domain=str(info.get("site") or registered_domain(page_url)),
            page_url=redact(page_url),
            role=role,
            content_type=(response.headers.get(b"Content-Type") or b"").decode("latin-1"),
            sha256=hashlib.sha256(body).hexdigest(),
            body=body,
            fetched_at=datetime.now(UTC),
            capture={**capture_of(response), "status": response.status,
                     "redirect_chain": [redact(str(u))
                                        for u in response.meta.get("redirect_urls") or []]},
        )  # fmt: skip
