"""Worker progress and heartbeat in Redis: what ``isop demo`` (and later ops) show.

Each worker writes a small hash every few seconds, with a TTL of a few intervals, so a
live worker is one whose key exists.  Cheap: one pipelined write per interval.
"""

from __future__ import annotations

import os
import time
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy_redis.connection import get_redis_from_settings
from twisted.internet import task

from crawler.fleet import worker_id
from crawler.keys import Keys

COUNTERS = {
    "pages": "response_received_count",
    "items": "item_scraped_count",
    "flagged": "isop/pages_flagged",
    "errors": "isop/fetch_errors",
}


class ProgressReporter:
    """Writes ``<prefix>:workers:<id>`` with this worker's counters, as a heartbeat."""

    def __init__(self, crawler: Crawler, keys: Keys, interval: float) -> None:
        self.crawler = crawler
        self.keys = keys
        self.interval = interval
        self.worker_id = worker_id(crawler)
        self.server = get_redis_from_settings(crawler.settings)
        self._loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressReporter:
        config = crawler.settings["ISOP_CONFIG"]
        ext = cls(crawler, Keys(config.redis.key_prefix), config.metrics.progress_interval)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def snapshot(self) -> dict[str, Any]:
        stats = self.crawler.stats
        assert stats is not None
        values = stats.get_stats()
        out: dict[str, Any] = {name: int(values.get(key, 0)) for name, key in COUNTERS.items()}
        out["errors"] = sum(int(v) for k, v in values.items() if k.startswith("isop/fetch_errors/"))
        scheduler = getattr(getattr(self._engine(), "_slot", None), "scheduler", None)
        out["leases"] = len(getattr(scheduler, "_held", ()))
        out["updated_at"] = time.time()
        out["pid"] = os.getpid()
        return out

    def _engine(self) -> Any:
        try:
            return self.crawler.engine
        except RuntimeError:
            return None

    def write(self, state: str = "running") -> None:
        key = self.keys.worker(self.worker_id)
        try:
            with self.server.pipeline() as pipe:
                pipe.hset(key, mapping={**self.snapshot(), "state": state})
                pipe.expire(key, max(5, int(self.interval * 5)))
                pipe.execute()
        except Exception as exc:  # progress is advisory: never stop the crawl for it
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value(f"isop/progress_errors/{type(exc).__name__}")

    def spider_opened(self) -> None:
        self._loop = task.LoopingCall(self.write)
        self._loop.start(self.interval, now=True)

    def spider_closed(self, reason: str) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        self.write(state=f"closed:{reason}")
