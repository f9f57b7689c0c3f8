"""Capture evidence of every flagged page: WARC records on disk, a chained row in the registry.

Runs before the registry pipeline (the page is judged by then), on a thread of its own:
WARC writes are synced to disk and chain appends take a database lock, neither belongs on
the reactor.  A failure is counted and logged; the crawl goes on.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from concurrent.futures import ThreadPoolExecutor
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from sqlalchemy import Engine

from crawler.alerts.db import open_engine
from crawler.evidence import chain
from crawler.evidence.capture import fetch_of
from crawler.evidence.warc import WarcStore
from crawler.items import PageItem

logger = logging.getLogger(__name__)


def crawler_identity(operator: str, user_agent: str) -> str:
    """Who fetched: the operator, the software and version, the host and the user agent."""
    try:
        software = f"isop-crawler {version('isop-crawler')}"
    except PackageNotFoundError:
        software = "isop-crawler"
    return f"{operator}; {software}; host {socket.gethostname()}; user-agent {user_agent}"


class EvidencePipeline:
    """WARC + hash-chained row for each page whose verdict is infringing."""

    def __init__(self, engine: Engine, store: WarcStore, stats: Any) -> None:
        self.engine = engine
        self.store = store
        self.stats = stats
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="evidence")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> EvidencePipeline:
        config = crawler.settings["ISOP_CONFIG"]
        if config is None or not config.evidence.enabled:
            raise NotConfigured("evidence capture is off (evidence.enabled)")
        identity = crawler_identity(config.evidence.operator, crawler.settings["USER_AGENT"])
        store = WarcStore(config.data_dir / "evidence", config.evidence.warc_max_bytes, identity)
        return cls(open_engine(config.database_url), store, crawler.stats)

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, PageItem) or item.verdict is None or not item.verdict.infringing:
            return item
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(self.executor, self.capture, item)
        except Exception as exc:  # evidence failing must not stop the crawl: count, log
            self.stats.inc_value(f"isop/evidence_errors/{type(exc).__name__}")
            logger.error("Evidence capture failed for %s: %s", item.url, exc)
            return item
        self.stats.inc_value("isop/evidence/captured")
        return item

    def capture(self, item: PageItem) -> chain.EvidenceCapture:
        """Write the WARC records, then the chained row (blocking; off the reactor)."""
        verdict = item.verdict
        assert verdict is not None
        if item.fetched_at.tzinfo is None:  # refuse before writing anything
            raise ValueError(f"naive fetch time {item.fetched_at!r}: needs a time zone")
        signals = [
            {"detector": s.detector, "name": s.name, "score": s.score, "evidence": s.evidence}
            for s in verdict.signals
        ]
        fetch = fetch_of(item)
        metadata = {
            "domain": item.domain,
            "redirect_chain": fetch.redirect_chain,
            "referer": item.referer,
            "verdict": {
                "score": verdict.score,
                "kind": verdict.kind,
                "explanation": verdict.explanation,
                "signals": signals,
            },
        }
        stored = self.store.append(fetch, metadata)
        return chain.append(
            self.engine,
            {
                "domain": item.domain,
                "url": item.url,
                "fetched_at": item.fetched_at,
                "crawler": self.store.crawler,
                "http_status": item.status,
                "content_type": item.content_type[:500],
                "ip_address": fetch.ip_address,
                "redirect_chain": fetch.redirect_chain,
                "score": float(verdict.score),
                "kind": verdict.kind,
                "explanation": verdict.explanation,
                "signals": signals,
                "payload_sha256": stored.payload_sha256,
                "warc_file": stored.warc_file,
                "warc_offset": stored.offset,
                "warc_length": stored.length,
                "warc_sha256": stored.sha256,
            },
        )

    def close_spider(self) -> None:
        self.executor.shutdown(wait=True)
        self.store.close()
        self.engine.dispose()
