"""Scrapy dupefilters on the bounded, time-bucketed dedup of :mod:`crawler.frontier.bloom`.

A drop-in for scrapy-redis's ``RFPDupeFilter`` (``DUPEFILTER_CLASS``): its Scheduler calls
``from_spider``, then ``request_seen``/``log``, and ``clear`` when it flushes.  Unlike the
stock filter, memory is bounded (Bloom mode), entries expire so pages come due again after
``ISOP_DEDUP_RECRAWL_AFTER``, ``close`` keeps the data (a fleet shares it), and fingerprints
are Scrapy's own (``crawler.request_fingerprinter``), so they agree with the rest of Scrapy.

Settings:

* ``ISOP_DEDUP_MODE``: "bloom" (default) or "exact".  Bloom may, at about the error rate,
  report a never-seen URL as seen and so *silently skip it*; "exact" never does, at ~30x
  the memory.  Pick exact, or a lower error rate, when a missed page is costly.
* ``ISOP_DEDUP_CAPACITY``: distinct URLs expected per recrawl window (default 10,000,000).
* ``ISOP_DEDUP_ERROR_RATE``: false-positive rate in (0, 1) (default 0.001).
* ``ISOP_DEDUP_RECRAWL_AFTER``: seconds until a URL may be scheduled again (default 7 days;
  an entry lives one to two windows).
* ``SCHEDULER_DUPEFILTER_KEY``: the key base, ``%(spider)s`` filled in.  Without a Redis
  Cluster hash tag (``{...}``) the whole base becomes one, so all buckets share a slot.
* ``REDIS_URL`` etc. as in scrapy-redis; ``DUPEFILTER_DEBUG`` logs every duplicate.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

import redis
from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.dupefilters import BaseDupeFilter
from scrapy.settings import BaseSettings
from scrapy.utils.request import RequestFingerprinter, RequestFingerprinterProtocol
from scrapy_redis import defaults
from scrapy_redis.connection import get_redis_from_settings

from crawler.frontier.bloom import MODES, WindowedDedup, make_dedup

logger = logging.getLogger(__name__)

DEFAULT_CAPACITY = 10_000_000
DEFAULT_ERROR_RATE = 0.001
DEFAULT_RECRAWL_AFTER = 7 * 86_400.0


def hash_tagged(base: str) -> str:
    """``base`` itself if it carries a hash tag, else ``{base}``: one Cluster slot for all."""
    start = base.find("{")
    if start != -1 and base.find("}", start + 1) > start + 1:  # Redis: first "{", next "}"
        return base
    return "{" + base + "}"


class RedisDupeFilter(BaseDupeFilter):
    """Dupefilter over :class:`~crawler.frontier.bloom.BloomDedup` or ``ExactDedup``,
    chosen by ``ISOP_DEDUP_MODE`` (subclasses fix the mode)."""

    mode: str | None = None  # None: from ISOP_DEDUP_MODE

    def __init__(self, server: redis.Redis, key: str, *, mode: str = "bloom",
                 capacity: int = DEFAULT_CAPACITY, error_rate: float = DEFAULT_ERROR_RATE,
                 recrawl_after: float = DEFAULT_RECRAWL_AFTER,
                 fingerprinter: RequestFingerprinterProtocol | None = None,
                 debug: bool = False, stats: Any = None,
                 clock: Callable[[], float] | None = None) -> None:  # fmt: skip
        self.server = server
        self.key = hash_tagged(key)
        self.dedup: WindowedDedup = make_dedup(
            mode, server, self.key, capacity=capacity, error_rate=error_rate,
            recrawl_after=recrawl_after, clock=clock,
        )  # fmt: skip
        self.fingerprinter = fingerprinter or RequestFingerprinter()
        self.debug = debug
        self.stats = stats
        self.logdupes = True

    # -- construction --------------------------------------------------------------------
    @classmethod
    def _from(cls, settings: BaseSettings, key: str,
              fingerprinter: RequestFingerprinterProtocol | None,
              stats: Any = None) -> RedisDupeFilter:  # fmt: skip
        mode = cls.mode or str(settings.get("ISOP_DEDUP_MODE") or "bloom").lower()
        if mode not in MODES:
            raise ValueError(f"ISOP_DEDUP_MODE must be one of {', '.join(MODES)}; got {mode!r}")
        try:
            capacity = settings.getint("ISOP_DEDUP_CAPACITY", DEFAULT_CAPACITY)
            error_rate = settings.getfloat("ISOP_DEDUP_ERROR_RATE", DEFAULT_ERROR_RATE)
            recrawl = settings.getfloat("ISOP_DEDUP_RECRAWL_AFTER", DEFAULT_RECRAWL_AFTER)
        except ValueError as exc:
            raise ValueError(f"ISOP_DEDUP_* settings: {exc}") from None
        server = get_redis_from_settings(settings)
        try:
            return cls(server, key, mode=mode, capacity=capacity, error_rate=error_rate,
                       recrawl_after=recrawl, fingerprinter=fingerprinter,
                       debug=settings.getbool("DUPEFILTER_DEBUG"), stats=stats)  # fmt: skip
        except ValueError as exc:
            server.close()
            raise ValueError(f"ISOP_DEDUP_* settings: {exc}") from None

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> RedisDupeFilter:
        """Standalone use without a spider: a one-time key, like scrapy-redis's."""
        key = defaults.DUPEFILTER_KEY % {"timestamp": int(time.time())}
        return cls._from(settings, key, None)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisDupeFilter:
        """Scrapy's own scheduler: the crawler's fingerprinter and the spider's key."""
        name = getattr(crawler.spidercls, "name", None) or "default"
        return cls._from(crawler.settings, cls._key(crawler.settings, name),
                         crawler.request_fingerprinter, crawler.stats)  # fmt: skip

    @classmethod
    def from_spider(cls, spider: Spider) -> RedisDupeFilter:
        """scrapy-redis's Scheduler."""
        crawler = getattr(spider, "crawler", None)
        fingerprinter = crawler.request_fingerprinter if crawler is not None else None
        stats = crawler.stats if crawler is not None else None
        return cls._from(spider.settings, cls._key(spider.settings, spider.name),
                         fingerprinter, stats)  # fmt: skip

    @staticmethod
    def _key(settings: BaseSettings, spider: str) -> str:
        pattern = settings.get("SCHEDULER_DUPEFILTER_KEY") or defaults.SCHEDULER_DUPEFILTER_KEY
        return str(pattern) % {"spider": spider}

    # -- the dupefilter interface --------------------------------------------------------
    def request_seen(self, request: Request) -> bool:
        """True if seen within the last one to two recrawl windows; else records it."""
        return self.dedup.seen_and_set(self.fingerprinter.fingerprint(request))

    def seen_many(self, requests: Sequence[Request]) -> list[bool]:
        """``request_seen`` for a batch in one round trip (``dont_filter`` is not looked at:
        leave those requests out).  A request repeated in the batch is new once."""
        return self.dedup.seen_and_set_many([self.fingerprinter.fingerprint(r) for r in requests])

    def clear(self) -> None:
        """Forget everything (scrapy-redis calls this on flush, or on close unless persist)."""
        self.dedup.clear()

    def close(self, reason: str = "") -> None:
        """Drop the connection but keep the data: dedup state outlives a run (stock
        scrapy-redis deletes it here, which would make every worker restart from zero)."""
        self.server.close()

    def log(self, request: Request, spider: Spider) -> None:
        if self.stats is not None:
            self.stats.inc_value("dupefilter/filtered")
        if self.debug:
            logger.debug("Filtered duplicate request: %(request)s", {"request": request},
                         extra={"spider": spider})  # fmt: skip
        elif self.logdupes:
            logger.debug(
                "Filtered duplicate request %(request)s - no more duplicates will be shown "
                "(see DUPEFILTER_DEBUG to show all duplicates)",
                {"request": request},
                extra={"spider": spider},
            )
            self.logdupes = False


class BloomDupeFilter(RedisDupeFilter):
    """Always the Bloom mode, whatever ``ISOP_DEDUP_MODE`` says."""

    mode = "bloom"


class ExactDupeFilter(RedisDupeFilter):
    """Always the exact mode: no false positives, ~60 bytes per URL per window."""

    mode = "exact"
