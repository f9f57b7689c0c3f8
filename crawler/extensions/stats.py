"""Numbers other components already count, turned into Prometheus metrics without touching
those components: Scrapy's stats (``crawler.stats``) and the detection pipeline's counters.

Both are read, never written: the frontier scheduler, the spiders and the registry
pipeline keep counting in Scrapy stats as they do for ``scrapy crawl`` logs, and this module
only translates keys into metric names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from prometheus_client.core import CounterMetricFamily, Metric
from prometheus_client.registry import Collector

from crawler.metrics import WorkerMetrics

#: Scrapy stats key -> (metric name without ``_total``, help).  Plain counters.
PLAIN = {
    "isop/registry/flags_written": ("isop_registry_flags_written",
                                    "Flagged pages written to the registry"),
    "isop/registry/batches": ("isop_registry_batches",
                              "Registry transactions (batches of verdicts) committed"),
    "isop/registry/write_failures": ("isop_registry_write_failures",
                                     "Verdicts whose write attempt failed (each is retried)"),
    "isop/frontier/released_on_close": ("isop_worker_leases_released",
                                        "Leases this worker gave back unfinished when stopping"),
    "isop/frontier/leases_lost": ("isop_worker_leases_lost",
                                  "Leases this worker found expired at renewal (it was too slow)"),
    "isop/frontier/acked": ("isop_worker_leases_acked", "Leases this worker acknowledged"),
    "isop/frontier/dead_letter": ("isop_worker_dead_letters",
                                  "Frontier entries this worker could not read"),
    "dupefilter/filtered": ("isop_worker_duplicates_filtered",
                            "Requests this worker dropped as already seen"),
    "scheduler/dequeued/redis": ("isop_worker_requests_dequeued",
                                 "Requests this worker took from the frontier"),
    "scheduler/enqueued/redis": ("isop_worker_requests_enqueued",
                                 "Requests this worker queued in the frontier"),
}  # fmt: skip

#: Scrapy stats key prefix -> (metric name, help, label).  One series per key suffix.
LABELLED = {
    "isop/fetch_errors/": ("isop_fetch_errors", "Requests failed after retries", "reason"),
    "isop/registry_errors/": ("isop_registry_write_errors",
                              "Registry write attempts that failed (retried)", "error"),
    "isop/registry/writes/": ("isop_registry_writes", "Verdicts written to the registry "
                              "(flag, clean) or refused by it (rejected)", "outcome"),
    "isop/frontier/redis_errors/": ("isop_worker_redis_errors",
                                    "Frontier Redis calls that failed (retried)", "error"),
    "isop/progress_errors/": ("isop_worker_heartbeat_errors",
                              "Heartbeat writes to Redis that failed", "error"),
    # Typed items (crawler.pipelines.facts): judged, flagged, stored as observations.
    "isop/facts/evaluated/": ("isop_facts_evaluated", "Typed items judged by the detectors",
                              "kind"),
    "isop/facts/flagged/": ("isop_facts_flagged", "Typed items flagged as infringing", "kind"),
    "isop/facts/writes/": ("isop_facts_writes", "Typed items stored as observations "
                           "(flag, clean) or refused by the registry (rejected)", "outcome"),
    "isop/facts/errors/": ("isop_facts_bad_items",
                           "Typed items skipped for missing or hostile fields", "kind"),
    "isop/facts/write_errors/": ("isop_facts_write_errors",
                                 "Observation write attempts that failed (retried)", "error"),
}  # fmt: skip


class StatsCollector(Collector):
    """Scrapy stats of this process as ``isop_*_total`` counters, read at scrape time."""

    def __init__(self, stats: Callable[[], dict[str, Any]]) -> None:
        self.stats = stats

    def describe(self) -> Iterable[Metric]:
        return []

    def collect(self) -> Iterable[Metric]:
        values = _snapshot(self.stats)
        for key, (name, help_text) in PLAIN.items():
            family = CounterMetricFamily(name, help_text)
            family.add_metric([], float(values.get(key, 0)))
            yield family
        for prefix, (name, help_text, label) in LABELLED.items():
            family = CounterMetricFamily(name, help_text, labels=[label])
            for key, value in sorted(values.items()):
                if key.startswith(prefix) and isinstance(value, int | float):
                    family.add_metric([key[len(prefix) :]], float(value))
            yield family


def _snapshot(read: Callable[[], dict[str, Any]], attempts: int = 5) -> dict[str, Any]:
    """Copy the stats dict from the scrape thread; the reactor may add a key meanwhile."""
    for _ in range(attempts):
        try:
            return dict(read())
        except RuntimeError:  # "dictionary changed size during iteration": try again
            continue
    return {}


class DetectorSampler:
    """Per-run detector latencies from the pipeline's running totals.

    ``DetectionPipeline`` keeps, per detector, how many runs and how many seconds in total.
    Sampled after every response and item (the reactor runs one callback at a time), the
    difference is nearly always one run, so each observation is one run's time; when several
    runs fall between two samples, each is observed at their mean.
    """

    def __init__(self, metrics: WorkerMetrics) -> None:
        self.metrics = metrics
        self._runs: dict[str, int] = {}
        self._seconds: dict[str, float] = {}
        self._errors: dict[str, int] = {}

    def sample(self, pipeline: Any) -> None:
        runs: dict[str, int] = dict(pipeline.runs)
        for name, count in runs.items():
            total = float(pipeline.seconds.get(name, 0.0))
            new = count - self._runs.get(name, 0)
            if new > 0:
                each = max(0.0, total - self._seconds.get(name, 0.0)) / new
                for _ in range(min(new, 1000)):  # bound the work after a long gap
                    self.metrics.detector_latency.labels(name).observe(each)
            self._runs[name] = count
            self._seconds[name] = total
        for name, count in dict(pipeline.errors).items():
            new = count - self._errors.get(name, 0)
            if new > 0:
                self.metrics.detector_errors.labels(name).inc(new)
            self._errors[name] = count
