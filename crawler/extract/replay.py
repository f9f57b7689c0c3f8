"""Scrapy responses straight from the sandbox web, without a network: the per-kind spiders'
tests and ``bench extract`` run a spider's callbacks on exactly what the proxy would serve."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from scrapy import Request
from scrapy.http import Response
from scrapy.http.response.html import HtmlResponse
from scrapy.http.response.text import TextResponse

from crawler.sandbox import SandboxWeb


def response_for(web: SandboxWeb, request: Request | str, max_redirects: int = 5) -> Response:
    """What the sandbox serves for ``request`` (redirects followed), as a Scrapy response."""
    if isinstance(request, str):
        request = Request(request)
    url = request.url
    redirects: list[str] = []
    answer = web.fetch(url)
    while answer.status in (301, 302, 307, 308) and len(redirects) < max_redirects:
        location = dict(answer.headers).get("Location")
        if not location:
            break
        redirects.append(url)
        url = location
        answer = web.fetch(url)
    if redirects:
        request = request.replace(url=url)
        request.meta["redirect_urls"] = redirects
    headers = {"Content-Type": answer.content_type, **dict(answer.headers)}
    ctype = answer.content_type.lower()
    if "html" in ctype:
        return HtmlResponse(url, status=answer.status, headers=headers, body=answer.body,
                            request=request)  # fmt: skip
    if ctype.startswith(("text/", "application/json", "application/xml")) or "mpegurl" in ctype:
        return TextResponse(url, status=answer.status, headers=headers, body=answer.body,
                            request=request)  # fmt: skip
    return Response(url, status=answer.status, headers=headers, body=answer.body, request=request)


def replay(web: SandboxWeb, spider: Any, seeds: Iterable[str], max_pages: int = 200,
           allow: Callable[[str], bool] = lambda url: True,
           ) -> Iterator[tuple[Response, Callable[..., Any], list[Any]]]:  # fmt: skip
    """Breadth-first run of a spider's callbacks over the sandbox: each response, the
    callback that handled it, and that callback's output.

    Requests are deduplicated by URL and limited to ``allow``ed URLs and ``max_pages``
    responses; media payloads are never fetched (the same rule as the crawler's guard)."""
    from crawler.safety.media import media_reason

    queue: deque[Request] = deque(Request(u, callback=spider.parse) for u in seeds)
    images: deque[Request] = deque()  # lowest priority, as in the frontier: after every page
    seen: set[str] = {r.url for r in queue}
    pages = 0
    while (queue or images) and pages < max_pages:
        request = queue.popleft() if queue else images.popleft()
        response = response_for(web, request)
        pages += 1
        callback = request.callback or spider.parse
        outputs = list(callback(response) or ())
        yield response, callback, outputs
        for output in outputs:
            if isinstance(output, Request) and output.url not in seen and allow(output.url) \
                    and not media_reason(output.url):  # fmt: skip
                seen.add(output.url)
                (images if output.meta.get("isop_image") else queue).append(output)


def crawl_offline(web: SandboxWeb, spider: Any, seeds: Iterable[str], max_pages: int = 200,
                  allow: Callable[[str], bool] = lambda url: True) -> Iterator[Any]:
    """Every item the spider yields over an offline crawl of the sandbox (see replay)."""
    for _, _, outputs in replay(web, spider, seeds, max_pages, allow):
        yield from (o for o in outputs if not isinstance(o, Request))
