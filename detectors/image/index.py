"""Exact Hamming-radius search over 64-bit hashes: multi-index hashing with numpy.

Cut each hash into substrings and give each a probe radius so that any hash within the search
radius is within its probe radius of the query on at least one substring (the pigeonhole in
``layout``); probing, for every substring, the sorted keys within that small ball then finds
every hash within the radius: no match is missed (Norouzi, Punjani & Fleet, "Fast search in
Hamming space with multi-index hashing", CVPR 2012). Candidates are then checked with a
vectorised popcount.

The widths and radii come from a cost model (``layout``). Up to ``SCAN_MAX`` hashes the array
fits in cache and a plain popcount scan beats any probing, so small indexes scan instead (exact
either way). Narrow substrings get a direct offset table (``2**bits`` entries), the 32-bit
halves of the two-substring layout a sorted key column. Memory per hash: the hash (8 bytes)
plus, per substring, a row number (4 bytes) and a copy of the hash in that substring's order
(8 bytes, so candidates are read from contiguous runs), plus the tables. No Python object per
hash: 10M hashes build in seconds. A query's candidates go through per-thread scratch arrays
(positions, hashes, popcounts) written in place: a fresh 100 KB temporary per step costs page
faults that were a third of a query's time at a million hashes.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np

from detectors.image.layout import (
    MAX_TABLE_BITS,
    Widths,
    equal_widths,
    flip_masks,
    geometry,
    layout_for,
    probe_radii,
)

U64 = np.uint64
#: Up to this many hashes a plain popcount scan (cache-resident) beats any index.
SCAN_MAX = 250_000
#: Scratch arrays are kept per thread up to this many candidates (larger queries allocate).
SCRATCH_MAX = 1 << 21

__all__ = ["SCAN_MAX", "U64", "HammingIndex", "brute_force", "flip_masks", "popcount"]


def popcount(values: np.ndarray) -> np.ndarray:
    """Set bits of each unsigned integer (numpy's native popcount)."""
    return np.bitwise_count(values)


def substrings_for(count: int, radius: int) -> int:
    """How many substrings the cost model cuts ``count`` hashes into for ``radius``."""
    return len(layout_for(count, radius))


def brute_force(hashes: np.ndarray, query: int, radius: int) -> np.ndarray:
    """Rows within ``radius`` of ``query`` by a full popcount scan (the baseline)."""
    distances = popcount(hashes ^ U64(query))
    return np.flatnonzero(distances <= radius)


def _column_path(prefix: Path, widths: Widths, column: str) -> Path:
    return prefix.with_name(f"{prefix.name}-w{'.'.join(map(str, widths))}{column}.npy")


class _Scratch(threading.local):
    """One query's working arrays, reused by the next query of the same thread."""

    def __init__(self) -> None:
        self.size = 0
        self.positions = np.empty(0, dtype=np.int64)
        self.hashes = np.empty(0, dtype=U64)
        self.bits = np.empty(0, dtype=np.uint8)
        self.near = np.empty(0, dtype=bool)

    def views(self, total: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        if total > SCRATCH_MAX:  # a pathological query: do not keep its arrays
            return (np.empty(total, np.int64), np.empty(total, U64),
                    np.empty(total, np.uint8), np.empty(total, bool))  # fmt: skip
        if total > self.size:
            self.size = max(total, 2 * self.size, 1 << 12)
            self.positions = np.empty(self.size, dtype=np.int64)
            self.hashes = np.empty(self.size, dtype=U64)
            self.bits = np.empty(self.size, dtype=np.uint8)
            self.near = np.empty(self.size, dtype=bool)
        return (self.positions[:total], self.hashes[:total], self.bits[:total],
                self.near[:total])  # fmt: skip


class HammingIndex:
    """Exact radius search over a fixed array of 64-bit hashes (rows are ids 0..n-1)."""

    def __init__(
        self,
        hashes: np.ndarray,
        radius: int = 10,
        substrings: int | None = None,
        scan_max: int = SCAN_MAX,
        widths: Widths | None = None,
    ) -> None:
        self.hashes = np.ascontiguousarray(hashes, dtype=U64)
        self.scan_max = scan_max
        n = len(self.hashes)
        if widths is None and (substrings or n <= scan_max):  # a scan needs no cost model
            widths = equal_widths(substrings or 4)
        self._setup(widths or layout_for(n, radius))
        # Every table's columns are concatenated (table i's rows at i*n..i*n+n-1) so that a
        # query's probes into all tables are a handful of numpy calls, not a dozen per table.
        self._rows = np.empty(0, dtype=np.int64)  # row of each position
        self._sorted = np.empty(0, dtype=U64)  # hash of each position
        self._offsets = np.empty(0, dtype=np.int64)  # narrow tables: first position per key
        self._keys: list[np.ndarray] = []  # wide tables: sorted keys
        if n <= scan_max:
            return  # scanned, no tables
        row_type = np.int32 if n < 2**31 else np.int64
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

    def _setup(self, widths: Widths) -> None:
        self.widths = list(widths)
        self.m = len(widths)
        if self.m > 8 or (max(widths) > MAX_TABLE_BITS and self.m != 2):
            raise ValueError(f"substring widths {widths}: at most 8, wide ones only as halves")
        self.shifts, self._bases = geometry(widths)
        self.wide = max(widths) > MAX_TABLE_BITS
        self._plans: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self._scratch = _Scratch()

    #: Arrays a built index is made of (saved and memory-mapped back by save/load).
    _COLUMNS = ("_rows", "_sorted", "_offsets")

    def save(self, prefix: Path) -> None:
        """Write the index beside ``prefix`` (``<prefix>-w<widths>-<column>.npy``), atomically."""
        if len(self.hashes) <= self.scan_max or self.wide:
            return  # nothing worth keeping: a scan, or 32-bit tables rebuilt in a blink
        for column in self._COLUMNS:
            tmp = prefix.with_name(f".tmp-{os.getpid()}-{prefix.name}{column}.npy")
            np.save(tmp, getattr(self, column))
            tmp.replace(_column_path(prefix, tuple(self.widths), column))

    @classmethod
    def load(
        cls, prefix: Path, hashes: np.ndarray, radius: int = 10, scan_max: int = SCAN_MAX
    ) -> HammingIndex | None:
        """The index saved at ``prefix`` for these hashes (memory-mapped), or None."""
        widths = layout_for(len(hashes), radius)
        paths = {c: _column_path(prefix, widths, c) for c in cls._COLUMNS}
        if len(hashes) <= scan_max or not all(p.exists() for p in paths.values()):
            return None
        index = cls.__new__(cls)
        index.hashes = np.ascontiguousarray(hashes, dtype=U64)
        index.scan_max = scan_max
        index._setup(widths)
        index._keys = []
        for column, path in paths.items():
            setattr(index, column, np.load(path, mmap_mode="r"))
        if len(index._rows) != index.m * len(hashes) or index.wide:
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
        return list(probe_radii(tuple(self.widths), radius, len(self.hashes))[1])

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

    def _positions(self, query: int, radius: int) -> tuple[np.ndarray, ...]:
        """Positions whose substring is within its probe radius of the query's (and the
        scratch arrays for their hashes, popcounts and verdicts, of the same length)."""
        lo, hi = self._bounds(query, radius)
        busy = hi > lo
        lo, hi = lo[busy], hi[busy]
        if lo.size == 0:
            return self._scratch.views(0)
        ends = np.cumsum(hi - lo)
        positions, *rest = self._scratch.views(int(ends[-1]))
        # positions lo..hi-1 of every busy run, concatenated: a cumulative sum of steps that
        # are 1 inside a run and jump from one run's last position to the next run's first
        positions.fill(1)
        positions[0] = lo[0]
        positions[ends[:-1]] = lo[1:] - hi[:-1] + 1
        np.cumsum(positions, out=positions)
        return (positions, *rest)

    def candidates(self, query: int, radius: int) -> np.ndarray:
        """Rows sharing a substring within its probe radius (a superset of the answer)."""
        if len(self.hashes) <= self.scan_max:
            return np.arange(len(self.hashes))
        return self._rows[self._positions(query, radius)[0]].astype(np.int64)

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
        positions, found, bits, close = self._positions(query, radius)
        np.take(self._sorted, positions, out=found, mode="clip")  # in range: no bounds check
        np.bitwise_xor(found, target, out=found)
        np.bitwise_count(found, out=bits)
        np.less_equal(bits, radius, out=close)
        near = np.flatnonzero(close)
        distances = bits[near]  # a copy: the scratch arrays belong to the next query
        if len(near) <= 1:  # the usual answer; np.unique costs more than the search here
            return self._rows[positions[near]].astype(np.int64), distances
        found_rows, first = np.unique(self._rows[positions[near]], return_index=True)
        return found_rows.astype(np.int64), distances[first]
