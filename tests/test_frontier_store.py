"""The sharded frontier against a real redis-server: queueing, leases, politeness."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator

import pytest

from crawler.frontier.shards import ShardMap
from crawler.frontier.store import (
    DUPLICATE,
    OVER_BUDGET,
    PUSHED,
    SCHEDULED,
    Entry,
    Frontier,
    FrontierSettings,
)

_counter = iter(range(10**9))


@pytest.fixture
def make_frontier(redis_url: str) -> Iterator[object]:
    made: list[Frontier] = []

    def make(**overrides: object) -> Frontier:
        values = {"shards": 4, "default_delay_ms": 0, "lease_ttl_ms": 10_000, **overrides}
        frontier = Frontier.connect(
            [redis_url],
            f"t{next(_counter)}",
            FrontierSettings(**values),  # type: ignore[arg-type]
        )
        made.append(frontier)
        return frontier

    yield make
    for frontier in made:
        frontier.clear()
        frontier.close()


def entry(domain: str, n: int, priority: int = 0, fp: bool = True, due_ms: int = 0) -> Entry:
    url = f"http://{domain}/{n}"
    fingerprint = hashlib.sha1(url.encode()).digest() if fp else b""
    return Entry(domain, priority, f'{{"url": "{url}"}}', fingerprint, due_ms)


def test_push_pop_ack_and_dedup(make_frontier) -> None:  # type: ignore[no-untyped-def]
    f = make_frontier()
    assert f.push([entry("a.to", 1), entry("a.to", 1), entry("b.cc", 1)]) == [
        PUSHED, DUPLICATE, PUSHED,
    ]  # fmt: skip
    leases, _ = f.pop(10, "w")
    assert sorted(lease.json for lease in leases) == [
        '{"url": "http://a.to/1"}', '{"url": "http://b.cc/1"}',
    ]  # fmt: skip
    assert f.outstanding() == 2  # leased, not gone
    assert f.ack(leases) == 2
    assert f.outstanding() == 0
    assert f.ack(leases) == 0  # a second ack finds nothing


def test_not_filtered_requests_bypass_dedup(make_frontier) -> None:  # type: ignore[no-untyped-def]
    f = make_frontier()
    assert f.push([entry("a.to", 1, fp=False), entry("a.to", 2, fp=False)]) == [PUSHED, PUSHED]


def test_one_domain_at_most_once_per_delay(make_frontier) -> None:  # type: ignore[no-untyped-def]
    f = make_frontier(default_delay_ms=300, max_inflight_per_domain=10)
    f.push([entry("a.to", n) for n in range(5)] + [entry("b.cc", n) for n in range(5)])
    first, wait = f.pop(10, "w")
    assert sorted(lease.json.split("/")[2] for lease in first) == ["a.to", "b.cc"]
    again, wait = f.pop(10, "w")
    assert again == []
    assert wait is not None and 0 < wait <= 0.3
    time.sleep(0.32)
    later, _ = f.pop(10, "w")
    assert len(later) == 2


def test_per_domain_delay_override(make_frontier) -> None:  # type: ignore[no-untyped-def]
    f = make_frontier(default_delay_ms=0, max_inflight_per_domain=10)
    f.set_delays({"slow.to": 60})
    f.push([entry("slow.to", n) for n in range(3)] + [entry("fast.to", n) for n in range(3)])
    taken = []
    for _ in range(4):
        leases, _ = f.pop(10, "w")
        taken += [lease.json.split("/")[2] for lease in leases]
    assert taken.count("slow.to") == 1
    assert taken.count("fast.to") == 3


def test_in_flight_limit_per_domain(make_frontier) -> None:  # type: ignore[no-untyped-def]
    f = make_frontier(max_inflight_per_domain=2)
    f.push([entry("a.to", n) for n in range(6)])
    held = []
    for _ in range(5):
        leases, _ = f.pop(10, "w")
        held += leases
    assert len(held) == 2  # the fleet-wide limit, whatever the number of pops
    f.ack(held[:1])
    leases, _ = f.pop(10, "w")
    assert len(leases) == 1


def test_expired_leases_come_back(make_frontier) -> None:  # type: ignore[no-untyped-def]
    f = make_frontier(lease_ttl_ms=200)
    f.push([entry("a.to", 1)])
    dead_workers_lease, _ = f.pop(10, "dead")
    assert len(dead_workers_lease) == 1
    assert f.pop(10, "alive")[0] == []
    time.sleep(0.25)
    back, _ = f.pop(10, "alive")
    assert [lease.json for lease in back] == [dead_workers_lease[0].json]
    assert sum(row["expired"] for row in f.status()) == 1
    assert f.ack(dead_workers_lease) == 0  # the dead worker's late ack changes nothing
    assert f.ack(back) == 1


def test_renew_keeps_a_lease(make_frontier) -> None:  # type: ignore[no-untyped-def]
    f = make_frontier(lease_ttl_ms=300)
    f.push([entry("a.to", 1)])
    leases, _ = f.pop(10, "w")
    for _ in range(3):
        time.sleep(0.15)
        assert f.renew(leases) == 1
    assert f.pop(10, "other")[0] == []


def test_release_gives_back_at_once(make_frontier) -> None:  # type: ignore[no-untyped-def]
    f = make_frontier()
    f.push([entry("a.to", 1)])
    leases, _ = f.pop(10, "w")
    assert f.release(leases) == 1
    again, _ = f.pop(10, "w2")
    assert [lease.json for lease in again] == [leases[0].json]


def test_priority_within_and_across_domains(make_frontier) -> None:  # type: ignore[no-untyped-def]
    f = make_frontier(shards=1, max_inflight_per_domain=10)
    f.push([entry("a.to", 1, priority=0), entry("a.to", 2, priority=5),
            entry("b.cc", 1, priority=1), entry("c.io", 1, priority=9)])  # fmt: skip
    leases, _ = f.pop(2, "w")
    assert [lease.json for lease in leases] == [
        '{"url": "http://c.io/1"}', '{"url": "http://a.to/2"}',
    ]  # fmt: skip


def test_budget_per_domain(make_frontier) -> None:  # type: ignore[no-untyped-def]
    f = make_frontier(page_budget=2)
    statuses = f.push([entry("a.to", n) for n in range(4)] + [entry("b.cc", 1)])
    assert statuses == [PUSHED, PUSHED, OVER_BUDGET, OVER_BUDGET, PUSHED]


def test_due_times_schedule_revisits(make_frontier) -> None:  # type: ignore[no-untyped-def]
    f = make_frontier()
    due = int(time.time() * 1000) + 300
    assert f.push([entry("a.to", 1, due_ms=due)]) == [SCHEDULED]
    leases, wait = f.pop(10, "w")
    assert leases == []
    assert wait is not None and wait <= 0.31
    time.sleep(0.35)
    leases, _ = f.pop(10, "w")
    assert len(leases) == 1


def test_consistent_hashing_moves_few_shards() -> None:
    before = ShardMap.build("isop", 256, ["redis://a", "redis://b", "redis://c"])
    after = ShardMap.build("isop", 256, ["redis://a", "redis://b", "redis://c", "redis://d"])
    moved = sum(before.server_of(s) != after.server_of(s) for s in range(256))
    assert 0 < moved < 256 * 0.45  # about a quarter, never a reshuffle
    assert all(after.server_of(s) == "redis://d"
               for s in range(256) if before.server_of(s) != after.server_of(s))  # fmt: skip
    spread = before.shards_by_server()
    assert min(len(v) for v in spread.values()) > 256 / 3 * 0.5


def test_shard_keys_share_one_hash_tag() -> None:
    shards = ShardMap.build("isop", 16, ["redis://a"])
    base = shards.base(shards.shard_of("flix.to"))
    assert base.startswith("{isop:") and base.endswith("}")


def test_several_servers_hold_their_own_shards(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from crawler.redis_server import EmbeddedRedis

    with EmbeddedRedis(tmp_path / "a") as a, EmbeddedRedis(tmp_path / "b") as b:
        f = Frontier.connect([a.url, b.url], "multi", FrontierSettings(shards=8))
        domains = [f"site{n}.to" for n in range(40)]
        f.push([entry(d, 1) for d in domains])
        got = []
        for _ in range(10):
            leases, _ = f.pop(40, "w")
            got += leases
        assert len(got) == 40
        per_server = {url: client.dbsize() for url, client in f.clients.items()}
        assert all(size > 0 for size in per_server.values())
        f.close()


def test_exact_and_bloom_modes_both_dedup(make_frontier) -> None:  # type: ignore[no-untyped-def]
    for mode in ("exact", "bloom"):
        f = make_frontier(dedup_mode=mode, expected_urls=10_000)
        first = f.push([entry("a.to", n) for n in range(200)])
        again = f.push([entry("a.to", n) for n in range(200)])
        assert first == [PUSHED] * 200, mode
        assert again == [DUPLICATE] * 200, mode
