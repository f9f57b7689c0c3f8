"""Shards of the frontier: which shard a registered domain lives in, and which Redis holds it.

Every key of shard ``s`` starts with the hash tag ``{<prefix>:<s>}``, so the whole shard maps
to one Redis Cluster slot (one node) and one Lua script can act on it atomically.  With a
list of plain Redis servers, shards are spread by consistent hashing, so adding a server
moves only about 1/N of the shards.
"""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

VIRTUAL_NODES = 64


def _hash64(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


@dataclass(frozen=True)
class ShardMap:
    """Domain -> shard -> server URL."""

    prefix: str
    count: int
    servers: tuple[str, ...]
    _ring: tuple[tuple[int, str], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.count < 1:
            raise ValueError(f"frontier shard count must be >= 1, got {self.count}")
        if not self.servers:
            raise ValueError("the frontier needs at least one Redis URL")
        ring = sorted(
            (_hash64(f"{url}#{replica}"), url)
            for url in self.servers
            for replica in range(VIRTUAL_NODES)
        )
        object.__setattr__(self, "_ring", tuple(ring))

    def shard_of(self, domain: str) -> int:
        return _hash64(domain) % self.count

    def base(self, shard: int) -> str:
        """Key base (with hash tag) of one shard, e.g. ``{isop:7}``."""
        return "{" + f"{self.prefix}:{shard}" + "}"

    def server_of(self, shard: int) -> str:
        point = _hash64(self.base(shard))
        index = bisect.bisect_left(self._ring, (point, ""))
        return self._ring[index % len(self._ring)][1]

    def shards_by_server(self) -> dict[str, list[int]]:
        out: dict[str, list[int]] = {url: [] for url in self.servers}
        for shard in range(self.count):
            out[self.server_of(shard)].append(shard)
        return out

    @classmethod
    def build(cls, prefix: str, count: int, servers: Sequence[str]) -> ShardMap:
        return cls(prefix=prefix, count=count, servers=tuple(servers))
