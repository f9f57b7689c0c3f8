"""Bounded-memory dedup for the shared frontier: a time-bucketed Bloom filter in Redis.

Why a Bloom filter: stock scrapy-redis keeps every fingerprint forever in a Redis SET of
40-character hex strings, ~90 bytes per URL, unbounded.  A Bloom filter sized for ``n``
URLs at false-positive rate ``p`` takes ``-n ln p / (ln 2)^2`` bits: ~1.8 bytes per URL at
0.1 % (:meth:`BloomParams.for_capacity`), allocated once, whatever is inserted.

Why time buckets: a crawl for piracy must come back to pages.  Bucket
``floor(now / recrawl_after)`` has its own filter; a URL is "seen" if it is in the current
or the previous bucket, so an entry lives one to two windows and the page comes due again.
Old buckets expire (Redis TTL), so at most two filters are alive: memory stays bounded.
Because a lookup asks two filters, each is sized for ``p / 2`` so the configured rate holds
when both are full (~2.0 bytes per URL per window at 0.1 %).

The trade-off: a false positive *silently skips a URL that was never crawled*.  With
``p = 0.1 %`` one new URL in a thousand is lost for a window.  Lower ``error_rate`` costs
~0.6 bytes per URL per halving; :class:`ExactDedup` (a SET of raw 20-byte fingerprints,
~60 bytes per URL) never loses one, for small crawls where that matters.

Atomicity and time: check-and-set runs in Lua (``lua/bloom.lua``), so two workers racing
on one URL get exactly one "new".  The bucket comes from the Redis server's TIME, not the
worker's clock: a fleet's clocks drift, and workers on either side of a boundary would
otherwise write to different buckets.  Tests (and the benchmark) may pass ``now``.

Bit positions are derived here, from Scrapy's fingerprint, by double hashing, so Lua only
gets integers (< 2**53, exact in Lua's doubles).  A Redis string holds at most 2**32 bits;
bigger filters are split into several keys ("parts") of one bucket.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources

import redis
from redis.commands.core import Script

MAX_PART_BITS = 2**32  # one Redis string: 512 MB
MAX_BITS = 2**53  # positions travel as doubles
BATCH = 1_000  # items per script call: one call blocks Redis for ~a few ms at most
MODES = ("bloom", "exact")


def _load_lua() -> str:
    return (resources.files("crawler.frontier") / "lua" / "bloom.lua").read_text("utf-8")


DEDUP_LUA = _load_lua()
"""The Lua library (``lua/bloom.lua``): ``dedup_open``, ``dedup_check_and_set``,
``dedup_check``, ``dedup_now_ms``.  Concatenate it before a script body; see that file."""

BATCH_LUA = (
    DEDUP_LUA
    + """
