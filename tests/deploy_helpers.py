"""What the deploy tests check expressions against: the metric names the code exports.

Names are read from the real collectors (the worker's, the fleet's, the alert deliverer's),
expanded the way the exposition format does (a counter ``x`` is scraped as ``x_total``, a
histogram as ``x_bucket``/``x_sum``/``x_count``), plus the few exported by Prometheus itself
and by redis_exporter, which the deployment runs next to Redis.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from prometheus_client import CollectorRegistry
from prometheus_client.registry import Collector

from crawler.fleet import FleetStatus, WorkerView
from crawler.frontier.bloom import BloomDedup
from crawler.metrics import SHARD_COUNTERS, SHARD_GAUGES, DedupView, FleetCollector, WorkerMetrics

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"

#: Scraped by Prometheus for every target.
PROMETHEUS_BUILTIN = {"up", "scrape_duration_seconds", "scrape_samples_scraped"}
#: redis_exporter (github.com/oliver006/redis_exporter) names used by the rules and board.
REDIS_EXPORTER = {
    "redis_up", "redis_memory_used_bytes", "redis_memory_max_bytes", "redis_connected_clients",
    "redis_commands_processed_total", "redis_aof_enabled", "redis_db_keys",
}  # fmt: skip

_SUFFIXES = {
    "counter": ("_total", "_created"),
    "histogram": ("_bucket", "_sum", "_count", "_created"),
    "summary": ("_sum", "_count", "_created", ""),
    "gauge": ("",),
    "info": ("_info",),
}


def _names(collector: Collector | CollectorRegistry) -> set[str]:
    out = set()
    for family in collector.collect():
        out.update(family.name + s for s in _SUFFIXES.get(family.type, ("",)))
        out.update(sample.name for sample in family.samples)
    return out


def _fleet_status() -> FleetStatus:
    row = {"shard": 0, "domains_waiting": 0, **dict.fromkeys(SHARD_GAUGES, 0),
           **dict.fromkeys(SHARD_COUNTERS, 0)}  # fmt: skip
    return FleetStatus(shards=[row], workers=[WorkerView("w", "running", 0, 0, 0, 0.0)])


class _FakeRedis:
    def register_script(self, script: str) -> None:
        return None


class _Registry:
    """The two reads RegistryCollector makes, with one row each."""

    def status_counts(self) -> dict[tuple[str, str], int]:
        return {("confirmed", "index"): 1}

    def check_counts(self) -> dict[str, int]:
        return {"up": 1}


def exported_metric_names() -> set[str]:
    """Every metric name the crawler's processes serve."""
    from crawler.alerts.metrics import AlertMetrics, OutboxCollector
    from crawler.extensions.stats import StatsCollector
    from crawler.registry.metrics import RegistryCollector

    names = set(PROMETHEUS_BUILTIN) | REDIS_EXPORTER
    worker = WorkerMetrics()
    names |= _names(worker.registry)
    dedup = BloomDedup(_FakeRedis(), "{t:0}", capacity=1000)  # type: ignore[arg-type]
    names |= _names(FleetCollector(_fleet_status, lambda: DedupView(dedup, 1)))
    names |= _names(StatsCollector(dict))
    alerts = AlertMetrics()
    names |= _names(alerts.registry)
    names |= _names(OutboxCollector(lambda: {"pending": 0, "failed": 0, "delivered": 0}))
    names |= _names(RegistryCollector(_Registry()))  # type: ignore[arg-type]
    return names


_STRING = re.compile(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'')
_METRIC = re.compile(r"\b((?:isop|redis)_[a-z0-9_]+|up)\b(?!\s*\()")


def expr_metric_names(expr: str) -> set[str]:
    """Metric names an expression uses (string literals, i.e. label values, left out)."""
    return set(_METRIC.findall(_STRING.sub('""', expr)))


def unknown_metrics(exprs: Iterable[str]) -> dict[str, set[str]]:
    known = exported_metric_names()
    out = {}
    for expr in exprs:
        missing = expr_metric_names(expr) - known
        if missing:
            out[expr] = missing
    return out
