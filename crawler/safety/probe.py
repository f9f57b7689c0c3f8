"""The stream-liveness probe, wired into a crawl: the iptv and streaming spiders hand over a
playlist's or manifest's item with its stream URLs, and this spider middleware fetches a small
sample of them before the item leaves, recording ``item.probed``.

Why a middleware and the engine, not requests through the frontier: the item must carry the
answer ("live streams behind this list") and the stream URLs carry IPTV credentials that must
not wait in Redis or reach an item. The probes go through the downloader middlewares like
any request (SSRF refusal, proxy, robots) but not through the scheduler: a probe is never
queued, deduplicated or retried. :class:`~crawler.safety.media.MediaGuard` lets a probe
through (meta ``isop_probe``) and stops it at ``safety.probe_bytes`` (64 KB); the probe also
asks for that range only (``Range: bytes=0-65535``), which a VOD server honours and a live
restream ignores.

Config (``safety``): ``probe_streams`` per playlist or manifest (0 turns probing off),
``probe_per_site`` per site and worker process, ``probe_timeout`` seconds per probe.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from crawler.domains import registered_domain
from crawler.safety.credentials import Redactor
from crawler.safety.liveness import ProbeSummary, StreamProbe, judge, sample, summarize
from crawler.safety.logs import redactor_for


@dataclass
class Pending:
    """An item whose streams are still to be probed (never leaves the spider middleware)."""

    item: Any
    urls: list[str] = field(repr=False)  # in clear: they may carry credentials
    site: str


class StreamProber:
    """Picks the sample, sends the probes through the engine, judges the answers."""

    def __init__(self, crawler: Crawler, redactor: Redactor, streams: int, per_site: int,
                 timeout: float, probe_bytes: int) -> None:  # fmt: skip
        self.crawler = crawler
        self.redactor = redactor
        self.streams = streams
        self.per_site = per_site
        self.timeout = timeout
        self.probe_bytes = probe_bytes
        self.armed = False  # set by ProbeMiddleware: without it, items go out unprobed
        self.site_counts: dict[str, int] = {}

    @classmethod
    def of(cls, crawler: Crawler) -> StreamProber:
        """The crawler's prober, built once from ``safety``."""
        existing: StreamProber | None = getattr(crawler, "_isop_prober", None)
        if existing is None:
            safety = crawler.settings["ISOP_CONFIG"].safety
            existing = cls(crawler, redactor_for(crawler), safety.probe_streams,
                           safety.probe_per_site, safety.probe_timeout,
                           safety.probe_bytes)  # fmt: skip
            crawler._isop_prober = existing  # type: ignore[attr-defined]
        return existing

    def plan(self, item: Any, urls: Sequence[str], site: str) -> Any:
        """What a spider yields: the item itself, or a :class:`Pending` when it will be
        probed (probing on, a middleware to do it, streams left in the site's budget)."""
        if not (self.armed and self.streams > 0 and urls):
            return item
        if self.site_counts.get(site, 0) >= self.per_site:
            self._count("skipped/site_budget")
            return item
        return Pending(item, list(urls), site)

    def _count(self, key: str, n: int = 1) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"isop/probe/{key}", n)

    def request(self, url: str) -> Request:
        return Request(url, headers={"Range": f"bytes=0-{self.probe_bytes - 1}"},
                       dont_filter=True, priority=-100,
                       meta={"isop_probe": True, "dont_retry": True, "download_timeout":
                             self.timeout, "handle_httpstatus_all": True})  # fmt: skip

    def result(self, url: str, response: Response) -> StreamProbe:
        ctype = (response.headers.get(b"Content-Type") or b"").decode("latin-1")[:100]
        head = response.body[: self.probe_bytes]
        alive, reason = judge(response.status, ctype, head)
        length = (response.headers.get(b"Content-Length") or b"").strip()
        whole = length.isdigit() and len(response.body) >= int(length)  # e.g. a 206 range
        return StreamProbe(url=self.redactor.redact_url(url).url, status=response.status,
                           alive=alive, reason=reason, content_type=ctype,
                           bytes_read=len(head),
                           cut="download_stopped" in response.flags and not whole)  # fmt: skip

    async def probe(self, urls: Sequence[str], site: str) -> ProbeSummary | None:
        """Probe a sample of ``urls``, one after the other (None: nothing left to probe)."""
        engine = self.crawler.engine
        left = self.per_site - self.site_counts.get(site, 0)
        chosen = sample(urls, min(self.streams, left))
        if engine is None or not chosen:
            return None
        self.site_counts[site] = self.site_counts.get(site, 0) + len(chosen)
        results = []
        for url in chosen:
            self._count("requests")
            try:
                response = await engine.download_async(self.request(url))
            except Exception as exc:  # refused (SSRF), timed out, reset: a dead stream
                name = type(exc).__name__
                results.append(StreamProbe(url=self.redactor.redact_url(url).url, status=None,
                                           alive=False, reason=name, content_type="",
                                           bytes_read=0, cut=False))  # fmt: skip
                self._count(f"dead/{name}")
                continue
            result = self.result(url, response)
            results.append(result)
            self._count("alive" if result.alive else f"dead/{result.reason}")
        return summarize(results)


class ProbeMiddleware:
    """Spider middleware: replaces each :class:`Pending` by its item, probed."""

    def __init__(self, prober: StreamProber) -> None:
        self.prober = prober
        prober.armed = True

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProbeMiddleware:
        prober = StreamProber.of(crawler)
        if prober.streams <= 0:
            raise NotConfigured("stream-liveness probes are off (safety.probe_streams: 0)")
        return cls(prober)

    async def process_spider_output(self, response: Response,
                                    result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for output in result:
            if isinstance(output, Pending):
                output.item.probed = await self.prober.probe(output.urls, output.site)
                yield output.item
            else:
                yield output


def site_of(url: str) -> str:
    """The site a probe budget is counted for: the registered domain of the list's page."""
    return registered_domain(url) or url[:100]
