"""The operator's view of a fleet: shards, queue depths, leases, workers and heartbeats.

One function gathers it from Redis; ``isop fleet status`` prints it and the Prometheus
exporter serves the same figures as gauges, so the terminal and Grafana never disagree.
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import redis
from scrapy.crawler import Crawler

from crawler.config import Config
from crawler.frontier.store import Frontier, FrontierSettings
from crawler.keys import Keys


def worker_id(crawler: Crawler) -> str:
    """One id per worker process, shared by its scheduler (lease ids) and its heartbeat."""
    existing: str | None = getattr(crawler, "_isop_worker_id", None)
    if existing is None:
        existing = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        crawler._isop_worker_id = existing  # type: ignore[attr-defined]
    return existing


@dataclass
class WorkerView:
    id: str
    state: str
    pages: int
    flagged: int
    leases: int
    heartbeat_age: float  # seconds since the last heartbeat


@dataclass
class FleetStatus:
    shards: list[dict[str, Any]] = field(default_factory=list)
    workers: list[WorkerView] = field(default_factory=list)
    seeds_waiting: int = 0

    def total(self, column: str) -> int:
        return sum(int(row[column]) for row in self.shards)

    def to_json(self) -> dict[str, Any]:
        return {
            "queued": self.total("queued"),
            "scheduled": self.total("scheduled"),
            "leased": self.total("leased"),
            "expired_recovered": self.total("expired"),
            "dead_letters": self.total("dead_letters"),
            "seeds_waiting": self.seeds_waiting,
            "live_workers": len(self.workers),
            "shards": self.shards,
            "workers": [vars(w) for w in self.workers],
        }


def connect_frontier(config: Config) -> Frontier:
    """A frontier client for reading status (settings beyond the shard count don't matter)."""
    return Frontier.connect(list(config.redis.urls), config.redis.key_prefix,
                            FrontierSettings(shards=config.frontier.shards),
                            cluster=config.redis.cluster)  # fmt: skip


def gather(frontier: Frontier, client: redis.Redis, keys: Keys,
           spiders: tuple[str, ...] = ("discovery",)) -> FleetStatus:  # fmt: skip
    """Read the fleet's state: a handful of pipelined reads per Redis server."""
    status = FleetStatus(shards=frontier.status())
    now = time.time()
    for key in client.scan_iter(match=keys.workers_pattern, count=200):
        values = {_text(k): _text(v) for k, v in client.hgetall(key).items()}
        if not values:
            continue
        status.workers.append(WorkerView(
            id=_text(key).rsplit(":workers:", 1)[-1],
            state=values.get("state", "?"),
            pages=int(values.get("pages", 0)),
            flagged=int(values.get("flagged", 0)),
            leases=int(values.get("leases", 0)),
            heartbeat_age=max(0.0, now - float(values.get("updated_at", now))),
        ))  # fmt: skip
    status.workers.sort(key=lambda w: w.id)
    status.seeds_waiting = sum(int(client.llen(keys.start_urls(name))) for name in spiders)
    return status


def _text(value: bytes | str) -> str:
    return value if isinstance(value, str) else value.decode("utf-8", "replace")
