"""The fleet scheduler: scrapy-redis's ``Scheduler`` on the sharded, leased frontier.

What changes from stock scrapy-redis, and why:

* requests live in per-domain queues inside shards (``crawler.frontier.store``), and a
  shared "ready" set hands out a domain at most once per its delay: politeness holds for
  the whole fleet, so Scrapy's own per-process ``DOWNLOAD_DELAY`` is left at 0;
* a popped request is *leased*; it is acknowledged only once its response or final failure
  has been handled (see :mod:`crawler.frontier.leases`), so a killed worker loses nothing;
* enqueues are buffered and flushed in one script call per shard, pops are batched: one
  Redis round trip per page instead of one per link;
* requests are JSON (``SCHEDULER_SERIALIZER`` must be a JSON codec; pickle is refused).

Settings a scrapy-redis user knows keep their meaning: ``SCHEDULER_PERSIST``,
``SCHEDULER_FLUSH_ON_START``, ``SCHEDULER_SERIALIZER``, ``REDIS_URL``.
"""

from __future__ import annotations

import importlib
import logging
import time
from collections import deque
from typing import Any

import redis
from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.utils.request import request_from_dict
from scrapy_redis.scheduler import Scheduler as RedisScheduler
from twisted.internet import task  # never the reactor at import: Scrapy installs its own

from crawler.domains import registered_domain
from crawler.fleet import worker_id
from crawler.frontier.codec import CodecError
from crawler.frontier.store import (
    DUPLICATE,
    OVER_BUDGET,
    SCHEDULED,
    Entry,
    Frontier,
    FrontierSettings,
    Lease,
)
from crawler.redis_server import ping_all

logger = logging.getLogger(__name__)

LEASE_META = "isop_lease"  # [shard, lease id] of the request a response belongs to
DUE_META = "isop_due_at"  # epoch seconds: a scheduled revisit
PUSH_BATCH = 500
LOCAL_DEDUP_SIZE = 200_000  # fingerprints this worker queued lately (~30 MB at most)
BACKOFF_MIN_S, BACKOFF_MAX_S = 0.2, 10.0
REDIS_DOWN = (redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError)


def _serializer(path: str | None) -> Any:
    module = importlib.import_module(path or "crawler.frontier.codec")
    probe = module.dumps({"probe": b"\x00"})
    if not isinstance(probe, str | bytes) or probe[:1] not in ("{", b"{"):
        raise ValueError(f"SCHEDULER_SERIALIZER {path}: the shared frontier takes JSON only")
    return module


def request_to_dict_name(spider: Any, func: Any) -> str:
    """The spider method name Scrapy stores for a callback (raises if it is not one)."""
    probe = Request("http://probe.invalid/", callback=func)
    name: str = probe.to_dict(spider=spider)["callback"]
    return name


