"""Held-out threshold choice (detectors.image.holdout): the split, the rule, the accounting."""

from __future__ import annotations

import io
import random

import numpy as np
from PIL import Image, ImageDraw

from detectors.catalog.settings import parse_settings
from detectors.config import load_config
from detectors.image.evaluate import DHASH_RANGE, PHASH_RANGE, Originals
from detectors.image.hashing import hash_image
from detectors.image.holdout import Side, chance, choose, score, tune_half, windows


def _picture(seed: int) -> Image.Image:
    rng = random.Random(seed)
    img = Image.new("RGB", (240, 320), tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(img)
    for _ in range(25):
        x, y = rng.randrange(240), rng.randrange(320)
        box = (x, y, x + rng.randrange(15, 90), y + rng.randrange(15, 90))
        draw.rectangle(box, fill=tuple(rng.randrange(256) for _ in range(3)))
    return img


def test_tune_half_keeps_groups_together_and_splits_about_half() -> None:
    names = [f"img{i:02d}" for i in range(40)]
    group = np.arange(40)
    group[[3, 17, 29]] = 3  # three originals that match each other
    for seed in (1, 2, 3):
        tune = tune_half(names, group, seed)
        assert len(set(tune[[3, 17, 29]].tolist())) == 1
        assert 18 <= tune.sum() <= 22
        assert np.array_equal(tune, tune_half(names, group, seed))  # seeded, reproducible
    assert not np.array_equal(tune_half(names, group, 1), tune_half(names, group, 2))


def test_choose_takes_the_strictest_of_the_best_and_respects_the_limits() -> None:
    shape = (len(PHASH_RANGE), len(DHASH_RANGE))
    tp, td = np.meshgrid(np.arange(shape[0]), np.arange(shape[1]), indexing="ij")
    side = Side(queries=10, pairs=1000)
    # recall saturates at pHash >= 6 and dHash >= 9; false matches appear at dHash >= 20
    side.hits["jpeg_q30"] = np.where((tp >= 6) & (td >= 9), 10, 5)
    side.false["jpeg_q30"] = np.where(td >= 20, 5, 0)
    side.hits["rotate_2deg"] = np.zeros(shape, dtype=int)  # no goal: does not steer the choice
    side.false["rotate_2deg"] = np.zeros(shape, dtype=int)
    assert choose(side, max_phash=12, max_false_rate=0.001) == (6, 9)
    # over the false-match limit everywhere the recall saturates below pHash 8: not chosen
    side.false["jpeg_q30"] = np.where(tp < 8, 5, 0)
    assert choose(side, max_phash=12, max_false_rate=0.001) == (8, 9)
    # the index's radius caps pHash even when a wider one would recall more
    assert choose(side, max_phash=7, max_false_rate=0.001)[0] <= 7
    assert chance(6, 9) < chance(8, 9) < chance(8, 12)


def test_score_counts_hits_and_false_matches_per_side() -> None:
    settings = parse_settings(load_config().settings_for("image_phash"))
    variants = settings.variant_list()
    pictures = [_picture(seed) for seed in range(6)]
    hashes = []
    for picture in pictures:
        out = io.BytesIO()
        picture.save(out, "PNG")
        hashes.append(hash_image(out.getvalue(), variants))
    originals = Originals(
        [f"p{i}" for i in range(6)],
        pictures,
        np.array([[h.phash for h in row] for row in hashes], dtype=np.uint64),
        np.array([[h.dhash for h in row] for row in hashes], dtype=np.uint64),
        [],
        0,
    )
    half = np.array([True, True, True, False, False, False])
    # distractors: a stranger, and a second copy of p0 posing as an unrelated picture
    distractors = [_picture(99), pictures[0]]
    sides = score(originals, settings, {"tune": half, "test": ~half}, distractors, [-1, -2],
                  transforms=("jpeg_q60",))  # fmt: skip
    limit = settings.thresholds.default
    tune, test = (
        sides["tune"].row("jpeg_q60", limit.phash, limit.dhash),
        sides["test"].row("jpeg_q60", limit.phash, limit.dhash),
    )
    assert sides["tune"].queries == sides["test"].queries == 3
    assert tune["recall"] == test["recall"] == 1.0
    # the p0 look-alike is a false match on the tune side (p0 is a tune reference) only
    assert tune["false_matches"] == 1 and test["false_matches"] == 0
    # (6 original + 2 distractor queries) x 3 references, minus each reference's own copy
    assert sides["tune"].pairs == 8 * 3 - 3


def test_windows_are_smaller_pieces_of_each_picture() -> None:
    pictures = [_picture(1), _picture(2)]
    pieces = windows(pictures, 3, seed=4)
    assert len(pieces) == 6
    for i, piece in enumerate(pieces):
        width, height = pictures[i // 3].size
        assert 0.3 * width <= piece.width <= 0.7 * width
        assert 0.3 * height <= piece.height <= 0.7 * height
