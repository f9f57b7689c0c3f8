"""Monitor spider: revisit registered sites on their schedule and record what each check saw.

The schedule is the frontier's: a check is a request carrying its due time
(``isop_due_at``), parked in the frontier's "due" set until then; each recorded check queues
the next one at the interval of the site's new status.  A periodic sweep of the registry
schedules sites that have no check queued yet (newly confirmed ones, or one whose request was
lost), under a claim so that several monitors schedule a site once.

Monitor requests live in a frontier of their own (key prefix ``<prefix>:monitor``), so the
discovery workers never lease a check they could not handle, and a check is never held back
by a site's page budget.  ``isop monitor`` runs it; ``scrapy crawl monitor`` works too.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.utils.defer import deferred_from_coro
from twisted.internet import task
from twisted.python.failure import Failure

from crawler.config import Config, load_config
from crawler.domains import registered_domain
from crawler.monitoring.classify import Banners, classify, fingerprint, load_banners
from crawler.monitoring.hops import HopGenerator, hop_generator, same_site_proof
from crawler.monitoring.responses import latency_ms, page_item, scheduled_for, text_and_title
from crawler.monitoring.setup import ANSWERED, DUE_META, MONITOR_PRIORITY, monitor_config
from crawler.registry import Registry
from crawler.registry.checks import CheckRecorded, CheckResult, DueCheck
from crawler.registry.db import redact
from crawler.registry.metrics import register_on_exporter
from crawler.registry.policy import policy_from

SWEEP_ROUNDS = 20  # batches of monitor.sweep_batch per sweep at most


class MonitorSpider(Spider):
    """Checks due sites, records checks, probes hop candidates of sites that went down."""

    name = "monitor"

    def __init__(self, *args: Any, hops: HopGenerator | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.hops = hops
        self.registry: Registry | None = None
        self.banners: Banners | None = None
        self.db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="monitor-db")
        self.sweeper: task.LoopingCall | None = None
        self.checks_done = 0
        self.max_checks = 0

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        config = settings.get("ISOP_CONFIG")
        if not isinstance(config, Config):  # plain `scrapy crawl monitor`
            config = load_config(settings.get("ISOP_CONFIG_FILE"))
        # Above "cmdline" (40): CrawlerProcess.crawl() merges the process's settings into the
        # crawler's again after this, and the command line's config is only our base.
        settings.set("ISOP_CONFIG", monitor_config(config), priority=MONITOR_PRIORITY)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> MonitorSpider:
        spider: MonitorSpider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider._idle, signal=signals.spider_idle)
        crawler.signals.connect(spider._closed, signal=signals.spider_closed)
        return spider

    def _configure(self) -> None:
        config: Config = self.crawler.settings["ISOP_CONFIG"]
        self.config = config.monitor
        self.registry = Registry.open(config.database_url, policy_from(config))
        self.banners = load_banners(config.monitor.banners_path)
        register_on_exporter(self.crawler, self.registry)  # sites by status, checks
        self.logger.info("Monitoring %s; checks scheduled in the frontier %r",
                         redact(config.database_url), config.redis.key_prefix)  # fmt: skip
        self.max_checks = self.crawler.settings.getint("ISOP_MONITOR_MAX_CHECKS", 0)
        if self.hops is None:
            self.hops = hop_generator()
        self.sweeper = task.LoopingCall(self._sweep_later)
        self.sweeper.start(self.config.sweep_interval, now=False)

    async def start(self) -> AsyncIterator[Any]:
        self._configure()
        for due in await self._in_db(self._claim):
            yield self._check_request(due)

    # -- scheduling ----------------------------------------------------------------------
    def _claim(self) -> list[DueCheck]:
        assert self.registry is not None
        due = self.registry.claim_due(limit=self.config.sweep_batch)
        self.crawler.stats.inc_value("isop/monitor/scheduled_by_sweep", len(due))
        return due

    def _sweep_later(self) -> Any:
        """Schedule what has no check queued; a full batch means more wait: go on (a bounded
        number of rounds per sweep, so a huge registry is scheduled over a few sweeps)."""

        async def sweep() -> None:
            for _ in range(SWEEP_ROUNDS):
                due = await self._in_db(self._claim)
                for check in due:
                    self.crawler.engine.crawl(self._check_request(check))
                if len(due) < self.config.sweep_batch:
                    return

        return _deferred(sweep())

    def _check_request(self, due: DueCheck) -> Request:
        return Request(
            due.url,
            callback=self.parse_check,
            errback=self.check_failed,
            dont_filter=True,  # a revisit is never a duplicate
            meta={
                DUE_META: due.due_at.timestamp(),
                "isop_site": due.site_id,
                "isop_domain": due.domain,
                "isop_check_url": due.url,
                "isop_scheduled_for": due.due_at.isoformat(),
                "handle_httpstatus_list": ANSWERED,
            },
        )

    async def _in_db(self, call: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.db, call, *args)

    # -- checks --------------------------------------------------------------------------
    async def parse_check(self, response: Response) -> AsyncIterator[Any]:
        assert self.banners is not None
        meta = response.meta
        text, title = text_and_title(response, self.config.max_body_bytes)
        final = registered_domain(response.url)
        verdict = classify(self.banners, domain=meta["isop_domain"], http_status=response.status,
                           final_domain=final, text=text)  # fmt: skip
        result = CheckResult(
            site_id=int(meta["isop_site"]),
            domain=meta["isop_domain"],
            url=meta["isop_check_url"],
            at=datetime.now(UTC),
            outcome=verdict.outcome,
            http_status=response.status,
            redirect_chain=[*meta.get("redirect_urls", []), response.url],
            response_ms=latency_ms(meta),
            fingerprint=fingerprint(text) if text else None,
            moved_to=verdict.moved_to,
            why=verdict.why,
            title=title,
            scheduled_for=scheduled_for(meta),
        )
        for request in await self._recorded(result):
            yield request
        if verdict.outcome in ("up", "moved") and 200 <= response.status < 300:
            yield page_item(response)  # fresh evidence through detection and the registry

    async def check_failed(self, failure: Failure) -> AsyncIterator[Any]:
        request: Request = failure.request  # type: ignore[attr-defined]
        error = f"{type(failure.value).__name__}: {failure.value}"[:500]
        result = CheckResult(
            site_id=int(request.meta["isop_site"]),
            domain=request.meta["isop_domain"],
            url=request.meta["isop_check_url"],
            at=datetime.now(UTC),
            outcome="down",
            error=error,
            why=f"no answer ({type(failure.value).__name__})",
            scheduled_for=scheduled_for(request.meta),
        )
        for follow in await self._recorded(result):
            yield follow

    async def _recorded(self, result: CheckResult) -> list[Request]:
        assert self.registry is not None
        try:
            recorded: CheckRecorded = await self._in_db(self.registry.record_check, result)
        except Exception as exc:  # the site was deleted, the database is away: count, go on
            self.crawler.stats.inc_value(f"isop/monitor/record_errors/{type(exc).__name__}")
            self.logger.error("Check of %s not recorded: %s", result.url, exc)
            return []
        stats = self.crawler.stats
        if recorded.stale:  # the site was rescheduled since: a newer check is queued
            stats.inc_value("isop/monitor/stale_checks")
            return []
        stats.inc_value(f"isop/monitor/checks/{result.outcome}")
        if recorded.status != recorded.previous_status:
            stats.inc_value(f"isop/monitor/status_changes/{recorded.status}")
        self.checks_done += 1
        follow: list[Request] = []
        if recorded.next_check is not None:
            follow.append(self._check_request(recorded.next_check))
        if recorded.went_down:
            follow.extend(self._probes(result, recorded))
        if self.max_checks and self.checks_done >= self.max_checks:
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="max_checks"))
        return follow

    # -- hop probes ----------------------------------------------------------------------
    def _probes(self, result: CheckResult, recorded: CheckRecorded) -> Iterator[Request]:
        """Requests for the likeliest new domains of a site that just went down."""
        budget = self.config.hop_probes
        if not budget or self.hops is None:
            return
        try:
            candidates = self.hops(result.domain, budget)
        except Exception as exc:  # a generator bug must not stop monitoring
            self.crawler.stats.inc_value(f"isop/monitor/hop_errors/{type(exc).__name__}")
            self.logger.error("Hop candidates of %s failed: %s", result.domain, exc)
            return
        scheme = result.url.split(":", 1)[0]
        for candidate in candidates[:budget]:
            self.crawler.stats.inc_value("isop/monitor/hop_probes")
            yield Request(
                f"{scheme}://{candidate}/",
                callback=self.parse_probe,
                errback=self.probe_failed,
                meta={
                    "isop_site": result.site_id,
                    "isop_domain": result.domain,
                    "isop_candidate": candidate,
                    "isop_reference": [recorded.reference_fingerprint, recorded.reference_title],
                    "dont_retry": True,  # most candidates do not exist: one try each
                },
            )

    async def parse_probe(self, response: Response) -> AsyncIterator[Any]:
        """A candidate answered: if it serves the same site, that is where the site went."""
        meta = response.meta
        candidate = meta["isop_candidate"]
        if registered_domain(response.url) != candidate:
            return  # it sent us elsewhere (a parking service, a registrar): not the site
        text, title = text_and_title(response, self.config.max_body_bytes)
        reference_fp, reference_title = meta["isop_reference"]
        proof = same_site_proof(
            origin=meta["isop_domain"], candidate=candidate,
            reference_fingerprint=reference_fp, reference_title=reference_title,
            fingerprint=fingerprint(text) if text else None, title=title,
        )  # fmt: skip
        if proof is not None:
            self.crawler.stats.inc_value("isop/monitor/hops_found")
            result = CheckResult(
                site_id=int(meta["isop_site"]),
                domain=meta["isop_domain"],
                url=response.url,
                at=datetime.now(UTC),
                outcome="moved",
                http_status=response.status,
                redirect_chain=[*meta.get("redirect_urls", []), response.url],
                response_ms=latency_ms(meta),
                fingerprint=fingerprint(text) if text else None,
                moved_to=candidate,
                why=f"hop candidate {candidate} serves the same site ({proof})",
                title=title,
                link_proof=f"hop-probe:{proof}",
            )
            for request in await self._recorded(result):
                yield request
        yield page_item(response)  # judged by the detectors either way

    def probe_failed(self, failure: Failure) -> None:
        self.crawler.stats.inc_value(f"isop/monitor/probe_errors/{type(failure.value).__name__}")

    # -- lifecycle -----------------------------------------------------------------------
    def _idle(self) -> None:
        """A monitor runs until stopped (SIGTERM, Ctrl-C, ``ISOP_MONITOR_MAX_CHECKS``)."""
        raise DontCloseSpider

    def _closed(self, reason: str) -> None:
        if self.sweeper is not None and self.sweeper.running:
            self.sweeper.stop()
        self.db.shutdown(wait=True)
        if self.registry is not None:
            self.registry.close()


def _deferred(coro: Any) -> Any:
    return deferred_from_coro(coro)
