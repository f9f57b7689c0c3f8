"""Exact Hamming-radius search over 64-bit hashes: multi-index hashing with numpy.

Split each hash into ``m`` bit substrings. If two hashes differ in at most ``r`` bits, write
``r = m*q + a``: then one of the first ``a+1`` substrings differs in at most ``q`` bits or one of
the others in at most ``q-1`` (otherwise the differences add up to more than ``r``). So probing,
for every substring, the sorted keys within that small radius finds every hash within ``r``:
no match is missed (Norouzi, Punjani & Fleet, "Fast search in Hamming space with multi-index
hashing", CVPR 2012). Candidates are then checked with a vectorised popcount.

The substring count is chosen for the working radius by a cost model (probes + expected
candidates, weights measured). Up to ``SCAN_MAX`` hashes the array fits in cache and a plain
popcount scan beats any probing, so small indexes scan instead (exact either way). Narrow
substrings get a direct offset table (``2**bits`` entries), wide ones a sorted key column.
Memory per hash: the hash (8 bytes) plus, per substring, a row number (4 bytes) and a copy of
the hash in that substring's order (8 bytes, so candidates are read from contiguous runs),
plus the tables. No Python object per hash: 10M hashes build in seconds.
"""

from __future__ import annotations

import math
import os
from functools import lru_cache
from itertools import combinations
from pathlib import Path

import numpy as np

U64 = np.uint64
#: Substrings up to this width get a direct offset table (2**bits entries); wider ones are
#: probed by binary search in their sorted keys.
MAX_TABLE_BITS = 22


def popcount(values: np.ndarray) -> np.ndarray:
    """Set bits of each unsigned integer (numpy's native popcount)."""
    return np.bitwise_count(values)


@lru_cache(maxsize=64)
def flip_masks(bits: int, radius: int) -> np.ndarray:
    """Every ``bits``-wide mask with at most ``radius`` bits set (the probes around a key)."""
    masks = [0]
    for k in range(1, min(radius, bits) + 1):
        for chosen in combinations(range(bits), k):
            masks.append(sum(1 << b for b in chosen))
    out = np.array(masks, dtype=np.uint32)
    out.setflags(write=False)
    return out


def _probe_radii(m: int, radius: int) -> list[int]:
    q, a = divmod(radius, m)
    return [q if i <= a else q - 1 for i in range(m)]


#: Relative costs measured with numpy 2 on the 2-core build machine: a probe is two random
#: reads in an offset table; a candidate is one read in a contiguous run; a table costs a
#: dozen numpy calls whatever its size.
PROBE_COST, CANDIDATE_COST, TABLE_COST = 3.0, 1.0, 1000.0
#: Up to this many hashes a plain popcount scan (cache-resident) beats any index.
SCAN_MAX = 250_000


def substrings_for(count: int, radius: int) -> int:
    """The substring count with the least estimated work per query at ``radius``."""
    best, best_cost = 4, math.inf
    for m in range(2, 9):
        width = 64 / m
        if width > MAX_TABLE_BITS + 10:
            continue
        cost = 0.0
        for sub_radius in _probe_radii(m, radius):
            if sub_radius < 0:
                continue
            probes = sum(math.comb(int(width), k) for k in range(sub_radius + 1))
            cost += TABLE_COST + probes * (PROBE_COST + CANDIDATE_COST * count / 2**width)
        if cost < best_cost:
            best, best_cost = m, cost
    return best


def brute_force(hashes: np.ndarray, query: int, radius: int) -> np.ndarray:
    """Rows within ``radius`` of ``query`` by a full popcount scan (the baseline)."""
    distances = popcount(hashes ^ U64(query))
    return np.flatnonzero(distances <= radius)


def _geometry(m: int) -> tuple[list[int], list[int], list[int]]:
    """Widths and shifts of ``m`` near-equal substrings, and where each offset table starts."""
    edges = [round(64 * i / m) for i in range(m + 1)]
    widths = [edges[i + 1] - edges[i] for i in range(m)]
    if max(widths) > 32:
        raise ValueError("substrings wider than 32 bits: use more substrings")
    shifts = [64 - edges[i + 1] for i in range(m)]
    bases, base = [], 0
    for width in widths:
        bases.append(base)
        base += (1 << width) + 1 if width <= MAX_TABLE_BITS else 0
    return widths, shifts, bases


