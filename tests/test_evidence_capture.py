"""The capture middleware reads a real Scrapy response: headers, protocol, resolved address."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from ipaddress import ip_address
from typing import Any

from scrapy import Request
from scrapy.http import HtmlResponse

from crawler.evidence.capture import CaptureMiddleware, capture_of, fetch_of
from crawler.items import PageItem


def _response() -> HtmlResponse:
    request = Request("http://pirate.to/x", headers={"User-Agent": "UA/1", "Accept": "*/*"})
    return HtmlResponse(
        "http://pirate.to/x", status=200, request=request, body=b"<html>hi</html>",
        headers={"Content-Type": "text/html", "Content-Encoding": "gzip",
                 "Set-Cookie": ["a=1", "b=2"]},
        ip_address=ip_address("203.0.113.7"), protocol="HTTP/1.1",
    )  # fmt: skip


def test_capture_keeps_headers_address_and_protocol() -> None:
    capture = capture_of(_response())
    assert capture["ip_address"] == "203.0.113.7"
    assert capture["protocol"] == "HTTP/1.1"
    assert ("User-Agent", "UA/1") in capture["request_headers"]
    assert [v for k, v in capture["response_headers"] if k == "Set-Cookie"] == ["a=1", "b=2"]
    # Scrapy decoded the body already: the stored record must not claim gzip.
    assert all(k != "Content-Encoding" for k, _ in capture["response_headers"])


def test_middleware_fills_page_items_only() -> None:
    response = _response()
    item = PageItem(url=response.url, domain="pirate.to", status=200, content_type="text/html",
                    kind="html", body=response.body, fetched_at=datetime.now(UTC))  # fmt: skip
    middleware = CaptureMiddleware()
    out = list(middleware.process_spider_output(response, [item, {"x": 1}, Request("http://a.to")]))
    assert out[0] is item and item.capture is not None
    assert out[1] == {"x": 1} and isinstance(out[2], Request)
    fetch = fetch_of(item)
    assert fetch.ip_address == "203.0.113.7" and ("Accept", "*/*") in fetch.request_headers


def test_fetch_of_survives_garbage_captures() -> None:
    item = PageItem(url="http://a.to/", domain="a.to", status=200, content_type="text/html",
                    kind="html", body=b"", fetched_at=datetime.now(UTC))  # fmt: skip
    item.capture = {"request_headers": "nonsense", "response_headers": [["only-one"], 5]}
    fetch = fetch_of(item)
    assert fetch.request_headers == [] and fetch.response_headers == [("Content-Type", "text/html")]


def test_middleware_passes_async_output_through() -> None:
    response = _response()
    item = PageItem(url=response.url, domain="pirate.to", status=200, content_type="text/html",
                    kind="html", body=response.body, fetched_at=datetime.now(UTC))  # fmt: skip

    async def output() -> AsyncIterator[Any]:
        yield item
        yield Request("http://b.to/")

    async def collect() -> list[Any]:
        return [
            o async for o in CaptureMiddleware().process_spider_output_async(response, output())
        ]

    got = asyncio.run(collect())
    assert got[0] is item and item.capture is not None and isinstance(got[1], Request)
