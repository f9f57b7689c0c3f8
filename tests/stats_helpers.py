"""A stand-in for Scrapy's stats collector in pipeline tests: the one method pipelines call,
with what they counted kept for the test to read."""

from __future__ import annotations

from collections import Counter


class Stats:
    """Scrapy's stats interface, the part the pipelines use."""

    def __init__(self) -> None:
        self.values: Counter[str] = Counter()

    def inc_value(self, key: str, count: int = 1) -> None:
        self.values[key] += count
