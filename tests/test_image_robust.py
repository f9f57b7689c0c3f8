"""Query crops cut before the trim: a caption band on a poster's flat backdrop no longer hides it.

A picture on a wide black backdrop is trimmed to its content when it is a reference. A pirate
copy with a caption band across the bottom and a logo box in a top corner cannot be trimmed
(the band and the box touch the backdrop's edges), so cropping the band off the *trimmed*
query leaves the backdrop in, far from every reference variant; cropping it off the picture as
decoded and trimming afterwards finds the same content as the reference.
"""

from __future__ import annotations

import io
import random

import pytest
from PIL import Image, ImageDraw

from detectors.catalog.settings import CatalogSettings, parse_settings
from detectors.config import load_config
from detectors.image.hashing import Hashes, hash_image
from detectors.image.transforms import overlay

SEEDS = range(6)


def _framed(seed: int) -> Image.Image:
    """Coloured ellipses on the middle of a wide black backdrop."""
    rng = random.Random(seed)
    img = Image.new("RGB", (300, 300), (0, 0, 0))
    draw = ImageDraw.Draw(img)
    for _ in range(30):
        x, y = rng.randrange(70, 180), rng.randrange(50, 200)
        box = (x, y, x + rng.randrange(10, 60), y + rng.randrange(10, 60))
        draw.ellipse(box, fill=tuple(rng.randrange(40, 256) for _ in range(3)))
    return img


def _png(img: Image.Image) -> bytes:
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def shipped() -> CatalogSettings:
    return parse_settings(load_config().settings_for("image_phash"))


def _accepted(settings: CatalogSettings, query: list[Hashes], ref: list[Hashes]) -> bool:
    limit = settings.thresholds.default
    return any(
        (q.phash ^ r.phash).bit_count() <= limit.phash
        and (q.dhash ^ r.dhash).bit_count() <= limit.dhash
        for q in query
        for r in ref
    )


def _hits(settings: CatalogSettings) -> list[list[bool]]:
    """hits[copy][reference]: the overlay copy of picture i accepted for reference j."""
    variants, probes = settings.variant_list(), settings.probe_list()
    refs = [hash_image(_png(_framed(seed)), variants) for seed in SEEDS]
    copies = [hash_image(overlay(_framed(seed), random.Random(seed)), probes) for seed in SEEDS]
    return [[_accepted(settings, copy, ref) for ref in refs] for copy in copies]


def test_shipped_probes_cut_before_the_trim(shipped: CatalogSettings) -> None:
    assert shipped.query_crops_before_trim
    probes = shipped.probe_list()
    assert not probes[0].cut and not probes[0].cut_first  # the full trimmed picture first
    assert all(p.cut_first for p in probes[1:]) and len(probes) > 1


def test_captioned_copies_on_a_backdrop_match_their_picture_only(
    shipped: CatalogSettings,
) -> None:
    hits = _hits(shipped)
    for i, row in enumerate(hits):
        assert row[i], f"overlay copy of picture {i} missed"
        assert sum(row) == 1, f"overlay copy of picture {i} also matched {row}"


def test_cutting_the_trimmed_picture_misses_most_of_them(shipped: CatalogSettings) -> None:
    """The same thresholds and crops, cut from the trimmed query: the backdrop stays in."""
    old = shipped.model_copy(update={"query_crops_before_trim": False})
    hits = _hits(old)
    assert sum(hits[i][i] for i in range(len(hits))) <= len(hits) // 2, hits
