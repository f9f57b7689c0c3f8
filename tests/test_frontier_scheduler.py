"""FrontierScheduler under a real Scrapy crawler object and a real redis-server."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import count

import pytest
from scrapy import Request
from scrapy.utils.test import get_crawler

from crawler.config import load_config
from crawler.frontier.scheduler import LEASE_META, FrontierScheduler
from crawler.frontier.store import Entry
from spiders.discovery import DiscoverySpider

_prefixes = count()


@pytest.fixture
def scheduler(redis_url: str) -> Iterator[FrontierScheduler]:
    config = load_config(environ={}).with_overrides(
        redis={"urls": [redis_url], "key_prefix": f"sched{next(_prefixes)}"},
        crawl={"download_delay": 0, "page_budget_per_site": 100},
        frontier={"shards": 2},
    )
    crawler = get_crawler(DiscoverySpider, {"ISOP_CONFIG": config})
    crawler.spider = crawler._create_spider()
    made = FrontierScheduler.from_crawler(crawler)
    made.open(crawler.spider)
    yield made
    made.frontier.clear()
    made.close("finished")


def _drain(scheduler: FrontierScheduler) -> list[Request]:
    out = []
    for _ in range(20):
        request = scheduler.next_request()
        if request is not None:
            out.append(request)
    return out


def test_enqueue_dedup_and_lease_round_trip(scheduler: FrontierScheduler) -> None:
    spider = scheduler.spider
    assert spider is not None
    for url in ("http://a.to/1", "http://a.to/1", "http://b.cc/1"):
        scheduler.enqueue_request(Request(url, callback=spider.parse, meta={"site_hops": 1}))
    got = _drain(scheduler)
    assert sorted(r.url for r in got) == ["http://a.to/1", "http://b.cc/1"]
    assert all(r.callback == spider.parse for r in got)
    assert all(r.meta["site_hops"] == 1 and LEASE_META in r.meta for r in got)
    assert sum(row["leased"] for row in scheduler.frontier.status()) == 2
    for request in got:
        scheduler.finish(request)
    scheduler.flush()
    assert scheduler.frontier.outstanding() == 0


def test_a_redirect_acknowledges_the_request_it_replaces(scheduler: FrontierScheduler) -> None:
    scheduler.enqueue_request(Request("http://old.to/page"))
    (original,) = _drain(scheduler)
    redirected = original.replace(url="http://new.cc/page")
    redirected.meta["redirect_urls"] = [original.url]
    scheduler.enqueue_request(redirected)
    scheduler.flush()
    status = scheduler.frontier.status()
    assert sum(row["leased"] for row in status) == 0  # the old lease is done
    assert sum(row["queued"] for row in status) == 1  # and its replacement is queued
    (follow,) = _drain(scheduler)
    assert follow.url == "http://new.cc/page"


def test_corrupt_entries_go_to_dead_letters(scheduler: FrontierScheduler) -> None:
    scheduler.frontier.push([
        Entry("evil.to", 0, "not json at all"),
        Entry("evil.to", 0, '{"url": 5, "callback": "os.system"}'),
    ])  # fmt: skip
    scheduler.enqueue_request(Request("http://fine.to/"))
    got = _drain(scheduler)
    assert [r.url for r in got] == ["http://fine.to/"]
    shard = scheduler.frontier.map.shard_of("evil.to")
    dead = scheduler.frontier.dead_letters(shard)
    assert len(dead) == 2 and {d["entry"] for d in dead} == {
        "not json at all", '{"url": 5, "callback": "os.system"}',
    }  # fmt: skip
    assert scheduler.stats.get_value("isop/frontier/dead_letter") == 2  # type: ignore[union-attr]


def test_pickle_serializer_is_refused(redis_url: str) -> None:
    config = load_config(environ={}).with_overrides(redis={"urls": [redis_url]})
    crawler = get_crawler(DiscoverySpider, {
        "ISOP_CONFIG": config, "SCHEDULER_SERIALIZER": "scrapy_redis.picklecompat",
    })  # fmt: skip
    with pytest.raises(ValueError, match="JSON only"):
        FrontierScheduler.from_crawler(crawler)


def test_unreachable_redis_does_not_lose_buffered_requests(scheduler: FrontierScheduler) -> None:
    scheduler.enqueue_request(Request("http://kept.to/"))
    real_push = scheduler.frontier.push

    def down(entries: object) -> list[int]:
        import redis

        raise redis.ConnectionError("connection refused (simulated outage)")

    scheduler.frontier.push = down  # type: ignore[method-assign,assignment]
    scheduler.flush()
    assert len(scheduler) == 1 and scheduler.has_pending_requests()
    scheduler.frontier.push = real_push  # type: ignore[method-assign]
    scheduler._retry_at = 0.0
    assert [r.url for r in _drain(scheduler)] == ["http://kept.to/"]
