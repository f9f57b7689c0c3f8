"""Capture evidence of every flagged page: WARC records on disk, a chained row in the registry.

Runs before the registry pipeline (the page is judged by then), on a thread of its own:
WARC writes are synced to disk and chain appends take a database lock, neither belongs on
the reactor.  A failure is counted and logged; the crawl goes on.

Group commit, as the registry pipeline does it: each capture joins a batch, cut at
``evidence.batch_size`` or ``evidence.flush_ms`` after a capture finds the writer idle (and
as soon as the writer frees up while it is busy).  A batch's WARC records are written and
synced once, *then* its rows are committed in one durable transaction (SQLite syncs its
WAL for it: ``synchronous=FULL``), *then* the new head goes to
the chain-head log: a crash leaves at worst orphan WARC records (``verify`` notes them) or
rows not anchored yet, never a row pointing at unsynced bytes.  ``process_item`` awaits its
batch, so Scrapy's wait for items in flight at close covers the buffer.  A batch the
database refuses is retried row by row, so one bad row costs only its own capture.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from sqlalchemy import Engine

from crawler.alerts.db import open_engine
from crawler.evidence import chain
from crawler.evidence.anchor import LOG_NAME, HeadLog
from crawler.evidence.capture import fetch_of
from crawler.evidence.warc import Fetch, WarcStore
from crawler.items import PageItem

logger = logging.getLogger(__name__)

Outcome = chain.EvidenceCapture | Exception


def crawler_identity(operator: str, user_agent: str) -> str:
    """Who fetched: the operator, the software and version, the host and the user agent."""
    try:
        software = f"isop-crawler {version('isop-crawler')}"
    except PackageNotFoundError:
        software = "isop-crawler"
    return f"{operator}; {software}; host {socket.gethostname()}; user-agent {user_agent}"


@dataclass
class Capture:
    """One page made ready to write: its exchange, WARC metadata and row fields."""

    fetch: Fetch
    metadata: dict[str, Any]
    fields: dict[str, Any]


@dataclass
class _Pending:
    capture: Capture
    done: asyncio.Future[Outcome]


class EvidencePipeline:
    """WARC + hash-chained row for each page whose verdict is infringing."""

    def __init__(self, engine: Engine, store: WarcStore, stats: Any, batch_size: int = 100,
                 flush_s: float = 0.05, anchor: HeadLog | None = None) -> None:  # fmt: skip
        self.engine = engine
        self.store = store
        self.stats = stats
        self.batch_size = batch_size
        self.flush_s = flush_s
        self.anchor = anchor if anchor is not None else HeadLog(store.directory / LOG_NAME)
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="evidence")
        self._buffer: list[_Pending] = []
        self._timer: asyncio.TimerHandle | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        # Batches cut whose writer has not yet taken its last look at the buffer.  Not
        # ``_tasks``: a task leaves that set in a done-callback, one loop step after its last
        # look, and an item arriving in between would find neither a timer nor a writer
        # coming back for it (it waited for ever: the iptv end-to-end crawl that never ended).
        self._writing = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> EvidencePipeline:
        config = crawler.settings["ISOP_CONFIG"]
        if config is None or not config.evidence.enabled:
            raise NotConfigured("evidence capture is off (evidence.enabled)")
        settings = config.evidence
        identity = crawler_identity(settings.operator, crawler.settings["USER_AGENT"])
        store = WarcStore(config.data_dir / "evidence", settings.warc_max_bytes, identity)
        anchor = HeadLog(store.directory / LOG_NAME, settings.anchor_key)
        pipeline = cls(open_engine(config.database_url), store, crawler.stats,
                       settings.batch_size, settings.flush_ms / 1000, anchor)  # fmt: skip
        crawler.signals.connect(pipeline.spider_idle, signal=signals.spider_idle)
        return pipeline

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, PageItem) or item.verdict is None or not item.verdict.infringing:
            return item
        try:
            capture = self.prepare(item)
        except Exception as exc:  # refused before anything is written: count, log
            self._failed(item.url, exc)
            return item
        loop = asyncio.get_running_loop()
        pending = _Pending(capture, loop.create_future())
        self._buffer.append(pending)
        if len(self._buffer) >= self.batch_size:
            self._cut()
        elif self._timer is None and not self._writing:
            self._timer = loop.call_later(self.flush_s, self._cut)  # idle writer: linger
        outcome = await pending.done
        if isinstance(outcome, Exception):
            self._failed(item.url, outcome)
        else:
            self.stats.inc_value("isop/evidence/captured")
        return item

    def _failed(self, url: str, exc: Exception) -> None:
        # evidence failing must not stop the crawl: count, log
        self.stats.inc_value(f"isop/evidence_errors/{type(exc).__name__}")
        logger.error("Evidence capture failed for %s: %s", url, exc)

    def spider_idle(self) -> None:
        """Nothing else to do: write what is buffered now rather than at the timer."""
        if self._buffer:
            self._cut()

    def _cut(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        batch, self._buffer = self._buffer, []
        if batch:
            self._writing += 1
            task = asyncio.get_running_loop().create_task(self._run(batch))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _run(self, batch: list[_Pending]) -> None:
        loop = asyncio.get_running_loop()
        try:
            outcomes: list[Outcome] = await loop.run_in_executor(
                self.executor, self.write, [p.capture for p in batch]
            )
        except Exception as exc:  # the WARC write itself failed: nothing was committed
            outcomes = [exc] * len(batch)
        for pending, outcome in zip(batch, outcomes, strict=True):
            if not pending.done.done():  # its item may have been cancelled by a forced stop
                pending.done.set_result(outcome)
        self._writing -= 1  # in the same step as the look below: no item falls in between
        if self._buffer and self._timer is None:
            self._cut()  # what came in meanwhile has waited one write already

    def prepare(self, item: PageItem) -> Capture:
        """What to write for ``item``; raises (before anything is written) on bad input."""
        verdict = item.verdict
        assert verdict is not None
        if item.fetched_at.tzinfo is None:
            raise ValueError(f"naive fetch time {item.fetched_at!r}: needs a time zone")
        signals_ = [
            {"detector": s.detector, "name": s.name, "score": s.score, "evidence": s.evidence}
            for s in verdict.signals
        ]
        fetch = fetch_of(item)
        metadata = {
            "domain": item.domain,
            "redirect_chain": fetch.redirect_chain,
            "referer": item.referer,
            "verdict": {"score": verdict.score, "kind": verdict.kind,
                        "explanation": verdict.explanation, "signals": signals_},
        }  # fmt: skip
        fields = {
            "domain": item.domain, "url": item.url, "fetched_at": item.fetched_at,
            "crawler": self.store.crawler, "http_status": item.status,
            "content_type": item.content_type[:500], "ip_address": fetch.ip_address,
            "redirect_chain": fetch.redirect_chain, "score": float(verdict.score),
            "kind": verdict.kind, "explanation": verdict.explanation, "signals": signals_,
        }  # fmt: skip
        return Capture(fetch, metadata, fields)

    def write(self, batch: list[Capture]) -> list[Outcome]:
        """WARC records of the batch (one sync), then its rows (one transaction, or one by
        one if the batch is refused), then the new head in the log.  Blocking."""
        stored = self.store.append_many([(c.fetch, c.metadata) for c in batch])
        rows = [
            {**c.fields, "payload_sha256": s.payload_sha256, "warc_file": s.warc_file,
             "warc_offset": s.offset, "warc_length": s.length, "warc_sha256": s.sha256}
            for c, s in zip(batch, stored, strict=True)
        ]  # fmt: skip
        outcomes: list[Outcome] = []
        try:
            outcomes.extend(chain.append_many(self.engine, rows))
        except Exception as exc:
            if len(rows) == 1:
                return [exc]
            self.stats.inc_value("isop/evidence/batch_retries")
            for row in rows:  # the culprit alone fails; its WARC records stay as orphans
                try:
                    outcomes.extend(chain.append_many(self.engine, [row]))
                except Exception as one:
                    outcomes.append(one)
        self._anchor([o for o in outcomes if not isinstance(o, Exception)])
        return outcomes

    def _anchor(self, made: list[chain.EvidenceCapture]) -> None:
        head = chain.head_of(sorted(made, key=lambda r: r.seq or 0))
        if head is None:
            return
        try:
            self.anchor.write(head)
        except OSError as exc:  # the rows are committed: only the anchoring is late
            self.stats.inc_value("isop/evidence_errors/anchor")
            logger.error("Chain-head log %s not written (%s): head %s not anchored",
                         self.anchor.path, exc.strerror or exc, head)  # fmt: skip

    def capture(self, item: PageItem) -> chain.EvidenceCapture:
        """One page, written alone (blocking): WARC synced, row committed, head anchored."""
        outcome = self.write([self.prepare(item)])[0]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def close_spider(self) -> None:
        # Scrapy calls this once no item is in flight, so every batch has been written.
        self.executor.shutdown(wait=True)
        self.store.close()
        self.anchor.close()
        self.engine.dispose()
