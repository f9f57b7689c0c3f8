"""The Scrapy add-on that turns the typed config into Scrapy settings, at "addon" priority.

``isop crawl`` passes its loaded :class:`~crawler.config.Config` in the ``ISOP_CONFIG``
setting; plain ``scrapy crawl NAME`` gets one loaded here from ``config/`` and ``ISOP_*``.
Either way, the settings a Scrapy or scrapy-redis user knows (``SCHEDULER``,
``REDIS_URL``, ``DOWNLOAD_DELAY``...) are set here and can still be overridden with ``-s``.
"""

from __future__ import annotations

import atexit
import logging
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings

from crawler.config import Config, load_config
from crawler.facts.export import FEED_EXPORTERS
from crawler.keys import Keys
from crawler.redis_server import EmbeddedRedis, ping_all

logger = logging.getLogger(__name__)


def scrapy_settings(config: Config, redis_url: str) -> dict[str, Any]:
    """The Scrapy/scrapy-redis settings that one config implies."""
    keys = Keys(config.redis.key_prefix)
    crawl = config.crawl
    return {
        "SCHEDULER": "crawler.frontier.scheduler.FrontierScheduler",
        "SCHEDULER_SERIALIZER": "crawler.frontier.codec",
        "SCHEDULER_PERSIST": True,
        "REDIS_START_URLS_KEY": keys.start_urls_pattern,
        "REDIS_URL": redis_url,
        "USER_AGENT": crawl.user_agent,
        "CONCURRENT_REQUESTS": crawl.concurrent_requests,
        # Politeness is the frontier's, fleet-wide; Scrapy's per-process delay stays off.
        "CONCURRENT_REQUESTS_PER_DOMAIN": crawl.concurrent_requests_per_domain,
        "DOWNLOAD_DELAY": 0,
        "DOWNLOAD_TIMEOUT": crawl.download_timeout,
        "DOWNLOAD_MAXSIZE": crawl.max_response_bytes,
        "RETRY_TIMES": crawl.retry_times,
        "ITEM_PIPELINES": {
            "crawler.pipelines.detect.DetectPipeline": 300,
            # after detection: verdicts quote the URLs they read
            "crawler.safety.redact.RedactPipeline": 350,
            "crawler.pipelines.evidence.EvidencePipeline": 700,
            "crawler.linking.pipeline.LinkingPipeline": 750,
            "crawler.images.pipeline.ImagePipeline": 760,
            "crawler.pipelines.facts.FactsPipeline": 780,
            "crawler.pipelines.registry.RegistryPipeline": 800,
        },
        "SPIDER_MIDDLEWARES": {
            "crawler.frontier.leases.LeaseAcknowledger": 1,
            "crawler.safety.budget.SiteBudget": 600,
            "crawler.evidence.capture.CaptureMiddleware": 900,
            "crawler.safety.probe.ProbeMiddleware": 950,
        },
        # Safety: payloads refused by URL and stopped at the headers, per-kind size caps (also
        # the decompressed-size cap), private addresses refused before the request and at DNS.
        "DOWNLOADER_MIDDLEWARES": {
            "crawler.frontier.leases.LeaseAcknowledger": 50,
            "crawler.safety.media.MediaGuard": 60,
            "crawler.safety.ssrf.SsrfGuard": 745,
        },
        "TWISTED_DNS_RESOLVER": "crawler.safety.ssrf.SafeResolver",
        # -O out.jsonl / out.json: page and image bodies as length + SHA-256 (crawler.facts.export)
        "FEED_EXPORTERS": FEED_EXPORTERS,
        "EXTENSIONS": {
            "crawler.extensions.prometheus.PrometheusExporter": 500,
            "crawler.progress.ProgressReporter": 510,
            "crawler.safety.logs.LogRedaction": 520,
            "crawler.extensions.works.LiveWorksExtension": 530,
        },
    }


class IsopAddon:
    """Configures the crawler from the typed config; starts the embedded Redis if needed."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.embedded: EmbeddedRedis | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IsopAddon:
        return cls(crawler)

    def update_settings(self, settings: BaseSettings) -> None:
        config = settings.get("ISOP_CONFIG")
        if not isinstance(config, Config):
            config = load_config(settings.get("ISOP_CONFIG_FILE"))
            settings.set("ISOP_CONFIG", config, priority="addon")
        urls = list(config.redis.urls)
        if urls:
            ping_all(urls)  # fail fast, naming the URL
        else:
            self.embedded = EmbeddedRedis(config.data_dir, config.redis.start_timeout)
            urls = [self.embedded.start()]
            atexit.register(self.embedded.stop)
            self.crawler.signals.connect(self._stop_embedded, signal=signals.engine_stopped)
            logger.info("Started private Redis at %s", urls[0])
        config = config.with_overrides(redis={"urls": urls})
        settings.set("ISOP_CONFIG", config, priority=settings.getpriority("ISOP_CONFIG") or "addon")
        for name, value in scrapy_settings(config, urls[0]).items():
            settings.set(name, value, priority="addon")
        if config.redis.cluster:  # scrapy-redis's own keys (seeds) and our heartbeats
            params = dict(settings.getdict("REDIS_PARAMS"))
            params["redis_cls"] = "redis.cluster.RedisCluster"
            settings.set("REDIS_PARAMS", params, priority="addon")
        if config.crawl.proxy:
            settings.set("ISOP_PROXY", config.crawl.proxy, priority="addon")
            middlewares = dict(settings.getdict("DOWNLOADER_MIDDLEWARES"))
            middlewares["crawler.proxy.ProxyMiddleware"] = 740
            settings.set("DOWNLOADER_MIDDLEWARES", middlewares, priority="addon")

    def _stop_embedded(self) -> None:
        if self.embedded is not None:
            self.embedded.stop()
