"""Time-bucketed Bloom and exact dedup against a real redis-server: sizing, no false
negatives, the measured false-positive rate, bucket rollover and expiry, atomicity."""

from __future__ import annotations

import hashlib
import math
import os
import random
import threading
import time
from collections.abc import Iterator
from itertools import count

import pytest
import redis

from crawler.frontier import bloom
from crawler.frontier.bloom import (
    BATCH_LUA,
    DEDUP_LUA,
    BloomDedup,
    BloomParams,
    ExactDedup,
    WindowedDedup,
    make_dedup,
)

_bases = count()
WINDOW = 10.0  # seconds, for the injected clock


def fps(n: int, tag: str = "") -> list[bytes]:
    """Distinct SHA-1 fingerprints, like Scrapy's."""
    salt = os.urandom(8) + tag.encode()
    return [hashlib.sha1(salt + i.to_bytes(8, "big")).digest() for i in range(n)]


def _text(key: bytes | str) -> str:
    return key.decode() if isinstance(key, bytes) else key


def aligned(window: float = WINDOW) -> float:
    """A 'now' one second into a bucket, so tests never straddle a boundary by accident."""
    return (math.floor(time.time() / window) + 1) * window + 1.0


@pytest.fixture
def client(redis_url: str) -> Iterator[redis.Redis]:
    made = redis.Redis.from_url(redis_url)
    yield made
    made.close()


@pytest.fixture
def base() -> str:
    return "{" + f"tbloom:{os.getpid()}:{next(_bases)}" + "}"


# -- sizing ---------------------------------------------------------------------------------
def test_sizing_follows_the_standard_formulas() -> None:
    p = BloomParams.for_capacity(1000, 0.01)
    assert p.bits == math.ceil(-1000 * math.log(0.01) / math.log(2) ** 2) == 9586
    assert p.hashes == round(p.bits / 1000 * math.log(2)) == 7
    assert p.error_rate_at(1000) == pytest.approx(0.01, rel=0.05)
    big = BloomParams.for_capacity(10_000_000, 0.001)
    assert big.bits / 10_000_000 / 8 == pytest.approx(1.797, abs=0.001)  # ~1.8 bytes per URL
    assert big.hashes == 10
    assert big.parts == 1 and big.memory_bytes == math.ceil(big.bits / 8)


def test_filters_beyond_one_redis_string_are_split_into_parts() -> None:
    p = BloomParams(bits=2**32 + 10, hashes=3)
    assert p.parts == 2
    assert p.part_bits * p.parts >= p.bits and p.part_bits <= 2**32
    assert p.memory_bytes == 2 * math.ceil(p.part_bits / 8)


