"""Catalog management through the API and the console: analysts list and remove reference
images (audited), everyone who reads sites sees the re-encoded thumbnails and the protected
works, and a site page shows the reference each piece of image evidence matched."""

from __future__ import annotations

import io
import random
import re
from pathlib import Path
from typing import Any

import yaml
from PIL import Image, ImageDraw
from test_api_support import T0, World, world_fixture

from crawler.registry import Registry
from detectors.base import Content
from detectors.catalog.settings import CONFIG_DIR
from detectors.config import load_config
from detectors.image.detector import ImagePhashDetector

world = world_fixture()


def _poster(seed: int) -> Image.Image:
    rng = random.Random(seed)
    image = Image.new("RGB", (300, 450), tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(14):
        x, y = rng.randrange(300), rng.randrange(450)
        box = (x, y, x + rng.randrange(20, 140), y + rng.randrange(20, 140))
        draw.ellipse(box, fill=tuple(rng.randrange(256) for _ in range(3)))
    return image


def _jpeg(image: Image.Image, **info: Any) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90, **info)
    return out.getvalue()


def _upload(world: World, data: bytes, work: str) -> int:
    response = world.client("analyst").post(
        "/api/v1/catalog/images", data={"work": work, "kind": "poster"},
        files={"image": ("poster.jpg", data, "image/jpeg")})  # fmt: skip
    assert response.status_code == 201, response.text
    return int(response.json()["ref"])


def _data_dir(world: World) -> Path:
    return Path(world.app.state.settings.data_dir)  # type: ignore[attr-defined]


def test_list_page_thumbnail_and_remove(world: World) -> None:
    upload = _jpeg(_poster(11), exif=b"Exif\x00\x00secret-camera")
    first = _upload(world, upload, "Oppenheimer")
    second = _upload(world, _jpeg(_poster(12)), "Poor Things")
    viewer = world.client("viewer")
    listed = viewer.get("/api/v1/catalog/images").json()
    mine = [item for item in listed["items"] if item["ref"] in (first, second)]
    assert [(i["work"], i["kind"]) for i in mine] == [("Oppenheimer", "poster"),
                                                      ("Poor Things", "poster")]  # fmt: skip
    assert mine[0]["thumbnail"] == f"/api/v1/catalog/images/{first}/thumbnail"
    page = viewer.get("/api/v1/catalog/images", params={"limit": 1, "cursor": first - 1}).json()
    assert [i["ref"] for i in page["items"]] == [first] and page["next_cursor"] == str(first)
    assert [i["ref"] for i in viewer.get("/api/v1/catalog/images",
                                         params={"work": "poor"}).json()["items"]] == [second]

    thumb = viewer.get(mine[0]["thumbnail"])
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/png"
    assert thumb.headers["x-content-type-options"] == "nosniff"
    with Image.open(io.BytesIO(thumb.content)) as picture:
        assert picture.format == "PNG" and max(picture.size) <= 320
        assert "exif" not in picture.info and b"secret-camera" not in thumb.content

    for who, expected in (("viewer", 403), ("coordinator", 403), ("ops", 403), (None, 401)):
        assert world.client(who).delete(f"/api/v1/catalog/images/{first}").status_code == expected
    assert world.client(None).get("/api/v1/catalog/images").status_code == 401
    assert world.client("ops").get("/api/v1/catalog/images").status_code == 403
    removed = world.client("analyst").delete(f"/api/v1/catalog/images/{first}")
    assert removed.status_code == 200 and removed.json() == {"ref": first, "removed": True}
    assert world.client("analyst").delete(f"/api/v1/catalog/images/{first}").status_code == 404
    assert viewer.get(f"/api/v1/catalog/images/{first}").status_code == 404
    assert viewer.get(f"/api/v1/catalog/images/{first}/thumbnail").status_code == 404
    assert first not in [i["ref"] for i in viewer.get("/api/v1/catalog/images").json()["items"]]
    entries = world.client("admin").get("/api/v1/audit", params={"action": "catalog.remove"})
    (entry,) = entries.json()["items"]
    assert entry["actor"] == "analyst" and entry["before"]["work"] == "Oppenheimer"


def test_works_are_listed_from_the_title_catalog(world: World) -> None:
    expected = yaml.safe_load((CONFIG_DIR / "catalog" / "works.yaml").read_text())["works"]
    answer = world.client("viewer_de").get("/api/v1/catalog/works")
    assert answer.status_code == 200, answer.text
    items = answer.json()["items"]
    assert [w["title"] for w in items] == [w["title"] for w in expected]
    dune2 = next(w for w in items if w["title"] == "Dune: Part Two")
    assert dune2["year"] == 2024 and "Dune 2" in dune2["aliases"]


