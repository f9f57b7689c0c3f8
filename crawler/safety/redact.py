"""An item pipeline that redacts IPTV credentials in every item's URLs before the evidence,
linking, facts and registry pipelines store them, whichever spider yielded it.

The per-kind spiders redact their own items, and the playlist parser its channel URLs; this
is the net under them: discovery and monitor pages, URLs nested in the facts (a restream
page's ``<video>`` pointing at ``http://panel:8080/live/USER/PASS/1.m3u8``) and the
detectors' verdicts, whose evidence quotes what they read ("UK: Sky Sports
http://panel:8080/USER/PASS/8425; ..."). It runs after the detect pipeline for that reason,
and walks every string of an item's dataclass fields, tuples and lists, except the fetched
``body`` and the HTTP exchange in ``capture``: those are evidence as fetched (see README,
Safety)."""

from __future__ import annotations

import dataclasses
from typing import Any

from scrapy.crawler import Crawler

from crawler.items import PageItem
from crawler.safety.credentials import Redactor
from crawler.safety.logs import redactor_for

#: Fields left as fetched: evidence (the body, the HTTP exchange).
KEPT_FIELDS = frozenset({"body", "capture"})
MAX_DEPTH = 6


class _Walk:
    """One item's walk: redacted copies of what changed, and how many URLs it redacted."""

    def __init__(self, redactor: Redactor) -> None:
        self.redactor = redactor
        self.redacted = 0

    def value(self, value: Any, depth: int) -> Any:
        if isinstance(value, str):
            if "=" not in value and ":" not in value:  # no URL, no "password=..."
                return value
            redacted = self.redactor.redact_text(value)
            if redacted == value:
                return value
            self.redacted += 1
            return redacted
        if depth >= MAX_DEPTH:
            return value
        if isinstance(value, tuple):
            items = tuple(self.value(v, depth + 1) for v in value)
            return value if all(a is b for a, b in zip(items, value, strict=True)) else items
        if isinstance(value, list):
            value[:] = [self.value(v, depth + 1) for v in value]
            return value
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            changes = {}
            for f in dataclasses.fields(value):
                if f.name in KEPT_FIELDS or not f.init:  # replace() cannot set init=False
                    continue
                old = getattr(value, f.name)
                new = self.value(old, depth + 1)
                if new is not old:
                    changes[f.name] = new
            return dataclasses.replace(value, **changes) if changes else value
        return value


def redact_item(item: Any, redactor: Redactor) -> int:
    """Redact, in place, every credential URL inside a dataclass item; how many strings
    changed."""
    walk = _Walk(redactor)
    for f in dataclasses.fields(item):
        if f.name in KEPT_FIELDS:
            continue
        old = getattr(item, f.name)
        new = walk.value(old, 1)
        if new is not old:
            setattr(item, f.name, new)
    return walk.redacted


class RedactPipeline:
    """Replaces credentials in the URLs of every dataclass item (pages, typed facts and
    their verdicts)."""

    def __init__(self, crawler: Crawler, redactor: Redactor) -> None:
        self.crawler = crawler
        self.redactor = redactor

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedactPipeline:
        return cls(crawler, redactor_for(crawler))

    def process_item(self, item: Any) -> Any:
        if not dataclasses.is_dataclass(item) or isinstance(item, type):
            return item
        redacted = redact_item(item, self.redactor)
        if redacted and self.crawler.stats is not None:
            self.crawler.stats.inc_value("isop/safety/credentials_redacted", redacted)
            kind = "page" if isinstance(item, PageItem) else type(item).__name__
            self.crawler.stats.inc_value(f"isop/safety/credentials_redacted/{kind}", redacted)
        return item
