"""The catalog as the CLI and the detector use it: settings + store + samples + matcher.

Config samples (``samples:`` in ``config/catalog.yaml``) are hashed at load and held in memory
with negative ids, beside the stored references: they are the detector's canary (an operator can
check the whole chain with ``isop catalog match`` on the sample) and its contract examples.

Each stored reference also keeps a small PNG re-encoded from its image (``thumbs/<id>.png``):
the console shows it beside the evidence that matched it, and the uploaded bytes themselves
are never served back.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from detectors.base import DetectorError
from detectors.catalog.matcher import Match, Matcher
from detectors.catalog.settings import KINDS, CatalogSettings
from detectors.catalog.store import CatalogStore, HashTable, Reference, StoredReference
from detectors.catalog.thumbs import NotAnImage, reencode
from detectors.image.hashing import Hashes, ImageRejected, hash_image


class ImageCatalog:
    """Reference images of protected works, and matching against them."""

    def __init__(
        self, settings: CatalogSettings, directory: Path | None = None, samples: bool = True
    ) -> None:
        self.settings = settings
        self.directory = directory or settings.directory()
        self.variants = settings.variant_list()
        self.probes = settings.probe_list()
        self.quality = settings.quality.quality()
        self._store: CatalogStore | None = None
        self._samples: dict[int, Reference] = {}
        self._sample_table = self._load_samples() if samples else None
        self._matchers: list[Matcher] | None = None
        self._generation = -1

    @property
    def store(self) -> CatalogStore:
        if self._store is None:
            self._store = CatalogStore(self.directory)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    def _load_samples(self) -> HashTable:
        refs, variants, phash, dhash, names = [], [], [], [], []
        for number, sample in enumerate(self.settings.samples, start=1):
            path = self.settings.sample_path(sample)
            try:
                hashes = hash_image(path.read_bytes(), self.variants, self.quality)
            except (OSError, ImageRejected) as exc:
                raise DetectorError(f"catalog sample {path}: {exc}") from None
            self._samples[-number] = Reference(-number, sample.catalog, sample.work, sample.kind,
                                               f"sample:{sample.image}")  # fmt: skip
            for i, h in enumerate(hashes):
                refs.append(-number)
                variants.append(i)
                phash.append(h.phash)
                dhash.append(h.dhash)
                names.append(sample.catalog)
        catalogs = tuple(sorted(set(names)))
        return HashTable(
            ref=np.array(refs, dtype=np.int64),
            variant=np.array(variants, dtype=np.int16),
            catalog=np.array([catalogs.index(n) for n in names], dtype=np.int32),
            phash=np.array(phash, dtype=np.uint64),
            dhash=np.array(dhash, dtype=np.uint64),
            catalogs=catalogs,
        )

    def hash(self, data: bytes, all_variants: bool = False) -> list[Hashes]:
        """Hashes of an image: every reference variant, or the query probes."""
        return hash_image(data, self.variants if all_variants else self.probes, self.quality)

    def add(
        self, data: bytes, work: str, kind: str, source: str, catalog: str | None = None
    ) -> tuple[int, bool]:
        """Hash every variant of ``data`` and store it; ImageRejected if it is unusable."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
        if not work.strip():
            raise ValueError("work title is empty")
        hashes = self.hash(data, all_variants=True)
        ref, new = self.store.add(
            catalog or self.settings.default_catalog, work.strip(), kind, source, data, hashes
        )
        self._keep_thumbnail(ref, data)  # also fills one in for a reference stored without
        return ref, new

    def _thumb_path(self, ref: int) -> Path:
        return self.directory / "thumbs" / f"{int(ref)}.png"

    def _keep_thumbnail(self, ref: int, data: bytes) -> None:
        path = self._thumb_path(ref)
        if path.exists():
            return
        try:
            png = reencode(data)
        except NotAnImage:  # hashable yet not a format we re-encode (TIFF...): no thumbnail
            return
        path.parent.mkdir(exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(png)
        tmp.replace(path)

    def has_thumbnail(self, ref: int) -> bool:
        return ref > 0 and self._thumb_path(ref).is_file()

    def thumbnail(self, ref: int) -> bytes | None:
        """The reference's re-encoded PNG thumbnail, None when it has none."""
        try:
            return self._thumb_path(ref).read_bytes() if ref > 0 else None
        except OSError:
            return None

    def references(self, *, catalog: str | None = None, work: str | None = None,
                   after: int = 0, limit: int = 1000) -> list[StoredReference]:  # fmt: skip
        """Stored references (never the config samples), in id order."""
        if not self.exists():
            return []
        return self.store.references(catalog=catalog, work=work, after=after, limit=limit)

    def remove(self, refs: list[int]) -> list[int]:
        """Delete stored references (hashes and thumbnails too); the ids that existed."""
        if not self.exists():
            return []
        removed = self.store.remove([r for r in refs if r > 0])
        for ref in removed:
            self._thumb_path(ref).unlink(missing_ok=True)
        return removed

    def lookup(self, ref: int) -> Reference | None:
        if ref < 0:
            return self._samples.get(ref)
        return self.store.reference(ref)

    def exists(self) -> bool:
        """Whether the catalog folder holds a catalog (matching never creates one)."""
        return self._store is not None or (self.directory / "catalog.sqlite").exists()

    def matchers(self) -> list[Matcher]:
        """Matchers over the stored references and the samples; reloaded when the store changed.

        The stored references' index is memory-mapped from the catalog folder when it was
        saved for this generation, else built and saved there.
        """
        generation = self.store.generation() if self.exists() else 0
        if self._matchers is None or generation != self._generation:
            matchers = []
            if self.exists():
                table = self.store.table()
                index = self.store.index(table, self.settings.thresholds.max_phash)
                matchers.append(Matcher(table, self.settings, self.lookup, index))
            if self._sample_table is not None:
                matchers.append(Matcher(self._sample_table, self.settings, self.lookup))
            self._matchers, self._generation = matchers, generation
        return self._matchers

    def match(self, data: bytes) -> Match | None:
        """The reference ``data`` copies, or None; ImageRejected if it is unusable."""
        probes = self.hash(data)
        found = [m for matcher in self.matchers() if (m := matcher.match(probes)) is not None]
        return min(found, key=lambda m: (m.phash_distance + m.dhash_distance, m.phash_distance),
                   default=None)  # fmt: skip
