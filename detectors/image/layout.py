"""How the multi-index Hamming search cuts a 64-bit hash into substrings, and how far it probes.

Exactness rests on a pigeonhole: give substring ``i`` a probe radius ``r_i`` (-1: not probed).
If a hash differs from the query in more than ``r_i`` bits on every substring, it differs in at
least ``sum(r_i + 1)`` bits overall; so when ``sum(r_i + 1) > radius`` every hash within
``radius`` is within ``r_i`` of the query on some substring, and probing those balls misses
nothing. Any split of the 64 bits and any radii meeting that sum are exact; they differ only in
cost. Equal widths are the textbook choice (Norouzi et al., CVPR 2012), but at radius 12 over a
million hashes one wider substring probed one bit further, and narrower ones probed less, cuts
the candidates by a fifth at nearly the same probe count. So the layout and the radii are both
chosen by a cost model (probes + expected candidates for uniform hashes, weights measured).
"""

from __future__ import annotations

import math
from functools import lru_cache
from itertools import combinations

import numpy as np

#: Substrings up to this width get a direct offset table (2**bits entries); wider ones are
#: probed by binary search in their sorted keys (only the two-substring layout has those).
MAX_TABLE_BITS = 22
#: Relative costs measured with numpy 2 on the 2-core build machine: a probe is two random
#: reads in an offset table and the start of a run (a likely cache miss); a candidate is one
#: read in a contiguous run plus a popcount; a table costs a dozen numpy calls whatever its size.
PROBE_COST, CANDIDATE_COST, TABLE_COST = 6.0, 1.0, 1000.0

Widths = tuple[int, ...]


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


@lru_cache(maxsize=4096)
def ball(bits: int, radius: int) -> int:
    """Keys within ``radius`` of one ``bits``-wide key (0 for a skipped substring)."""
    return sum(math.comb(bits, k) for k in range(min(radius, bits) + 1)) if radius >= 0 else 0


def _substring_cost(width: int, radius: int, count: int) -> float:
    if radius < 0:
        return 0.0
    return TABLE_COST + ball(width, radius) * (PROBE_COST + CANDIDATE_COST * count / 2**width)


@lru_cache(maxsize=256)
def probe_radii(widths: Widths, radius: int, count: int) -> tuple[float, tuple[int, ...]]:
    """(estimated cost, radius per substring) of the cheapest exact probing at ``radius``.

    A small dynamic programme over the substrings: each takes a radius from -1 (skipped) to its
    width, and together they must reach ``sum(r_i + 1) >= radius + 1``.
    """
    if radius < 0:
        return 0.0, (-1,) * len(widths)
    need = radius + 1
    # best[b] = (cost, radii) reaching a budget of at least b with the substrings seen so far
    none: tuple[int, ...] = ()
    best = [(0.0, none)] + [(math.inf, none)] * need
    for width in widths:
        nxt = [(math.inf, none)] * (need + 1)
        for have, (cost, radii) in enumerate(best):
            if math.isinf(cost):
                continue
            for r in range(-1, min(width, need - 1) + 1):  # a wider ball adds nothing
                reach = min(need, have + r + 1)
                total = cost + _substring_cost(width, r, count)
                if total < nxt[reach][0]:
                    nxt[reach] = (total, (*radii, r))
        best = nxt
    return best[need]


def _candidate_layouts() -> list[Widths]:
    """Two 32-bit halves (sorted keys), and 3..8 substrings of at most MAX_TABLE_BITS bits:
    equal widths, or one wider first substring and the rest split evenly."""
    layouts: list[Widths] = [(32, 32)]
    for m in range(3, 9):
        for first in range(math.ceil(64 / m), MAX_TABLE_BITS + 1):
            rest, extra = divmod(64 - first, m - 1)
            widths = (first, *([rest + 1] * extra), *([rest] * (m - 1 - extra)))
            if rest >= 4 and max(widths[1:]) <= first:
                layouts.append(widths)
    return layouts


@lru_cache(maxsize=64)
def layout_for(count: int, radius: int) -> Widths:
    """The substring widths with the least estimated work per query at ``radius``."""
    radius = max(0, min(radius, 63))
    return min(_candidate_layouts(), key=lambda w: (probe_radii(w, radius, count)[0], len(w)))


def geometry(widths: Widths) -> tuple[list[int], list[int]]:
    """Shift of each substring (most significant first) and where its offset table starts."""
    if sum(widths) != 64 or max(widths) > 32 or min(widths) < 1:
        raise ValueError(f"substring widths {widths} must be 1..32 bits and add up to 64")
    shifts, bases, edge, base = [], [], 0, 0
    for width in widths:
        edge += width
        shifts.append(64 - edge)
        bases.append(base)
        base += (1 << width) + 1 if width <= MAX_TABLE_BITS else 0
    return shifts, bases


def equal_widths(m: int) -> Widths:
    """``m`` near-equal substrings (the textbook layout; tests and ``substrings=`` use it)."""
    if not 2 <= m <= 8:
        raise ValueError("substrings must be between 2 and 8")
    edges = [round(64 * i / m) for i in range(m + 1)]
    return tuple(edges[i + 1] - edges[i] for i in range(m))
