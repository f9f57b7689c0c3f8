"""Frontier ops/s (push + pop + ack, ~300-byte requests) vs scrapy-redis PriorityQueue push + pop.

One cycle = one request queued, handed out and (ours) acknowledged, on a real redis-server:

* ours, end to end: ``scrapy.Request`` -> JSON codec + fingerprint + registered domain ->
  ``Frontier.push`` in batches of 50 (as the scheduler flushes) -> ``Frontier.pop`` in batches
  of 16 (the scheduler's prefetch) -> decode back to a ``Request`` -> ``Frontier.ack``; 16
  shards, 1,000 domains, no politeness delay, in-flight limit high enough not to throttle;
  dedup, page budget check, per-domain queues, leases and stats all run in the Lua scripts;
* ours, store only: the same calls with entries encoded beforehand (the Redis side alone);
* stock: scrapy-redis ``RFPDupeFilter.request_seen`` (one SADD) + ``PriorityQueue.push``
  (pickle, one ZADD) per request, then ``PriorityQueue.pop`` (one MULTI round trip, unpickle)
  per request, exactly as its Scheduler calls them.

Both start from the same ``Request`` objects (no callback, so no spider method lookup) and
keep a backlog queued (not timed).  The variants run interleaved in rounds so that the
machine's drift hits all of them; Redis CPU per 1,000 cycles comes from ``INFO cpu``.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import redis
from rich.console import Console
from rich.table import Table
from scrapy import Request
from scrapy.utils.request import fingerprint, request_from_dict
from scrapy_redis import picklecompat
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue

from crawler.domains import registered_domain
from crawler.frontier import codec
from crawler.frontier.store import Entry, Frontier, FrontierSettings
from crawler.redis_server import EmbeddedRedis

DOMAINS = 1_000
PUSH_BATCH = 50  # requests per push call (the scheduler flushes per page: ~7 links a page)
POP_BATCH = 16  # the scheduler's prefetch
WORKER = "bench-worker"


def make_requests(start: int, count: int) -> list[Request]:
    """Distinct requests of ~300 bytes as JSON, spread over ``DOMAINS`` sites."""
    return [
        Request(
            f"http://site{i % DOMAINS}.to/film/{i}-{i % 977}",
            headers={"Referer": f"http://site{(i * 7) % DOMAINS}.to/"},
            meta={"site_hops": i % 4, "how_found": "link", "found_on_score": 0.05},
            priority=-(i % 4) * 20,
        )
        for i in range(start, start + count)
    ]


def _entry(request: Request) -> Entry:
    """What FrontierScheduler.enqueue_request makes of a request."""
    return Entry(
        domain=registered_domain(request.url),
        priority=int(request.priority),
        json=codec.dumps(request.to_dict()),
        fingerprint=fingerprint(request),
    )


class _Spider:
    """The little of a spider that scrapy-redis's queue and dupefilter need."""

    name = "bench"


class Ours:
    """Push in batches, pop in batches, acknowledge what was popped."""

    def __init__(self, url: str, prefix: str, encode: bool) -> None:
        settings = FrontierSettings(shards=16, default_delay_ms=0,
                                    max_inflight_per_domain=1_000_000)  # fmt: skip
        self.frontier = Frontier.connect([url], prefix, settings)
        self.encode = encode

    def prepare(self, requests: list[Request]) -> Sequence[Any]:
        return requests if self.encode else [_entry(r) for r in requests]

    def cycle(self, items: Sequence[Any]) -> int:
        """Queue ``items`` (Requests, or Entries already encoded) and take as many back."""
        done = 0
        for start in range(0, len(items), PUSH_BATCH):
            batch = items[start : start + PUSH_BATCH]
            entries = [_entry(r) for r in batch] if self.encode else batch
            self.frontier.push(entries)
            wanted, empty = len(batch), 0
            while wanted > 0:
                leases, _ = self.frontier.pop(min(POP_BATCH, wanted), WORKER)
                if not leases:  # the shards asked had drained; others are asked next time
                    empty += 1
                    if empty > 100:
                        raise RuntimeError("frontier hands out nothing with requests queued")
                    continue
                if self.encode:
                    for lease in leases:
                        request_from_dict(codec.loads(lease.json))
                self.frontier.ack(leases)
                wanted -= len(leases)
                done += len(leases)
        return done

    def fill(self, items: Sequence[Any]) -> None:
        entries = [_entry(r) for r in items] if self.encode else items
        for start in range(0, len(entries), 500):
            self.frontier.push(entries[start : start + 500])

    def close(self) -> None:
        self.frontier.clear()
        self.frontier.close()


