"""An extension that redacts IPTV credentials in every log line this process writes.

Scrapy logs each request URL ("Crawled (200) <GET http://panel:8080/live/USER/PASS/1.ts>");
the filter is attached to the root handlers once Scrapy has installed them (engine start),
so records from every logger pass through it.
"""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.crawler import Crawler

from crawler.safety.credentials import RedactingFilter, Redactor, load_salt


def redactor_for(crawler: Crawler) -> Redactor:
    """The crawler's redactor (one salt per deployment), built once."""
    existing: Redactor | None = getattr(crawler, "_isop_redactor", None)
    if existing is None:
        config = crawler.settings["ISOP_CONFIG"]
        existing = Redactor(load_salt(config.data_dir, config.safety.credential_salt))
        crawler._isop_redactor = existing  # type: ignore[attr-defined]
    return existing


class LogRedaction:
    """Adds a :class:`RedactingFilter` to the root logger's handlers."""

    def __init__(self, crawler: Crawler) -> None:
        self.filter = RedactingFilter(redactor_for(crawler))
        self.install()
        crawler.signals.connect(self.install, signal=signals.engine_started)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LogRedaction:
        return cls(crawler)

    def install(self) -> None:
        for handler in logging.getLogger().handlers:
            if self.filter not in handler.filters:
                handler.addFilter(self.filter)
