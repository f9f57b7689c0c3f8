"""Find the reference an image copies: exact pHash radius search, then a dHash check.

The index holds every variant (full picture, cropped copies) of every reference. A query is
hashed once per probe (the trimmed picture, and crops that drop a caption band); the pHash
index returns every variant within the largest catalog threshold, exactly; each candidate
must then also be within its own catalog's pHash and dHash thresholds. The closest survivor
(smallest pHash + dHash distance) is the match.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from detectors.catalog.settings import CatalogSettings
from detectors.catalog.store import HashTable, Reference
from detectors.image.hashing import Hashes
from detectors.image.index import U64, HammingIndex, popcount


@dataclass(frozen=True)
class Match:
    """The reference a query image matched and how closely."""

    reference: Reference
    phash_distance: int
    dhash_distance: int
    variant: int

    def to_json(self) -> dict[str, Any]:
        """The ``match`` object of ``isop catalog match --json``."""
        return {
            "work": self.reference.work,
            "reference": self.reference.source,
            "distance": self.phash_distance,
            "hash": "phash",
        }


class Matcher:
    """Answers "which reference is this?" over a fixed hash table."""

    def __init__(
        self,
        table: HashTable,
        settings: CatalogSettings,
        lookup: Callable[[int], Reference | None],
        index: HammingIndex | None = None,
    ) -> None:
        self.table = table
        self.settings = settings
        self.lookup = lookup
        self.radius = settings.thresholds.max_phash
        self.index = index or HammingIndex(np.asarray(table.phash), radius=self.radius)
        limits = [settings.thresholds.for_catalog(n) for n in table.catalogs]
        self._max_phash = np.array([t.phash for t in limits] or [0], dtype=np.int16)
        self._max_dhash = np.array([t.dhash for t in limits] or [0], dtype=np.int16)

    def __len__(self) -> int:
        return len(self.table)

    def candidates(self, query: Hashes) -> list[tuple[int, int, int, int]]:
        """(ref id, pHash distance, dHash distance, variant) of every accepted variant."""
        rows, pdist = self.index.search(query.phash, self.radius)
        if rows.size == 0:
            return []
        codes = self.table.catalog[rows]
        ddist = popcount(self.table.dhash[rows] ^ U64(query.dhash))
        keep = (pdist <= self._max_phash[codes]) & (ddist <= self._max_dhash[codes])
        return [
            (int(self.table.ref[r]), int(p), int(d), int(self.table.variant[r]))
            for r, p, d in zip(rows[keep], pdist[keep], ddist[keep], strict=True)
        ]

    def match(self, probes: list[Hashes]) -> Match | None:
        """The closest reference accepted for any probe (crop) of the query, or None."""
        found = sorted(
            (c for probe in probes for c in self.candidates(probe)),
            key=lambda c: (c[1] + c[2], c[1], c[0]),
        )
        for ref, pdist, ddist, variant in found:
            reference = self.lookup(ref)
            if reference is not None:
                return Match(reference, pdist, ddist, variant)
        return None
