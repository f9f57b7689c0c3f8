"""Every Redis key the crawler writes, in one place, under one configurable prefix.

The scrapy-redis settings take ``%(spider)s`` patterns; the rest are built here so that a
shared Redis can be inspected (``SCAN MATCH isop:*``) and cleaned by prefix.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Keys:
    prefix: str = "isop"

    @property
    def queue_pattern(self) -> str:
        return f"{self.prefix}:%(spider)s:requests"

    @property
    def dupefilter_pattern(self) -> str:
        return f"{self.prefix}:%(spider)s:dupefilter"

    @property
    def start_urls_pattern(self) -> str:
        return f"{self.prefix}:%(name)s:start_urls"

    def queue(self, spider: str) -> str:
        return self.queue_pattern % {"spider": spider}

    def start_urls(self, spider: str) -> str:
        return self.start_urls_pattern % {"name": spider}

    def budget(self, domain: str) -> str:
        """Pages scheduled so far for one registered domain (INCR'd, fleet-wide)."""
        return f"{self.prefix}:budget:{domain}"

    def hops(self, domain: str) -> str:
        """Fewest cross-site hops from a seed at which a domain was reached."""
        return f"{self.prefix}:hops:{domain}"

    def worker(self, worker_id: str) -> str:
        """A worker's progress hash; it expires unless the worker keeps writing (heartbeat)."""
        return f"{self.prefix}:workers:{worker_id}"

    @property
    def workers_pattern(self) -> str:
        return f"{self.prefix}:workers:*"

    @property
    def all_pattern(self) -> str:
        return f"{self.prefix}:*"
