"""Write verdicts into the registry in batches (group commit), off the reactor thread.

A transaction per page costs a commit (an fsync, a round trip) per page: ~80 verdicts/s on
PostgreSQL against ~2,400/s for set-based batches (``python -m bench registry``).  So each
verdict joins a batch, written by :meth:`crawler.registry.Registry.record_page_verdicts` when
it holds ``registry.batch_size`` verdicts, or when the writer is free: a batch starts
``registry.flush_ms`` after the first verdict that finds the writer idle (a short linger, so
that light traffic still shares commits), and as soon as the previous batch ends while the
writer is busy.  So batches grow with the load, and a verdict waits at most the linger or
one write: the crawl's rate is not capped by items in flight / flush time.

- ``process_item`` awaits its verdict's batch: an item leaves the pipeline only once its
  verdict is committed, so Scrapy's own bookkeeping (the scraper slot, the close of the
  spider, which waits for items in flight) covers the buffer: nothing is lost on a normal
  stop, and a full buffer slows the crawl down instead of growing.
- SQL blocks, so batches run on one dedicated thread, one at a time per process (SQLite
  has one writer; PostgreSQL sites are locked in id order by the batch).
- A database that is unreachable or busy (``OperationalError``, ``InterfaceError``) is
  retried with exponential backoff for as long as it takes; the verdicts wait, counted.
  Any other error splits the batch into single verdicts, so that one verdict the database
  refuses (bad data) does not hold up the others; a single verdict refused
  ``REJECT_AFTER`` times is logged with its URL and counted ``outcome="rejected"``.

Frontier leases: :class:`crawler.frontier.leases.LeaseAcknowledger` acknowledges a lease
when the callback's output has been *iterated*, which Scrapy does before the items'
pipelines finish (``Scraper.handle_spider_output_async`` queues items for up to
``CONCURRENT_ITEMS`` workers).  That was so with one write per page too: a lease never
waited for its verdict's commit.  What holds is that a verdict handed to this pipeline is
committed before the spider closes (or the process is killed: then the page is lost with
the lease already acknowledged, as before).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import random
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from sqlalchemy.exc import InterfaceError, OperationalError

from crawler.items import PageItem
from crawler.registry import Registry
from crawler.registry.policy import policy_from

logger = logging.getLogger(__name__)

REJECT_AFTER = 4  # attempts of one verdict alone before a non-transient error rejects it
BACKOFF_FIRST_S = 0.1
BACKOFF_MAX_S = 30.0
_UNREACHABLE = (OperationalError, InterfaceError)


@dataclass
class _Pending:
    """One verdict waiting for its batch, and the item waiting for it."""

    verdict: dict[str, Any]
    done: asyncio.Future[str]
    attempts: int = 0


@dataclass
class _Batch:
    pending: list[_Pending] = field(default_factory=list)


class RegistryPipeline:
    """Record every evaluated page; infringing ones create or update a site with evidence.

    The group commit is reusable (:class:`crawler.pipelines.facts.FactsPipeline`): a
    subclass hands ``submit`` payloads with ``url`` and ``infringing`` keys, writes a batch
    of them in ``write`` and names its stats with ``STATS``/``ERRORS``.
    """

    STATS = "isop/registry"
    ERRORS = "isop/registry_errors"

    def __init__(
        self, registry: Registry, stats: Any, batch_size: int = 200, flush_s: float = 0.05
    ) -> None:
        self.registry = registry
        self.stats = stats
        self.batch_size = batch_size
        self.flush_s = flush_s
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="registry")
        self._buffer = _Batch()
        self._timer: asyncio.TimerHandle | None = None
        self._writer = asyncio.Lock()  # one batch at a time, in the order they were cut
        self._tasks: set[asyncio.Task[None]] = set()
        # Batches cut whose ``_write`` has not taken its last look at the buffer yet (not
        # ``_tasks``, which a task leaves one loop step later: see ``submit``).
        self._writing = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RegistryPipeline:
        config = crawler.settings["ISOP_CONFIG"]
        registry = Registry.open(config.database_url, policy_from(config))
        pipeline = cls(registry, crawler.stats, config.registry.batch_size,
                       config.registry.flush_ms / 1000)  # fmt: skip
        crawler.signals.connect(pipeline.spider_idle, signal=signals.spider_idle)
        return pipeline

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, PageItem) or item.verdict is None:
            return item
        await self.submit(_verdict_kwargs(item))
        return item

    def write(self, batch: list[dict[str, Any]]) -> Any:
        """Write one batch in one transaction (on the writer thread)."""
        return self.registry.record_page_verdicts(batch)

    async def submit(self, payload: dict[str, Any]) -> str:
        """Queue ``payload`` for the next batch; its outcome once committed."""
        loop = asyncio.get_running_loop()
        pending = _Pending(payload, loop.create_future())
        self._buffer.pending.append(pending)
        if len(self._buffer.pending) >= self.batch_size:
            self._cut()
        elif self._timer is None and not self._writing:
            # The writer is idle: linger a little for company.  While it is busy, the
            # batch in progress cuts the next one as it ends (see ``_write``).  Idle means
            # past that last look, not out of ``_tasks``: a task leaves it in a done-callback
            # one loop step later, and an item arriving in between was never written (the
            # crawl then never ended: its spider waited for the item).
            self._timer = loop.call_later(self.flush_s, self._cut)
        outcome = await pending.done
        self.stats.inc_value(f"{self.STATS}/writes/{outcome}")
        if outcome == "flag":
            self.stats.inc_value(f"{self.STATS}/flags_written")
        return outcome

    def spider_idle(self) -> None:
        """Nothing else to do: write what is buffered now rather than at the timer."""
        if self._buffer.pending:
            self._cut()

    async def close_spider(self) -> None:
        if self._buffer.pending:
            self._cut()
        while self._tasks:
            await asyncio.gather(*list(self._tasks))
        self.executor.shutdown(wait=True)
        self.registry.close()

    def _cut(self) -> None:
        """Close the current batch and start writing it."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        batch, self._buffer = self._buffer, _Batch()
        if not batch.pending:
            return
        self._writing += 1
        task = asyncio.get_running_loop().create_task(self._write(batch.pending))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _write(self, pending: list[_Pending]) -> None:
        try:
            await self._write_batch(pending)
        finally:
            self._writing -= 1  # in the same step as the look below
            if self._buffer.pending and self._timer is None:
                self._cut()  # what came in meanwhile has waited one write already

    async def _write_batch(self, pending: list[_Pending]) -> None:
        async with self._writer:
            if await self._attempt(pending):
                return
            # Something other than an unreachable database: one verdict at a time.
            for one in pending:
                if not await self._attempt([one]):
                    logger.error("Registry refused the verdict for %s (%d attempts): "
                                 "rejected", one.verdict["url"], one.attempts)  # fmt: skip
                    _settle(one, "rejected")

    async def _attempt(self, pending: list[_Pending]) -> bool:
        """Write ``pending`` in one transaction, retrying while the database is unreachable;
        False when it failed otherwise (the caller isolates the culprit)."""
        loop = asyncio.get_running_loop()
        verdicts = [p.verdict for p in pending]
        failures = 0
        while True:
            try:
                await loop.run_in_executor(self.executor, self.write, verdicts)
            except Exception as exc:  # counted and retried: a verdict is never dropped here
                failures += 1
                for one in pending:
                    # Invalid input (validation) fails the same way every time.
                    one.attempts = REJECT_AFTER if isinstance(exc, ValueError) else one.attempts + 1
                self.stats.inc_value(f"{self.ERRORS}/{type(exc).__name__}")
                self.stats.inc_value(f"{self.STATS}/write_failures", len(pending))
                delay = _backoff(failures)
                unreachable = isinstance(exc, _UNREACHABLE)
                logger.warning("Registry write of %d verdict(s) failed (%s: %s); %s",
                               len(pending), type(exc).__name__, str(exc).splitlines()[0][:200],
                               f"retrying in {delay:.1f}s" if unreachable or len(pending) == 1
                               else "writing them one by one")  # fmt: skip
                if not unreachable and (len(pending) > 1 or pending[0].attempts >= REJECT_AFTER):
                    return False
                await asyncio.sleep(delay)
                continue
            self.stats.inc_value(f"{self.STATS}/batches")
            for one in pending:
                _settle(one, "flag" if one.verdict["infringing"] else "clean")
            return True


def _settle(one: _Pending, outcome: str) -> None:
    if not one.done.done():  # its item may have been cancelled by a forced shutdown
        one.done.set_result(outcome)


def _backoff(failures: int) -> float:
    """Exponential, capped, with jitter: writers that failed together retry apart."""
    ceiling = min(BACKOFF_MAX_S, BACKOFF_FIRST_S * 2 ** (failures - 1))
    return random.uniform(ceiling / 2, ceiling)


def _verdict_kwargs(item: PageItem) -> dict[str, Any]:
    """``Registry.record_page_verdict`` keyword arguments for ``item``."""
    verdict = item.verdict
    assert verdict is not None
    signals_ = [
        {"detector": s.detector, "name": s.name, "score": s.score, "evidence": s.evidence}
        for s in verdict.signals
    ]
    return {
        "domain": item.domain,
        "url": item.url,
        "score": verdict.score,
        "infringing": verdict.infringing,
        "kind": verdict.kind,
        "explanation": verdict.explanation,
        "signals": signals_,
        "content_sha256": hashlib.sha256(item.body).hexdigest(),
        "seen_at": item.fetched_at,
        "aliases": [(dom, "redirect") for dom in item.redirect_domains],
    }
