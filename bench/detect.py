"""Detector stack: pages/s through every configured detector vs a bare lxml parse of the same pages.

The bare parse (``lxml.html.fromstring`` on the bytes) is the floor any HTML detector pays;
the goal is the whole stack within 3x of it. Pages come from the sandbox web (seed 1). Its
pages are small (median ~3 KB), so the headline set is ~50 KB pages made by joining the
``<body>`` of consecutive pages of one site into one long document (what a big listing page
looks like); the small pages as served are measured too. Each page gets a fresh ``Content``
(nothing is memoised across runs). Times are this process's CPU time (``process_time``), which
other busy processes on the machine disturb far less than wall time. Per-detector figures come
from the pipeline's own (wall-clock) counters.
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from typing import Any

import lxml.html
from rich.console import Console
from rich.table import Table

from crawler.domains import registered_domain
from crawler.sandbox import build_web
from detectors.base import Content
from detectors.heuristic.html_facts import extract
from detectors.heuristic.page import PageRuleDetector
from detectors.pipeline import DetectionPipeline

_BODY = re.compile(rb"<body[^>]*>(.*)</body>", re.S | re.I)
TARGET_BYTES = 50_000


def sandbox_pages() -> list[tuple[str, bytes]]:
    """Every HTML page of the sandbox that answers 200, as (url, body)."""
    web = build_web(seed=1)
    pages = []
    for url in web.urls("text/html"):
        response = web.fetch(url)
        if response.status == 200 and response.body:
            pages.append((url, response.body))
    return pages


Pages = list[tuple[str, bytes]]


def joined_pages(pages: Pages, size: int = TARGET_BYTES) -> Pages:
    """~``size``-byte pages: a page of a site with the bodies of its next pages appended."""
    by_site: dict[str, list[tuple[str, bytes]]] = defaultdict(list)
    for url, body in pages:
        by_site[registered_domain(url)].append((url, body))
    joined = []
    for site_pages in by_site.values():
        for start in sorted({0, len(site_pages) // 3, 2 * len(site_pages) // 3}):
            url, head = site_pages[start]
            parts = [head.rsplit(b"</body>", 1)[0]]
            total = len(parts[0])
            for _, body in site_pages[start + 1 :] + site_pages[:start]:
                if total >= size:
                    break
                match = _BODY.search(body)
                if match:
                    parts.append(match.group(1))
                    total += len(parts[-1])
            if total >= size * 0.8:
                joined.append((url, b"\n".join(parts) + b"</body></html>"))
    return joined


def _time_stack(pipeline: DetectionPipeline, pages: list[tuple[str, bytes]], rounds: int) -> float:
    started = time.process_time()
    for _ in range(rounds):
        for url, body in pages:
            pipeline.evaluate(Content(url, "html", body, "text/html; charset=utf-8"))
    return time.process_time() - started


def _time_lxml(pages: list[tuple[str, bytes]], rounds: int) -> float:
    started = time.process_time()
    for _ in range(rounds):
        for _, body in pages:
            lxml.html.fromstring(body)
    return time.process_time() - started


def _time_facts(pipeline: DetectionPipeline, pages: Pages, rounds: int) -> float:
    """The shared page facts alone (decode, parse, text walk, links, folding)."""
    limits = next(
        (s.detector for s in pipeline.stages if isinstance(s.detector, PageRuleDetector)), None
    )
    if limits is None:
        return 0.0
    started = time.process_time()
    for _ in range(rounds):
        for url, body in pages:
            content = Content(url, "html", body, "text/html; charset=utf-8")
            extract(content, limits.max_text_chars, limits.max_elements)
    return time.process_time() - started


def _measure(name: str, pages: list[tuple[str, bytes]], rounds: int) -> dict[str, Any]:
    pipeline = DetectionPipeline.from_config()
    _time_stack(pipeline, pages[:20], 1)  # warm caches (regexes, fold table, catalog)
    pipeline = DetectionPipeline.from_config()
    stack = _time_stack(pipeline, pages, rounds)
    bare = _time_lxml(pages, rounds)
    facts = _time_facts(pipeline, pages, rounds)
    count = len(pages) * rounds
    return {
        "set": name,
        "pages": len(pages),
        "mean_kb": round(sum(len(b) for _, b in pages) / len(pages) / 1000, 1),
        "stack_pages_per_s": round(count / stack),
        "lxml_pages_per_s": round(count / bare),
        "stack_ms_per_page": round(1000 * stack / count, 3),
        "ratio_stack_over_lxml": round(stack / bare, 2),
        "facts_ms_per_page": round(1000 * facts / count, 3),
        "detector_ms_per_page": {
            detector: round(1000 * seconds / count, 3)
            for detector, seconds in sorted(pipeline.seconds.items(), key=lambda kv: -kv[1])
        },
    }


def run(quick: bool = False) -> dict[str, Any]:
    pages = sandbox_pages()
    big = joined_pages(pages)
    if quick:
        pages, big = pages[:60], big[:10]
    rounds = 1 if quick else 3
    results = [_measure("~50 KB (joined sandbox pages)", big, rounds),
               _measure("sandbox pages as served", pages, rounds)]  # fmt: skip
    table = Table(title="Detector stack vs bare lxml parse (same pages, one core)")
    for column in ("pages", "mean KB", "stack pages/s", "lxml pages/s", "ms/page", "ratio"):
        table.add_column(column)
    for r in results:
        table.add_row(f"{r['set']}: {r['pages']}", str(r["mean_kb"]), f"{r['stack_pages_per_s']:,}",
                      f"{r['lxml_pages_per_s']:,}", str(r["stack_ms_per_page"]),
                      f"{r['ratio_stack_over_lxml']}x")  # fmt: skip
    Console().print(table)
    Console().print("ms per page by detector (50 KB set): " + ", ".join(
        f"{k} {v}" for k, v in results[0]["detector_ms_per_page"].items()))  # fmt: skip
    Console().print(f"of which page facts (decode, parse, walk, links, folding; counted in the "
                    f"first page detector): {results[0]['facts_ms_per_page']} ms CPU")  # fmt: skip
    return {"benchmark": "detect", "goal_ratio": 3.0, "results": results}
