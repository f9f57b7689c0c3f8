"""Prometheus exporter and health endpoint of a crawler worker (opt-in: ``metrics.port``).

Fed the way Scrapy's ``corestats`` is: signals connected in ``from_crawler`` count responses,
bytes, download latency, pages and flags; Scrapy stats and the frontier's own figures are
read at scrape time.  ``/healthz`` fails when the reactor has not ticked for
``metrics.liveness_timeout`` seconds (a hung worker); ``/readyz`` fails while the frontier
Redis does not answer and once the worker is draining after SIGTERM.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from twisted.internet import task

from crawler.extensions.stats import DetectorSampler, StatsCollector
from crawler.fleet import FleetStatus, gather, worker_id
from crawler.health import HealthServer, Heartbeat
from crawler.items import PageItem
from crawler.keys import Keys
from crawler.metrics import DedupView, FleetCollector, WorkerMetrics, shard_waits

logger = logging.getLogger(__name__)

TICK_SECONDS = 1.0


class PrometheusExporter:
    """Serves ``/metrics``, ``/healthz`` and ``/readyz`` for this process while it runs."""

    def __init__(self, crawler: Crawler, port: int, addr: str = "0.0.0.0",
                 liveness_timeout: float = 60.0) -> None:  # fmt: skip
        self.crawler = crawler
        self.metrics = WorkerMetrics()
        self.registry = self.metrics.registry
        self.registry.register(FleetCollector(self._fleet, self._dedup))
        self.registry.register(StatsCollector(self._stats))
        self.heartbeat = Heartbeat(liveness_timeout)
        self.detectors = DetectorSampler(self.metrics)
        # Read when scraped (the size of a dict: safe from the HTTP thread), not once a tick.
        self.metrics.leases_held.set_function(lambda: len(getattr(self._scheduler(), "_held", ())))
        self.server = HealthServer(port, addr, registry=self.registry,
                                   live=self.heartbeat.check, ready=self._ready)  # fmt: skip
        self._tick: task.LoopingCall | None = None
        self._redis_ok_at = 0.0
        self._draining = False

    @property
    def port(self) -> int:
        return self.server.port

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PrometheusExporter:
        config = crawler.settings["ISOP_CONFIG"]
        if not config.metrics.port:
            raise NotConfigured("metrics off: set metrics.port or pass --metrics-port")
        ext = cls(crawler, config.metrics.port, config.metrics.address,
                  config.metrics.liveness_timeout)  # fmt: skip
        connect = crawler.signals.connect
        connect(ext.engine_started, signal=signals.engine_started)
        connect(ext.engine_stopped, signal=signals.engine_stopped)
        connect(ext.spider_opened, signal=signals.spider_opened)
        connect(ext.spider_closed, signal=signals.spider_closed)
        connect(ext.response_received, signal=signals.response_received)
        connect(ext.item_scraped, signal=signals.item_scraped)
        connect(ext.spider_error, signal=signals.spider_error)
        return ext

    # -- lifecycle -----------------------------------------------------------------------
    def engine_started(self) -> None:
        try:
            self.server.start()
        except OSError as exc:  # port taken: crawl on, but say so (probes will fail)
            logger.error("Metrics and health port %s:%d unavailable (%s): this process "
                         "serves no /metrics, /healthz or /readyz", self.server.addr,
                         self.server.port, exc.strerror or exc)  # fmt: skip
        self._tick = task.LoopingCall(self._on_tick)
        self._tick.start(TICK_SECONDS, now=True)

    def engine_stopped(self) -> None:
        if self._tick is not None and self._tick.running:
            self._tick.stop()
        self.server.stop()

    def spider_opened(self, spider: Spider) -> None:
        self.metrics.info.labels(worker_id(self.crawler), spider.name).set(1)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        self._draining = True

    def _on_tick(self) -> None:
        """Runs on the reactor: proves it is not blocked, and samples what only it may read."""
        self.heartbeat.beat()
        self.metrics.reactor_heartbeat.set(time.time())
        self._sample_detectors()

    # -- signals -------------------------------------------------------------------------
    def response_received(self, response: Response, request: Request, spider: Spider) -> None:
        self.metrics.responses.labels(spider.name, str(response.status)).inc()
        self.metrics.response_bytes.labels(spider.name).inc(len(response.body))
        latency = request.meta.get("download_latency")
        if isinstance(latency, int | float):
            self.metrics.download_latency.labels(spider.name).observe(latency)
        self._sample_detectors()

    def item_scraped(self, item: Any, spider: Spider) -> None:
        self.metrics.items.labels(spider.name).inc()
        if isinstance(item, PageItem):
            self.metrics.pages.labels(spider.name, item.kind).inc()
            if item.verdict is not None and item.verdict.infringing:
                self.metrics.flags.labels(spider.name, item.verdict.kind or "unknown").inc()
        self._sample_detectors()

    def spider_error(self, failure: Any, response: Response, spider: Spider) -> None:
        self.metrics.spider_errors.labels(spider.name, type(failure.value).__name__).inc()

    def _sample_detectors(self) -> None:
        pipeline = getattr(self.crawler, "_isop_detection", None)  # crawler.detection's
        if pipeline is not None:
            self.detectors.sample(pipeline)

    # -- read at scrape time (HTTP thread) -------------------------------------------------
    def _scheduler(self) -> Any:
        try:
            engine = self.crawler.engine
        except RuntimeError:
            return None
        return getattr(getattr(engine, "_slot", None), "scheduler", None)

    def _frontier(self) -> Any:
        return getattr(self._scheduler(), "frontier", None)

    def _fleet(self) -> FleetStatus | None:
        frontier = self._frontier()
        if frontier is None:
            return None
        config = self.crawler.settings["ISOP_CONFIG"]
        client = frontier.clients[config.redis.urls[0]]
        status = gather(frontier, client, Keys(config.redis.key_prefix))
        waits = shard_waits(frontier)
        for row in status.shards:
            row["domains_waiting"] = waits.get(int(row["shard"]), 0)
        self._redis_ok_at = time.monotonic()
        return status

    def _dedup(self) -> DedupView | None:
        frontier = self._frontier()
        if frontier is None:
            return None
        return DedupView(frontier.dedup, frontier.map.count)

    def _stats(self) -> dict[str, Any]:
        return self.crawler.stats.get_stats() if self.crawler.stats is not None else {}

    def _ready(self) -> tuple[bool, str]:
        if self._draining or not self.crawler.crawling:
            return False, "draining: stopping after SIGTERM or idle"
        frontier = self._frontier()
        if frontier is None:
            return False, "starting: no frontier yet"
        if time.monotonic() - self._redis_ok_at > 5.0:
            for client in frontier.clients.values():
                client.ping()  # raises if Redis is away: the check fails, naming the error
            self._redis_ok_at = time.monotonic()
        return True, "ready"
