"""The multi-index Hamming search answers exactly what a brute-force scan answers."""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

import detectors.image.index as index_module
from detectors.image.index import HammingIndex, brute_force, flip_masks, substrings_for
from detectors.image.layout import ball, layout_for, probe_radii

RNG_SEED = 20261123


def _flip(value: int, bits: list[int]) -> int:
    for bit in bits:
        value ^= 1 << int(bit)
    return value


@pytest.fixture(scope="module")
def planted() -> tuple[np.ndarray, list[int]]:
    """20k random hashes plus, for 40 queries, neighbours planted at every distance 0..14."""
    rng = np.random.default_rng(RNG_SEED)
    hashes = list(rng.integers(0, 2**64, size=20_000, dtype=np.uint64, endpoint=False))
    queries = [int(q) for q in rng.integers(0, 2**64, size=40, dtype=np.uint64)]
    for query in queries:
        for distance in range(15):
            bits = rng.choice(64, size=distance, replace=False)
            hashes.append(np.uint64(_flip(query, list(bits))))
    order = rng.permutation(len(hashes))
    return np.array(hashes, dtype=np.uint64)[order], queries


CASES = [(m, r) for m in (None, 3, 4, 5, 6) for r in (0, 3, 8, 10, 12)] + [(2, 0), (2, 5), (2, 8)]
#: Unequal layouts the cost model picks at 1M and 10M hashes, and lopsided ones.
LAYOUTS = [(18, 16, 15, 15), (17, 16, 16, 15), (22, 21, 21), (20, 15, 15, 14), (14, 13, 13, 12, 12),
           (22, 22, 10, 10)]  # fmt: skip


@pytest.mark.parametrize(("substrings", "radius"), CASES)
def test_same_answer_as_brute_force(
    planted: tuple[np.ndarray, list[int]], substrings: int | None, radius: int
) -> None:
    hashes, queries = planted
    index = HammingIndex(hashes, radius=radius, substrings=substrings, scan_max=0)
    for query in queries:
        rows, distances = index.search(query, radius)
        expected = brute_force(hashes, query, radius)
        assert np.array_equal(rows, expected)
        true = [bin(int(hashes[r]) ^ query).count("1") for r in rows]
        assert list(distances) == true
        # the planted neighbours 0..radius are all there
        assert len(rows) >= radius + 1


@pytest.mark.parametrize("widths", LAYOUTS)
def test_unequal_layouts_answer_like_brute_force(
    planted: tuple[np.ndarray, list[int]], widths: tuple[int, ...]
) -> None:
    """Every radius up to 14 (the planted neighbours' farthest), each with its own radii."""
    hashes, queries = planted
    index = HammingIndex(hashes, widths=widths, scan_max=0)
    assert index.widths == list(widths)
    for radius in range(15):
        for query in queries[:: 3 if radius < 12 else 1]:
            rows, distances = index.search(query, radius)
            assert np.array_equal(rows, brute_force(hashes, query, radius)), (widths, radius)
            assert list(distances) == [bin(int(hashes[r]) ^ query).count("1") for r in rows]
            assert len(rows) >= radius + 1


def test_probe_radii_always_cover_the_radius() -> None:
    """The pigeonhole behind exactness: sum(r_i + 1) > radius for every layout and radius."""
    for widths in [*LAYOUTS, (16, 16, 16, 16), (32, 32), (8,) * 8]:
        for radius in range(0, 40):
            for count in (1_000, 1_000_000, 30_000_000):
                radii = probe_radii(widths, radius, count)[1]
                assert len(radii) == len(widths)
                assert sum(min(r, w) + 1 for r, w in zip(radii, widths, strict=True)) > radius
                assert all(-1 <= r <= w for r, w in zip(radii, widths, strict=True))


def test_cost_model_prefers_an_uneven_layout_at_a_million() -> None:
    """At radius 12 over 1M hashes one 18-bit substring probed to 3 bits and three narrower
    ones to 2 bits expect a fifth fewer candidates than four equal 16-bit ones."""
    widths = layout_for(1_000_000, 12)
    assert widths == (18, 16, 15, 15)

    def candidates(widths: tuple[int, ...]) -> float:
        radii = probe_radii(widths, 12, 1_000_000)[1]
        return sum(ball(w, r) * 1e6 / 2**w for w, r in zip(widths, radii, strict=True))

    assert candidates(widths) < 0.8 * candidates((16, 16, 16, 16))


