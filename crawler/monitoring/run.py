"""One monitor process: check the registry, the banner rules and Redis, then run the spider.

Like :func:`crawler.worker.run_worker`, plus the monitor's own stop conditions (for tests,
cron-style runs and the ops wrapper): a number of recorded checks, or a duration.
"""

from __future__ import annotations

import contextlib

from scrapy.crawler import CrawlerProcess

from crawler.config import Config
from crawler.monitoring.classify import load_banners
from crawler.redis_server import redis_urls
from crawler.registry import Registry
from crawler.registry.policy import policy_from
from crawler.worker import project_settings


def run_monitor(config: Config, *, max_checks: int = 0, duration: float = 0.0) -> str:
    """Monitor until SIGTERM/Ctrl-C, ``max_checks`` checks or ``duration`` seconds; returns
    Scrapy's finish reason."""
    Registry.open(config.database_url, policy_from(config)).close()  # fail fast
    load_banners(config.monitor.banners_path)
    with redis_urls(config.redis.urls, config.data_dir, config.redis.start_timeout) as urls:
        config = config.with_overrides(redis={"urls": urls})
        settings = project_settings(config)
        settings.set("ISOP_MONITOR_MAX_CHECKS", max_checks, priority="cmdline")
        if duration:
            settings.set("CLOSESPIDER_TIMEOUT", duration, priority="cmdline")
        process = CrawlerProcess(settings, install_root_handler=True)
        crawler = process.create_crawler("monitor")
        process.crawl(crawler)
        with contextlib.suppress(KeyboardInterrupt):
            process.start()
        stats = crawler.stats.get_stats() if crawler.stats else {}
        return str(stats.get("finish_reason", "shutdown"))