class Stock:
    """scrapy-redis's Scheduler calls: request_seen + push per request, pop per request."""

    def __init__(self, url: str, prefix: str) -> None:
        self.server = redis.Redis.from_url(url)
        spider: Any = _Spider()
        self.queue = PriorityQueue(self.server, spider, f"{prefix}:%(spider)s:requests",
                                   serializer=picklecompat)  # fmt: skip
        self.dupefilter = RFPDupeFilter(self.server, f"{prefix}:bench:dupefilter")

    def prepare(self, requests: list[Request]) -> Sequence[Any]:
        return requests

    def cycle(self, items: Sequence[Any]) -> int:
        done = 0
        for start in range(0, len(items), PUSH_BATCH):
            batch = items[start : start + PUSH_BATCH]
            for request in batch:
                if not self.dupefilter.request_seen(request):
                    self.queue.push(request)
            for _ in batch:
                if self.queue.pop() is None:
                    raise RuntimeError("scrapy-redis queue empty with requests queued")
                done += 1
        return done

    def fill(self, items: Sequence[Any]) -> None:
        for request in items:
            if not self.dupefilter.request_seen(request):
                self.queue.push(request)

    def close(self) -> None:
        self.queue.clear()
        self.dupefilter.clear()
        self.server.close()


def _redis_cpu(client: redis.Redis) -> float:
    info: dict[str, Any] = client.info("cpu")
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


def run(quick: bool = False) -> dict[str, Any]:
    total = 5_000 if quick else 100_000
    rounds = 2 if quick else 5
    backlog = 1_000 if quick else 5_000
    chunk = total // rounds
    names = ("ours", "ours_store_only", "stock")
    seconds = dict.fromkeys(names, 0.0)
    cycles = dict.fromkeys(names, 0)
    redis_cpu = dict.fromkeys(names, 0.0)
    per_round: dict[str, list[float]] = {name: [] for name in names}
    sample = make_requests(0, 200)
    json_size = sum(len(codec.dumps(r.to_dict())) for r in sample) / len(sample)
    pickle_size = sum(len(picklecompat.dumps(r.to_dict())) for r in sample) / len(sample)
    with tempfile.TemporaryDirectory(prefix="isop-bench-frontier-") as tmp, \
            EmbeddedRedis(Path(tmp)) as server:  # fmt: skip
        client = redis.Redis.from_url(server.url)
        variants: dict[str, Ours | Stock] = {
            "ours": Ours(server.url, "bench-ours", encode=True),
            "ours_store_only": Ours(server.url, "bench-store", encode=False),
            "stock": Stock(server.url, "bench-stock"),
        }
        next_id = 0
        for variant in variants.values():  # a backlog, as a running crawl has
            variant.fill(variant.prepare(make_requests(next_id, backlog)))
            next_id += backlog
        for round_ in range(rounds):
            order = names if round_ % 2 == 0 else tuple(reversed(names))
            for name in order:
                variant = variants[name]
                items = variant.prepare(make_requests(next_id, chunk))
                next_id += chunk
                cpu = _redis_cpu(client)
                start = time.perf_counter()
                done = variant.cycle(items)
                elapsed = time.perf_counter() - start
                redis_cpu[name] += _redis_cpu(client) - cpu
                cycles[name] += done
                seconds[name] += elapsed
                per_round[name].append(done / elapsed)
        for variant in variants.values():
            variant.close()
        client.close()
    rate = {name: cycles[name] / seconds[name] for name in names}
    table = Table(title=f"Frontier cycles (push + pop [+ ack]), {total:,} requests per variant, "
                        f"{rounds} interleaved rounds, backlog {backlog:,}")  # fmt: skip
    for column in ("variant", "cycles/s", "vs stock", "per round", "Redis CPU ms / 1k cycles",
                   "bytes/request"):  # fmt: skip
        table.add_column(column, justify="left" if column == "variant" else "right")
    labels: dict[str, tuple[str, Callable[[], float]]] = {
        "ours": ("ours: Request -> JSON -> push/50, pop/16, ack", lambda: json_size),
        "ours_store_only": ("ours: store only (pre-encoded entries)", lambda: json_size),
        "stock": ("scrapy-redis: SADD + ZADD per push, MULTI per pop", lambda: pickle_size),
    }
    for name in names:
        label, size = labels[name]
        table.add_row(label, f"{rate[name]:,.0f}", f"{rate[name] / rate['stock']:.2f}x",
                      " ".join(f"{r:,.0f}" for r in per_round[name]),
                      f"{1000 * 1000 * redis_cpu[name] / cycles[name]:.1f}",
                      f"{size():.0f}")  # fmt: skip
    Console(width=max(Console().width, 150)).print(table)
    return {
        "benchmark": "frontier",
        "requests": total,
        "ours_ops_per_s": round(rate["ours"]),
        "stock_ops_per_s": round(rate["stock"]),
        "ratio": round(rate["ours"] / rate["stock"], 3),
        "ours_store_only_ops_per_s": round(rate["ours_store_only"]),
        "store_only_ratio": round(rate["ours_store_only"] / rate["stock"], 3),
        "json_bytes_per_request": round(json_size),
        "pickle_bytes_per_request": round(pickle_size),
    }
