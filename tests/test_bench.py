"""Smoke test of the benchmarks: ``python -m bench list`` and each --quick run's JSON line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent

CRAWL_KEYS = {
    "plain_pages_per_s", "stock_redis_pages_per_s", "ours_pages_per_s",
    "ours_detect_pages_per_s", "ours_two_workers_pages_per_s", "ours_over_plain",
    "ours_over_stock", "two_over_one",
}  # fmt: skip
FRONTIER_KEYS = {"ours_ops_per_s", "stock_ops_per_s", "ratio"}


def _bench(*args: str, timeout: float) -> str:
    done = subprocess.run([sys.executable, "-m", "bench", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _last_json(stdout: str) -> dict[str, Any]:
    result = json.loads(stdout.strip().splitlines()[-1])
    assert isinstance(result, dict)
    return result


def test_list_names_every_benchmark_with_its_description() -> None:
    lines = dict(line.split("\t", 1) for line in _bench("list", timeout=60).splitlines())
    assert lines["frontier"].startswith("Frontier ops/s")
    assert lines["crawl"].startswith("Crawl throughput of one worker")


@pytest.mark.slow
def test_frontier_quick_prints_its_figures() -> None:
    result = _last_json(_bench("frontier", "--quick", timeout=120))
    assert result.keys() >= FRONTIER_KEYS
    assert result["ours_ops_per_s"] > 0 and result["stock_ops_per_s"] > 0
    assert result["ratio"] == pytest.approx(result["ours_ops_per_s"] / result["stock_ops_per_s"],
                                            rel=0.01)  # fmt: skip


@pytest.mark.slow
def test_crawl_quick_prints_its_figures() -> None:
    result = _last_json(_bench("crawl", "--quick", timeout=240))
    assert result.keys() >= CRAWL_KEYS
    assert all(result[key] > 0 for key in CRAWL_KEYS)
    pages = result["pages"]
    # the same crawl every way: within a few pages (a redirect or a retry more or less)
    assert max(pages.values()) - min(pages.values()) <= 0.05 * max(pages.values())
