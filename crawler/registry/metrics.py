"""Prometheus view of the registry: sites by status and kind, checks by outcome.

Read from the database at scrape time, so every process that serves them (a monitor, the
API) reports the same numbers: aggregate with ``max``, not ``sum``.  The check counts are
counters (check rows are never deleted, so they only grow).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from prometheus_client import CollectorRegistry
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from crawler.registry.store import Registry

logger = logging.getLogger(__name__)


class RegistryCollector(Collector):
    """``isop_sites{status,kind}`` and ``isop_site_checks_total{outcome}``."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    def describe(self) -> Iterable[Metric]:
        return []  # read at scrape time

    def collect(self) -> Iterable[Metric]:
        try:
            sites = self.registry.status_counts()
            checks = self.registry.check_counts()
        except Exception as exc:  # database away: an empty scrape, not a failed one
            logger.warning("Registry metrics unavailable: %s", exc)
            return
        gauge = GaugeMetricFamily("isop_sites", "Sites in the registry by status and kind",
                                  labels=["status", "kind"])  # fmt: skip
        for (status, kind), count in sorted(sites.items()):
            gauge.add_metric([status, kind or "unknown"], count)
        yield gauge
        counter = CounterMetricFamily("isop_site_checks", "Monitor checks recorded, by outcome",
                                      labels=["outcome"])  # fmt: skip
        for outcome, count in sorted(checks.items()):
            counter.add_metric([outcome], count)
        yield counter


def register_on_exporter(crawler: Any, registry: Registry) -> bool:
    """Add the registry's metrics to this process's Prometheus exporter, if it runs one."""
    extensions = getattr(getattr(crawler, "extensions", None), "middlewares", ())
    for extension in extensions:
        target = getattr(extension, "registry", None)
        if isinstance(target, CollectorRegistry):
            target.register(RegistryCollector(registry))
            return True
    return False
