"""The web's link graph by registered domain, read from the served HTML itself.

Seeds are chosen on this graph and the reachability test walks it, so the property "every
live site is reachable from the seeds" is checked on what a crawler actually sees.
"""

from __future__ import annotations

import re
from collections import deque
from html import unescape
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from .origin import Origin


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            for name, value in attrs:
                if name == "href" and value:
                    self.hrefs.append(value)


_HREF = re.compile(r"""<a\s[^>]*?href=(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)


def anchors(html: str, base: str, *, fast: bool = False) -> list[str]:
    """Absolute http(s) URLs of every <a href> in a page (``fast``: a regex, for the build)."""
    if fast:
        hrefs = [unescape(a or b) for a, b in _HREF.findall(html)]
    else:
        parser = _Anchors()
        parser.feed(html)
        parser.close()
        hrefs = parser.hrefs
    out = []
    for href in hrefs:
        url = urljoin(base, href.strip())
        if url.startswith(("http://", "https://")):
            out.append(url.split("#", 1)[0])
    return out


def origin_of(origins: dict[tuple[str, int], Origin], url: str) -> Origin | None:
    """The origin serving an http:// URL, if the web has it."""
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        return None
    return origins.get((parts.hostname.lower(), parts.port or 80))


def domain_graph(origins: dict[tuple[str, int], Origin], *,
                 fast: bool = False) -> dict[str, set[str]]:
    """registered domain -> registered domains its pages link to (redirects count as links)."""
    graph: dict[str, set[str]] = {o.domain: set() for o in origins.values()}
    for origin in origins.values():
        if origin.mode == "redirect":
            target = origin_of(origins, origin.target + "/")
            if target is not None and target.domain != origin.domain:
                graph[origin.domain].add(target.domain)
            continue
        if origin.mode != "serve":
            continue
        for path, res in origin.resources.items():
            if not res.content_type.startswith("text/html"):
                continue
            for url in anchors(res.data().decode("utf-8"), origin.base + path, fast=fast):
                target = origin_of(origins, url)
                if target is not None and target.domain != origin.domain:
                    graph[origin.domain].add(target.domain)
    return graph


def hops_from(graph: dict[str, set[str]], starts: list[str]) -> dict[str, int]:
    """Fewest cross-site hops from any start domain to each reachable domain."""
    dist = {s: 0 for s in starts}
    queue = deque(starts)
    while queue:
        cur = queue.popleft()
        for nxt in sorted(graph.get(cur, ())):
            if nxt not in dist:
                dist[nxt] = dist[cur] + 1
                queue.append(nxt)
    return dist
