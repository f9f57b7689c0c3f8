"""Matched images through the real app and the case file: the site detail's ``matched_images``
names the evidence thumbnail, the reference, distance and hash; both halves of the pair are
served by us (PNG/JPEG, nosniff), scoped like the site (out of scope: 404, as for a missing
one); the console's site page shows the pair; ``export_case`` writes the pair as files listed
with their SHA-256 in the manifest, shows it in the report and carries the image's WARC."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from test_api_support import World, build_world
from test_image_evidence import MATCH, image_item, poster

from crawler.evidence.case import export_case
from crawler.evidence.images import ImageEvidenceWriter
from crawler.evidence.warc import WarcStore
from crawler.registry import Registry

FR, DE = "streamfr.example", "kinode.example"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, redis_url: str) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp("image-evidence-api")
    built = build_world(tmp, (redis_url,))
    built.evidence_dir = tmp / "evidence"
    store = WarcStore(built.evidence_dir, 10_000_000, "I-SOP tests")
    stats: Counter[str] = Counter()
    reference = poster((200, 300), "PNG", seed=3)
    writer = ImageEvidenceWriter(built.db.engine, Registry(built.db.engine), store,
                                 lambda ref: reference if ref == 7 else None,
                                 lambda key, n: stats.update({key: n}))  # fmt: skip
    try:
        for key, domain, seed in (("fr", FR, 1), ("de", DE, 2)):
            row = writer.record(image_item(domain, poster(seed=seed)), MATCH)
            assert row is not None and row.site_id == built.sites[key]
            built.captures[key] = row.id  # the image evidence id
    finally:
        store.close()
    assert stats["evidence/kept"] == 2
    try:
        yield built
    finally:
        built.db.close()


def test_site_detail_names_the_pair_the_reference_distance_and_hash(world: World) -> None:
    detail = world.client("analyst_fr").get(f"/api/v1/sites/{world.sites['fr']}").json()
    [image] = [m for m in detail["matched_images"] if m.get("image_evidence_id")]
    image_id = world.captures["fr"]
    assert image["evidence_thumbnail"] == f"/api/v1/image-evidence/{image_id}/thumbnail"
    assert image["reference"] == {
        "ref": 7, "work": "The Last Orchard", "kind": "poster", "catalog": "default",
        "source": "upload:ana", "thumbnail": f"/api/v1/image-evidence/{image_id}/reference"}
    assert (image["distance"], image["hash"], image["dhash_distance"]) == (4, "phash", 6)
    assert image["evidence_id"] in {e["id"] for e in detail["evidence"]}
    assert image["page_url"] == f"http://{FR}/film/1" and not image["pending"]


@pytest.mark.parametrize("which", ["thumbnail", "reference"])
def test_both_halves_are_served_reencoded_and_scoped(world: World, which: str) -> None:
    fr, de = (f"/api/v1/image-evidence/{world.captures[k]}/{which}" for k in ("fr", "de"))
    answer = world.client("analyst_fr").get(fr)
    assert answer.status_code == 200
    assert answer.headers["content-type"] in ("image/png", "image/jpeg")
    assert answer.headers["x-content-type-options"] == "nosniff"
    with Image.open(io.BytesIO(answer.content)) as thumb:
        assert answer.headers["content-type"] == f"image/{str(thumb.format).lower()}"
        assert max(thumb.size) <= 320
    assert world.client("analyst_fr").get(de).status_code == 404  # out of scope
    assert world.client("viewer_de").get(de).status_code == 200
    assert world.client("viewer").get(fr.replace(f"/{world.captures['fr']}/", "/999999/")
                                      ).status_code == 404  # fmt: skip
    assert world.client("ops").get(fr).status_code == 403
    assert world.client().get(fr).status_code == 401


def test_the_console_site_page_shows_the_pair(world: World) -> None:
    browser, _ = world.login("analyst_fr")
    image_id = world.captures["fr"]
    page = browser.get(f"/console/sites/{world.sites['fr']}").text
    row = page[page.index(f'id="image-{image_id}"'):]
    row = row[: row.index("</tr>")]
    srcs = [f"/console/image-evidence/{image_id}/thumbnail",
            f"/console/image-evidence/{image_id}/reference"]  # fmt: skip
    assert all(f'src="{s}"' in row for s in srcs) and "The Last Orchard" in row
    for src in srcs:
        answer = browser.get(src)
        assert answer.status_code == 200, src
        assert answer.headers["content-type"] in ("image/png", "image/jpeg")
        assert answer.headers["x-content-type-options"] == "nosniff"
    de = world.captures["de"]
    assert browser.get(f"/console/image-evidence/{de}/thumbnail").status_code == 404


def test_the_case_file_carries_the_pair_and_the_image_warc(world: World, tmp_path: Path) -> None:
    assert world.evidence_dir is not None
    out = tmp_path / "case"
    manifest = export_case(world.db.engine, world.evidence_dir, FR, out, by="tests")
    [image] = manifest["images"]
    files = manifest["files"]["images"]
    assert [f["path"] for f in files] == [image["thumbnail"]["path"],
                                          image["reference_thumbnail"]["path"]]  # fmt: skip
    for entry in files:
        data = (out / entry["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        Image.open(io.BytesIO(data)).verify()
    assert image["match"]["reference"] == 7 and image["match"]["distance"] == 4
    written = json.loads((out / "manifest.json").read_text())
    assert written["files"]["images"] == files
    report = (out / "report.html").read_text()
    pair = report[report.index(f'id="image-{image["id"]}"'):]
    pair = pair[: pair.index("</tr>")]
    assert all(f'src="{f["path"]}"' in pair for f in files)
    # the image's bytes as fetched are in the case WARC, at the offset the manifest gives
    body = poster(seed=1)
    warc = (out / "evidence.warc.gz").read_bytes()
    capture = next(c for c in manifest["captures"] if c["id"] == image["capture_id"])
    start = capture["warc"]["case_offset"]
    assert image["warc_case_offset"] == start
    assert body in gzip.decompress(warc[start : start + capture["warc"]["length"]])
    assert hashlib.sha256(body).hexdigest() == image["image_sha256"]
