"""A running ``isop worker`` scraped over real HTTP while it crawls the sandbox: the figures
on ``/metrics`` must match what the sandbox's server saw and served."""

from __future__ import annotations

import signal
import time
from collections import Counter
from pathlib import Path

import pytest
from fleet_helpers import _env, _log_since
from worker_helpers import get, scrape, start_worker, total, wait_for

from crawler.redis_server import _free_port
from crawler.sandbox import SandboxServer

pytestmark = pytest.mark.slow


def _sites(sandbox: SandboxServer, n: int) -> list[str]:
    """Seeds of well-behaved sites: a slow or flaky server's bytes differ between calls."""
    bad = ("slow", "flaky", "dead", "broken")
    return [s for s in sandbox.web.seeds() if not any(b in s for b in bad)][:n]


def test_metrics_match_what_the_crawl_did(sandbox: SandboxServer, redis_url: str,
                                          tmp_path: Path) -> None:  # fmt: skip
    seeds = tmp_path / "seeds.txt"
    seeds.write_text("\n".join(_sites(sandbox, 3)) + "\n")
    port = _free_port()
    env = _env(redis_url, tmp_path, "metricsrun", ISOP_METRICS__ADDRESS="127.0.0.1",
               ISOP_CRAWL__MAX_SITE_HOPS="0", ISOP_CRAWL__PAGE_BUDGET_PER_SITE="15",
               # Bloom filters sized for 100 URLs a shard: a false-positive rate worth reading.
               ISOP_FRONTIER__EXPECTED_URLS="1600")  # fmt: skip
    log = tmp_path / "worker.log"
    started = time.monotonic()
    worker = start_worker(env, tmp_path, port, sandbox.proxy_url, "--seeds", str(seeds))
    try:
        wait_for("readiness", lambda: get(port, "/readyz")[0] == 200, 60, log)
        status, body = get(port, "/healthz")
        assert status == 200, body
        assert get(port, "/nothing")[0] == 404
        mid = scrape(port)  # mid-crawl: the fleet gauges are live
        assert mid[("isop_frontier_up", ())] == 1.0
        assert total(mid, "isop_fleet_workers_live") == 1.0

        def settled() -> bool:
            now = scrape(port)
            queued = total(now, "isop_frontier_queued") + total(now, "isop_frontier_leased")
            return queued == 0 and total(now, "isop_responses_total") > 0
        wait_for("the crawl to finish", settled, 90, log, every=0.5)
        time.sleep(1.0)  # the last acknowledgements and item signals
        final = scrape(port)
        served = _log_since(sandbox, started)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)
    assert worker.returncode == 0, log.read_text()[-3000:]

    by_status = Counter(status for _, _, status in served)
    assert by_status[200] > 20, by_status
    # Pages fetched, by status: exactly what the server answered (redirects and retried
    # errors are followed inside Scrapy, so only final statuses are compared).
    for code in (200, 404):
        got = total(final, "isop_responses_total", spider="discovery", status=str(code))
        assert got == by_status[code], (code, got, by_status)
    # Every request the worker leased from the frontier reached the server exactly once.
    assert total(final, "isop_worker_requests_dequeued_total") == len(served)
    # Bytes: the sandbox is deterministic, so the bodies it served can be served again.
    expected_bytes = 0
    for _, url, code in served:
        if code == 200:
            host, _, path = url.partition("/")
            name, _, port_text = host.partition(":")
            expected_bytes += len(sandbox.web.handle("GET", name, int(port_text), "/" + path).body)
    assert total(final, "isop_response_bytes_total") == expected_bytes
    # One latency observation per response.
    responses = total(final, "isop_responses_total")
    assert total(final, "isop_download_latency_seconds_count") == responses
    # Frontier figures agree with the crawl: nothing left, every lease acknowledged.
    granted = total(final, "isop_frontier_leases_granted_total")
    assert granted == len(served)
    assert total(final, "isop_frontier_leases_acked_total") == granted
    assert total(final, "isop_frontier_leases_expired_total") == 0
    assert total(final, "isop_worker_leases_held") == 0
    # Detectors ran on every evaluated page, and their latency was observed per run.
    pages = total(final, "isop_pages_total")
    assert pages > 0
    assert total(final, "isop_detector_latency_seconds_count") >= pages
    assert total(final, "isop_dedup_urls") >= by_status[200]
    rates = [v for (n, _), v in final.items() if n == "isop_dedup_false_positive_rate"]
    assert len(rates) == 16 and 0 < max(rates) < 0.001, rates  # under capacity: under 0.1 %
