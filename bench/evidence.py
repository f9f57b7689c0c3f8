"""Evidence capture: records/s through EvidencePipeline (group commit: one WARC fsync and one
transaction per batch) vs one fsync and one transaction per record (the baseline: what the
pipeline did before, ``WarcStore.append`` + ``chain.append`` per page), SQLite and PostgreSQL.

Each record is a flagged ~16 KB HTML page: request, response and metadata WARC records
(gzip), a chained row, and (ours) a chain-head log line per batch.  Ours feeds the pipeline
``IN_FLIGHT`` items at once, as Scrapy's scraper holds them (``CONCURRENT_ITEMS``).  The WARC
files go to the temporary directory (ext4 here, so fsync is real; on a tmpfs it costs
nothing and the ratio shrinks to the transactions' share); PostgreSQL is the tests' throwaway server
(fsync off: the figure is the evidence writer's cost, the database's commits are cheap), or
``ISOP_BENCH_PG_URL``.  After each run the chain is verified (not timed) and every record
must be there.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bench.registry import databases, feed_in_flight

IN_FLIGHT = 100
T0 = datetime(2026, 1, 1, tzinfo=UTC)
WORDS = ["film", "stream", "watch", "episode", "season", "magnet", "torrent", "hd", "free"]


class _Stats:
    def inc_value(self, key: str, count: int = 1) -> None:
        pass


def _items(count: int, seed: int) -> list[Any]:
    from crawler.items import PageItem
    from detectors.base import Signal, Verdict

    rng = random.Random(seed)
    items = []
    for i in range(count):
        text = " ".join(rng.choice(WORDS) + str(rng.randrange(1000)) for _ in range(2_000))
        body = f"<html><body><p>{text}</p></body></html>".encode()
        verdict = Verdict(0.9, True, "index", (Signal("heuristic", "magnet_links", 0.8, "x"),),
                          "many magnet links")  # fmt: skip
        item = PageItem(url=f"https://site{i % 50}.to/{seed}/page{i}", domain=f"site{i % 50}.to",
                        status=200, content_type="text/html", kind="html", body=body,
                        fetched_at=T0 + timedelta(seconds=i), verdict=verdict)  # fmt: skip
        item.capture = {"request_headers": [["User-Agent", "bench"]], "ip_address": "127.0.0.1",
                        "response_headers": [["Content-Type", "text/html"]]}  # fmt: skip
        items.append(item)
    return items


def _pipeline(url: str, folder: Path) -> Any:
    from crawler.alerts.db import open_engine
    from crawler.evidence.warc import WarcStore
    from crawler.pipelines.evidence import EvidencePipeline

    store = WarcStore(folder, 100_000_000, "bench; isop-crawler")
    return EvidencePipeline(open_engine(url), store, _Stats())  # defaults: batch 100, 50 ms


def _baseline(url: str, folder: Path, count: int) -> float:
    """One record at a time, WARC fsync then its own transaction (the old path)."""
    from crawler.evidence import chain

    items = _items(count, 1)
    pipe = _pipeline(url, folder)
    start = time.perf_counter()
    for item in items:
        capture = pipe.prepare(item)
        stored = pipe.store.append(capture.fetch, capture.metadata)
        where = {"payload_sha256": stored.payload_sha256, "warc_file": stored.warc_file,
                 "warc_offset": stored.offset, "warc_length": stored.length,
                 "warc_sha256": stored.sha256}  # fmt: skip
        chain.append(pipe.engine, {**capture.fields, **where})
    seconds = time.perf_counter() - start
    _check(pipe, folder, count)
    return count / seconds


def _ours(url: str, folder: Path, count: int) -> float:
    items = _items(count, 2)
    pipe = _pipeline(url, folder)

    start = time.perf_counter()
    asyncio.run(feed_in_flight(pipe, items, IN_FLIGHT))
    seconds = time.perf_counter() - start
    _check(pipe, folder, count)
    return count / seconds


def _check(pipe: Any, folder: Path, count: int) -> None:
    from crawler.evidence import chain

    engine = pipe.engine
    pipe.executor.shutdown(wait=True)
    pipe.store.close()
    pipe.anchor.close()
    report = chain.verify(engine, folder)
    engine.dispose()
    if not report.ok or report.checked != count:
        raise RuntimeError(f"{report.checked} records for {count}: {report.problems[:1]}")


def run(quick: bool = False) -> dict[str, Any]:
    single, grouped = (60, 300) if quick else (600, 4_000)
    rates: dict[str, float] = {}
    with databases("isop-bench-evidence-") as (folder, url):
        for backend in ("sqlite", "postgresql"):
            for mode, count, measure in (("per_record", single, _baseline),
                                         ("group", grouped, _ours)):  # fmt: skip
                where = folder / f"{backend}-{mode}"
                where.mkdir()
                rates[f"{backend}_{mode}"] = measure(url(backend, where / "registry.db"),
                                                     where / "evidence", count)  # fmt: skip
    load = os.getloadavg()[0]  # the machine is shared: say how busy it was
    table = Table(title="Evidence capture, one process: WARC records + chained rows, ~16 KB "
                  f"pages (load average {load:.1f})")  # fmt: skip
    for col in ("backend", "writes", "records", "records/s", "vs per record"):
        table.add_column(col, justify="right")
    for backend in ("sqlite", "postgresql"):
        base, ours = rates[f"{backend}_per_record"], rates[f"{backend}_group"]
        table.add_row(backend, "fsync + transaction per record (baseline)", f"{single:,}",
                      f"{base:,.0f}", "1.00x")  # fmt: skip
        table.add_row(backend, f"EvidencePipeline group commit, {IN_FLIGHT} in flight",
                      f"{grouped:,}", f"{ours:,.0f}", f"{ours / base:.2f}x")  # fmt: skip
    Console().print(table)
    return {
        "benchmark": "evidence",
        "load_average": round(load, 2),
        **{f"records_per_s_{k}": round(v) for k, v in rates.items()},
        "ratio_sqlite": round(rates["sqlite_group"] / rates["sqlite_per_record"], 2),
        "ratio_postgresql": round(rates["postgresql_group"] / rates["postgresql_per_record"], 2),
    }
