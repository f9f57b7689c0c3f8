"""The reference catalog: storage and reload, per-catalog thresholds, the detector on top."""

from __future__ import annotations

import io
import random
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageOps

from detectors.base import Content
from detectors.catalog.matcher import Matcher
from detectors.catalog.service import ImageCatalog
from detectors.catalog.settings import parse_settings
from detectors.catalog.store import CatalogStore, HashTable, Reference
from detectors.config import load_config
from detectors.image.detector import ImagePhashDetector
from detectors.image.hashing import Hashes, ImageRejected


def poster(seed: int) -> bytes:
    rng = random.Random(seed)
    img = Image.new("RGB", (300, 450), tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(img)
    for _ in range(14):
        x, y = rng.randrange(300), rng.randrange(450)
        box = (x, y, x + rng.randrange(20, 140), y + rng.randrange(20, 140))
        colour = tuple(rng.randrange(256) for _ in range(3))
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)(box, fill=colour)
    return _jpeg(img, 90)


def _jpeg(img: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    img.save(out, "JPEG", quality=quality)
    return out.getvalue()


def pirate_copy(data: bytes) -> bytes:
    """Cropped 8 % on the left, shrunk, letterboxed, recompressed."""
    img = Image.open(io.BytesIO(data)).convert("RGB")
    img = img.crop((24, 0, 300, 450)).resize((184, 300))
    return _jpeg(ImageOps.expand(img, border=(0, 30), fill="black"), 45)


def settings(tmp_path: Path, **extra: object) -> dict[str, object]:
    base = load_config().settings_for("image_phash")
    return {**base, "catalog_dir": str(tmp_path / "catalog"), **extra}


def test_add_dedupes_and_reloads_from_snapshot(tmp_path: Path) -> None:
    catalog = ImageCatalog(parse_settings(settings(tmp_path)))
    first = catalog.add(poster(1), "Work One", "poster", "one.jpg")
    assert first[1] is True
    assert catalog.add(poster(1), "Work One again", "poster", "copy.jpg") == (first[0], False)
    assert len(catalog.store.table()) == len(catalog.variants)  # snapshot of generation 1
    catalog.add(poster(2), "Work Two", "still", "two.jpg", catalog="stills")
    table = catalog.store.table()
    variants = len(catalog.variants)
    assert len(table) == 2 * variants
    assert set(table.catalogs) == {"default", "stills"}
    snapshots = sorted(p.name for p in (tmp_path / "catalog").glob("hashes-*.npy"))
    assert snapshots and all(name.startswith(f"hashes-{catalog.store.generation()}-")
                             for name in snapshots)  # fmt: skip
    catalog.close()
    with CatalogStore(tmp_path / "catalog") as again:
        reloaded = again.table()
        assert np.array_equal(reloaded.phash, table.phash)
        assert np.array_equal(reloaded.ref, table.ref)
        assert again.reference(first[0]) == Reference(first[0], "default", "Work One", "poster",
                                                      "one.jpg")  # fmt: skip


def test_hashes_with_the_top_bit_set_survive_sqlite(tmp_path: Path) -> None:
    with CatalogStore(tmp_path) as store:
        big = [(2**64 - 1, 2**63), (2**63 + 5, 1)]
        store.add_hashes([("default", "W", "poster", "x", "sha-x", big)])
        table = store.table()
        assert [int(v) for v in table.phash] == [2**64 - 1, 2**63 + 5]
        assert [int(v) for v in table.dhash] == [2**63, 1]


def test_pirate_copy_matches_and_strangers_do_not(tmp_path: Path) -> None:
    catalog = ImageCatalog(parse_settings(settings(tmp_path)))
    for seed in range(1, 9):
        catalog.add(poster(seed), f"Work {seed}", "poster", f"w{seed}.jpg")
    found = catalog.match(pirate_copy(poster(3)))
    assert found is not None and found.reference.work == "Work 3"
    assert found.to_json() == {"work": "Work 3", "reference": "w3.jpg",
                               "distance": found.phash_distance, "hash": "phash"}  # fmt: skip
    assert catalog.match(poster(42)) is None
    # a new reference is seen without reopening (generation changed)
    catalog.add(poster(42), "Work 42", "poster", "w42.jpg")
    again = catalog.match(poster(42))
    assert again is not None and again.reference.work == "Work 42"


def _table(phashes: list[int], dhashes: list[int], catalogs: list[str]) -> HashTable:
    names = tuple(sorted(set(catalogs)))
    return HashTable(
        ref=np.arange(1, len(phashes) + 1, dtype=np.int64),
        variant=np.zeros(len(phashes), dtype=np.int16),
        catalog=np.array([names.index(c) for c in catalogs], dtype=np.int32),
        phash=np.array(phashes, dtype=np.uint64),
        dhash=np.array(dhashes, dtype=np.uint64),
        catalogs=names,
    )


def test_thresholds_per_catalog_and_per_hash(tmp_path: Path) -> None:
    query = Hashes(0, 0)
    eight_bits = 0xFF
    table = _table([eight_bits, eight_bits, 0b11, 0], [0, 0, 2**20 - 1, 2**64 - 1],
                   ["default", "logos", "default", "default"])  # fmt: skip
    refs = {i: Reference(i, c, f"W{i}", "poster", f"r{i}") for i, c in
            zip(range(1, 5), ["default", "logos", "default", "default"], strict=True)}  # fmt: skip
    custom = settings(
        tmp_path,
        thresholds={
            "default": {"phash": 10, "dhash": 14},
            "catalogs": {"logos": {"phash": 6, "dhash": 10}},
        },
    )
    matcher = Matcher(table, parse_settings(custom), refs.get)
    accepted = {ref for ref, *_ in matcher.candidates(query)}
    # 1: pHash 8 within default 10; 2: pHash 8 beyond logos 6; 3: dHash 20 beyond 14;
    # 4: pHash 0 but dHash 64
    assert accepted == {1}
    match = matcher.match([query])
    assert match is not None and match.reference.work == "W1" and match.phash_distance == 8


def test_matching_never_creates_the_catalog(tmp_path: Path) -> None:
    catalog = ImageCatalog(parse_settings(settings(tmp_path)))
    assert catalog.match(poster(5)) is None
    assert not (tmp_path / "catalog").exists()
    with pytest.raises(ImageRejected):
        catalog.match(b"GIF89a broken")


def test_detector_signal_names_the_work(tmp_path: Path) -> None:
    config = settings(tmp_path)
    catalog = ImageCatalog(parse_settings(config))
    catalog.add(poster(11), "The Protected Film", "poster", "film.jpg")
    catalog.close()
    detector = ImagePhashDetector(config)
    (signal,) = detector.detect(Content("http://x/p.jpg", "image", pirate_copy(poster(11))))
    assert signal.detector == "image_phash" and signal.name == "catalog_match"
    assert "The Protected Film" in signal.evidence and "film.jpg" in signal.evidence
    assert 0.5 <= signal.score <= 1.0
    assert detector.detect(Content("http://x/q.jpg", "image", poster(12))) == []
    assert detector.detect(Content("http://x/r.jpg", "image", b"\xff\xd8broken")) == []
