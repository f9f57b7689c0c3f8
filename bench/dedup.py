"""Frontier dedup: our time-bucketed Bloom filter vs scrapy-redis's RFPDupeFilter (memory, speed).

Each contender gets a fresh embedded redis-server (as shipped: AOF on; automatic AOF
rewrites off, so no rewrite buffer lands in the memory figure) and the same N distinct
URLs.  Requests are fingerprinted beforehand, each filter its own way (Scrapy's SHA-1 for
ours, scrapy-redis's hex for stock), and only the check-and-set is timed: ours in batches
as the frontier scheduler sends them, stock with one SADD per URL as ``request_seen`` does.
Memory is the growth of Redis ``used_memory``.  The false-positive rate is measured on
fingerprints never inserted, with one window full and with both live windows full (the
worst case, which the configured rate is for).  The exact mode is shown for scale.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import redis
from rich.console import Console
from rich.table import Table
from scrapy import Request
from scrapy.utils.request import RequestFingerprinter
from scrapy_redis.dupefilter import RFPDupeFilter

from crawler.frontier.bloom import BATCH_LUA, BloomDedup, make_dedup
from crawler.redis_server import EmbeddedRedis

ERROR_RATE = 0.001
BATCH = 500  # the frontier scheduler's push batch
CHUNK = 20_000  # requests built and fingerprinted at a time, outside the timed region
KEY = "isop:bench:dupefilter"


def _requests(start: int, stop: int) -> list[Request]:
    return [Request(f"https://site{i % 5003}.example/watch/{i}?ep={i % 24}&lang=en")
            for i in range(start, stop)]  # fmt: skip


def _fingerprints(n: int, fingerprint: Callable[[Request], Any]) -> list[Any]:
    """N distinct URLs' fingerprints, built chunk by chunk (1M requests at once is ~1 GB)."""
    out: list[Any] = []
    for start in range(0, n, CHUNK):
        out.extend(fingerprint(r) for r in _requests(start, min(n, start + CHUNK)))
    return out


def _timed(fps: Sequence[Any], check_and_set: Callable[[Sequence[Any]], int]) -> tuple[float, int]:
    """Seconds spent in ``check_and_set`` over all fingerprints, and how many it reported
    as duplicates (all are distinct: those are false positives)."""
    begin = time.perf_counter()
    dups = sum(check_and_set(fps[i : i + BATCH]) for i in range(0, len(fps), BATCH))
    return time.perf_counter() - begin, dups


def _random_fps(count: int) -> list[bytes]:
    salt = os.urandom(8)
    return [hashlib.sha1(salt + i.to_bytes(8, "big")).digest() for i in range(count)]


class _Server:
    """A fresh embedded Redis, with a second connection to read its memory."""

    def __init__(self, folder: str, name: str) -> None:
        self.server = EmbeddedRedis(Path(folder) / name)
        self.server.start()
        self.client = redis.Redis.from_url(self.server.url)
        self.meter = redis.Redis.from_url(self.server.url)
        self.meter.config_set("auto-aof-rewrite-percentage", 0)

    def used_memory(self) -> int:
        """Data memory: without the working connection's buffers, and without the slow
        log (up to 128 entries of a batch script's arguments: bounded, not per URL)."""
        self.client.connection_pool.disconnect()
        deadline = time.monotonic() + 5.0
        while self.meter.info("clients")["connected_clients"] > 1 and time.monotonic() < deadline:
            time.sleep(0.01)  # the server has yet to see the hang-up
        self.meter.slowlog_reset()
        return int(self.meter.info("memory")["used_memory"])

    def close(self) -> None:
        self.client.close()
        self.meter.close()
        self.server.stop()


