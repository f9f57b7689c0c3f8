"""One crawler worker process: check the registry and Redis, queue seeds, run Scrapy.

The same function serves ``isop crawl`` on a laptop (private Redis) and in a fleet
(``ISOP_REDIS_URLS``): only the URL differs.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawler.config import Config
from crawler.keys import Keys
from crawler.redis_server import client_for, redis_urls
from crawler.registry import Registry
from crawler.seeds import push_seeds, read_seeds


def project_settings(config: Config) -> Settings:
    """Scrapy settings from ``crawler.settings`` plus the typed config for the add-on."""
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.set("ISOP_CONFIG", config, priority="cmdline")
    return settings


def run_worker(
    config: Config,
    spider: str = "discovery",
    seeds_file: str | Path | None = None,
    warn: Callable[[str], None] = print,
) -> str:
    """Crawl until idle-exit or a signal; returns Scrapy's finish reason."""
    seeds = read_seeds(seeds_file) if seeds_file is not None else None
    for problem in seeds.skipped if seeds else []:
        warn(f"{problem} (skipped)")
    Registry.open(config.database_url).close()  # fail fast, before any crawling
    with redis_urls(config.redis.urls, config.data_dir, config.redis.start_timeout) as urls:
        config = config.with_overrides(redis={"urls": urls})
        if seeds is not None:
            client = client_for(urls[0], config.redis.cluster)
            try:
                push_seeds(client, Keys(config.redis.key_prefix), spider, seeds.urls)
            finally:
                client.close()
        process = CrawlerProcess(project_settings(config), install_root_handler=True)
        crawler = process.create_crawler(spider)
        process.crawl(crawler)
        with contextlib.suppress(KeyboardInterrupt):
            process.start()
        stats = crawler.stats.get_stats() if crawler.stats else {}
        return str(stats.get("finish_reason", "shutdown"))