def test_answers_survive_the_next_query_and_other_threads(
    planted: tuple[np.ndarray, list[int]],
) -> None:
    """Queries share scratch arrays per thread: earlier answers and other threads unharmed."""
    hashes, queries = planted
    index = HammingIndex(hashes, radius=12, scan_max=0)
    first = [index.search(q, 12) for q in queries]
    index.search(queries[0] ^ 0xFFFF, 14)  # a bigger query reuses (and grows) the arrays
    for query, (rows, distances) in zip(queries, first, strict=True):
        assert np.array_equal(rows, brute_force(hashes, query, 12))
        assert list(distances) == [bin(int(hashes[r]) ^ query).count("1") for r in rows]
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda q: index.search(q, 12)[0], queries * 5))
    assert all(np.array_equal(a, brute_force(hashes, q, 12))
               for a, q in zip(answers, queries * 5, strict=True))  # fmt: skip


def test_high_bits_and_extreme_values() -> None:
    hashes = np.array([0, 2**64 - 1, 2**63, 2**63 - 1, 1], dtype=np.uint64)
    index = HammingIndex(hashes, substrings=3, scan_max=0)
    rows, distances = index.search(2**64 - 1, 1)
    assert rows.tolist() == [1, 3]  # 2**63 - 1 differs from all-ones in the top bit only
    rows, distances = index.search(2**63, 1)
    assert rows.tolist() == [0, 2]
    assert distances.tolist() == [1, 0]


def test_empty_index_and_whole_space_radius() -> None:
    empty = HammingIndex(np.empty(0, dtype=np.uint64), scan_max=0)
    assert empty.search(123, 10)[0].size == 0
    hashes = np.arange(50, dtype=np.uint64)
    full = HammingIndex(hashes, scan_max=0)
    assert full.search(0, 64)[0].tolist() == list(range(50))
    assert full.search(0, -1)[0].size == 0


def test_small_arrays_are_scanned(planted: tuple[np.ndarray, list[int]]) -> None:
    hashes, queries = planted
    scanned = HammingIndex(hashes)  # 20k hashes: below SCAN_MAX, no tables built
    assert scanned.nbytes == hashes.nbytes
    for query in queries[:10]:
        rows, distances = scanned.search(query, 9)
        assert np.array_equal(rows, brute_force(hashes, query, 9))
        assert distances.tolist() == [bin(int(hashes[r]) ^ query).count("1") for r in rows]


def test_wide_substrings_use_sorted_keys() -> None:
    """Two 32-bit substrings are too wide for offset tables: binary search must agree."""
    rng = np.random.default_rng(7)
    hashes = rng.integers(0, 2**64, size=5000, dtype=np.uint64, endpoint=False)
    query = int(hashes[17]) ^ 0b1011
    index = HammingIndex(hashes, substrings=2, scan_max=0)
    assert index.widths == [32, 32]
    assert np.array_equal(index.search(query, 5)[0], brute_force(hashes, query, 5))


def test_flip_masks_enumerate_the_ball() -> None:
    masks = flip_masks(16, 3)
    assert len(masks) == sum(math.comb(16, k) for k in range(4))
    assert len(set(masks.tolist())) == len(masks)
    assert max(bin(int(m)).count("1") for m in masks) == 3


def test_substring_choice_follows_size() -> None:
    assert substrings_for(1_000_000, 12) == 4  # measured: 16-bit substrings win at 1M
    assert substrings_for(10_000_000, 12) == 3  # and 21-bit ones at 10M
    assert 2 <= substrings_for(1, 0) <= 8


def test_saved_index_loads_memory_mapped_and_answers_the_same(
    tmp_path: Path, planted: tuple[np.ndarray, list[int]]
) -> None:
    hashes, queries = planted
    built = HammingIndex(hashes, radius=10, scan_max=0)
    prefix = tmp_path / "index-7-r10"
    built.save(prefix)
    loaded = HammingIndex.load(prefix, hashes, radius=10, scan_max=0)
    assert loaded is not None and loaded.widths == built.widths
    assert isinstance(loaded._rows, np.memmap)
    for query in queries[:10]:
        assert np.array_equal(loaded.search(query, 10)[0], built.search(query, 10)[0])
    # saved for other hashes (or never saved): no index, the caller rebuilds
    assert HammingIndex.load(prefix, hashes[:-5], radius=10, scan_max=0) is None
    assert HammingIndex.load(tmp_path / "index-8-r10", hashes, radius=10, scan_max=0) is None


def test_queries_beyond_the_kept_scratch_size_allocate_and_agree(
    planted: tuple[np.ndarray, list[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A query with more candidates than SCRATCH_MAX (a skewed catalog) gets its own arrays."""
    hashes, queries = planted
    monkeypatch.setattr(index_module, "SCRATCH_MAX", 50)
    skewed = np.concatenate([hashes, np.full(3000, queries[0], dtype=np.uint64)])
    index = HammingIndex(skewed, radius=12, scan_max=0)
    for query in queries[:5]:
        rows, distances = index.search(query, 12)
        assert np.array_equal(rows, brute_force(skewed, query, 12))
        assert list(distances) == [bin(int(skewed[r]) ^ query).count("1") for r in rows]
    assert index._scratch.size <= 50  # nothing that large was kept
