"""The Scrapy dupefilters over the bucketed dedup, under the real scrapy-redis Scheduler."""

from __future__ import annotations

import os
from collections.abc import Iterator
from itertools import count
from typing import Any

import pytest
import redis
from scrapy import Request, Spider
from scrapy.utils.test import get_crawler
from scrapy_redis.scheduler import Scheduler

from crawler.frontier.bloom import BloomDedup, ExactDedup
from crawler.frontier.dedup import (
    BloomDupeFilter,
    ExactDupeFilter,
    RedisDupeFilter,
    hash_tagged,
)

_names = count()


class _Spider(Spider):
    name = "dedup-test"


def _settings(redis_url: str, **extra: Any) -> dict[str, Any]:
    run = f"tdedup{os.getpid()}x{next(_names)}"
    return {
        "REDIS_URL": redis_url,
        "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
        "DUPEFILTER_CLASS": "crawler.frontier.dedup.RedisDupeFilter",
        "SCHEDULER_DUPEFILTER_KEY": f"{run}:%(spider)s:dupefilter",
        "SCHEDULER_QUEUE_KEY": f"{run}:%(spider)s:requests",
        "SCHEDULER_PERSIST": True,
        "ISOP_DEDUP_CAPACITY": 10_000,
        **extra,
    }


@pytest.fixture
def client(redis_url: str) -> Iterator[redis.Redis]:
    made = redis.Redis.from_url(redis_url)
    yield made
    made.close()


def _filter(redis_url: str, **extra: Any) -> RedisDupeFilter:
    crawler = get_crawler(_Spider, _settings(redis_url, **extra))
    return RedisDupeFilter.from_crawler(crawler)


# scrapy-redis 0.9.1 passes spider= to the stats, which Scrapy >= 2.13 deprecates.
@pytest.mark.filterwarnings(
    "ignore:Passing a 'spider' argument:scrapy.exceptions.ScrapyDeprecationWarning"
)
def test_under_the_scrapy_redis_scheduler(redis_url: str, client: redis.Redis) -> None:
    crawler = get_crawler(_Spider, _settings(redis_url))
    spider = crawler._create_spider()
    scheduler = Scheduler.from_crawler(crawler)
    scheduler.open(spider)
    try:
        df = scheduler.df
        assert isinstance(df, RedisDupeFilter)
        assert isinstance(df.dedup, BloomDedup)
        urls = ["http://a.to/1", "http://a.to/2?x=1&y=2", "http://b.cc/"]
        assert [scheduler.enqueue_request(Request(u)) for u in urls] == [True] * 3
        again = [Request("http://a.to/1"), Request("http://a.to/2?y=2&x=1"),  # canonical
                 Request("http://b.cc/", dont_filter=True)]  # fmt: skip
        assert [scheduler.enqueue_request(r) for r in again] == [False, False, True]
        assert crawler.stats is not None
        assert crawler.stats.get_value("dupefilter/filtered") == 2
        assert crawler.stats.get_value("scheduler/enqueued/redis") == 4
        popped = []
        while (request := scheduler.next_request()) is not None:
            popped.append(request.url)
        assert sorted(popped) == sorted([*urls, "http://b.cc/"])
        keys = [k.decode() for k in client.keys(f"{df.key}*") if isinstance(k, bytes)]
        assert keys and all(k.startswith("{") and ":bloom:" in k for k in keys)
        scheduler.flush()  # scrapy-redis clears the dupefilter on flush
        assert client.keys(f"{df.key}*") == []
    finally:
        scheduler.df.close("finished")
        scheduler.server.close()


def test_seen_many_and_request_seen_agree(redis_url: str) -> None:
    df = _filter(redis_url)
    try:
        batch = [Request("http://a.to/x"), Request("http://a.to/y"), Request("http://a.to/x")]
        assert df.seen_many(batch) == [False, False, True]
        assert df.request_seen(Request("http://a.to/y")) is True
        assert df.request_seen(Request("http://a.to/z")) is False
        assert df.seen_many([]) == []
    finally:
        df.clear()
        df.close("finished")


