"""Crawl throughput of one worker against the sandbox (pages/s), vs plain Scrapy and scrapy-redis.

The same crawl five ways, each in fresh processes (``bench._crawl_runner``): plain Scrapy
(memory scheduler, no Redis), stock scrapy-redis (Scheduler + PriorityQueue + RFPDupeFilter,
pickle), ours as ``isop crawl`` configures it with detectors off, ours with detectors on
(verdicts in the spider, DetectPipeline + RegistryPipeline to a temporary SQLite), and ours
with two worker processes sharing the frontier.  Same spider code, seeds, per-site page
budget, hop limit, concurrency (32, 2 per domain) and no download delay.

The sandbox proxy runs in its own process (``bench._sandbox_proxy``) so that it does not
share the crawler's GIL; it serves ``copies`` renamed copies of the sandbox web (4 by default:
~3,900 pages over ~250 sites) so that a crawl's steady state outweighs its ramp-up and tail,
with TCP_NODELAY and a real listen backlog (the stock proxy stalls ~40 ms per keep-alive
response and drops SYNs under a burst of connections; the "proxy alone" rows measure both
with a light asyncio client).  Workers start together (a Redis barrier) and each takes its
share of the seeds at once; ours stops as soon as the frontier is empty.  Pages/s =
responses received / wall time from the first to the last response (process start-up and
shutdown excluded).  Modes run in rounds, in reverse order every other round, to spread the
machine's drift over all of them.  CPU columns: milliseconds of CPU per page of the crawler
process(es) within that window, and of the Redis server and the proxy over the whole run.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis
from rich.console import Console
from rich.table import Table

from bench._sandbox_proxy import ClonedWeb
from bench._serving import url_process
from crawler.keys import Keys
from crawler.redis_server import EmbeddedRedis
from crawler.sandbox import build_web
from crawler.seeds import push_seeds


@dataclass(frozen=True)
class Mode:
    key: str
    label: str
    runner: str  # bench._crawl_runner MODE
    workers: int = 1


MODES = (
    Mode("plain", "plain Scrapy (no Redis)", "plain"),
    Mode("stock_redis", "stock scrapy-redis (pickle)", "stock"),
    Mode("ours", "ours, detectors off", "ours"),
    Mode("ours_detect", "ours, detectors + registry", "detect"),
    Mode("ours_two_workers", "ours, two workers", "ours", 2),
)
START_TIMEOUT_S = 120.0
CRAWL_TIMEOUT_S = 900.0


@dataclass
class Outcome:
    """One mode's crawls, summed over rounds."""

    pages: int = 0
    seconds: float = 0.0
    crawler_cpu: float = 0.0
    redis_cpu: float = 0.0
    proxy_cpu: float = 0.0
    errors: int = 0
    rates: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0

    def per_page_ms(self, cpu: float) -> float:
        return 1000 * cpu / self.pages if self.pages else 0.0


def _proc_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by a process (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _redis_cpu(client: redis.Redis) -> float:
    info: dict[str, Any] = client.info("cpu")
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


def _proxy(copies: int, stock_sockets: bool = False) -> AbstractContextManager[tuple[str, int]]:
    """The sandbox proxy in its own process: (URL, pid)."""
    command = [sys.executable, "-m", "bench._sandbox_proxy", "--copies", str(copies)]
    extra = ["--stock-sockets"] if stock_sockets else []
    return url_process(command + extra, "sandbox proxy")


async def _fetch_all(proxy: str, urls: list[str], concurrency: int, reconnect: bool) -> int:
    host, port = proxy.removeprefix("http://").split(":")
    queue = list(reversed(urls))
    done = 0

    async def fetch(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, url: str) -> None:
        writer.write(f"GET {url} HTTP/1.1\r\nHost: {url.split('/')[2]}\r\n\r\n".encode())
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                       if line.lower().startswith(b"content-length:")), 0)  # fmt: skip
        await reader.readexactly(length)

    async def client() -> None:
        nonlocal done
        connection = None
        while queue:
            url = queue.pop()
            if connection is None:
                connection = await asyncio.open_connection(host, int(port))
            await fetch(*connection, url)
            done += 1
            if reconnect:
                connection[1].close()
                await connection[1].wait_closed()
                connection = None
        if connection is not None:
            connection[1].close()
            await connection[1].wait_closed()

    await asyncio.gather(*(client() for _ in range(concurrency)))
    return done