class RecentSet:
    """A bounded set that forgets its oldest members: a cache, never a source of truth."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: dict[bytes, None] = {}

    def __contains__(self, item: bytes) -> bool:
        return item in self._items

    def add(self, item: bytes) -> None:
        self._items[item] = None
        if len(self._items) > self.size:
            del self._items[next(iter(self._items))]


def _crosses_domains(request: Request, domain: str) -> bool:
    """A redirect from another registered domain: a hop to record even if the target page
    was fetched already, so it is not deduplicated (one extra fetch per hop)."""
    chain: list[str] = request.meta.get("redirect_urls") or []
    return bool(chain) and registered_domain(chain[-1]) != domain


class FrontierScheduler(RedisScheduler):
    """Scrapy scheduler over :class:`~crawler.frontier.store.Frontier`."""

    def __init__(self, crawler: Crawler, frontier: Frontier, *, persist: bool = True,
                 flush_on_start: bool = False, serializer: Any = None,
                 prefetch: int = 16) -> None:  # fmt: skip
        # scrapy-redis's constructor wants one server; ours has shards over several.
        self.crawler = crawler
        self.frontier = frontier
        self.persist = persist
        self.flush_on_start = flush_on_start
        self.serializer = serializer or _serializer(None)
        self.prefetch = prefetch
        self.stats = crawler.stats
        self.fingerprinter = crawler.request_fingerprinter
        self.worker_id = worker_id(crawler)
        self.spider: Spider | None = None
        self._to_push: list[Entry] = []
        self._to_ack: list[Lease] = []
        self._ready: deque[tuple[Lease, Request]] = deque()
        self._held: dict[tuple[int, str], Lease] = {}  # leased by us and not finished
        self._remote_checked = 0.0
        self._remote_pending = True
        self._renewer: task.LoopingCall | None = None
        self._backoff = 0.0
        self._retry_at = 0.0
        self._pushed = RecentSet(LOCAL_DEDUP_SIZE)
        self._pushed_window = -1
        self._method_names: dict[Any, str] = {}
        self._wakeup: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FrontierScheduler:
        settings = crawler.settings
        config = settings["ISOP_CONFIG"]
        urls = list(config.redis.urls)
        ping_all(urls)  # fail fast, naming the URL that does not answer
        frontier_cfg = config.frontier
        frontier = Frontier.connect(
            urls,
            config.redis.key_prefix,
            FrontierSettings(
                shards=frontier_cfg.shards,
                lease_ttl_ms=int(frontier_cfg.lease_ttl * 1000),
                default_delay_ms=int(config.crawl.download_delay * 1000),
                max_inflight_per_domain=config.crawl.concurrent_requests_per_domain,
                page_budget=config.crawl.page_budget_per_site,
                recrawl_ms=int(frontier_cfg.recrawl_after * 1000),
                dedup_mode=frontier_cfg.dedup,
                expected_urls=frontier_cfg.expected_urls,
                dedup_error_rate=frontier_cfg.dedup_error_rate,
            ),
            cluster=config.redis.cluster,
        )
        scheduler = cls(
            crawler,
            frontier,
            persist=settings.getbool("SCHEDULER_PERSIST", True),
            flush_on_start=settings.getbool("SCHEDULER_FLUSH_ON_START"),
            serializer=_serializer(settings.get("SCHEDULER_SERIALIZER")),
            prefetch=frontier_cfg.prefetch,
        )
        frontier.set_delays(dict(config.crawl.domain_delays))
        return scheduler

    # -- lifecycle -----------------------------------------------------------------------
    def open(self, spider: Spider) -> None:
        self.spider = spider
        if self.flush_on_start:
            self.frontier.clear()
        self._renewer = task.LoopingCall(self._renew)
        self._renewer.start(max(1.0, self.frontier.settings.lease_ttl_ms / 3000), now=False)

    def close(self, reason: str) -> None:
        """Flush what we queued, give back what we leased and did not finish."""
        if self._renewer is not None and self._renewer.running:
            self._renewer.stop()
        if self._wakeup is not None and self._wakeup.active():
            self._wakeup.cancel()
        self._retry_at = 0.0
        self._close_with_retries()
        self._held.clear()
        self._ready.clear()
        if not self.persist:
            self.frontier.clear()
        self.frontier.close()

    def _close_with_retries(self, attempts: int = 20) -> None:
        """Queue what is buffered and give back unfinished leases, riding out a short Redis
        outage; what still cannot be written is left to lease expiry (nothing is lost)."""
        for attempt in range(attempts):
            try:
                self._flush()
                unfinished = list(self._held.values())
                if unfinished:
                    returned = self.frontier.release(unfinished)
                    self._inc("isop/frontier/released_on_close", returned)
                    logger.info("Gave back %d unfinished leased requests", returned)
                return
            except REDIS_DOWN as exc:
                logger.warning("Closing: Redis unavailable (%s), attempt %d", exc, attempt + 1)
                time.sleep(min(BACKOFF_MAX_S, BACKOFF_MIN_S * 2**attempt))
        logger.error("Closing without reaching Redis: %d requests not queued; %d leases "
                     "will expire and come back", len(self._to_push), len(self._held))  # fmt: skip

    # -- enqueue -------------------------------------------------------------------------
    def enqueue_request(self, request: Request) -> bool:
        replaced = request.meta.pop(LEASE_META, None)
        domain = registered_domain(request.url)
        filtered = not request.dont_filter and not _crosses_domains(request, domain)
        fingerprint = bytes(self.fingerprinter.fingerprint(request)) if filtered else b""
        window = int(time.time() * 1000 // self.frontier.settings.recrawl_ms)
        if window != self._pushed_window:  # pages come due again: forget the local cache
            self._pushed, self._pushed_window = RecentSet(LOCAL_DEDUP_SIZE), window
        if fingerprint and fingerprint in self._pushed:
            # Most links on a page were queued before: drop them here, before paying for
            # serialisation and a Redis round trip (the shared filter still decides the rest).
            self._inc("dupefilter/filtered")
            self._inc("isop/frontier/filtered_locally")
            self._finish_replaced(replaced)
            return False
        try:
            data = self.serializer.dumps(self._request_dict(request))
        except (CodecError, ValueError, TypeError) as exc:
            self._inc(f"isop/frontier/unencodable/{type(exc).__name__}")
            logger.error("Request not queued, cannot be stored as JSON: %s (%s)", request, exc)
            return False
        due = request.meta.get(DUE_META)
        entry = Entry(
            domain=domain,
            priority=int(request.priority),
            json=data if isinstance(data, str) else data.decode("utf-8"),
            fingerprint=fingerprint,
            due_ms=int(float(due) * 1000) if due else 0,
        )
        self._to_push.append(entry)
        if fingerprint:
            self._pushed.add(fingerprint)
        self._finish_replaced(replaced)
        if len(self._to_push) >= PUSH_BATCH:
            self.flush()
        return True

    def _finish_replaced(self, replaced: Any) -> None:
        """A redirect or retry of a leased request: the new request is queued before the old
        lease is acknowledged (both in the next flush), so nothing is ever lost."""
        if replaced is not None:
            lease = self._held.pop((int(replaced[0]), str(replaced[1])), None)
            if lease is not None:
                self._to_ack.append(lease)

    def _request_dict(self, request: Request) -> dict[str, Any]:
        """``request.to_dict(spider=...)`` with callback names cached: Scrapy looks them up
        with ``inspect.getmembers`` on every call, a tenth of a worker's time."""
        callback, errback = request.callback, request.errback
        try:
            request.callback = self._method_name(callback)
            request.errback = self._method_name(errback)
            return request.to_dict()
        finally:
            request.callback, request.errback = callback, errback

    def _method_name(self, func: Any) -> Any:
        if not callable(func):
            return func
        key = getattr(func, "__func__", func)
        name = self._method_names.get(key)
        if name is None:
            name = request_to_dict_name(self.spider, func)
            self._method_names[key] = name
        return name

    def flush(self) -> None:
        """Push buffered requests, then acknowledge finished leases: one call per shard each.

        If Redis is away, both stay buffered for the next try (after a backoff): a request
        is never dropped and a lease never acknowledged before its replacement is queued.
        """
        if self._backing_off():
            return
        try:
            self._flush()
        except REDIS_DOWN as exc:
            self._redis_failed(exc)
        else:
            self._redis_ok()

    def _flush(self) -> None:
        if self._to_push:
            batch = self._to_push
            statuses = self.frontier.push(batch)
            self._to_push = self._to_push[len(batch) :]
            for status in statuses:
                if status == DUPLICATE:
                    self._inc("dupefilter/filtered")
                elif status == OVER_BUDGET:
                    self._inc("isop/frontier/over_budget")
                else:
                    self._inc("scheduler/enqueued/redis")
                    if status == SCHEDULED:
                        self._inc("isop/frontier/scheduled_for_later")
                    self._remote_pending = True
        if self._to_ack:
            acks = self._to_ack
            late = len(acks) - self.frontier.ack(acks)
            self._to_ack = self._to_ack[len(acks) :]
            self._inc("isop/frontier/acked", len(acks) - late)
            self._inc("isop/frontier/late_ack", late)

    # -- Redis faults --------------------------------------------------------------------
    def _backing_off(self) -> bool:
        if time.monotonic() < self._retry_at:
            self._wake_in(self._retry_at - time.monotonic())
            return True
        return False

    def _redis_failed(self, exc: Exception) -> None:
        self._backoff = min(BACKOFF_MAX_S, max(BACKOFF_MIN_S, self._backoff * 2))
        self._retry_at = time.monotonic() + self._backoff
        self._inc(f"isop/frontier/redis_errors/{type(exc).__name__}")
        logger.warning("Frontier Redis unavailable (%s); retrying in %.1fs", exc, self._backoff)
        self._wake_in(self._backoff)

    def _redis_ok(self) -> None:
        if self._backoff:
            logger.info("Frontier Redis is back")
        self._backoff = 0.0

    # -- dequeue -------------------------------------------------------------------------
    def next_request(self) -> Request | None:
        self.flush()
        if not self._ready and not self._backing_off():
            try:
                self._fill()
            except REDIS_DOWN as exc:
                self._redis_failed(exc)
            else:
                self._redis_ok()
        if not self._ready:
            return None
        lease, request = self._ready.popleft()
        request.meta[LEASE_META] = [lease.shard, lease.id]
        self._inc("scheduler/dequeued/redis")
        return request

    def _free_slots(self) -> int:
        """Requests the downloader can start now: a lease taken is sent at once, so the gap
        the frontier keeps between two fetches of a domain is the gap the site sees."""
        downloader = getattr(self._engine(), "downloader", None)
        if downloader is None:
            return self.prefetch
        limit = self.crawler.settings.getint("CONCURRENT_REQUESTS", 16)
        return max(1, min(self.prefetch, limit - len(downloader.active)))

    def _fill(self) -> None:
        leases, wait = self.frontier.pop(self._free_slots(), self.worker_id)
        for lease in leases:
            try:
                request = request_from_dict(self.serializer.loads(lease.json), spider=self.spider)
            except Exception as exc:  # corrupt or foreign entry: set aside, never crash
                self._dead_letter(lease, exc)
                continue
            self._held[(lease.shard, lease.id)] = lease
            self._ready.append((lease, request))
        self._remote_pending = bool(leases) or wait is not None
        self._remote_checked = time.monotonic()
        if not leases and wait is not None:
            self._wake_in(min(wait, 5.0))

    def _dead_letter(self, lease: Lease, exc: Exception) -> None:
        self._inc("isop/frontier/dead_letter")
        logger.error("Frontier entry set aside in dead letters (%s): %.200s", exc, lease.json)
        self.frontier.set_aside(lease, f"{type(exc).__name__}: {exc}")

    def _wake_in(self, seconds: float) -> None:
        """Ask the engine for requests again when the next domain becomes ready.

        Scrapy polls an idle scheduler only every 5 s; politeness delays are shorter.
        """
        if self._wakeup is not None and self._wakeup.active():
            return
        from twisted.internet import reactor  # imported late: importing it installs one

        clock: Any = reactor  # the installed reactor (Twisted types it as a module)
        self._wakeup = clock.callLater(max(0.005, seconds), self._nudge_engine)

    def _engine(self) -> Any:
        try:
            return self.crawler.engine
        except RuntimeError:  # no crawl running (a scheduler built by hand, in tests)
            return None

    def _nudge_engine(self) -> None:
        slot = getattr(self._engine(), "_slot", None)
        if slot is not None:
            slot.nextcall.schedule()

    def has_pending_requests(self) -> bool:
        if self._to_push or self._to_ack or self._ready or self._backoff:
            return True  # while Redis is away, assume there is work: never close on a fault
        now = time.monotonic()
        if now - self._remote_checked > 1.0:
            self._remote_checked = now
            try:
                self._remote_pending = self.frontier.outstanding() > 0
            except REDIS_DOWN as exc:
                self._redis_failed(exc)
                return True
        return self._remote_pending

    def __len__(self) -> int:
        return len(self._to_push) + len(self._ready)

    # -- leases --------------------------------------------------------------------------
    def finish(self, request: Request) -> None:
        """The request's response or final failure was handled: acknowledge its lease."""
        held = request.meta.get(LEASE_META)
        if not held:
            return
        lease = self._held.pop((int(held[0]), str(held[1])), None)
        if lease is not None:
            self._to_ack.append(lease)

    def _renew(self) -> None:
        if not self._held:
            return
        try:
            held = self.frontier.renew(list(self._held.values()))
        except Exception as exc:  # Redis away: the next beat tries again
            self._inc(f"isop/frontier/renew_errors/{type(exc).__name__}")
            return
        lost = len(self._held) - held
        self._inc("isop/frontier/leases_lost", lost)

    def _inc(self, key: str, count: int = 1) -> None:
        if self.stats is not None and count:
            self.stats.inc_value(key, count)
