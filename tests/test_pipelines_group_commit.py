"""Group commit never strands an item: the cause of the iptv end-to-end crawl that hung.

The evidence and registry pipelines start a batch timer only when no writer is busy, since a
busy writer cuts the next batch itself when it ends.  "Busy" used to be "its task is still
in ``_tasks``", but a task leaves that set in a done-callback, one loop step after its last
look at the buffer.  An item that arrived in that step (here: the next item of the same
coroutine, resumed by its predecessor's result, as Scrapy's scraper feeds the next item) got
neither a timer nor a writer: it waited for ever, and so did the spider's close.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from stats_helpers import Stats

from crawler.alerts.db import open_engine
from crawler.evidence.warc import WarcStore
from crawler.items import PageItem
from crawler.pipelines.evidence import EvidencePipeline
from crawler.pipelines.registry import RegistryPipeline
from crawler.registry import Registry
from detectors.base import Signal, Verdict

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def _item(n: int) -> PageItem:
    verdict = Verdict(0.9, True, "index", (Signal("heuristic", "magnet_links", 0.8, "x"),),
                      "many magnet links")  # fmt: skip
    item = PageItem(url=f"http://pirate.to/p{n}", domain="pirate.to", status=200,
                    content_type="text/html", kind="html", body=f"<p>page {n}</p>".encode(),
                    fetched_at=T0 + timedelta(seconds=n), verdict=verdict)  # fmt: skip
    item.capture = {"request_headers": [], "response_headers": [], "ip_address": "127.0.0.1"}
    return item


def _evidence(tmp_path: Path, stats: Stats) -> EvidencePipeline:
    store = WarcStore(tmp_path / "evidence", 10_000_000, "test; isop-crawler")
    return EvidencePipeline(open_engine(f"sqlite:///{tmp_path / 'e.db'}"), store, stats,
                            batch_size=100, flush_s=0.05)  # fmt: skip


def _registry(tmp_path: Path, stats: Stats) -> RegistryPipeline:
    return RegistryPipeline(Registry.open(f"sqlite:///{tmp_path / 'r.db'}"), stats, 200, 0.05)


@pytest.mark.parametrize("make", [_evidence, _registry], ids=["evidence", "registry"])
def test_an_item_arriving_as_the_previous_batch_ends_is_written(
        make: Any, tmp_path: Path) -> None:  # fmt: skip
    stats = Stats()
    pipeline = make(tmp_path, stats)

    async def one_after_the_other() -> None:
        for n in range(3):  # awaited in place (no task of its own): each next item arrives
            await pipeline.process_item(_item(n))  # in the step the batch before it ends in

    async def run() -> None:
        await asyncio.wait_for(one_after_the_other(), timeout=10)  # hung: TimeoutError

    try:
        asyncio.run(run())
    finally:
        if isinstance(pipeline, EvidencePipeline):
            pipeline.close_spider()
        else:
            asyncio.run(pipeline.close_spider())
    written = (stats.values["isop/evidence/captured"] if isinstance(pipeline, EvidencePipeline)
               else stats.values["isop/registry/writes/flag"])  # fmt: skip
    assert written == 3