@pytest.mark.parametrize(
    ("capacity", "error_rate", "message"),
    [
        (1000, 0.0, "error rate must be in (0, 1)"),
        (1000, 1.0, "error rate must be in (0, 1)"),
        (1000, -0.1, "error rate must be in (0, 1)"),
        (0, 0.01, "capacity (expected URLs) must be >= 1"),
        (-5, 0.01, "capacity (expected URLs) must be >= 1"),
        (2.5, 0.01, "capacity must be an integer"),
        (10**16, 1e-9, "beyond what Redis bitmaps here support"),
    ],
)
def test_bad_sizes_are_refused_clearly(capacity: int, error_rate: float, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        BloomParams.for_capacity(capacity, error_rate)


def test_bad_dedup_arguments_are_refused(client: redis.Redis, base: str) -> None:
    with pytest.raises(ValueError, match="error rate"):
        BloomDedup(client, base, capacity=10, error_rate=1.5)
    with pytest.raises(ValueError, match="recrawl_after"):
        BloomDedup(client, base, capacity=10, recrawl_after=0)
    with pytest.raises(ValueError, match="mode must be one of bloom, exact"):
        make_dedup("fuzzy", client, base)
    with pytest.raises(ValueError, match="capacity"):
        make_dedup("exact", client, base, capacity=0)
    with pytest.raises(ValueError, match="key base"):
        make_dedup("bloom", client, "")
    dedup = BloomDedup(client, base, capacity=10)
    with pytest.raises(ValueError, match=">= 16 bytes"):
        dedup.seen_and_set(b"short")


def test_positions_are_deterministic_and_in_range() -> None:
    p = BloomParams.for_capacity(5000, 0.001)
    for fp in fps(500):
        positions = p.positions(fp)
        assert positions == p.positions(fp)
        assert len(positions) == p.hashes
        assert all(0 <= x < p.bits for x in positions)
        assert len(set(positions)) >= p.hashes - 1
    # h2 = 0 (mod m) would give k equal positions with plain double hashing
    degenerate = bytes(range(8)) + bytes(8) + bytes(4)
    assert len(set(p.positions(degenerate))) >= p.hashes - 1
    assert p.encode(degenerate) == " ".join(map(str, p.positions(degenerate))).encode()


# -- behaviour ------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["bloom", "exact"])
def test_no_false_negatives(client: redis.Redis, base: str, mode: str) -> None:
    dedup = make_dedup(mode, client, base, capacity=20_000, error_rate=0.01)
    added = fps(20_000)
    first = dedup.seen_and_set_many(added)
    assert sum(first) < 0.01 * len(added)  # a few false positives at most, in bloom mode
    assert all(dedup.contains_many(added))
    assert all(dedup.seen_and_set_many(added))
    empty = make_dedup(mode, client, base + ":other", capacity=100)
    twice = b"\x01" * 20
    assert empty.seen_and_set_many([twice, added[0], twice]) == [False, False, True]


def test_measured_false_positive_rate_matches_the_configured_one(
    client: redis.Redis, base: str
) -> None:
    """A filter for N URLs at p = 1 %: both live buckets full (the worst case) must stay
    near p; one full bucket (each is sized for p/2) near p/2."""
    n, probes, p = 20_000, 100_000, 0.01
    dedup = BloomDedup(client, base, capacity=n, error_rate=p, recrawl_after=WINDOW)
    now = aligned()
    assert not any(dedup.seen_and_set_many(fps(n, "a"), now=now)[:10])
    fresh = fps(probes, "probe")
    one_bucket = sum(dedup.contains_many(fresh, now=now)) / probes
    dedup.seen_and_set_many(fps(n, "b"), now=now + WINDOW)
    two_buckets = sum(dedup.contains_many(fresh, now=now + WINDOW)) / probes
    expected = 1 - (1 - dedup.params.error_rate_at(n)) ** 2
    print(
        f"\nmeasured false-positive rate, N={n} configured p={p:.2%}: one bucket "
        f"{one_bucket:.3%}, two full buckets {two_buckets:.3%} (theory {expected:.3%})"
    )
    assert two_buckets < 2 * p
    assert two_buckets == pytest.approx(expected, abs=5 * math.sqrt(expected / probes))
    assert one_bucket < p


@pytest.mark.parametrize("mode", ["bloom", "exact"])
def test_an_entry_lives_one_to_two_windows(client: redis.Redis, base: str, mode: str) -> None:
    clock = [aligned()]
    dedup = make_dedup(mode, client, base, capacity=1000, error_rate=0.01,
                       recrawl_after=WINDOW, clock=lambda: clock[0])  # fmt: skip
    fp, other = fps(2)
    t0 = clock[0]
    assert dedup.seen_and_set(fp) is False
    clock[0] = t0 + WINDOW - 2  # same bucket
    assert dedup.seen_and_set(fp) is True
    clock[0] = t0 + WINDOW  # next bucket: still seen, through the previous one
    assert dedup.seen_and_set(fp) is True
    assert dedup.seen_and_set(other) is False  # recorded in this bucket
    clock[0] = t0 + 2 * WINDOW  # two windows on: due again, and recorded again
    assert dedup.seen_and_set(fp) is False
    assert dedup.seen_and_set(fp) is True
    assert dedup.seen_and_set(other) is True  # one window old: still seen
    clock[0] = t0 + 3 * WINDOW
    assert dedup.contains_many([fp, other]) == [True, False]


@pytest.mark.parametrize("mode", ["bloom", "exact"])
def test_buckets_carry_a_ttl_that_ends_after_their_second_window(
    client: redis.Redis, base: str, mode: str
) -> None:
    now = aligned()
    dedup = make_dedup(mode, client, base, capacity=1000, recrawl_after=WINDOW)
    dedup.seen_and_set_many(fps(10), now=now)
    (key,) = dedup.keys(now)
    assert key == f"{base}:{mode}:{dedup.bucket(now)}"
    ttl_ms = client.pttl(key)
    end_of_second_window = (dedup.bucket(now) + 2) * WINDOW - now
    assert 0 < ttl_ms <= (end_of_second_window + WINDOW) * 1000
    assert ttl_ms > (end_of_second_window - 1) * 1000
    assert all(_text(k).startswith(base) for k in client.keys(f"{base}*"))


@pytest.mark.parametrize("mode", ["bloom", "exact"])
def test_server_time_buckets_expire_for_real(client: redis.Redis, base: str, mode: str) -> None:
    """Short real windows on the server's TIME: due again after two windows, keys gone."""
    window = 0.15
    dedup = make_dedup(mode, client, base, capacity=100, recrawl_after=window)
    (fp,) = fps(1)
    assert dedup.seen_and_set(fp) is False
    assert dedup.seen_and_set(fp) is True
    time.sleep(2 * window + 0.05)
    assert dedup.seen_and_set(fp) is False
    deadline = time.monotonic() + 3.0
    while client.keys(f"{base}*") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert client.keys(f"{base}*") == []


@pytest.mark.parametrize("mode", ["bloom", "exact"])
def test_duplicates_write_nothing(client: redis.Redis, base: str, mode: str) -> None:
    """Most links a crawler finds are known: they must not feed the AOF or replicas."""
    dedup = make_dedup(mode, client, base, capacity=1000)
    added = fps(200)
    dedup.seen_and_set_many(added)

    def changes() -> int:
        return int(client.info("persistence")["rdb_changes_since_last_save"])

    before = changes()
    assert all(dedup.seen_and_set_many(added))
    assert changes() == before


def test_exact_mode_stores_raw_fingerprints(client: redis.Redis, base: str) -> None:
    dedup = ExactDedup(client, base, WINDOW)
    added = fps(50)
    now = aligned()
    assert dedup.seen_and_set_many(added, now=now) == [False] * 50
    (key,) = dedup.keys(now)
    assert client.smembers(key) == set(added)  # 20 raw bytes each, not hex
    assert dedup.contains_many(fps(1000), now=now) == [False] * 1000


def test_bloom_bitmaps_are_allocated_once_at_their_full_size(
    client: redis.Redis, base: str
) -> None:
    dedup = BloomDedup(client, base, capacity=50_000, error_rate=0.001)
    assert dedup.contains_many(fps(3)) == [False] * 3
    assert client.keys(f"{base}*") == []  # reads create nothing
    dedup.seen_and_set(fps(1)[0])
    (key,) = dedup.keys()
    assert client.strlen(key) == dedup.params.memory_bytes
    dedup.seen_and_set_many(fps(5000))
    assert client.strlen(key) == dedup.params.memory_bytes
    assert dedup.clear() == 1
    assert client.keys(f"{base}*") == []


def test_workers_with_different_sizes_are_stopped(client: redis.Redis, base: str) -> None:
    BloomDedup(client, base, capacity=1000).seen_and_set(fps(1)[0])
    other = BloomDedup(client, base, capacity=2000)
    with pytest.raises(redis.ResponseError, match=r"expected_urls.*ISOP_DEDUP_"):
        other.seen_and_set(fps(1)[0])


def test_filters_split_into_parts(client: redis.Redis, base: str,
                                  monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setattr(bloom, "MAX_PART_BITS", 4096)
    dedup = BloomDedup(client, base, capacity=2000, error_rate=0.01)
    assert dedup.params.parts > 3
    added = fps(2000)
    assert sum(dedup.seen_and_set_many(added)) < 40
    assert all(dedup.seen_and_set_many(added))
    keys = sorted(_text(k) for k in client.keys(f"{base}*"))
    assert keys == sorted(dedup.keys())
    assert all(client.strlen(k) == math.ceil(dedup.params.part_bits / 8) for k in keys)
    fresh = fps(20_000)
    assert sum(dedup.contains_many(fresh)) / len(fresh) < 0.02


@pytest.mark.parametrize("mode", ["bloom", "exact"])
def test_concurrent_check_and_set_reports_new_exactly_once(
    redis_url: str, base: str, mode: str
) -> None:
    shared = fps(300)
    threads_n = 8
    barrier = threading.Barrier(threads_n)
    results: list[list[tuple[bytes, bool]]] = [[] for _ in range(threads_n)]
    errors: list[BaseException] = []

    def work(i: int) -> None:
        client = redis.Redis.from_url(redis_url)
        try:
            dedup: WindowedDedup = make_dedup(mode, client, base, capacity=10_000)
            mine = shared[:]
            random.Random(i).shuffle(mine)
            barrier.wait()
            results[i].append((shared[0], dedup.seen_and_set(shared[0])))  # all race on one
            for j in range(0, len(mine), 37):
                chunk = mine[j : j + 37]
                results[i].extend(zip(chunk, dedup.seen_and_set_many(chunk), strict=True))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            client.close()

    workers = [threading.Thread(target=work, args=(i,)) for i in range(threads_n)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert not errors
    new_count: dict[bytes, int] = dict.fromkeys(shared, 0)
    for per_thread in results:
        for fp, seen in per_thread:
            new_count[fp] += not seen
    assert set(new_count.values()) == {1}


def test_the_lua_library_composes_into_a_larger_script(client: redis.Redis, base: str) -> None:
    """How the frontier's push script uses it: one dedup_open, one call per request, atomic
    with whatever else the script does in the same shard."""
    body = """
local f = dedup_open(KEYS[1], ARGV[1], dedup_now_ms())
local out = {}
for i = 2, #ARGV do
  local new = dedup_check_and_set(f, ARGV[i])
  if new == 1 then redis.call('RPUSH', KEYS[1] .. ':queue', i - 1) end
  out[#out + 1] = new
end
return out
"""
    script = client.register_script(DEDUP_LUA + body)
    dedup = BloomDedup(client, base, capacity=1000, error_rate=0.01)
    a, b, c = fps(3)
    dedup.seen_and_set(a)
    items = [dedup.encode(x) for x in (a, b, c, b)]
    assert script(keys=[base], args=[dedup.spec, *items]) == [0, 1, 1, 0]
    assert client.lrange(f"{base}:queue", 0, -1) == [b"2", b"3"]
    assert dedup.contains_many([a, b, c]) == [True, True, True]
    assert BATCH_LUA.startswith(DEDUP_LUA)


def test_clear_removes_both_modes_and_only_this_base(client: redis.Redis, base: str) -> None:
    make_dedup("exact", client, base).seen_and_set_many(fps(5))
    bloom_dedup = make_dedup("bloom", client, base, capacity=100)
    bloom_dedup.seen_and_set_many(fps(5))
    neighbour = make_dedup("exact", client, base + "x")
    neighbour.seen_and_set_many(fps(5))
    assert bloom_dedup.clear() == 2
    assert client.keys(f"{base}:*") == []
    assert neighbour.clear() == 1
