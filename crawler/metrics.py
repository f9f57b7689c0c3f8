"""Prometheus exporter extension (opt-in: ``--metrics-port`` / ``metrics.port``).

Fed from Scrapy signals, as ``corestats`` is: responses by status, pages by kind, flags by
kind, fetch errors, and the shared frontier's depth read at scrape time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from prometheus_client import CollectorRegistry, Counter, start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from crawler.fleet import FleetStatus, gather
from crawler.items import PageItem
from crawler.keys import Keys

logger = logging.getLogger(__name__)


class FleetCollector(Collector):
    """Fleet-wide gauges read from Redis at scrape time (every worker serves the same values:
    aggregate with ``max by (shard)``)."""

    def __init__(self, read: Callable[[], FleetStatus | None]) -> None:
        self.read = read

    def describe(self) -> Iterable[Metric]:
        return []  # values come from Redis at scrape time; nothing to pre-register

    def collect(self) -> Iterable[Metric]:
        try:
            status = self.read()
        except Exception as exc:  # Redis away: say so, do not fail the scrape
            logger.warning("Fleet metrics unavailable: %s", exc)
            up = GaugeMetricFamily("isop_frontier_up", "Whether the frontier Redis answered")
            up.add_metric([], 0)
            yield up
            return
        if status is None:
            return
        up = GaugeMetricFamily("isop_frontier_up", "Whether the frontier Redis answered")
        up.add_metric([], 1)
        yield up
        for column, help_text in SHARD_GAUGES.items():
            family = GaugeMetricFamily(f"isop_frontier_{column}", help_text, labels=["shard"])
            for row in status.shards:
                family.add_metric([str(row["shard"])], float(row[column]))
            yield family
        expired = CounterMetricFamily("isop_frontier_leases_expired",
                                      "Leases of dead or hung workers given back",
                                      labels=["shard"])  # fmt: skip
        for row in status.shards:
            expired.add_metric([str(row["shard"])], float(row["expired"]))
        yield expired
        workers = GaugeMetricFamily("isop_fleet_workers_live", "Workers with a fresh heartbeat")
        workers.add_metric([], len(status.workers))
        yield workers
        age = GaugeMetricFamily("isop_fleet_worker_heartbeat_age_seconds",
                                "Seconds since each worker's last heartbeat",
                                labels=["worker"])  # fmt: skip
        for worker in status.workers:
            age.add_metric([worker.id], worker.heartbeat_age)
        yield age


SHARD_GAUGES = {
    "queued": "Requests waiting in the shard's domain queues",
    "scheduled": "Revisits scheduled for later",
    "leased": "Requests leased to workers and not yet acknowledged",
    "domains_ready": "Domains that may be fetched now",
    "dead_letters": "Entries no worker could read, set aside",
}


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
        self.registry.register(FleetCollector(self._fleet))
        self.port = port
        self.addr = addr
        self._server: Any = None
        self._thread: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PrometheusExporter:
        config = crawler.settings["ISOP_CONFIG"]
        if not config.metrics.port:
            raise NotConfigured("metrics off: set metrics.port or pass --metrics-port")
        ext = cls(crawler, config.metrics.port, config.metrics.address)
        crawler.signals.connect(ext.engine_started, signal=signals.engine_started)
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        crawler.signals.connect(ext.response_received, signal=signals.response_received)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(ext.spider_error, signal=signals.spider_error)
        return ext

    def _fleet(self) -> FleetStatus | None:
        slot = getattr(self.crawler.engine, "_slot", None)
        frontier = getattr(getattr(slot, "scheduler", None), "frontier", None)
        if frontier is None:
            return None
        config = self.crawler.settings["ISOP_CONFIG"]
        client = frontier.clients[config.redis.urls[0]]
        return gather(frontier, client, Keys(config.redis.key_prefix))

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
