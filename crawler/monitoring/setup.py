"""How a monitor process is set up: its own frontier, no page budget, every answer kept.

Monitor requests live in a frontier of their own (key prefix ``<prefix>:monitor``), so the
discovery workers never lease a check they could not handle, and a check is never held back
by a site's page budget.
"""

from __future__ import annotations

from crawler.config import Config

# Every error status reaches the callback (a 404 or a 451 is an answer); redirects are
# still followed by Scrapy, so the chain and the final domain are known.
ANSWERED = list(range(400, 600))
NO_PAGE_BUDGET = 10**9
MONITOR_PRIORITY = 50
# ``crawler.frontier.scheduler.DUE_META``: not imported from there, because that module
# imports Twisted's reactor, and spider modules are loaded before Scrapy installs its own.
DUE_META = "isop_due_at"


def monitor_config(config: Config) -> Config:
    """The config a monitor process runs with: its own frontier, no page budget."""
    prefix = config.redis.key_prefix
    if prefix.endswith(":monitor"):
        return config
    return config.with_overrides(
        redis={"key_prefix": f"{prefix}:monitor"},
        crawl={"page_budget_per_site": NO_PAGE_BUDGET},
    )
