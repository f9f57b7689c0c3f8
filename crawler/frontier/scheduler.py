"""The scrapy-redis scheduler plus a fleet-wide page budget per registered domain.

The budget is counted in Redis after dedup, so every worker of a fleet shares it and a
duplicate link does not use it up.  Requests marked ``dont_filter`` (seeds re-queued on
purpose) are still counted.
"""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy_redis.scheduler import Scheduler

from crawler.domains import registered_domain
from crawler.keys import Keys


class BudgetScheduler(Scheduler):  # type: ignore[misc]
    """scrapy-redis ``Scheduler`` that refuses requests past a domain's page budget."""

    keys: Keys
    page_budget: int

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BudgetScheduler:
        instance: BudgetScheduler = super().from_crawler(crawler)
        config = crawler.settings["ISOP_CONFIG"]
        instance.keys = Keys(config.redis.key_prefix)
        instance.page_budget = config.crawl.page_budget_per_site
        return instance

    def enqueue_request(self, request: Request) -> bool:
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            return False
        domain = registered_domain(request.url)
        used = int(self.server.incr(self.keys.budget(domain)))
        if used > self.page_budget:
            self._inc("isop/scheduler/over_budget")
            return False
        self._inc("scheduler/enqueued/redis")
        self.queue.push(request)
        return True

    def _inc(self, key: str) -> None:
        stats: Any = self.stats
        if stats:
            stats.inc_value(key, spider=self.spider)
