"""Keep what evidence needs of the HTTP exchange on each page item.

A spider middleware, so every spider's pages get it without spider code: the request line
and headers, the response headers, the protocol and the resolved address
(``response.ip_address``: through a forward proxy that is the proxy's address, which the
WARC then honestly records).  Scrapy has already decoded a compressed body by then; the WARC
stores that body, and its ``Content-Encoding`` header is dropped so the record is coherent.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any

from scrapy.crawler import Crawler
from scrapy.http import Response

from crawler.evidence.warc import Fetch
from crawler.items import PageItem

_DROPPED = {"content-encoding", "transfer-encoding"}


def _headers(headers: Any) -> list[tuple[str, str]]:
    pairs = []
    for key, values in headers.items():
        name = key.decode("latin-1") if isinstance(key, bytes) else str(key)
        if name.lower() in _DROPPED:
            continue
        for value in values:
            text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
            pairs.append((name, text))
    return pairs


def capture_of(response: Response) -> dict[str, Any]:
    """The exchange behind ``response``, as plain data (picklable, JSON-able)."""
    request = response.request
    return {
        "request_method": request.method if request is not None else "GET",
        "request_headers": _headers(request.headers) if request is not None else [],
        "response_headers": _headers(response.headers),
        "protocol": (response.protocol or "HTTP/1.1").upper(),
        "ip_address": str(response.ip_address) if response.ip_address is not None else None,
    }


class CaptureMiddleware:
    """Sets ``PageItem.capture`` from the response the item came from; passes all else."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CaptureMiddleware:
        return cls()

    def _process(self, item: Any, response: Response | None) -> Any:
        if isinstance(item, PageItem) and item.capture is None and response is not None:
            item.capture = capture_of(response)
        return item

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        for item in result:
            yield self._process(item, response)

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        async for item in result:
            yield self._process(item, response)


def _pairs(value: Any) -> list[tuple[str, str]]:
    if not isinstance(value, list | tuple):
        return []
    return [(str(p[0]), str(p[1])) for p in value if isinstance(p, list | tuple) and len(p) == 2]


def fetch_from(
    capture: Mapping[str, Any] | None, *, url: str, status: int, body: bytes,
    fetched_at: datetime, content_type: str, redirect_chain: list[str],
) -> Fetch:  # fmt: skip
    """The WARC writer's view of one fetch: the request and headers ``capture`` kept
    (:func:`capture_of`), defaults where it is missing or malformed. Shared by pages and
    images so that both are written to the WARC the same way."""
    capture = capture or {}
    return Fetch(
        url=url,
        status=status,
        body=body,
        fetched_at=fetched_at,
        request_method=str(capture.get("request_method", "GET")),
        request_headers=_pairs(capture.get("request_headers")),
        response_headers=_pairs(capture.get("response_headers"))
        or [("Content-Type", content_type)],
        protocol=str(capture.get("protocol", "HTTP/1.1")),
        ip_address=capture.get("ip_address"),
        redirect_chain=redirect_chain,
    )


def fetch_of(item: PageItem) -> Fetch:
    """The WARC writer's view of a page item (defaults where the capture is missing)."""
    return fetch_from(item.capture, url=item.url, status=item.status, body=item.body,
                      fetched_at=item.fetched_at, content_type=item.content_type,
                      redirect_chain=list(item.redirect_chain))  # fmt: skip