def _column_path(prefix: Path, m: int, column: str) -> Path:
    return prefix.with_name(f"{prefix.name}-m{m}{column}.npy")


class HammingIndex:
    """Exact radius search over a fixed array of 64-bit hashes (rows are ids 0..n-1)."""

    def __init__(
        self,
        hashes: np.ndarray,
        radius: int = 10,
        substrings: int | None = None,
        scan_max: int = SCAN_MAX,
    ) -> None:
        self.hashes = np.ascontiguousarray(hashes, dtype=U64)
        self.scan_max = scan_max
        n = len(self.hashes)
        self.m = substrings or substrings_for(n, radius)
        if not 1 <= self.m <= 8:
            raise ValueError("substrings must be between 1 and 8")
        row_type = np.int32 if n < 2**31 else np.int64
        self.widths, self.shifts, self._bases = _geometry(self.m)
        # Every table's columns are concatenated (table i's rows at i*n..i*n+n-1) so that a
        # query's probes into all tables are a handful of numpy calls, not a dozen per table.
        self._rows = np.empty(0, dtype=np.int64)  # row of each position
        self._sorted = np.empty(0, dtype=U64)  # hash of each position
        self._offsets = np.empty(0, dtype=np.int64)  # narrow tables: first position per key
        self._keys: list[np.ndarray] = []  # wide tables: sorted keys
        self._plans: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self.wide = False
        if n <= scan_max:
            return  # scanned, no tables
        position_type = np.int32 if n * self.m < 2**31 else np.int64
        rows: list[np.ndarray] = []
        sorted_hashes: list[np.ndarray] = []
        offsets: list[np.ndarray] = []
        for i, (shift, width) in enumerate(zip(self.shifts, self.widths, strict=True)):
            keys = ((self.hashes >> U64(shift)) & U64((1 << width) - 1)).astype(np.uint32)
            order = np.argsort(keys, kind="stable")
            rows.append(order.astype(row_type))
            sorted_hashes.append(self.hashes[order])
            if width <= MAX_TABLE_BITS:
                table: np.ndarray = np.empty((1 << width) + 1, dtype=position_type)
                table[0] = i * n
                np.cumsum(np.bincount(keys, minlength=1 << width), out=table[1:])
                table[1:] += i * n
                offsets.append(table)
            else:
                self._keys.append(keys[order])
        self._rows = np.concatenate(rows)
        self._sorted = np.concatenate(sorted_hashes)
        if offsets:
            self._offsets = np.concatenate(offsets)
        self.wide = bool(self._keys)

    #: Arrays a built index is made of (saved and memory-mapped back by save/load).
    _COLUMNS = ("_rows", "_sorted", "_offsets")

    def save(self, prefix: Path) -> None:
        """Write the index beside ``prefix`` (``<prefix>-m<m>-<column>.npy``), atomically."""
        if len(self.hashes) <= self.scan_max or self.wide:
            return  # nothing worth keeping: a scan, or 32-bit tables rebuilt in a blink
        for column in self._COLUMNS:
            tmp = prefix.with_name(f".tmp-{os.getpid()}-{prefix.name}{column}.npy")
            np.save(tmp, getattr(self, column))
            tmp.replace(_column_path(prefix, self.m, column))

    @classmethod
    def load(
        cls, prefix: Path, hashes: np.ndarray, radius: int = 10, scan_max: int = SCAN_MAX
    ) -> HammingIndex | None:
        """The index saved at ``prefix`` for these hashes (memory-mapped), or None."""
        m = substrings_for(len(hashes), radius)
        paths = {c: _column_path(prefix, m, c) for c in cls._COLUMNS}
        if len(hashes) <= scan_max or not all(p.exists() for p in paths.values()):
            return None
        index = cls.__new__(cls)
        index.hashes = np.ascontiguousarray(hashes, dtype=U64)
        index.scan_max, index.m, index.wide = scan_max, m, False
        index.widths, index.shifts, index._bases = _geometry(m)
        index._keys, index._plans = [], {}
        for column, path in paths.items():
            setattr(index, column, np.load(path, mmap_mode="r"))
        if len(index._rows) != m * len(hashes) or max(index.widths) > MAX_TABLE_BITS:
            return None  # written for other hashes: rebuild
        return index

    def __len__(self) -> int:
        return len(self.hashes)

    @property
    def nbytes(self) -> int:
        """Bytes held: hashes, row numbers, hash copies, offset tables or sorted keys."""
        columns = (self.hashes, self._rows, self._sorted, self._offsets, *self._keys)
        return sum(a.nbytes for a in columns)

    def radii(self, radius: int) -> list[int]:
        """Probe radius per substring for an exact search at ``radius`` (-1: skip)."""
        return _probe_radii(self.m, radius)

    def _plan(self, radius: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per probe of a search at ``radius``: its table, flip mask and offset-table base."""
        if radius not in self._plans:
            tables, masks = [], []
            for i, sub_radius in enumerate(self.radii(radius)):
                if sub_radius >= 0:
                    flips = flip_masks(self.widths[i], sub_radius)
                    tables.append(np.full(len(flips), i, dtype=np.intp))
                    masks.append(flips.astype(np.int64))
            table = np.concatenate(tables)
            bases = np.array(self._bases, dtype=np.int64)[table]
            self._plans[radius] = (table, np.concatenate(masks), bases)
        return self._plans[radius]

    def _bounds(self, query: int, radius: int) -> tuple[np.ndarray, np.ndarray]:
        """First and end positions (in the concatenated tables) of every probe's run."""
        table, masks, bases = self._plan(radius)
        keys = np.array(
            [(query >> s) & ((1 << w) - 1) for s, w in zip(self.shifts, self.widths, strict=True)],
            dtype=np.int64,
        )
        probes = keys[table] ^ masks
        if not self.wide:
            # ascending slots: the runs are then read front to back, which the memory
            # prefetcher follows (random order costs a cache miss per run)
            slots = np.sort(probes + bases)
            return self._offsets[slots], self._offsets[slots + 1]
        n = len(self.hashes)
        lo, hi = np.empty(len(probes), np.int64), np.empty(len(probes), np.int64)
        for i, sorted_keys in enumerate(self._keys):  # only with 2 substrings of 32 bits
            mine = table == i
            lo[mine] = np.searchsorted(sorted_keys, probes[mine], side="left") + i * n
            hi[mine] = np.searchsorted(sorted_keys, probes[mine], side="right") + i * n
        return lo, hi

    def _positions(self, query: int, radius: int) -> np.ndarray:
        """Positions whose substring is within its probe radius of the query's."""
        lo, hi = self._bounds(query, radius)
        counts = hi - lo
        ends = np.cumsum(counts)
        total = int(ends[-1]) if len(ends) else 0
        if total == 0:
            return np.empty(0, dtype=np.int64)
        # positions lo..hi-1 of every probe, concatenated (empty probes repeat zero times)
        return np.repeat(lo - ends + counts, counts) + np.arange(total)

    def candidates(self, query: int, radius: int) -> np.ndarray:
        """Rows sharing a substring within its probe radius (a superset of the answer)."""
        if len(self.hashes) <= self.scan_max:
            return np.arange(len(self.hashes))
        return self._rows[self._positions(query, radius)].astype(np.int64)

    def search(self, query: int, radius: int) -> tuple[np.ndarray, np.ndarray]:
        """Rows within ``radius`` of ``query`` and their distances, sorted by row."""
        if radius < 0 or len(self.hashes) == 0:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.uint8)
        target = U64(query)
        if radius >= 64:
            return np.arange(len(self.hashes)), popcount(self.hashes ^ target)
        if len(self.hashes) <= self.scan_max:
            every = popcount(self.hashes ^ target)
            near = np.flatnonzero(every <= radius)
            return near, every[near]
        positions = self._positions(query, radius)
        distances = popcount(self._sorted[positions] ^ target)
        near = np.flatnonzero(distances <= radius)
        if len(near) <= 1:  # the usual answer; np.unique costs more than the search here
            return self._rows[positions[near]].astype(np.int64), distances[near]
        found, first = np.unique(self._rows[positions[near]], return_index=True)
        return found.astype(np.int64), distances[near][first]