def probe_proxy(proxy: str, urls: list[str], concurrency: int, reconnect: bool = False) -> float:
    """Responses/s the proxy serves to a light asyncio client, over keep-alive connections
    or a new connection per request (as Scrapy does for most requests through one proxy)."""
    start = time.perf_counter()
    done = asyncio.run(_fetch_all(proxy, urls, concurrency, reconnect))
    return done / (time.perf_counter() - start)


def _probes(proxy: str, urls: list[str], concurrency: int, name: str) -> dict[str, float]:
    asyncio.run(_fetch_all(proxy, urls, concurrency, False))  # warm: bodies made on first use
    return {f"{name}, keep-alive": probe_proxy(proxy, urls, concurrency),
            f"{name}, new connection per request": probe_proxy(proxy, urls, concurrency,
                                                               reconnect=True)}  # fmt: skip


@dataclass(frozen=True)
class Plan:
    copies: int
    budget: int
    hops: int
    concurrency: int
    rounds: int


def _crawl(mode: Mode, plan: Plan, proxy: str, proxy_pid: int, redis_url: str,
           seeds: list[str], workdir: Path) -> list[dict[str, Any]]:  # fmt: skip
    """Run one crawl of ``mode`` (all its workers at once); returns the runners' reports
    plus the Redis and proxy CPU it cost."""
    prefix = f"bench-{mode.key}-{uuid.uuid4().hex[:8]}"
    folder = workdir / prefix
    folder.mkdir(parents=True)
    client = redis.Redis.from_url(redis_url)
    go = f"{prefix}:go"
    if mode.runner in ("ours", "detect"):
        push_seeds(client, Keys(prefix), "discovery", seeds)
    command = [
        sys.executable, "-m", "bench._crawl_runner", mode.runner, "--proxy", proxy,
        "--redis", redis_url, "--prefix", prefix, "--data-dir", str(folder),
        "--db", f"sqlite:///{folder / 'registry.db'}", "--budget", str(plan.budget),
        "--hops", str(plan.hops), "--concurrency", str(plan.concurrency), "--go-key", go,
    ]  # fmt: skip
    if mode.runner in ("plain", "stock"):
        command += ["--seeds", *seeds]
    else:  # each worker takes its share of the seeds at start
        command += ["--seed-batch", str(-(-len(seeds) // mode.workers))]
    processes = []
    logs = []
    for n in range(mode.workers):
        log = open(folder / f"worker{n}.log", "wb")  # noqa: SIM115 - closed below
        logs.append(log)
        processes.append(subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log))
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while int(client.get(f"{go}:ready") or 0) < mode.workers:
            if any(p.poll() is not None for p in processes) or time.monotonic() > deadline:
                raise RuntimeError(f"{mode.key}: a worker did not start; see {folder}")
            time.sleep(0.02)
        redis_before, proxy_before = _redis_cpu(client), _proc_cpu(proxy_pid)
        client.set(go, 1)
        reports = []
        for process in processes:
            out, _ = process.communicate(timeout=CRAWL_TIMEOUT_S)
            if process.returncode != 0 or not out.strip():
                raise RuntimeError(f"{mode.key}: worker exited {process.returncode}; "
                                   f"see {folder}")  # fmt: skip
            reports.append(json.loads(out.decode().strip().splitlines()[-1]))
        extra = {"redis_cpu": _redis_cpu(client) - redis_before,
                 "proxy_cpu": _proc_cpu(proxy_pid) - proxy_before}  # fmt: skip
        return [{**r, **extra} if i == 0 else r for i, r in enumerate(reports)]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
        for log in logs:
            log.close()
        client.close()


def _add(outcome: Outcome, reports: list[dict[str, Any]]) -> None:
    pages = sum(int(r["pages"]) for r in reports)
    busy = [r for r in reports if r["pages"]]  # a worker may get nothing from a tiny crawl
    seconds = max(float(r["last"]) for r in busy) - min(float(r["first"]) for r in busy)
    outcome.pages += pages
    outcome.seconds += seconds
    outcome.rates.append(pages / seconds if seconds else 0.0)
    outcome.crawler_cpu += sum(float(r["cpu"]) for r in reports)
    outcome.redis_cpu += float(reports[0]["redis_cpu"])
    outcome.proxy_cpu += float(reports[0]["proxy_cpu"])
    outcome.errors += sum(int(r["errors"]) for r in reports)


def _table(plan: Plan, outcomes: dict[str, Outcome], probes: dict[str, float]) -> Table:
    table = Table(title=f"Crawl of the sandbox web x{plan.copies} (budget {plan.budget}/site, "
                        f"{plan.hops} hops, concurrency {plan.concurrency}, 2/domain, no delay), "
                        f"{plan.rounds} round(s)")  # fmt: skip
    for column in ("mode", "pages", "seconds", "pages/s", "vs plain", "per round",
                   "crawler CPU ms/page", "Redis ms/page", "proxy ms/page"):  # fmt: skip
        table.add_column(column, justify="left" if column == "mode" else "right")
    plain = outcomes["plain"].rate
    for mode in MODES:
        o = outcomes[mode.key]
        table.add_row(
            mode.label, f"{o.pages:,}", f"{o.seconds:.1f}", f"{o.rate:,.1f}",
            f"{o.rate / plain:.2f}x" if plain else "-",
            " ".join(f"{r:.0f}" for r in o.rates),
            f"{o.per_page_ms(o.crawler_cpu):.2f}", f"{o.per_page_ms(o.redis_cpu):.2f}",
            f"{o.per_page_ms(o.proxy_cpu):.2f}",
        )  # fmt: skip
    for name, rate in probes.items():
        table.add_row(f"proxy alone: {name}", "", "", f"{rate:,.0f}", "", "", "", "", "")
    return table


def run(quick: bool = False) -> dict[str, Any]:
    plan = (Plan(copies=1, budget=6, hops=1, concurrency=32, rounds=1) if quick
            else Plan(copies=4, budget=40, hops=4, concurrency=32, rounds=2))  # fmt: skip
    web = ClonedWeb(build_web(seed=1), plan.copies)
    seeds = web.seeds()
    html = build_web(seed=1).urls("text/html")
    probe_urls = html[:300] if quick else html
    outcomes = {mode.key: Outcome() for mode in MODES}
    probes: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="isop-bench-crawl-") as tmp:
        workdir = Path(tmp)
        if not quick:
            with _proxy(plan.copies, stock_sockets=True) as (stock_proxy, _):
                probes.update(_probes(stock_proxy, probe_urls, plan.concurrency, "stock sockets"))
        with EmbeddedRedis(workdir / "redis") as server, _proxy(plan.copies) as (proxy, pid):
            probes.update(_probes(proxy, probe_urls, plan.concurrency, "tuned (used here)"))
            for round_ in range(plan.rounds):
                order = MODES if round_ % 2 == 0 else tuple(reversed(MODES))
                for mode in order:
                    reports = _crawl(mode, plan, proxy, pid, server.url, seeds, workdir)
                    _add(outcomes[mode.key], reports)
    Console(width=max(Console().width, 150)).print(_table(plan, outcomes, probes))
    rate = {key: o.rate for key, o in outcomes.items()}

    def ratio(a: str, b: str) -> float:
        return round(rate[a] / rate[b], 3) if rate[b] else 0.0

    cpu = {key: round(o.per_page_ms(o.crawler_cpu), 2) for key, o in outcomes.items()}
    return {
        "benchmark": "crawl",
        "copies": plan.copies,
        "page_budget": plan.budget,
        "max_hops": plan.hops,
        "concurrency": plan.concurrency,
        "rounds": plan.rounds,
        "pages": {key: o.pages for key, o in outcomes.items()},
        "plain_pages_per_s": round(rate["plain"], 1),
        "stock_redis_pages_per_s": round(rate["stock_redis"], 1),
        "ours_pages_per_s": round(rate["ours"], 1),
        "ours_detect_pages_per_s": round(rate["ours_detect"], 1),
        "ours_two_workers_pages_per_s": round(rate["ours_two_workers"], 1),
        "ours_over_plain": ratio("ours", "plain"),
        "ours_over_stock": ratio("ours", "stock_redis"),
        "two_over_one": ratio("ours_two_workers", "ours"),
        "crawler_cpu_ms_per_page": cpu,
        "proxy_alone_responses_per_s": {name: round(r) for name, r in probes.items()},
    }
