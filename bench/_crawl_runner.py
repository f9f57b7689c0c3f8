"""One crawl for ``bench.crawl``, in its own process (a Twisted reactor runs once per process).

``python -m bench._crawl_runner MODE --proxy URL [options]`` crawls the sandbox web and prints
one JSON line: responses received, wall-clock time of the first and last response, and a few
Scrapy stats.  MODE is one of:

* ``plain``: Scrapy's in-memory scheduler and dupefilter, no Redis;
* ``stock``: scrapy-redis's Scheduler + PriorityQueue + RFPDupeFilter (pickle) on ``--redis``;
* ``ours``: ``isop crawl``'s settings (FrontierScheduler, leases, progress), detectors off;
* ``detect``: ``ours`` with the detectors on (in the spider, which ranks links by the page's
  verdict) and the DetectPipeline + RegistryPipeline writing to ``--db``.

Every mode runs the discovery spider's parse (same link following, hop limit and per-site
page budget; plain and stock get the budget from a dupefilter subclass here), through the
same proxy middleware, with the same concurrency and no download delay.  "Detectors off" is
a detector config with no detectors (the spider still asks for a verdict, which is then
constant), so plain, stock and ours run exactly the same spider code.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import sys
import time
from collections import defaultdict
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import redis
import yaml
from scrapy import Request, signals
from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.dupefilters import RFPDupeFilter as ScrapyDupeFilter
from scrapy.settings import Settings
from scrapy.utils.defer import deferred_from_coro
from scrapy_redis.dupefilter import RFPDupeFilter as RedisDupeFilter

from crawler.config import CONFIG_DIR, Config, load_config
from crawler.domains import registered_domain
from spiders.discovery import DiscoverySpider

MODES = ("plain", "stock", "ours", "detect")
OURS = ("ours", "detect")
GO_POLL_S = 0.01
DETECTORS_FILE = CONFIG_DIR / "detectors.yaml"


class _Budget:
    """Per registered domain page budget, counted after dedup as the frontier's push does."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.used: dict[str, int] = defaultdict(int)

    def over(self, request: Request) -> bool:
        domain = registered_domain(request.url)
        self.used[domain] += 1
        return self.budget > 0 and self.used[domain] > self.budget


class PlainBudgetDupeFilter(ScrapyDupeFilter):
    """Scrapy's in-memory dupefilter plus the per-site page budget."""

    budget = _Budget(0)

    def request_seen(self, request: Request) -> bool:
        return super().request_seen(request) or self.budget.over(request)


class StockBudgetDupeFilter(RedisDupeFilter):
    """scrapy-redis's dupefilter (one SADD per request) plus the per-site page budget."""

    budget = _Budget(0)

    def request_seen(self, request: Request) -> bool:
        return bool(super().request_seen(request)) or self.budget.over(request)


class BenchDiscoverySpider(DiscoverySpider):
    """The discovery spider with its seeds given directly, for runs without ``isop crawl``."""

    name = "discovery"

    async def start(self) -> AsyncIterator[Any]:
        self.max_site_hops = self.crawler.settings.getint("BENCH_MAX_HOPS")
        for url in self.crawler.settings.getlist("BENCH_SEEDS"):
            yield Request(url, callback=self.parse, errback=self.on_error,
                          meta={"site_hops": 0, "how_found": "seed"})  # fmt: skip


class _Clock:
    """First and last response (wall clock, comparable across processes), and a count."""

    def __init__(self) -> None:
        self.times: list[float] = []
        self.cpu: list[float] = []  # this process's CPU seconds at the first and last response

    def response(self, *args: Any, **kwargs: Any) -> None:
        self.times.append(time.time())
        cpu = time.process_time()
        if not self.cpu:
            self.cpu.append(cpu)
        self.cpu[1:] = [cpu]

    def per_second(self) -> list[int]:
        """Responses in each second from the first one (the crawl's shape: ramp, tail)."""
        if not self.times:
            return []
        counts = [0] * (int(self.times[-1] - self.times[0]) + 1)
        for t in self.times:
            counts[int(t - self.times[0])] += 1
        return counts


def _base_settings(args: argparse.Namespace) -> Settings:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.set("ADDONS", {}, priority="project")
    settings.setdict({
        "LOG_LEVEL": args.log_level,
        "CONCURRENT_REQUESTS": args.concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": args.per_domain,
        "DOWNLOAD_DELAY": 0,
        "DOWNLOAD_TIMEOUT": 20,
        "RETRY_TIMES": 2,
        "ISOP_PROXY": args.proxy,
        "DOWNLOADER_MIDDLEWARES": {"crawler.proxy.ProxyMiddleware": 740},
        "ITEM_PIPELINES": {},
        "BENCH_MAX_HOPS": args.hops,
        "BENCH_SEEDS": args.seeds,
        "ISOP_CONFIG": _config(args),
    }, priority="cmdline")  # fmt: skip
    return settings


def _no_detectors(folder: str) -> str:
    """A copy of the detector config with no detectors: verdicts cost nothing."""
    data = yaml.safe_load(DETECTORS_FILE.read_text(encoding="utf-8"))
    data["detectors"] = []
    path = Path(folder).resolve() / "no-detectors.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return str(path)


def _config(args: argparse.Namespace) -> Config:
    """``isop crawl``'s config for this run (plain and stock read only the detectors)."""
    data = load_config(environ={}).model_dump()
    data["data_dir"] = args.data_dir
    if args.mode != "detect":
        data["detectors"]["config"] = _no_detectors(args.data_dir)
    data["redis"].update(urls=[args.redis], key_prefix=args.prefix)
    data["database"]["url"] = args.db
    data["crawl"].update(
        proxy=args.proxy, download_delay=0, concurrent_requests=args.concurrency,
        concurrent_requests_per_domain=args.per_domain, page_budget_per_site=args.budget,
        max_site_hops=args.hops, idle_exit=args.idle_exit,
    )  # fmt: skip
    return Config.model_validate(data)


