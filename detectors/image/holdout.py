"""Thresholds chosen on half the images, recall and false matches reported on the other half.

``evaluate`` picks its working point on the images it reports on, so a threshold can be tuned
to the very photos it is then praised for. Here the originals are split in two halves (by a
seeded hash; originals that already match each other stay on one side), the thresholds are
chosen on the *tune* half and the *test* half is scored at them. Every other image's copy,
and random windows cut from the originals (natural-looking pictures that are no reference's
copy), are the distractors each side's false-match rate is measured against.

The choice: pHash at most the index's working radius (lookups are benchmarked there; every
bit more multiplies their cost), every transform's false-match rate within the limit, the best
worst recall over the goal transforms, then the most hits over all of them, and among pairs
that still tie, the strictest one for random hashes (the fewest chance matches at a million
references).
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PIL import Image

from detectors.catalog.settings import CatalogSettings
from detectors.image.evaluate import DHASH_RANGE, PHASH_RANGE, Originals, _groups, acceptance
from detectors.image.transforms import GOAL, TRANSFORMS


def windows(pictures: Sequence[Image.Image], per_image: int, seed: int) -> list[Image.Image]:
    """``per_image`` random windows of each picture (35-65 % of each side), as distractors."""
    rng = random.Random(f"windows:{seed}")
    out = []
    for picture in pictures:
        width, height = picture.size
        for _ in range(per_image):
            w, h = round(width * rng.uniform(0.35, 0.65)), round(height * rng.uniform(0.35, 0.65))
            x, y = rng.randrange(width - w + 1), rng.randrange(height - h + 1)
            out.append(picture.crop((x, y, x + w, y + h)))
    return out


def tune_half(names: Sequence[str], group: np.ndarray, seed: int) -> np.ndarray:
    """True for the originals of the tune half: whole groups, ordered by a seeded hash."""
    first: dict[int, str] = {}
    for name, g in zip(names, group, strict=True):
        first.setdefault(int(g), name)
    order = sorted(first, key=lambda g: hashlib.sha256(f"{seed}:{first[g]}".encode()).digest())
    tune, size = set(), 0
    for g in order:
        if size >= len(names) / 2:
            break
        tune.add(g)
        size += int((group == g).sum())
    return np.array([int(g) in tune for g in group], dtype=bool)


def chance(tp: int, td: int) -> float:
    """Share of random 64-bit hash pairs within (tp, td): the strictness tie-break."""
    return (
        sum(math.comb(64, k) for k in range(tp + 1))
        * sum(math.comb(64, k) for k in range(td + 1))
        / 4.0**64
    )


@dataclass
class Side:
    """Hits and false matches per threshold pair, per transform, over one half's references."""

    queries: int
    pairs: int
    hits: dict[str, np.ndarray] = field(default_factory=dict)  # [tp, td]
    false: dict[str, np.ndarray] = field(default_factory=dict)

    def row(self, name: str, tp: int, td: int) -> dict[str, float]:
        return {"recall": float(self.hits[name][tp, td]) / max(self.queries, 1),
                "false_match_rate": float(self.false[name][tp, td]) / max(self.pairs, 1),
                "false_matches": int(self.false[name][tp, td])}  # fmt: skip


def score(
    originals: Originals,
    settings: CatalogSettings,
    sides: dict[str, np.ndarray],
    distractors: Sequence[Image.Image] = (),
    distractor_group: Sequence[int] | np.ndarray = (),
    seed: int = 1,
    transforms: Sequence[str] = tuple(TRANSFORMS),
) -> dict[str, Side]:
    """Each side (a mask over the originals) scored as its own catalog.

    Queries are every original's copy and every distractor's copy; a query is a hit on a side
    when its original is a reference there and one of its group is accepted; any accepted
    (query, reference of another group) pair is a false match.
    """
    rp, rd = originals.phash, originals.dhash
    limit = settings.thresholds.default
    group = _groups(rp, rd, (limit.phash, limit.dhash))
    query_group = np.concatenate([group, np.asarray(distractor_group, dtype=group.dtype)])
    own = np.arange(len(query_group)) < len(group)
    same = query_group[:, None] == group[None, :]
    pictures = [*originals.pictures, *distractors]
    out = {}
    for side, mask in sides.items():
        asked = own & np.concatenate([mask, np.zeros(len(distractors), dtype=bool)])
        out[side] = Side(int(asked.sum()), int((~same[:, mask]).sum()))
    for name in transforms:
        acc = acceptance(pictures, rp, rd, name, settings, seed)  # [tp, td, query, reference]
        for side, mask in sides.items():
            asked = own & np.concatenate([mask, np.zeros(len(distractors), dtype=bool)])
            mine = acc[..., mask]
            out[side].hits[name] = (mine[:, :, asked] & same[asked][:, mask]).any(-1).sum(-1)
            out[side].false[name] = (mine & ~same[:, mask]).sum(axis=(-1, -2))
    return out


