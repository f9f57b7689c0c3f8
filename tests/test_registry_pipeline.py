"""RegistryPipeline group commit on SQLite and a real PostgreSQL: batches by size and by
time, every verdict written (flags and clean pages counted), a refused verdict isolated and
counted, and a database outage waited out without losing a verdict."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from sqlalchemy.engine import make_url
from stats_helpers import Stats

from crawler.items import PageItem
from crawler.pipelines.registry import RegistryPipeline
from crawler.registry import Registry
from detectors.base import Verdict

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def _item(n: int, domain: str, infringing: bool = True, score: float = 0.9) -> PageItem:
    body = f"<html>page {n} of {domain}</html>".encode()
    verdict = Verdict(score=score, infringing=infringing, kind="index" if infringing else None,
                      signals=(), explanation=f"page {n}")  # fmt: skip
    return PageItem(url=f"http://{domain}/p{n}", domain=domain, status=200,
                    content_type="text/html", kind="html", body=body,
                    fetched_at=T0 + timedelta(seconds=n), verdict=verdict)  # fmt: skip


def _pipeline(url: str, batch_size: int, flush_s: float) -> tuple[RegistryPipeline, Stats]:
    stats = Stats()
    return RegistryPipeline(Registry.open(url), stats, batch_size, flush_s), stats


def test_batches_by_size_then_by_time_and_counts_every_write(registry_url: str) -> None:
    pipeline, stats = _pipeline(registry_url, batch_size=20, flush_s=0.05)
    # 5 sites x 10 pages: 40 flagged, 10 clean (the 10th page of each site).
    items = [_item(n, f"pirate{n % 5}.to", infringing=n < 40) for n in range(50)]

    async def run() -> list[Any]:
        out = await asyncio.gather(*(pipeline.process_item(item) for item in items))
        await pipeline.close_spider()
        return out

    assert asyncio.run(run()) == items  # every item passes through, once its verdict is in
    assert stats.values["isop/registry/batches"] == 3  # 20 + 20 at size, 10 at the timer
    assert stats.values["isop/registry/writes/flag"] == 40
    assert stats.values["isop/registry/writes/clean"] == 10
    assert stats.values["isop/registry/flags_written"] == 40
    with Registry.open(registry_url) as registry:
        sites = registry.sites()
        assert sorted(s.domains[0] for s in sites) == [f"pirate{i}.to" for i in range(5)]
        assert sum(len(registry.evidence(s.id)) for s in sites) == 40
        assert all(s.status == "confirmed" for s in sites)


def test_a_lone_verdict_waits_no_longer_than_the_flush_time(registry_url: str) -> None:
    pipeline, stats = _pipeline(registry_url, batch_size=1000, flush_s=0.05)

    async def run() -> float:
        start = time.monotonic()
        await pipeline.process_item(_item(1, "alone.to"))
        elapsed = time.monotonic() - start
        await pipeline.close_spider()
        return elapsed

    assert asyncio.run(run()) < 5  # not stuck waiting for 999 more
    assert stats.values["isop/registry/batches"] == 1
    with Registry.open(registry_url) as registry:
        assert registry.site_by_domain("alone.to") is not None


def test_a_refused_verdict_is_rejected_and_counted_the_others_written(registry_url: str) -> None:
    pipeline, stats = _pipeline(registry_url, batch_size=10, flush_s=0.05)
    items = [_item(n, f"good{n}.to") for n in range(9)]
    bad = _item(9, "good9.to")
    bad.domain = "not a domain at all"  # validation refuses it: the batch must not fail

    async def run() -> None:
        await asyncio.gather(*(pipeline.process_item(i) for i in [*items, bad]))
        await pipeline.close_spider()

    asyncio.run(run())
    assert stats.values["isop/registry/writes/rejected"] == 1
    assert stats.values["isop/registry/writes/flag"] == 9
    assert stats.values["isop/registry_errors/ValueError"] >= 1
    with Registry.open(registry_url) as registry:
        assert len(registry.sites()) == 9


def _allow_connections(server: Any, database: str, allowed: bool) -> None:
    with psycopg.connect(f"host=127.0.0.1 port={server.port} user=postgres dbname=postgres",
                         autocommit=True) as conn:  # fmt: skip
        conn.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS {str(allowed).lower()}')
        if not allowed:
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                         "WHERE datname = %s", (database,))  # fmt: skip


def test_a_database_outage_is_waited_out_and_no_verdict_is_lost(postgres: Any) -> None:
    url = postgres.create_database()
    database = make_url(url).database
    assert database is not None
    pipeline, stats = _pipeline(url, batch_size=5, flush_s=0.02)

    async def run() -> None:
        await pipeline.process_item(_item(0, "before.to"))  # the pool holds a connection now
        _allow_connections(postgres, database, False)
        tasks = [asyncio.create_task(pipeline.process_item(_item(n, f"during{n}.to")))
                 for n in range(1, 13)]  # fmt: skip
        deadline = time.monotonic() + 30
        while stats.values["isop/registry/write_failures"] < 10:
            assert time.monotonic() < deadline, dict(stats.values)
            await asyncio.sleep(0.05)
        assert not any(task.done() for task in tasks)  # waiting, not dropped
        _allow_connections(postgres, database, True)
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=60)
        await pipeline.close_spider()

    asyncio.run(run())
    assert stats.values["isop/registry/writes/flag"] == 13
    assert stats.values["isop/registry/writes/rejected"] == 0
    assert stats.values["isop/registry_errors/OperationalError"] >= 1
    with Registry.open(url) as registry:
        assert len(registry.sites()) == 13