def _crawler(args: argparse.Namespace) -> tuple[CrawlerProcess, Crawler]:
    if args.mode in OURS:
        from crawler.registry import Registry
        from crawler.worker import project_settings

        config = _config(args)
        if args.mode == "detect":
            Registry.open(config.database_url).close()  # as run_worker does: schema first
        settings = project_settings(config)
        settings.set("LOG_LEVEL", args.log_level, priority="cmdline")
        if args.mode == "ours":
            settings.set("ITEM_PIPELINES", {}, priority="cmdline")
        process = CrawlerProcess(settings, install_root_handler=True)
        return process, process.create_crawler("discovery")
    settings = _base_settings(args)
    if args.mode == "plain":
        PlainBudgetDupeFilter.budget = _Budget(args.budget)
        settings.set("DUPEFILTER_CLASS", f"{__name__}.PlainBudgetDupeFilter", priority="cmdline")
    else:
        StockBudgetDupeFilter.budget = _Budget(args.budget)
        settings.setdict({
            "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
            "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
            "DUPEFILTER_CLASS": f"{__name__}.StockBudgetDupeFilter",
            "SCHEDULER_QUEUE_KEY": f"{args.prefix}:%(spider)s:requests",
            "SCHEDULER_DUPEFILTER_KEY": f"{args.prefix}:%(spider)s:dupefilter",
            "SCHEDULER_PERSIST": False,
            "REDIS_URL": args.redis,
        }, priority="cmdline")  # fmt: skip
    process = CrawlerProcess(settings, install_root_handler=True)
    return process, process.create_crawler(BenchDiscoverySpider)


class _StopWhenDone:
    """Close an idle worker as soon as the shared frontier holds nothing (queued, scheduled or
    leased by anyone), instead of after ``idle_exit`` plus Scrapy's 5 s idle heartbeat: the
    crawl is over by then, this only shortens the benchmark."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    def spider_idle(self) -> None:
        spider: Any = self.crawler.spider
        if spider.count_size(spider.redis_key) > 0:
            return  # seeds waiting: the spider takes them now
        scheduler = getattr(getattr(self.crawler.engine, "_slot", None), "scheduler", None)
        frontier = getattr(scheduler, "frontier", None)
        if frontier is not None and frontier.outstanding() == 0:
            deferred_from_coro(self.crawler.stop_async())


def _wait_for_go(args: argparse.Namespace) -> None:
    """Count ourselves ready in Redis, then block until the parent sets the go key."""
    if not args.go_key:
        return
    client = redis.Redis.from_url(args.redis)
    try:
        client.incr(f"{args.go_key}:ready")
        while not client.exists(args.go_key):
            time.sleep(GO_POLL_S)
    finally:
        client.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench._crawl_runner")
    parser.add_argument("mode", choices=MODES)
    parser.add_argument("--proxy", required=True)
    parser.add_argument("--redis", default="")
    parser.add_argument("--prefix", default="bench")
    parser.add_argument("--db", default="")
    parser.add_argument("--data-dir", default=".")
    parser.add_argument("--seeds", nargs="*", default=[])
    parser.add_argument("--budget", type=int, default=40)
    parser.add_argument("--hops", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--per-domain", type=int, default=2)
    parser.add_argument("--idle-exit", type=float, default=0.5)
    parser.add_argument("--go-key", default="", help="wait for this Redis key before crawling")
    parser.add_argument("--seed-batch", type=int, default=0,
                        help="seeds an ours worker reads from Redis at start")  # fmt: skip
    parser.add_argument("--log-level", default="INFO")
    parser.add_argument("--profile", default="", help="write cProfile stats of the crawl here")
    args = parser.parse_args(argv)
    os.environ.pop("http_proxy", None)  # the proxy middleware routes requests, nothing else
    process, crawler = _crawler(args)
    clock = _Clock()
    crawler.signals.connect(clock.response, signal=signals.response_received)
    if args.mode in OURS:
        stopper = _StopWhenDone(crawler)
        crawler.signals.connect(stopper.spider_idle, signal=signals.spider_idle)
    # scrapy-redis reads CONCURRENT_REQUESTS seeds at start and the rest only when idle: ours
    # reads its share at once (``-a redis_batch_size=N``), as plain and stock get theirs.
    spider_args = {"redis_batch_size": args.seed_batch} if args.seed_batch else {}
    process.crawl(crawler, **spider_args)
    _wait_for_go(args)
    profiler = cProfile.Profile() if args.profile else None
    if profiler is not None:
        profiler.enable()
    process.start()
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(args.profile)
    stats = crawler.stats.get_stats() if crawler.stats else {}
    keep = ("item_scraped_count", "dupefilter/filtered", "isop/frontier/over_budget",
            "downloader/response_count", "finish_reason", "isop/pages_flagged")  # fmt: skip
    result = {
        "mode": args.mode, "pid": os.getpid(), "pages": len(clock.times),
        "first": clock.times[0] if clock.times else 0.0,
        "last": clock.times[-1] if clock.times else 0.0,
        "cpu": clock.cpu[-1] - clock.cpu[0] if clock.cpu else 0.0,
        "per_second": clock.per_second(),
        "stats": {k: stats[k] for k in keep if k in stats},
        "errors": sum(int(v) for k, v in stats.items() if k.startswith("isop/fetch_errors/")),
    }  # fmt: skip
    sys.stdout.write(json.dumps(result, default=str) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())

