"""Registry ingest: flags/s with evidence rows, 4 concurrent writer processes, SQLite and
PostgreSQL; batched (``record_page_verdicts``) and the crawl's own path (``RegistryPipeline``
group commit, items awaiting their commit) vs one transaction per flag (the baseline:
``record_page_verdict``, what the pipeline did per page before group commit).

Each flag is an infringing page verdict with its own URL and content hash, so every flag adds
an evidence row and a score-history row and updates its site; the writers share 1,000 sites,
created before the timing (the steady state of a fleet: most flags are pages of sites already
known; the first flag of a new domain also runs linking and queues an alert, ~25 ms each).
PostgreSQL is a throwaway server started with ``initdb``/``pg_ctl`` from PATH (fsync off, as
for tests: the figure is the registry's own cost, not the disk's), or ``ISOP_BENCH_PG_URL``.
Writers are spawned processes that open the registry, wait at a barrier, then write; the rate
is all flags over the time from the first writer's start to the last one's end.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

WRITERS = 4
DOMAINS = 1_000
BATCH = 500
PIPELINE = 0  # "batch" of the RegistryPipeline mode: its own group commit decides
IN_FLIGHT = 100
T0 = datetime(2025, 1, 1, tzinfo=UTC)


def _verdict(writer: int, i: int) -> dict[str, Any]:
    domain = f"site{(i * 7 + writer * 13) % DOMAINS}.to"
    url = f"https://{domain}/w{writer}/page{i}"
    return {
        "domain": domain, "url": url, "score": 0.6 + (i % 40) / 100, "infringing": True,
        "kind": "streaming", "explanation": "player iframes, HLS manifest",
        "signals": [{"detector": "heuristic", "name": "player", "score": 0.8}],
        "content_sha256": hashlib.sha256(url.encode()).hexdigest(),
        "seen_at": T0 + timedelta(seconds=i),
    }  # fmt: skip


def _writer(url: str, writer: int, flags: int, batch: int, barrier: Any) -> tuple[float, float]:
    from crawler.registry import Registry

    verdicts = [_verdict(writer, i) for i in range(flags)]
    with Registry.open(url) as registry:
        barrier.wait()
        start = time.time()
        if batch > 1:
            for at in range(0, flags, batch):
                registry.record_page_verdicts(verdicts[at : at + batch])
        else:
            for verdict in verdicts:
                registry.record_page_verdict(**verdict)
        return start, time.time()


async def feed_in_flight(pipeline: Any, items: list[Any], in_flight: int = IN_FLIGHT) -> None:
    """``pipeline.process_item`` for every item, ``in_flight`` awaiting at once, as Scrapy's
    scraper holds them (``CONCURRENT_ITEMS``): what a group-commit pipeline sees in a crawl."""
    import asyncio

    gate = asyncio.Semaphore(in_flight)

    async def one(item: Any) -> None:
        async with gate:
            await pipeline.process_item(item)

    await asyncio.gather(*(one(item) for item in items))


def _pipeline_writer(url: str, writer: int, flags: int, _: int, barrier: Any
                     ) -> tuple[float, float]:  # fmt: skip
    """The crawl's path: PageItems through RegistryPipeline (group commit), with up to
    ``IN_FLIGHT`` items awaiting their commit at once, as Scrapy's scraper holds them."""
    import asyncio

    from crawler.items import PageItem
    from crawler.pipelines.registry import RegistryPipeline
    from crawler.registry import Registry
    from detectors.base import Verdict

    class Stats:
        def inc_value(self, key: str, count: int = 1) -> None:
            pass

    items = []
    for i in range(flags):
        v = _verdict(writer, i)
        items.append(PageItem(url=v["url"], domain=v["domain"], status=200,
                              content_type="text/html", kind="html", body=v["url"].encode(),
                              fetched_at=v["seen_at"],
                              verdict=Verdict(v["score"], True, v["kind"], (), v["explanation"])))
    pipeline = RegistryPipeline(Registry.open(url), Stats())  # defaults: registry section

    async def feed() -> None:
        await feed_in_flight(pipeline, items)
        await pipeline.close_spider()

    barrier.wait()
    start = time.time()
    asyncio.run(feed())
    return start, time.time()