def _image_evidence(world: World, site_domain: str, pirate: bytes) -> dict[str, Any]:
    """Evidence as the crawl's image pipeline writes it: the real detector's signal."""
    settings = load_config(CONFIG_DIR / "detectors.yaml").settings_for("image_phash")
    detector = ImagePhashDetector({**settings, "catalog_dir": str(_data_dir(world) / "catalog")})
    url = f"http://{site_domain}/img/poster.jpg"
    (signal,) = detector.detect(Content(url=url, kind="image", body=pirate))
    detector.catalog.close()
    return {"detector": signal.detector, "name": signal.name, "score": signal.score,
            "evidence": f"{signal.evidence} (shown on http://{site_domain}/film)"}  # fmt: skip


def test_site_page_shows_the_reference_each_image_matched(world: World) -> None:
    ref = _upload(world, _jpeg(_poster(21)), "Gladiator II")
    pirate = _poster(21).resize((200, 300))  # what a pirate page shows: smaller, recompressed
    ImageDraw.Draw(pirate).text((10, 280), "WATCH FREE", fill=(255, 255, 0))
    signal = _image_evidence(world, "streamfr.example", _jpeg(pirate))
    hostile = {"detector": "image_phash", "name": "catalog_match", "score": 0.9,
               "reference": "<script>alert(1)</script>",
               "evidence": "copy of the poster of 'Nope' (catalog default, reference x; pHash"}
    with Registry.open(f"sqlite:///{_data_dir(world) / 'registry.db'}") as registry:
        view = registry.record_evidence(
            domain="streamfr.example", url="http://streamfr.example/img/poster.jpg", score=0.9,
            explanation="The poster shown on the film page copies a catalog reference",
            signals=[signal, hostile, {"detector": 7}], content_sha256="ab" * 32, seen_at=T0)
    assert view is not None
    client, _ = world.login("viewer")
    html = client.get(f"/console/sites/{world.sites['fr']}").text
    figures = re.findall(r'<figure class="reference" id="reference-(\d+)-(\d+)">', html)
    assert [int(r) for _, r in figures] == [ref], html[-3000:]
    src = f"/console/catalog/{ref}/thumbnail.png"
    assert f'<img src="{src}"' in html and "Gladiator II (poster, catalog default)" in html
    thumb = client.get(src)
    assert thumb.status_code == 200 and thumb.content.startswith(b"\x89PNG\r\n\x1a\n")
    anonymous = world.client(None).get(src, follow_redirects=False)
    assert anonymous.status_code == 303 and "/console/login" in anonymous.headers["location"]

    detail = world.client("viewer").get(f"/api/v1/sites/{world.sites['fr']}").json()
    assert [(m["ref"], m["work"], m["thumbnail"]) for m in detail["matched_images"]] == [
        (ref, "Gladiator II", f"/api/v1/catalog/images/{ref}/thumbnail")]
    assert detail["matched_images"][0]["evidence_id"] == int(figures[0][0])

    assert world.client("analyst").delete(f"/api/v1/catalog/images/{ref}").status_code == 200
    assert world.client("viewer").get(f"/api/v1/sites/{world.sites['fr']}").json()[
        "matched_images"] == []
    after = client.get(f"/console/sites/{world.sites['fr']}")
    assert after.status_code == 200 and 'class="reference"' not in after.text
    assert client.get(src).status_code == 404


def test_a_reference_named_in_cut_evidence_is_still_found(world: World) -> None:
    """``isop catalog add`` stores the file path as the source; a long one is cut by the
    detector's evidence limit, and the site page still finds the reference."""
    from crawler.api.matched import matched_references
    from crawler.api.routes_catalog import open_catalog

    settings = world.app.state.settings  # type: ignore[attr-defined]
    long_source = "/srv/rights-holders/" + "deep/" * 60 + "poster.jpg"
    images = open_catalog(settings)
    try:
        ref, new = images.add(_jpeg(_poster(31)), "Moana 2", "poster", long_source)
    finally:
        images.close()
    assert new
    signal = _image_evidence(world, "iptvall.example", _jpeg(_poster(31).resize((150, 225))))
    assert "…" in signal["evidence"] and long_source not in signal["evidence"]
    found = matched_references([{"id": 1, "signals": [signal]}], lambda: open_catalog(settings))
    assert [(m.ref, m.work, m.thumbnail) for m in found[1]] == [(ref, "Moana 2", True)]
