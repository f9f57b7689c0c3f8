"""Prometheus metrics of alert delivery, on their own registry so tests and benches can read them.

Gauges of the outbox by status are read from the database at scrape time (every deliverer
reports the same numbers: aggregate with ``max``); counters and the latency histogram are
this process's own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

logger = logging.getLogger(__name__)

# Flag-to-delivery latencies of interest: the goal is two seconds, retries take minutes.
LATENCY_BUCKETS = (0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600, float("inf"))


class OutboxCollector(Collector):
    """``isop_alerts{status=...}``: outbox rows by status, read when scraped."""

    def __init__(self, read: Callable[[], dict[str, int]]) -> None:
        self.read = read

    def describe(self) -> Iterable[Metric]:
        return []

    def collect(self) -> Iterable[Metric]:
        try:
            counts = self.read()
        except Exception as exc:  # database away: an empty scrape, not a failed one
            logger.warning("Alert outbox metrics unavailable: %s", exc)
            return
        gauge = GaugeMetricFamily("isop_alerts", "Alert outbox rows by status", labels=["status"])
        for status, n in sorted(counts.items()):
            gauge.add_metric([status], n)
        yield gauge


class AlertMetrics:
    """The deliverer's counters and histogram."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        self.sent = Counter(
            "isop_alert_messages_sent", "Messages accepted by a target", ["kind"],
            registry=self.registry,
        )  # fmt: skip
        self.delivered = Counter(
            "isop_alerts_delivered", "Alerts fully delivered", registry=self.registry
        )
        self.failures = Counter(
            "isop_alert_send_failures", "Sends a target refused or missed", registry=self.registry
        )
        self.latency = Histogram(
            "isop_alert_delivery_latency_seconds",
            "Seconds from an alert's creation (the flag) to its delivery",
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )

    def watch_outbox(self, read: Callable[[], dict[str, int]]) -> None:
        self.registry.register(OutboxCollector(read))
