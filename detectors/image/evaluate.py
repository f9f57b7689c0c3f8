"""Robustness of the image matcher: recall per pirate transform at a bounded false-match rate.

Every readable image of a folder becomes a reference (all configured variants hashed). Each
transform of ``transforms.TRANSFORMS`` makes one copy per image; a copy is a query. For every
pair of thresholds (pHash, dHash) the evaluation counts:

- recall: queries whose own reference is accepted (within both thresholds on some variant);
- false matches: (query, other reference) pairs accepted, out of all such pairs.

The working point is the pair with the best lowest recall over the goal transforms among those
whose false-match rate stays within the limit on every transform. Originals that already match
each other (a stereo pair, the same chart in grey and in colour) are merged into one group and
listed: at the configured thresholds the catalog cannot tell them apart, so a copy of one
matching the other is no false match.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from detectors.catalog.settings import CatalogSettings
from detectors.image.hashing import Hashes, ImageRejected, ImageUnreadable, hash_image
from detectors.image.index import popcount
from detectors.image.transforms import GOAL, TRANSFORMS

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".bmp", ".webp", ".tif", ".tiff"}
PHASH_RANGE = range(0, 25)
DHASH_RANGE = range(0, 33)


@dataclass
class EvalReport:
    images: list[str]
    skipped: list[tuple[str, str]]
    unreadable: int
    groups: list[list[str]]
    working: tuple[int, int]
    configured: tuple[int, int]
    max_false_rate: float
    rows: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "images": len(self.images),
            "skipped": [{"image": p, "reason": r} for p, r in self.skipped],
            "unreadable": self.unreadable,
            "merged_duplicates": [g for g in self.groups if len(g) > 1],
            "working_threshold": {"phash": self.working[0], "dhash": self.working[1]},
            "configured_threshold": {"phash": self.configured[0], "dhash": self.configured[1]},
            "max_false_match_rate": self.max_false_rate,
            "transforms": self.rows,
        }


def find_images(folder: Path) -> list[Path]:
    """Files under ``folder`` with an image suffix, sorted."""
    found = (p for p in folder.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)
    return sorted(p for p in found if p.is_file())


def _accepts(p: np.ndarray, d: np.ndarray) -> np.ndarray:
    """accept[tp, td, ...] = some variant within (tp, td): the last axis is the variants."""
    best_d = np.full((len(PHASH_RANGE), *p.shape[:-1]), 99, dtype=np.int16)
    for tp in PHASH_RANGE:
        best_d[tp] = np.where(p <= tp, d, 99).min(axis=-1)
    dh = np.asarray(DHASH_RANGE, dtype=np.int16).reshape(1, -1, *([1] * (p.ndim - 1)))
    return best_d[:, None] <= dh


@dataclass
class Originals:
    """The readable images of a folder, each hashed as a reference (every variant)."""

    names: list[str]
    pictures: list[Image.Image]
    phash: np.ndarray  # [image, variant]
    dhash: np.ndarray
    skipped: list[tuple[str, str]]
    unreadable: int


def load_originals(
    folder: Path, settings: CatalogSettings, warn: Callable[[str], None] = lambda message: None
) -> Originals:
    """Every image under ``folder`` hashed as a reference; unusable ones listed as skipped."""
    variants, quality = settings.variant_list(), settings.quality.quality()
    names, pictures, ref_p, ref_d, skipped = [], [], [], [], []
    unreadable = 0
    for path in find_images(folder):
        try:
            data = path.read_bytes()
            hashes = hash_image(data, variants, quality)
            with Image.open(io.BytesIO(data)) as img:
                original = img.convert("RGBA" if "A" in img.getbands() else "RGB")
        except (OSError, ImageRejected) as exc:
            skipped.append((str(path), str(exc)))
            unreadable += not isinstance(exc, ImageRejected) or isinstance(exc, ImageUnreadable)
            warn(f"{path}: skipped ({exc})")
            continue
        names.append(str(path.relative_to(folder)))
        pictures.append(original)
        ref_p.append([h.phash for h in hashes])
        ref_d.append([h.dhash for h in hashes])
    shape = (len(names), len(variants))
    rp = np.array(ref_p, dtype=np.uint64).reshape(shape)
    rd = np.array(ref_d, dtype=np.uint64).reshape(shape)
    return Originals(names, pictures, rp, rd, skipped, unreadable)


def acceptance(
    pictures: Sequence[Image.Image],
    rp: np.ndarray,
    rd: np.ndarray,
    transform: str,
    settings: CatalogSettings,
    seed: int = 1,
) -> np.ndarray:
    """accept[tp, td, query, reference]: the ``transform`` copy of picture ``query`` is within
    (tp, td) of some variant of ``reference`` for some query probe."""
    probes, quality = settings.probe_list(), settings.quality.quality()
    rng = random.Random(f"{seed}:{transform}")
    qp: list[list[int]] = []
    qd: list[list[int]] = []
    rejected: list[int] = []
    for picture in pictures:
        try:
            hashes = hash_image(TRANSFORMS[transform](picture, rng), probes, quality)
        except ImageRejected:  # the copy fell below the quality floor: a miss
            hashes = [Hashes(0, 0)] * len(probes)
            rejected.append(len(qp))
        qp.append([h.phash for h in hashes])
        qd.append([h.dhash for h in hashes])
    # distances [query, reference, probe, variant], flattened to [query, reference, pairs]
    p = popcount(np.array(qp, np.uint64)[:, None, :, None] ^ rp[None, :, None, :])
    d = popcount(np.array(qd, np.uint64)[:, None, :, None] ^ rd[None, :, None, :])
    shape = (*p.shape[:2], -1)
    p, d = p.reshape(shape).astype(np.int16), d.reshape(shape).astype(np.int16)
    p[rejected] = 99
    return _accepts(p, d)


def evaluate(
    folder: Path,
    settings: CatalogSettings,
    max_false_rate: float = 0.001,
    seed: int = 1,
    warn: Callable[[str], None] = lambda message: None,
    transforms: Sequence[str] = tuple(TRANSFORMS),
) -> EvalReport:
    """Build references and transformed copies of the images in ``folder`` and score them."""
    originals = load_originals(folder, settings, warn)
    names, pictures = originals.names, originals.pictures
    rp, rd = originals.phash, originals.dhash
    configured = settings.thresholds.default.phash, settings.thresholds.default.dhash
    group = _groups(rp, rd, configured)
    groups: dict[int, list[str]] = {}
    for i, g in enumerate(group):
        groups.setdefault(int(g), []).append(names[i])
    same = group[:, None] == group[None, :]
    accepts, counts = {}, {}
    for name in transforms:
        acc = acceptance(pictures, rp, rd, name, settings, seed)  # [tp, td, query, reference]
        hits = (acc & same).any(axis=-1).sum(axis=-1)
        false = (acc & ~same).sum(axis=(-1, -2))
        accepts[name] = (hits, false)
        counts[name] = (len(pictures), int((~same).sum()))
    working = _working_point(accepts, counts, max_false_rate)
    rows = []
    for name in transforms:
        hits, false = accepts[name]
        queries, pairs = counts[name]
        row: dict[str, Any] = {"transform": name, "goal": name in GOAL, "queries": queries}
        for label, (tp, td) in (("configured", configured), ("working", working)):
            row[label] = {
                "recall": float(hits[tp, td]) / max(queries, 1),
                "false_match_rate": float(false[tp, td]) / max(pairs, 1),
            }
        ok = false <= max_false_rate * pairs
        best = np.unravel_index(np.argmax(np.where(ok, hits, -1)), hits.shape)
        row["best"] = {"phash": int(best[0]), "dhash": int(best[1]),
                       "recall": float(hits[best]) / max(queries, 1)}  # fmt: skip
        rows.append(row)
    merged = list(groups.values())
    return EvalReport(names, originals.skipped, originals.unreadable, merged, working, configured,
                      max_false_rate, rows)  # fmt: skip


def _groups(rp: np.ndarray, rd: np.ndarray, threshold: tuple[int, int]) -> np.ndarray:
    """Group number per original; originals whose full pictures match share a group."""
    n = len(rp)
    group = np.arange(n)
    if n == 0:
        return group
    p = popcount(rp[:, None, 0] ^ rp[None, :, 0])
    d = popcount(rd[:, None, 0] ^ rd[None, :, 0])
    close = (p <= threshold[0]) & (d <= threshold[1])
    for i in range(n):
        for j in np.flatnonzero(close[i]):
            old, new = max(group[i], group[j]), min(group[i], group[j])
            group[group == old] = new
    return group


def _working_point(
    accepts: dict[str, tuple[np.ndarray, np.ndarray]],
    counts: dict[str, tuple[int, int]],
    max_false_rate: float,
) -> tuple[int, int]:
    """Thresholds maximising the lowest goal recall with every false-match rate in bounds."""
    shape = (len(PHASH_RANGE), len(DHASH_RANGE))
    allowed = np.ones(shape, dtype=bool)
    worst = np.full(shape, np.inf)
    total = np.zeros(shape)
    for name, (hits, false) in accepts.items():
        queries, pairs = counts[name]
        allowed &= false <= max_false_rate * pairs
        if name in GOAL:
            recall = hits / max(queries, 1)
            worst = np.minimum(worst, recall)
            total += recall
    score = np.where(allowed, worst * 1000 + total, -1.0)
    best = np.unravel_index(np.argmax(score), shape)
    return int(best[0]), int(best[1])
