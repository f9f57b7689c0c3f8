"""The Prometheus metrics of the crawler fleet: names, units and labels in one place.

Names follow Prometheus conventions: the ``isop_`` prefix, base units (``_seconds``,
``_bytes``) and ``_total`` on counters (prometheus-client appends it).  Two kinds:

* **worker metrics** (:class:`WorkerMetrics`): what this process did, fed from Scrapy
  signals and stats by :mod:`crawler.extensions.prometheus`; sum them over the fleet.
* **fleet gauges** (:class:`FleetCollector`): the shared frontier read from Redis at scrape
  time.  Every worker serves the same values: aggregate with ``max by (shard)``, never sum.

``deploy/prometheus/rules.yml`` and ``deploy/grafana/isop.json`` use these names; a test
checks that every expression there names a metric exported here (or by redis_exporter).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from crawler.fleet import FleetStatus

logger = logging.getLogger(__name__)

#: Download latency buckets (seconds): loopback is milliseconds, the internet up to the
#: download timeout.
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 60)
#: Detector run time (seconds): most run in a millisecond, a 5 MB page in a second.
DETECTOR_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5)


class WorkerMetrics:
    """This worker process's own counters, in their own registry."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        r = self.registry = registry or CollectorRegistry(auto_describe=True)
        sp = ["spider"]
        self.responses = Counter("isop_responses", "HTTP responses received (pages fetched)",
                                 [*sp, "status"], registry=r)  # fmt: skip
        self.response_bytes = Counter("isop_response_bytes", "Bytes of response bodies received",
                                      sp, registry=r)  # fmt: skip
        self.download_latency = Histogram(
            "isop_download_latency_seconds", "Time from sending a request to its response headers",
            sp, buckets=LATENCY_BUCKETS, registry=r,
        )  # fmt: skip
        self.pages = Counter("isop_pages", "Documents handed to detectors", [*sp, "kind"],
                             registry=r)  # fmt: skip
        self.flags = Counter("isop_flags", "Documents judged infringing, by site kind",
                             [*sp, "kind"], registry=r)  # fmt: skip
        self.items = Counter("isop_items", "Items scraped", sp, registry=r)
        self.spider_errors = Counter("isop_spider_errors", "Exceptions raised by spider callbacks",
                                     [*sp, "error"], registry=r)  # fmt: skip
        self.detector_latency = Histogram(
            "isop_detector_latency_seconds", "Run time of one detector on one document",
            ["detector"], buckets=DETECTOR_BUCKETS, registry=r,
        )  # fmt: skip
        self.detector_errors = Counter("isop_detector_errors", "Detector runs that raised",
                                       ["detector"], registry=r)  # fmt: skip
        self.leases_held = Gauge("isop_worker_leases_held",
                                 "Requests this worker holds leased and has not finished",
                                 registry=r)  # fmt: skip
        self.reactor_heartbeat = Gauge(
            "isop_worker_heartbeat_timestamp_seconds",
            "Unix time of this worker's last event-loop heartbeat (liveness)", registry=r,
        )  # fmt: skip
        self.info = Gauge("isop_worker_info", "Constant 1, labelled with this worker's identity",
                          ["worker", "spider"], registry=r)  # fmt: skip