-- KEYS[1] base; ARGV: spec, 'set' | 'check', now_ms ('' = server TIME), item...
-- Returns one integer per item: 'set' 1 new / 0 seen; 'check' 1 seen / 0 not.
local now_ms = tonumber(ARGV[3]) or dedup_now_ms()
local f = dedup_open(KEYS[1], ARGV[1], now_ms)
local op = ARGV[2] == 'set' and dedup_check_and_set or dedup_check
local out = {}
for i = 4, #ARGV do out[#out + 1] = op(f, ARGV[i]) end
return out
"""
)
"""Standalone script over :data:`DEDUP_LUA`: one batch, one round trip."""


@dataclass(frozen=True)
class BloomParams:
    """Size of one Bloom filter: ``bits`` (m) and ``hashes`` (k)."""

    bits: int
    hashes: int

    def __post_init__(self) -> None:
        if self.bits < 1 or self.hashes < 1:
            raise ValueError(f"a Bloom filter needs bits >= 1 and hashes >= 1, got {self}")
        if self.bits >= MAX_BITS:
            raise ValueError(
                f"a Bloom filter of {self.bits} bits ({self.bits / 8e9:,.0f} GB) is beyond "
                "what Redis bitmaps here support (2**53 bits): lower the capacity, raise the "
                "error rate, or shard the frontier"
            )

    @classmethod
    def for_capacity(cls, expected_items: int, error_rate: float) -> BloomParams:
        """The standard optimum: m = ceil(-n ln p / (ln 2)^2), k = round(m / n * ln 2).

        Bits per item depend only on p: 9.6 at 1 %, 14.4 at 0.1 % (~1.8 bytes).
        """
        if isinstance(expected_items, bool) or not isinstance(expected_items, int):
            raise ValueError(f"capacity must be an integer, got {expected_items!r}")
        if expected_items < 1:
            raise ValueError(f"capacity (expected URLs) must be >= 1, got {expected_items}")
        if not 0.0 < error_rate < 1.0:
            raise ValueError(f"error rate must be in (0, 1), got {error_rate!r}")
        bits = math.ceil(-expected_items * math.log(error_rate) / math.log(2) ** 2)
        hashes = max(1, round(bits / expected_items * math.log(2)))
        return cls(bits=bits, hashes=hashes)

    @property
    def parts(self) -> int:
        """Redis keys per filter: a string holds at most 2**32 bits."""
        return -(-self.bits // MAX_PART_BITS)

    @property
    def part_bits(self) -> int:
        return -(-self.bits // self.parts)

    @property
    def memory_bytes(self) -> int:
        """Bytes one filter (one bucket) takes in Redis, allocated in full on first use."""
        return self.parts * -(-self.part_bits // 8)

    def error_rate_at(self, items: int) -> float:
        """Expected false-positive rate of one filter holding ``items``: (1 - e^(-kn/m))^k."""
        return float((1.0 - math.exp(-self.hashes * items / self.bits)) ** self.hashes)

    def positions(self, fingerprint: bytes) -> list[int]:
        """k bit positions in [0, bits): Kirsch-Mitzenmacher double hashing on two 64-bit
        halves of the fingerprint, with Dillinger-Manolios' increment so that h2 = 0 mod m
        cannot collapse the k positions into one."""
        if len(fingerprint) < 16:
            raise ValueError(
                f"a fingerprint needs >= 16 bytes (Scrapy's SHA-1 has 20), got {len(fingerprint)}"
            )
        m = self.bits
        x = int.from_bytes(fingerprint[:8], "big") % m
        y = int.from_bytes(fingerprint[8:16], "big") % m
        out = [x]
        for i in range(1, self.hashes):
            x = (x + y) % m
            y = (y + i) % m
            out.append(x)
        return out

    def encode(self, fingerprint: bytes) -> bytes:
        """The positions as the Lua library's item: ASCII decimal, space-separated (Redis
        takes offsets as text, so Lua passes them on without converting)."""
        return " ".join(map(str, self.positions(fingerprint))).encode("ascii")


def _glob_escape(text: str) -> str:
    return "".join("\\" + c if c in "*?[]\\" else c for c in text)


class WindowedDedup:
    """Check-and-set of fingerprints in time buckets of ``recrawl_after`` seconds.

    ``base`` is the caller's key base, with its Redis Cluster hash tag (``{isop:7}``): every
    key used is ``<base>:<mode>:<bucket>...``, so one script touches one slot.
    ``clock`` (seconds, like ``time.time``) replaces the server's TIME: for tests only.
    """

    mode = ""

    def __init__(self, client: redis.Redis, base: str, recrawl_after: float, *,
                 clock: Callable[[], float] | None = None, batch: int = BATCH) -> None:  # fmt: skip
        if not base:
            raise ValueError("dedup needs a key base (e.g. '{isop:7}')")
        if not recrawl_after > 0:
            raise ValueError(f"recrawl_after must be > 0 seconds, got {recrawl_after!r}")
        self.client = client
        self.base = base
        self.window_ms = max(1, round(recrawl_after * 1000))
        self.clock = clock
        self.batch = batch
        self._script: Script = client.register_script(BATCH_LUA)

    @property
    def spec(self) -> str:
        """What ``dedup_open`` in Lua needs besides the base and the time."""
        return f"{self.mode}:{self.window_ms}"

    def encode(self, fingerprint: bytes) -> bytes:
        """The item ``dedup_check_and_set`` takes for this fingerprint."""
        raise NotImplementedError

    def bucket(self, now: float) -> int:
        return int(now * 1000) // self.window_ms

    def keys(self, now: float | None = None) -> list[str]:
        """The current bucket's keys (``now`` defaults to this host's clock)."""
        return [f"{self.base}:{self.mode}:{self.bucket(time.time() if now is None else now)}"]

    def _now_arg(self, now: float | None) -> str:
        if now is None and self.clock is not None:
            now = self.clock()
        return "" if now is None else str(int(now * 1000))

    def _run(self, op: str, fingerprints: Sequence[bytes], now: float | None) -> list[int]:
        items: list[str | bytes] = [self.encode(fp) for fp in fingerprints]
        if not items:
            return []
        head: list[str | bytes] = [self.spec, op, self._now_arg(now)]
        chunks = [items[i : i + self.batch] for i in range(0, len(items), self.batch)]
        if len(chunks) == 1:
            return [int(v) for v in self._script(keys=[self.base], args=head + chunks[0])]
        pipe = self.client.pipeline(transaction=False)
        for chunk in chunks:
            self._script(keys=[self.base], args=head + chunk, client=pipe)
        return [int(v) for reply in pipe.execute() for v in reply]

    def seen_and_set_many(self, fingerprints: Sequence[bytes],
                          now: float | None = None) -> list[bool]:  # fmt: skip
        """Per fingerprint: True if seen (a duplicate), else False and now recorded.

        One round trip; each fingerprint's check-and-set is atomic (a batch of more than
        ``batch`` items runs as several scripts), and a fingerprint repeated within the
        batch is new once.
        """
        return [v == 0 for v in self._run("set", fingerprints, now)]

    def seen_and_set(self, fingerprint: bytes, now: float | None = None) -> bool:
        return self.seen_and_set_many([fingerprint], now)[0]

    def contains_many(self, fingerprints: Sequence[bytes],
                      now: float | None = None) -> list[bool]:  # fmt: skip
        """Per fingerprint: would it count as seen?  Writes nothing."""
        return [v == 1 for v in self._run("check", fingerprints, now)]

    def clear(self) -> int:
        """Delete every bucket of this base, in either mode (a crawl may have switched);
        returns how many keys went."""
        keys = [key for mode in MODES
                for key in self.client.scan_iter(match=f"{_glob_escape(self.base)}:{mode}:*",
                                                 count=1000)]  # fmt: skip
        for i in range(0, len(keys), 500):
            self.client.delete(*keys[i : i + 500])
        return len(keys)


class BloomDedup(WindowedDedup):
    """Time-bucketed Bloom filter: ~2 bytes per URL per window at 0.1 %, false positives
    at about ``error_rate`` (a false positive skips a URL never crawled: see the module)."""

    mode = "bloom"

    def __init__(self, client: redis.Redis, base: str, *, capacity: int = 10_000_000,
                 error_rate: float = 0.001, recrawl_after: float = 7 * 86_400,
                 clock: Callable[[], float] | None = None, batch: int = BATCH) -> None:  # fmt: skip
        """``capacity``: distinct URLs expected per window (per shard, if sharded)."""
        if not 0.0 < error_rate < 1.0:
            raise ValueError(f"error rate must be in (0, 1), got {error_rate!r}")
        # Two live buckets are asked: each at p/2 keeps the union at ~p when both are full.
        self.params = BloomParams.for_capacity(capacity, error_rate / 2)
        self.capacity = capacity
        self.error_rate = error_rate
        super().__init__(client, base, recrawl_after, clock=clock, batch=batch)

    @property
    def spec(self) -> str:
        p = self.params
        return f"bloom:{self.window_ms}:{p.part_bits}:{p.parts}:{p.hashes}"

    def encode(self, fingerprint: bytes) -> bytes:
        return self.params.encode(fingerprint)

    def keys(self, now: float | None = None) -> list[str]:
        (key,) = super().keys(now)
        return [key] if self.params.parts == 1 else [f"{key}:{j}" for j in range(self.params.parts)]


class ExactDedup(WindowedDedup):
    """Time-bucketed Redis SET of raw 20-byte fingerprints: no false positive, ~60 bytes
    per URL per window, unbounded by design (for small crawls)."""

    mode = "exact"

    def encode(self, fingerprint: bytes) -> bytes:
        if len(fingerprint) < 16:
            raise ValueError(
                f"a fingerprint needs >= 16 bytes (Scrapy's SHA-1 has 20), got {len(fingerprint)}"
            )
        return bytes(fingerprint)


def make_dedup(mode: str, client: redis.Redis, base: str, *, capacity: int = 10_000_000,
               error_rate: float = 0.001, recrawl_after: float = 7 * 86_400,
               clock: Callable[[], float] | None = None) -> WindowedDedup:  # fmt: skip
    """A dedup by mode name ("bloom" | "exact"), validating every input."""
    if mode == "bloom":
        return BloomDedup(client, base, capacity=capacity, error_rate=error_rate,
                          recrawl_after=recrawl_after, clock=clock)  # fmt: skip
    if mode == "exact":
        if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 1:
            raise ValueError(f"capacity (expected URLs) must be an integer >= 1, got {capacity!r}")
        return ExactDedup(client, base, recrawl_after, clock=clock)
    raise ValueError(f"dedup mode must be one of {', '.join(MODES)}; got {mode!r}")