def choose(side: Side, max_phash: int, max_false_rate: float) -> tuple[int, int]:
    """The thresholds the module doc describes, chosen on ``side`` alone."""
    shape = (len(PHASH_RANGE), len(DHASH_RANGE))
    allowed = np.zeros(shape, dtype=bool)
    allowed[: max_phash + 1] = True
    worst, hits = np.ones(shape), np.zeros(shape, dtype=np.int64)
    for name, false in side.false.items():
        allowed &= false <= max_false_rate * side.pairs
        if name in GOAL:
            worst = np.minimum(worst, side.hits[name] / max(side.queries, 1))
            hits += side.hits[name]
    score = np.where(allowed, worst * 1e6 + hits, -1.0)
    ties = [(chance(int(tp), int(td)), int(tp), int(td))
            for tp, td in zip(*np.nonzero(score == score.max()), strict=True)]  # fmt: skip
    _, tp, td = min(ties)
    return tp, td


def combine(corpora: dict[str, Originals]) -> tuple[Originals, np.ndarray]:
    """Several corpora as one (names prefixed ``corpus/``), and each original's corpus number."""
    parts = list(corpora.items())
    names = [f"{label}/{n}" for label, o in parts for n in o.names]
    pictures = [p for _, o in parts for p in o.pictures]
    phash = np.concatenate([o.phash for _, o in parts])
    dhash = np.concatenate([o.dhash for _, o in parts])
    corpus = np.concatenate([np.full(len(o.names), k) for k, (_, o) in enumerate(parts)])
    skipped = [s for _, o in parts for s in o.skipped]
    unreadable = sum(o.unreadable for _, o in parts)
    return Originals(names, pictures, phash, dhash, skipped, unreadable), corpus


def holdout(
    corpora: dict[str, Originals],
    settings: CatalogSettings,
    distractors: Sequence[Image.Image] = (),
    split_seed: int = 1,
    windows_per_image: int = 4,
    max_false_rate: float = 0.001,
    seed: int = 1,
    tune_margin: float = 0.5,
) -> dict[str, Any]:
    """Choose thresholds on a tune half of every corpus, report the test halves at them and at
    the configured thresholds. ``distractors`` (pictures no reference copies) and windows of
    every original are queries too, so they count in every side's false matches. On the tune
    half the false-match rate must stay within ``tune_margin`` of the limit: a rate measured
    on a few thousand pairs is itself uncertain, and the test half must hold the full limit."""
    originals, corpus = combine(corpora)
    limit = settings.thresholds.default
    group = _groups(originals.phash, originals.dhash, (limit.phash, limit.dhash))
    names = np.array(originals.names)
    tune = np.zeros(len(names), dtype=bool)
    for k in range(len(corpora)):  # each corpus split in two: both halves get some of each
        mine = corpus == k
        tune[mine] = tune_half(list(names[mine]), group[mine], split_seed)
    extra = [*windows(originals.pictures, windows_per_image, split_seed), *distractors]
    origin = np.concatenate([np.repeat(group, windows_per_image), -1 - np.arange(len(distractors))])
    masks = {"tune": tune, "test": ~tune}
    masks.update({f"test {label}": ~tune & (corpus == k) for k, label in enumerate(corpora)})
    sides = score(originals, settings, masks, extra, origin, seed)
    chosen = choose(sides["tune"], settings.thresholds.max_phash, max_false_rate * tune_margin)
    configured = (limit.phash, limit.dhash)
    rows = []
    for name in sides["tune"].hits:
        row: dict[str, Any] = {"transform": name, "goal": name in GOAL}
        for side in masks:
            row[side] = sides[side].row(name, *chosen)
            row[f"{side} configured"] = sides[side].row(name, *configured)
        rows.append(row)
    return {
        "split_seed": split_seed,
        "sides": {side: sorted(names[mask].tolist()) for side, mask in masks.items()},
        "distractors": len(extra),
        "pairs": {side: sides[side].pairs for side in sides},
        "chosen": {"phash": chosen[0], "dhash": chosen[1]},
        "configured": {"phash": configured[0], "dhash": configured[1]},
        "transforms": rows,
    }