class FleetCollector(Collector):
    """Fleet-wide gauges read from Redis at scrape time (every worker serves the same values:
    aggregate with ``max by (shard)``)."""

    def __init__(self, read: Callable[[], FleetStatus | None],
                 dedup: Callable[[], DedupView | None] | None = None) -> None:  # fmt: skip
        self.read = read
        self.dedup = dedup

    def describe(self) -> Iterable[Metric]:
        return []  # values come from Redis at scrape time; nothing to pre-register

    def collect(self) -> Iterable[Metric]:
        up = GaugeMetricFamily("isop_frontier_up", "Whether the frontier Redis answered")
        try:
            status = self.read()
        except Exception as exc:  # Redis away: say so, do not fail the scrape
            logger.warning("Fleet metrics unavailable: %s", exc)
            up.add_metric([], 0)
            yield up
            return
        if status is None:
            return
        up.add_metric([], 1)
        yield up
        shards = status.shards
        for column, help_text in SHARD_GAUGES.items():
            family = GaugeMetricFamily(f"isop_frontier_{column}", help_text, labels=["shard"])
            for row in shards:
                family.add_metric([str(row["shard"])], float(row.get(column, 0)))
            yield family
        for column, (name, help_text) in SHARD_COUNTERS.items():
            counter = CounterMetricFamily(name, help_text, labels=["shard"])
            for row in shards:
                counter.add_metric([str(row["shard"])], float(row.get(column, 0)))
            yield counter
        seeds = GaugeMetricFamily("isop_frontier_seeds_waiting", "Seed URLs not yet read")
        seeds.add_metric([], status.seeds_waiting)
        yield seeds
        workers = GaugeMetricFamily("isop_fleet_workers_live", "Workers with a fresh heartbeat")
        workers.add_metric([], len(status.workers))
        yield workers
        age = GaugeMetricFamily("isop_fleet_worker_heartbeat_age_seconds",
                                "Seconds since each worker's last heartbeat",
                                labels=["worker"])  # fmt: skip
        for worker in status.workers:
            age.add_metric([worker.id], worker.heartbeat_age)
        yield age
        yield from self._dedup(shards)

    def _dedup(self, shards: list[dict[str, Any]]) -> Iterable[Metric]:
        view = self.dedup() if self.dedup is not None else None
        if view is None:
            return
        items = GaugeMetricFamily(
            "isop_dedup_urls", "URLs added to the shard's dedup filter (lifetime: an upper "
            "bound of the current window)", labels=["shard"])  # fmt: skip
        rate = GaugeMetricFamily(
            "isop_dedup_false_positive_rate",
            "Estimated false-positive rate of the shard's dedup filter at that many URLs "
            "(0 in exact mode)", labels=["shard"])  # fmt: skip
        for row in shards:
            added = int(row.get("pushed", 0)) + int(row.get("scheduled_total", 0))
            items.add_metric([str(row["shard"])], added)
            rate.add_metric([str(row["shard"])], view.error_rate_at(added))
        yield items
        yield rate
        memory = GaugeMetricFamily("isop_dedup_memory_bytes",
                                   "Redis memory of the dedup filters, all shards, two live "
                                   "windows, allocated in full on first use")  # fmt: skip
        memory.add_metric([], view.memory_bytes)
        yield memory


class DedupView:
    """What the exporter needs to know about the frontier's dedup (mode and sizing)."""

    def __init__(self, dedup: Any, shards: int) -> None:
        self.params = getattr(dedup, "params", None)  # None: exact mode
        self.shards = shards

    def error_rate_at(self, items: int) -> float:
        if self.params is None:
            return 0.0
        # Two live windows are asked (each sized at half the rate): count both.
        single = float(self.params.error_rate_at(items))
        return 2 * single - single * single  # 1 - (1 - p)^2 without losing a tiny p

    @property
    def memory_bytes(self) -> int:
        if self.params is None:
            return 0
        return int(self.params.memory_bytes) * 2 * self.shards


SHARD_GAUGES = {
    "queued": "Requests waiting in the shard's domain queues",
    "scheduled": "Revisits scheduled for later",
    "leased": "Requests leased to workers and not yet acknowledged",
    "domains_ready": "Domains with queued work, due now or after their politeness delay",
    "domains_waiting": "Domains with queued work waiting for their politeness delay",
    "dead_letters": "Entries no worker could read, set aside",
}

#: Lifetime counters the frontier's scripts keep per shard (``Frontier.status()``).
SHARD_COUNTERS = {
    "expired": ("isop_frontier_leases_expired",
                "Leases of dead or hung workers given back to their queues (recovered)"),
    "granted": ("isop_frontier_leases_granted", "Requests leased to workers"),
    "acked": ("isop_frontier_leases_acked", "Leases acknowledged (request handled)"),
    "released": ("isop_frontier_leases_released", "Leases given back unhandled (clean stop)"),
    "pushed": ("isop_frontier_pushed", "Requests queued"),
    "duplicates": ("isop_frontier_duplicates", "Requests dropped as already seen"),
    "over_budget": ("isop_frontier_over_budget", "Requests dropped by the page budget per site"),
}  # fmt: skip


def shard_waits(frontier: Any) -> dict[int, int]:
    """Per shard: domains with work that wait for their politeness delay (score > now in
    the shard's ready set; the frontier's own layout, read-only, one pipeline a server)."""
    out: dict[int, int] = {}
    for url, client in frontier.clients.items():
        shards = [s for s in range(frontier.map.count) if frontier.router.server_of(s) == url]
        if not shards:
            continue
        now_ms = int(time.time() * 1000)
        pipe = client.pipeline(transaction=False)
        for shard in shards:
            pipe.zcount(f"{frontier.map.base(shard)}:ready", f"({now_ms}", "+inf")
        for shard, count in zip(shards, pipe.execute(), strict=True):
            out[shard] = int(count)
    return out
