"""Fleet scaling: pages/s as worker processes grow 1, 2, 4, 8 on one frontier, vs 1 worker.

The internet is emulated by the sandbox proxy (in its own process) adding ``latency_ms`` to
every response, on top of the sandbox's own slow and timed-out sites, so a worker waits on
the network as a real one does and more processes than cores is meaningful.  Each row is one
crawl of the same seeds, run by ``bench.crawl``'s machinery (``bench._crawl_runner ours``:
``isop crawl``'s settings, detectors off, workers started together behind a Redis barrier,
each taking its share of the seeds).  Baseline: one worker; "efficiency" is pages/s divided
by n times the one-worker rate.

Redis is measured in the same run: CPU seconds per second of crawling at each size, scaled
to 1,000 pages/s, and bytes of Redis memory per queued request (20,000 typical requests
pushed into an empty frontier).  deploy/README.md turns these into a sizing.

``python -m bench.fleet proxy --copies K --latency-ms L`` is the proxy process itself.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import redis
from rich.console import Console
from rich.table import Table

from bench._serving import url_process
from bench.crawl import Mode, Plan, _crawl
from bench.frontier import _entry, make_requests
from crawler.redis_server import EmbeddedRedis
from crawler.sandbox import build_web

WORKERS = (1, 2, 4, 8)
QUEUED_SAMPLE = 20_000


@dataclass
class Row:
    workers: int
    pages: int
    seconds: float
    crawler_cpu: float
    redis_cpu: float

    @property
    def rate(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0

    @property
    def redis_cpu_per_1000(self) -> float:
        """Redis CPU (in cores) needed per 1,000 pages/s at this load."""
        if not self.seconds or not self.rate:
            return 0.0
        return (self.redis_cpu / self.seconds) / (self.rate / 1000)


def _latency_proxy(copies: int, latency_ms: int) -> AbstractContextManager[tuple[str, int]]:
    command = [sys.executable, "-m", "bench.fleet", "proxy", "--copies", str(copies),
               "--latency-ms", str(latency_ms)]  # fmt: skip
    return url_process(command, "latency proxy")


def queued_bytes_per_request(url: str) -> float:
    """Redis memory per request waiting in the frontier (JSON, queue entry, dedup share)."""
    from crawler.frontier.store import Frontier, FrontierSettings

    client = redis.Redis.from_url(url)
    # Bloom filters sized for the sample, so their share per request is what a full-sized
    # filter costs per URL (~2 bytes), not a mostly empty 10-million-URL allocation.
    settings = FrontierSettings(expected_urls=QUEUED_SAMPLE)
    frontier = Frontier.connect([url], "bench-mem", settings)
    try:
        client.config_set("save", "")
        before = int(client.info("memory")["used_memory"])
        for start in range(0, QUEUED_SAMPLE, 1000):
            frontier.push([_entry(r) for r in make_requests(start, 1000)])
        after = int(client.info("memory")["used_memory"])
        frontier.clear()
    finally:
        frontier.close()
        client.close()
    return (after - before) / QUEUED_SAMPLE


def run(quick: bool = False) -> dict[str, Any]:
    copies, latency_ms = (1, 100) if quick else (4, 150)
    plan = (Plan(copies=copies, budget=6, hops=1, concurrency=16, rounds=1) if quick
            else Plan(copies=copies, budget=40, hops=4, concurrency=16, rounds=1))  # fmt: skip
    sizes = (1, 2) if quick else WORKERS
    from bench._sandbox_proxy import ClonedWeb

    seeds = ClonedWeb(build_web(seed=1), copies).seeds()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="isop-bench-fleet-") as tmp:
        workdir = Path(tmp)
        with EmbeddedRedis(workdir / "redis") as server, \
                _latency_proxy(copies, latency_ms) as (proxy, pid):  # fmt: skip
            for n in sizes:
                mode = Mode(f"w{n}", f"{n} workers", "ours", n)
                reports = _crawl(mode, plan, proxy, pid, server.url, seeds, workdir)
                busy = [r for r in reports if r["pages"]]
                rows.append(Row(
                    workers=n, pages=sum(int(r["pages"]) for r in reports),
                    seconds=max(float(r["last"]) for r in busy)
                    - min(float(r["first"]) for r in busy),
                    crawler_cpu=sum(float(r["cpu"]) for r in reports),
                    redis_cpu=float(reports[0]["redis_cpu"]),
                ))  # fmt: skip
            per_request = queued_bytes_per_request(server.url)
    base = rows[0].rate
    table = Table(title=f"Fleet on one machine: sandbox x{copies}, +{latency_ms} ms a response, "
                        f"concurrency {plan.concurrency}/worker, 2/domain")  # fmt: skip
    for column in ("workers", "pages", "seconds", "pages/s", "vs 1 worker", "efficiency",
                   "crawler CPU ms/page", "Redis CPU cores per 1,000 pages/s"):  # fmt: skip
        table.add_column(column, justify="right")
    for row in rows:
        table.add_row(str(row.workers), f"{row.pages:,}", f"{row.seconds:.1f}",
                      f"{row.rate:,.1f}", f"{row.rate / base:.2f}x" if base else "-",
                      f"{row.rate / (base * row.workers):.0%}" if base else "-",
                      f"{1000 * row.crawler_cpu / row.pages:.2f}" if row.pages else "-",
                      f"{row.redis_cpu_per_1000:.3f}")  # fmt: skip
    console = Console(width=max(Console().width, 140))
    console.print(table)
    console.print(f"Redis memory per queued request: {per_request:,.0f} bytes "
                  f"({per_request * 1e6 / 2**20:,.0f} MiB per million)")  # fmt: skip
    best = max(rows, key=lambda r: r.rate)
    return {
        "benchmark": "fleet",
        "copies": copies,
        "latency_ms": latency_ms,
        "concurrency_per_worker": plan.concurrency,
        "pages_per_s": {str(r.workers): round(r.rate, 1) for r in rows},
        "one_worker_pages_per_s": round(base, 1),
        "best_over_one_worker": round(best.rate / base, 2) if base else 0.0,
        "best_workers": best.workers,
        "redis_cpu_cores_per_1000_pages_s": {
            str(r.workers): round(r.redis_cpu_per_1000, 4) for r in rows
        },
        "redis_bytes_per_queued_request": round(per_request, 1),
    }


def _serve_proxy(copies: int, latency_ms: int) -> int:
    import signal
    import threading

    from bench._sandbox_proxy import LISTEN_BACKLOG, ClonedWeb
    from crawler.sandbox import Response, SandboxServer
    from crawler.sandbox import proxy as sandbox_proxy

    class SlowWeb(ClonedWeb):
        def handle(self, method: str, host: str, port: int, target: str) -> Response:
            resp = super().handle(method, host, port, target)
            return Response(resp.status, resp.content_type, resp.body, resp.headers,
                            resp.delay + latency_ms / 1000)  # fmt: skip

    sandbox_proxy._Handler.disable_nagle_algorithm = True
    sandbox_proxy._ProxyServer.request_queue_size = LISTEN_BACKLOG
    server = SandboxServer(SlowWeb(build_web(1), copies), port=0, latency=True).start()
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    print(server.proxy_url, flush=True)
    try:
        server.serve_until(stop)
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.fleet")
    parser.add_argument("what", choices=["proxy"])
    parser.add_argument("--copies", type=int, default=1)
    parser.add_argument("--latency-ms", type=int, default=100)
    args = parser.parse_args()
    sys.exit(_serve_proxy(args.copies, args.latency_ms))
