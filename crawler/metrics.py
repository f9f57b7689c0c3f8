"""Prometheus exporter extension (opt-in: ``--metrics-port`` / ``metrics.port``).

Fed from Scrapy signals, as ``corestats`` is: responses by status, pages by kind, flags by
kind, fetch errors, and the shared frontier's depth read at scrape time.
"""

from __future__ import annotations

import logging
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, start_http_server
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from crawler.items import PageItem

logger = logging.getLogger(__name__)


class PrometheusExporter:
    """Serves ``/metrics`` for this process while the crawler runs."""

    def __init__(self, crawler: Crawler, port: int, addr: str = "0.0.0.0") -> None:
        self.crawler = crawler
        self.registry = CollectorRegistry(auto_describe=True)
        spider = ["spider"]
        self.responses = Counter(
            "isop_responses", "HTTP responses received", [*spider, "status"], registry=self.registry
        )
        self.pages = Counter(
            "isop_pages", "Documents handed to detectors", [*spider, "kind"], registry=self.registry
        )
        self.flags = Counter(
            "isop_flags", "Documents judged infringing", [*spider, "kind"], registry=self.registry
        )
        self.items = Counter("isop_items", "Items scraped", spider, registry=self.registry)
        self.errors = Counter(
            "isop_fetch_errors", "Requests failed after retries", [*spider, "reason"],
            registry=self.registry,
        )  # fmt: skip
        self.queue_depth = Gauge(
            "isop_frontier_queue_depth", "Requests waiting in the shared frontier",
            registry=self.registry,
        )  # fmt: skip
        self.queue_depth.set_function(self._queue_depth)
        self.port = port
        self.addr = addr
        self._server: Any = None
        self._thread: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PrometheusExporter:
        config = crawler.settings["ISOP_CONFIG"]
        if not config.metrics.port:
            raise NotConfigured("metrics off: set metrics.port or pass --metrics-port")
        ext = cls(crawler, config.metrics.port)
        crawler.signals.connect(ext.engine_started, signal=signals.engine_started)
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        crawler.signals.connect(ext.response_received, signal=signals.response_received)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(ext.spider_error, signal=signals.spider_error)
        return ext

    def _queue_depth(self) -> float:
        slot = getattr(self.crawler.engine, "_slot", None)
        frontier = getattr(getattr(slot, "scheduler", None), "frontier", None)
        if frontier is None:
            return 0.0
        try:
            return float(sum(r["queued"] + r["scheduled"] for r in frontier.status()))
        except Exception:  # Redis gone: report nothing rather than fail the scrape
            return float("nan")

    def engine_started(self) -> None:
        self._server, self._thread = start_http_server(
            self.port, addr=self.addr, registry=self.registry
        )
        logger.info("Prometheus metrics on http://%s:%d/metrics", self.addr, self.port)

    def engine_stopped(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def response_received(self, response: Response, request: Request, spider: Spider) -> None:
        self.responses.labels(spider.name, str(response.status)).inc()

    def item_scraped(self, item: Any, spider: Spider) -> None:
        self.items.labels(spider.name).inc()
        if isinstance(item, PageItem):
            self.pages.labels(spider.name, item.kind).inc()
            if item.verdict is not None and item.verdict.infringing:
                self.flags.labels(spider.name, item.verdict.kind or "unknown").inc()

    def spider_error(self, failure: Any, response: Response, spider: Spider) -> None:
        self.errors.labels(spider.name, type(failure.value).__name__).inc()
