"""Frontier request codec: our JSON codec vs scrapy-redis's pickle codec (encode + decode).

Pickle is the speed baseline we gave up for safety; the ratio says what that costs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.table import Table
from scrapy import Request
from scrapy.utils.request import request_from_dict
from scrapy_redis import picklecompat

from crawler.frontier import codec


def _requests(count: int) -> list[dict[str, Any]]:
    return [
        Request(
            f"http://site{i % 97}.to/film/{i}?page={i % 7}",
            headers={"Referer": f"http://site{i % 13}.to/"},
            meta={"site_hops": i % 4, "how_found": "link"},
            priority=-(i % 40),
        ).to_dict()
        for i in range(count)
    ]


def _time(dumps: Callable[[Any], Any], loads: Callable[[Any], Any],
          items: list[dict[str, Any]]) -> tuple[float, int]:  # fmt: skip
    start = time.perf_counter()
    size = 0
    for item in items:
        data = dumps(item)
        size += len(data)
        request_from_dict(loads(data))
    return time.perf_counter() - start, size


def run(quick: bool = False) -> dict[str, Any]:
    items = _requests(2_000 if quick else 50_000)
    ours, ours_size = _time(codec.dumps, codec.loads, items)
    base, base_size = _time(picklecompat.dumps, picklecompat.loads, items)
    table = Table(title=f"Frontier codec, {len(items)} requests (encode + decode)")
    for col in ("codec", "requests/s", "bytes/request"):
        table.add_column(col)
    table.add_row("isop JSON", f"{len(items) / ours:,.0f}", f"{ours_size / len(items):.0f}")
    table.add_row("scrapy-redis pickle", f"{len(items) / base:,.0f}",
                  f"{base_size / len(items):.0f}")  # fmt: skip
    Console().print(table)
    return {
        "benchmark": "codec",
        "requests": len(items),
        "json_requests_per_s": round(len(items) / ours),
        "pickle_requests_per_s": round(len(items) / base),
        "speed_ratio_json_over_pickle": round(base / ours, 3),
        "size_ratio_json_over_pickle": round(ours_size / base_size, 3),
    }