def _ours(folder: str, mode: str, fps: Sequence[bytes], probes: Sequence[bytes]) -> dict[str, Any]:
    server = _Server(folder, mode)
    try:
        n = len(fps)
        dedup = make_dedup(mode, server.client, "{" + KEY + "}", capacity=n,
                           error_rate=ERROR_RATE)  # fmt: skip
        server.client.script_load(BATCH_LUA)  # the script cache is not per-URL memory
        before = server.used_memory()

        def check_and_set(batch: Sequence[bytes]) -> int:
            return sum(dedup.seen_and_set_many(batch))

        elapsed, dups = _timed(fps, check_and_set)
        out: dict[str, Any] = {
            "bytes": server.used_memory() - before, "seconds": elapsed, "dups": dups,
        }  # fmt: skip
        if isinstance(dedup, BloomDedup):
            now = time.time()
            out["fp_one"] = sum(dedup.contains_many(probes, now=now)) / len(probes)
            # The next window fills up too: both live buckets full, the steady state.
            later = (dedup.bucket(now) + 1) * dedup.window_ms / 1000 + 1
            for start in range(0, n, CHUNK):
                dedup.seen_and_set_many(_random_fps(min(CHUNK, n - start)), now=later)
            out["fp_two"] = sum(dedup.contains_many(probes, now=later)) / len(probes)
        return out
    finally:
        server.close()


def _stock(folder: str, n: int) -> dict[str, Any]:
    server = _Server(folder, "stock")
    try:
        df = RFPDupeFilter(server.client, KEY)
        before = server.used_memory()

        def check_and_set(batch: Sequence[str]) -> int:
            # RFPDupeFilter.request_seen after its fingerprint: one SADD per URL.
            return sum(df.server.sadd(df.key, fp) == 0 for fp in batch)

        elapsed, dups = _timed(_fingerprints(n, df.request_fingerprint), check_and_set)
        return {"bytes": server.used_memory() - before, "seconds": elapsed, "dups": dups}
    finally:
        server.close()


def run(quick: bool = False) -> dict[str, Any]:
    n = 50_000 if quick else 1_000_000
    probes = _random_fps(50_000 if quick else 200_000)
    with tempfile.TemporaryDirectory(prefix="isop-bench-dedup-") as folder:
        scrapy_fps = _fingerprints(n, RequestFingerprinter().fingerprint)
        bloom = _ours(folder, "bloom", scrapy_fps, probes)
        exact = _ours(folder, "exact", scrapy_fps, probes)
        del scrapy_fps
        stock = _stock(folder, n)
    table = Table(title=f"Frontier dedup: check-and-set of {n:,} distinct URLs")
    for col in ("dedup", "bytes/URL", "Redis memory", "URLs/s", "false positives"):
        table.add_column(col, justify="right")
    rows = (
        (f"isop Bloom p={ERROR_RATE:.1%}, batches of {BATCH}", bloom,
         f"{bloom['fp_two']:.3%} (2 windows full), {bloom['fp_one']:.3%} (1)"),
        (f"isop exact, batches of {BATCH}", exact, "none"),
        ("scrapy-redis RFPDupeFilter, SADD each", stock, "none"),
    )  # fmt: skip
    for name, r, false_positives in rows:
        table.add_row(name, f"{r['bytes'] / n:.2f}", f"{r['bytes'] / 2**20:,.1f} MB",
                      f"{n / r['seconds']:,.0f}", false_positives)  # fmt: skip
    Console().print(table)
    per_url = {k: r["bytes"] / n for k, r in (("bloom", bloom), ("exact", exact), ("stock", stock))}
    speed = {k: n / r["seconds"] for k, r in (("bloom", bloom), ("exact", exact), ("stock", stock))}
    return {
        "benchmark": "dedup",
        "urls": n,
        "bytes_per_url_bloom": round(per_url["bloom"], 3),
        "bytes_per_url_exact": round(per_url["exact"], 2),
        "bytes_per_url_stock": round(per_url["stock"], 2),
        "memory_ratio": round(per_url["bloom"] / per_url["stock"], 4),
        "throughput_bloom": round(speed["bloom"]),
        "throughput_exact": round(speed["exact"]),
        "throughput_stock": round(speed["stock"]),
        "throughput_ratio": round(speed["bloom"] / speed["stock"], 3),
        "measured_fp_rate": round(bloom["fp_two"], 5),
        "measured_fp_rate_one_window": round(bloom["fp_one"], 5),
        "configured_fp_rate": ERROR_RATE,
        "false_positives_while_inserting": bloom["dups"],
    }
