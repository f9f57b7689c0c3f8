"""The sandbox's pirate sites re-encode studio posters their own way; the catalog sees through.

Reference: each work's master poster. Queries: every site style's copy (resized, cropped up
to 4 % per side, recompressed, some with a burnt-in brand band), and, as strangers, the
sandbox's article photos and channel logos.
"""

from __future__ import annotations

from pathlib import Path

from crawler.sandbox import images
from crawler.sandbox.catalog import build_catalog
from detectors.catalog.service import ImageCatalog
from detectors.catalog.settings import parse_settings
from detectors.config import load_config

SEED = 1


def test_site_copies_of_posters_match_their_work(tmp_path: Path) -> None:
    config = {**load_config().settings_for("image_phash"), "catalog_dir": str(tmp_path)}
    catalog = ImageCatalog(parse_settings(config))
    works = build_catalog().works[:12]
    for work in works:
        master = images.encode(images.master_poster(SEED, work), "PNG")
        catalog.add(master, work.title, "poster", f"{work.id}.png")
    styles = [images.site_poster_style(SEED, f"site{i}.example", f"BRAND{i}") for i in range(10)]
    assert any(s.watermark for s in styles) and any(s.crop for s in styles)
    misses = []
    for work in works:
        for style in styles:
            found = catalog.match(images.poster_bytes(SEED, work, style))
            if found is None or found.reference.work != work.title:
                misses.append((work.title, style, found))
    assert not misses, misses[:3]
    strangers = [images.photo_jpeg(SEED, f"article-{i}") for i in range(10)]
    strangers += [images.channel_logo(channel) for channel in build_catalog().channels[:10]]
    wrong = [found for data in strangers if (found := _match_or_none(catalog, data))]
    assert not wrong, wrong


def _match_or_none(catalog: ImageCatalog, data: bytes) -> object:
    from detectors.image.hashing import ImageRejected

    try:
        return catalog.match(data)
    except ImageRejected:  # a flat logo below the quality floor: never matched
        return None