def test_close_keeps_what_was_seen(redis_url: str) -> None:
    settings = _settings(redis_url, ISOP_DEDUP_MODE="exact")
    first = RedisDupeFilter.from_crawler(get_crawler(_Spider, settings))
    assert isinstance(first.dedup, ExactDedup)
    first.request_seen(Request("http://a.to/kept"))
    first.close("finished")
    second = RedisDupeFilter.from_crawler(get_crawler(_Spider, settings))
    try:
        assert second.request_seen(Request("http://a.to/kept")) is True
    finally:
        second.clear()
        second.close("finished")


def test_subclasses_fix_the_mode(redis_url: str) -> None:
    settings = _settings(redis_url, ISOP_DEDUP_MODE="bloom")
    exact = ExactDupeFilter.from_crawler(get_crawler(_Spider, settings))
    bloom = BloomDupeFilter.from_crawler(
        get_crawler(_Spider, {**settings, "ISOP_DEDUP_MODE": "exact"})
    )
    try:
        assert isinstance(exact.dedup, ExactDedup)
        assert isinstance(bloom.dedup, BloomDedup)
    finally:
        exact.close()
        bloom.close()


def test_settings_size_the_filter(redis_url: str) -> None:
    df = _filter(redis_url, ISOP_DEDUP_CAPACITY=5000, ISOP_DEDUP_ERROR_RATE=0.01,
                 ISOP_DEDUP_RECRAWL_AFTER=3600)  # fmt: skip
    try:
        assert isinstance(df.dedup, BloomDedup)
        assert df.dedup.capacity == 5000 and df.dedup.error_rate == 0.01
        assert df.dedup.window_ms == 3_600_000
        assert df.key.startswith("{tdedup") and df.key.endswith(":dedup-test:dupefilter}")
    finally:
        df.close()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"ISOP_DEDUP_MODE": "approx"}, "ISOP_DEDUP_MODE must be one of bloom, exact"),
        ({"ISOP_DEDUP_ERROR_RATE": 0}, r"error rate must be in \(0, 1\)"),
        ({"ISOP_DEDUP_ERROR_RATE": 2}, r"error rate must be in \(0, 1\)"),
        ({"ISOP_DEDUP_CAPACITY": 0}, r"capacity \(expected URLs\) must be >= 1"),
        ({"ISOP_DEDUP_CAPACITY": "lots"}, "ISOP_DEDUP_"),
        ({"ISOP_DEDUP_RECRAWL_AFTER": -1}, "recrawl_after must be > 0"),
    ],
)
def test_bad_settings_are_refused_clearly(redis_url: str, extra: dict[str, Any],
                                          message: str) -> None:  # fmt: skip
    with pytest.raises(ValueError, match=message):
        _filter(redis_url, **extra)


def test_recrawl_after_a_window_through_the_dupefilter(redis_url: str) -> None:
    now = [1_000_000.5]
    server = redis.Redis.from_url(redis_url)
    df = RedisDupeFilter(server, f"tdedup{os.getpid()}x{next(_names)}", recrawl_after=60,
                         capacity=100, clock=lambda: now[0])  # fmt: skip
    try:
        request = Request("http://a.to/page")
        assert df.request_seen(request) is False
        now[0] += 60
        assert df.request_seen(request) is True
        now[0] += 60
        assert df.request_seen(request) is False  # due for a recrawl
    finally:
        df.clear()
        df.close()


def test_hash_tags() -> None:
    assert hash_tagged("isop:spider:dupefilter") == "{isop:spider:dupefilter}"
    assert hash_tagged("isop:{7}") == "isop:{7}"
    assert hash_tagged("{isop:7}:x") == "{isop:7}:x"
    assert hash_tagged("a{}b{c}") == "{a{}b{c}}"  # Redis ignores an empty first tag
