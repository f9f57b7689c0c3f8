"""Typed items through FactsPipeline (judge + observations upsert + evidence) vs one
transaction per item, items/s on the sandbox's typed items, SQLite.

The items are what offline crawls of the index, streaming and iptv sandbox sites yield
(crawler.extract.replay): releases, torrents, players, HLS manifests, playlists, panels,
guides, portals, shops. "judge" is the detector step alone (crawler.facts.content +
DetectionPipeline); "pipeline" is FactsPipeline as configured (group commit, batches of
``registry.batch_size``); the baseline is the same pipeline with batches of one item, i.e.
one transaction (one commit) per item, which is what writing each item as it comes costs.
Both pipeline rows run after the judge rows, so guessit's cache already holds every release
name: they measure judging of known names plus writing; "names new" is a crawl's first sight.
"""

from __future__ import annotations

import asyncio
import copy
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bench.extract import KINDS, _spider
from crawler.extract.replay import crawl_offline
from crawler.facts.content import content_for
from crawler.facts.record import KIND_OF
from crawler.pipelines.facts import FactsPipeline
from crawler.registry import Registry
from crawler.sandbox import build_web
from detectors.pipeline import DetectionPipeline


class _Stats:
    def __init__(self) -> None:
        self.values: Counter[str] = Counter()

    def inc_value(self, key: str, count: int = 1) -> None:
        self.values[key] += count


def _typed(quick: bool, tmp: Path) -> list[Any]:
    web = build_web(seed=1)
    items: list[Any] = []
    for cls, seeds in KINDS.values():
        out = crawl_offline(web, _spider(cls, tmp), seeds, max_pages=40 if quick else 200)
        items.extend(i for i in out if type(i) in KIND_OF)
    return items


def _pipeline_rate(items: list[Any], url: str, detection: DetectionPipeline,
                   batch_size: int) -> float:  # fmt: skip
    fresh = copy.deepcopy(items)  # unjudged copies: every run judges and writes everything
    pipeline = FactsPipeline(Registry.open(url), _Stats(), detection, batch_size, 0.05)

    async def run() -> None:
        await asyncio.gather(*(pipeline.process_item(item) for item in fresh))
        await pipeline.close_spider()

    start = time.perf_counter()
    asyncio.run(run())
    return len(fresh) / (time.perf_counter() - start)


def _judge_rate(detection: DetectionPipeline, contents: list[Any]) -> float:
    start = time.perf_counter()
    for content in contents:
        detection.evaluate(content)
    return len(contents) / (time.perf_counter() - start)


def run(quick: bool = False) -> dict[str, Any]:
    detection = DetectionPipeline.from_config()
    with tempfile.TemporaryDirectory() as tmp:
        items = _typed(quick, Path(tmp))
        kinds = Counter(KIND_OF[type(i)] for i in items)
        contents = [c for i in items if (c := content_for(i)) is not None]
        detection.evaluate(contents[0])  # load guessit's rules and the catalogs
        cold = _judge_rate(detection, contents)  # every name new: guessit parses it
        judge = _judge_rate(detection, contents)  # names seen before: guessit's cache
        ours = _pipeline_rate(items, f"sqlite:///{tmp}/group.db", detection, 200)
        baseline = _pipeline_rate(items, f"sqlite:///{tmp}/single.db", detection, 1)
    table = Table(title=f"FactsPipeline on {len(items)} sandbox typed items, SQLite "
                        f"({', '.join(f'{k} {n}' for k, n in sorted(kinds.items()))})")  # fmt: skip
    for col in ("step", "items/s"):
        table.add_column(col)
    table.add_row(f"judge only, names new ({len(contents)} judged items)", f"{cold:,.0f}")
    table.add_row("judge only, names seen before", f"{judge:,.0f}")
    table.add_row("FactsPipeline, group commit (batch 200)", f"{ours:,.0f}")
    table.add_row("baseline: one transaction per item", f"{baseline:,.0f}")
    table.caption = f"group commit / one per item: {ours / baseline:.1f}x"
    Console().print(table)
    return {"benchmark": "facts", "items": len(items), "judged": len(contents),
            "judge_new_names_items_per_s": round(cold, 1), "judge_items_per_s": round(judge, 1),
            "pipeline_items_per_s": round(ours, 1),
            "one_per_item_items_per_s": round(baseline, 1),
            "ratio_group_vs_one_per_item": round(ours / baseline, 2)}  # fmt: skip