def _measure(url: str, flags_per_writer: int, batch: int) -> float:
    from crawler.registry import Registry

    with Registry.open(url) as registry:  # migrate, and create the sites: not timed
        registry.record_page_verdicts(_verdict(WRITERS, i) for i in range(DOMAINS))
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        barrier = manager.Barrier(WRITERS)
        with context.Pool(WRITERS) as pool:
            spans = pool.starmap(
                _pipeline_writer if batch == PIPELINE else _writer,
                [(url, w, flags_per_writer, batch, barrier) for w in range(WRITERS)],
            )
    seconds = max(end for _, end in spans) - min(start for start, _ in spans)
    with Registry.open(url) as registry:  # every flag landed, once
        stored = sum(site.evidence_count for site in registry.sites())
    if stored != WRITERS * flags_per_writer + DOMAINS:
        raise RuntimeError(f"{stored} evidence rows for {WRITERS * flags_per_writer} flags")
    return WRITERS * flags_per_writer / seconds


def _postgres(folder: Path) -> tuple[Any, Any]:
    """(server to stop or None, function returning a fresh database URL)."""
    external = os.environ.get("ISOP_BENCH_PG_URL")
    if external:
        return None, lambda: external
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from pg import PostgresServer  # the tests' throwaway server

    server = PostgresServer(folder / "pg")
    server.start()
    return server, server.create_database


@contextmanager
def databases(prefix: str) -> Iterator[tuple[Path, Callable[[str, Path], str]]]:
    """A temporary folder, and ``url(backend, sqlite_file)``: a fresh database of that backend
    (the SQLite file, or a new database on a throwaway or ``ISOP_BENCH_PG_URL`` PostgreSQL
    server, stopped at the end) for benchmarks that compare both backends."""
    with tempfile.TemporaryDirectory(prefix=prefix) as name:
        folder = Path(name)
        server, new_pg = _postgres(folder)

        def url(backend: str, sqlite_file: Path) -> str:
            return f"sqlite:///{sqlite_file}" if backend == "sqlite" else str(new_pg())

        try:
            yield folder, url
        finally:
            if server is not None:
                server.stop()


def run(quick: bool = False) -> dict[str, Any]:
    batched, single = (500, 100) if quick else (10_000, 1_500)
    rates: dict[str, float] = {}
    with databases("isop-bench-registry-") as (folder, url):
        for backend in ("sqlite", "postgresql"):
            for mode, flags, batch in (("single", single, 1), ("batched", batched, BATCH),
                                       ("pipeline", batched // 2, PIPELINE)):  # fmt: skip
                rates[f"{backend}_{mode}"] = _measure(url(backend, folder / f"{mode}.db"),
                                                      flags, batch)  # fmt: skip
    table = Table(title=f"Registry ingest, {WRITERS} writer processes, flags with evidence")
    for col in ("backend", "writes", "flags", "flags/s", "vs one per transaction"):
        table.add_column(col, justify="right")
    for backend in ("sqlite", "postgresql"):
        base = rates[f"{backend}_single"]
        table.add_row(backend, "one flag per transaction (baseline)", f"{WRITERS * single:,}",
                      f"{base:,.0f}", "1.00x")  # fmt: skip
        ours = rates[f"{backend}_batched"]
        table.add_row(backend, f"batches of {BATCH} (record_page_verdicts)",
                      f"{WRITERS * batched:,}", f"{ours:,.0f}", f"{ours / base:.2f}x")  # fmt: skip
        piped = rates[f"{backend}_pipeline"]
        table.add_row(backend, f"RegistryPipeline group commit, {IN_FLIGHT} items in flight",
                      f"{WRITERS * (batched // 2):,}", f"{piped:,.0f}",
                      f"{piped / base:.2f}x")  # fmt: skip
    Console().print(table)
    return {
        "benchmark": "registry",
        "writers": WRITERS,
        "batch": BATCH,
        **{f"flags_per_s_{k}": round(v) for k, v in rates.items()},
        "ratio_sqlite": round(rates["sqlite_batched"] / rates["sqlite_single"], 2),
        "ratio_postgresql": round(rates["postgresql_batched"] / rates["postgresql_single"], 2),
        "ratio_pipeline_sqlite": round(rates["sqlite_pipeline"] / rates["sqlite_single"], 2),
        "ratio_pipeline_postgresql": round(
            rates["postgresql_pipeline"] / rates["postgresql_single"], 2
        ),
        "goal_postgresql_batched": 2000,
    }
