"""Images end to end: ``isop crawl`` over the sandbox (its proxy, a real Redis, SQLite) with a
catalog holding a cropped, recompressed copy of one poster a pirate index shows.

The index (reached through its former domain, which 301s to it) must get registry evidence
of the catalog match; a licensed service showing the same film's poster must not become a
site; both sites' favicons must reach the linking features; the HTTP status of the redirect
must reach them too; and no site may cost more images than ``crawl.images_per_site``.

The matched poster is kept as image evidence (crawler.evidence.images): its thumbnail beside
the reference's, the reference id, its bytes in a chained WARC capture; served in pairs by
the real app, and written into the case file of ``isop evidence export``.  The licensed
service's match is kept pending, not lost.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from crawler.evidence import chain
from crawler.evidence.image_models import ImageEvidence
from crawler.extract.html import parse_html
from crawler.images.finder import page_images
from crawler.linking.models import LinkFeature
from crawler.registry import Registry
from crawler.sandbox import build_web

INDEX, FORMER, LICENSED = "cinemagnet.mx", "cinemagnet.ru", "plazatv.com"
WORK = "The Last Orchard"
IMAGES_PER_SITE = 3

pytestmark = pytest.mark.slow


@dataclass
class Crawl:
    log: str
    database: str
    env: dict[str, str]
    poster_url: str  # the index's poster of WORK
    licensed_poster: bytes  # the licensed service's own copy of that poster
    poster: bytes  # the index's poster as served
    reference_id: int  # the catalog reference of WORK
    data_dir: Path


def _isop(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "crawler", *args], env=env,
                          capture_output=True, text=True, timeout=240, check=False)  # fmt: skip


def _poster(web: object, home: str, slug: str) -> str:
    page = web.fetch(home)  # type: ignore[attr-defined]
    refs = page_images(parse_html(page.body), home)
    return next(r.url for r in refs if r.role == "poster" and slug in r.url)


@pytest.fixture(scope="module")
def crawl(sandbox: object, redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    tmp = tmp_path_factory.mktemp("images-crawl")
    web = build_web(seed=1)
    poster_url = _poster(web, f"http://{INDEX}/", "the-last-orchard")
    licensed_url = _poster(web, f"http://{LICENSED}/", "the-last-orchard")
    # The rights holder's reference: the index's copy, cropped 6 % and recompressed.
    img = Image.open(io.BytesIO(web.fetch(poster_url).body)).convert("RGB")
    w, h = img.size
    reference = tmp / "reference.jpg"
    img.crop((int(w * 0.06), int(h * 0.06), w, h)).save(reference, "JPEG", quality=55)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ISOP_")}
    database = f"sqlite:///{tmp / 'registry.db'}"
    env.update({"ISOP_REDIS_URLS": redis_url, "ISOP_REDIS__KEY_PREFIX": "images-e2e",
                "ISOP_DATABASE_URL": database, "ISOP_DATA_DIR": str(tmp / "data"),
                "ISOP_CRAWL__DOWNLOAD_DELAY": "0.05", "ISOP_CRAWL__PAGE_BUDGET_PER_SITE": "6",
                "ISOP_CRAWL__MAX_SITE_HOPS": "0",
                "ISOP_CRAWL__IMAGES_PER_SITE": str(IMAGES_PER_SITE)})  # fmt: skip
    added = _isop("catalog", "add", "--work", WORK, "--kind", "poster", str(reference), env=env)
    assert added.returncode == 0, added.stderr
    seeds = tmp / "seeds.txt"
    seeds.write_text(f"http://{FORMER}/\nhttp://{LICENSED}/\n")
    done = _isop("crawl", "--spider", "discovery", "--seeds", str(seeds),
                 "--proxy", sandbox.proxy_url, "--idle-exit", "1", env=env)  # type: ignore[attr-defined]
    log = done.stdout + done.stderr
    assert done.returncode == 0, log[-3000:]
    listed = _isop("catalog", "list", "--json", env=env)
    reference_id = json.loads(listed.stdout.splitlines()[0])["ref"]
    return Crawl(log, database, env, poster_url, web.fetch(licensed_url).body,
                 web.fetch(poster_url).body, reference_id, tmp / "data")  # fmt: skip


def _stats(log: str, prefix: str) -> dict[str, int]:
    return {m.group(1): int(m.group(2))
            for m in re.finditer(rf"'{re.escape(prefix)}([\w/]+)': (\d+)", log)}


def test_the_index_showing_the_poster_gets_catalog_evidence(crawl: Crawl) -> None:
    with Registry.open(crawl.database) as registry:
        site = registry.site_by_domain(INDEX)
        assert site is not None
        evidence = [e for e in registry.evidence(site.id) if e.url == crawl.poster_url]
    assert len(evidence) == 1
    signals = evidence[0].signals
    assert [s["detector"] for s in signals] == ["image_phash"]
    assert WORK in signals[0]["evidence"] and f"http://{INDEX}/" in signals[0]["evidence"]
    assert _stats(crawl.log, "isop/images/")["evidence_written"] >= 1


def test_a_licensed_service_showing_the_same_poster_is_no_site(crawl: Crawl) -> None:
    with Registry.open(crawl.database) as registry:
        assert registry.site_by_domain(LICENSED) is None
    # ... although its copy of the poster matched the catalog
    assert _stats(crawl.log, "isop/images/").get("match_without_site", 0) >= 1


def test_favicons_and_redirect_statuses_reach_the_linking_features(crawl: Crawl) -> None:
    engine = create_engine(crawl.database)
    with Session(engine) as session:
        rows = list(session.scalars(select(LinkFeature)))
    engine.dispose()
    icons = {r.domain: r for r in rows if r.kind == "favicon"}
    assert set(icons) == {INDEX, LICENSED}
    assert icons[INDEX].url == f"http://{INDEX}/favicon.ico"
    assert icons[INDEX].value != icons[LICENSED].value
    pointers = {(r.domain, r.kind, r.value) for r in rows if r.kind.startswith("http_")}
    assert pointers == {(FORMER, "http_301", INDEX)}


def test_no_site_costs_more_images_than_its_budget(crawl: Crawl) -> None:
    requested = _stats(crawl.log, "isop/images/requested/")
    assert requested["favicon"] == 2  # once per site
    assert sum(requested.values()) <= 2 * IMAGES_PER_SITE
    evaluated = _stats(crawl.log, "isop/images/evaluated/")
    assert sum(evaluated.values()) == sum(requested.values())


def test_isop_detect_judges_an_image_with_the_catalog(crawl: Crawl, tmp_path: Path) -> None:
    poster = tmp_path / "poster.jpg"
    poster.write_bytes(crawl.licensed_poster)
    done = _isop("detect", "--json", str(poster), env=crawl.env)
    assert done.returncode == 0, done.stderr
    verdict = json.loads(done.stdout)
    assert [(s["detector"], s["name"]) for s in verdict["signals"]] == [
        ("image_phash", "catalog_match")]
    assert WORK in verdict["signals"][0]["evidence"] and not verdict["flagged"]


def _image_evidence(crawl: Crawl) -> list[ImageEvidence]:
    engine = create_engine(crawl.database)
    with Session(engine) as session:
        rows = list(session.scalars(select(ImageEvidence).order_by(ImageEvidence.id)))
    engine.dispose()
    return rows


def test_the_matched_poster_is_kept_with_its_pair_and_capture(crawl: Crawl) -> None:
    rows = _image_evidence(crawl)
    [kept] = [r for r in rows if r.domain == INDEX]
    assert kept.image_url == crawl.poster_url and kept.reference_id == crawl.reference_id
    assert kept.image_sha256 == hashlib.sha256(crawl.poster).hexdigest()
    assert kept.site_id is not None and kept.evidence_id is not None
    assert kept.thumbnail is not None and kept.thumbnail != crawl.poster
    with Image.open(io.BytesIO(kept.thumbnail)) as thumb:
        assert max(thumb.size) <= 320 and thumb.format in ("PNG", "JPEG")
    reference = crawl.data_dir / "catalog" / "thumbs" / f"{crawl.reference_id}.png"
    assert kept.reference_thumbnail == reference.read_bytes()
    engine = create_engine(crawl.database)
    captures = {c.id: c for c in chain.rows(engine)}
    engine.dispose()
    assert captures[kept.capture_id].payload_sha256 == kept.image_sha256
    # the licensed service's copy matched too: kept, pending (no site owns its domain)
    licensed = [r for r in rows if r.domain == LICENSED]
    assert licensed and all(r.site_id is None and r.capture_id for r in licensed)


def test_the_pair_is_served_by_the_real_app(crawl: Crawl) -> None:
    from fastapi.testclient import TestClient

    from crawler.api import accounts
    from crawler.api.app import create_app
    from crawler.api.db import Database
    from crawler.api.deps import ApiSettings
    from crawler.api.scope import Principal

    db = Database.open(crawl.database)
    try:
        root = Principal(None, "test-root", "admin", (), "cli")
        with db.writing() as session:
            accounts.add_user(session, root, "ana", "analyst", [], None)
            _, token = accounts.create_token(session, root, "ana", "tests")
        app = create_app(db, ApiSettings(secure_cookies=False, data_dir=str(crawl.data_dir)))
        client = TestClient(app, headers={"Authorization": f"Bearer {token}"})
        with Registry.open(crawl.database) as registry:
            site = registry.site_by_domain(INDEX)
        assert site is not None
        detail = client.get(f"/api/v1/sites/{site.id}").json()
        [pair] = [m for m in detail["matched_images"] if m.get("image_evidence_id")]
        assert (pair["ref"], pair["work"], pair["hash"]) == (crawl.reference_id, WORK, "phash")
        assert isinstance(pair["distance"], int) and pair["image_url"] == crawl.poster_url
        for url in (pair["evidence_thumbnail"], pair["reference"]["thumbnail"]):
            answer = client.get(url)
            assert answer.status_code == 200, url
            assert answer.headers["content-type"] in ("image/png", "image/jpeg")
            assert answer.headers["x-content-type-options"] == "nosniff"
            Image.open(io.BytesIO(answer.content)).verify()
    finally:
        db.close()


def test_the_case_file_has_the_pair_and_the_image_warc(crawl: Crawl, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from crawler.cli import cli

    out = tmp_path / "case"  # the command in this process: no second interpreter start
    env = {k: None for k in os.environ if k.startswith("ISOP_")}
    env.update({k: v for k, v in crawl.env.items() if k.startswith("ISOP_")})
    done = CliRunner().invoke(cli, ["evidence", "export", INDEX, "--out", str(out)], env=env)
    assert done.exit_code == 0, done.output
    manifest = json.loads((out / "manifest.json").read_text())
    [image] = [i for i in manifest["images"] if i["image_url"] == crawl.poster_url]
    assert image["match"]["reference"] == crawl.reference_id and image["match"]["work"] == WORK
    pair = [image["thumbnail"], image["reference_thumbnail"]]
    assert all(f in manifest["files"]["images"] for f in pair)
    for entry in pair:
        assert hashlib.sha256((out / entry["path"]).read_bytes()).hexdigest() == entry["sha256"]
    report = (out / "report.html").read_text()
    row = report[report.index(f'id="image-{image["id"]}"'):]
    assert all(f'src="{f["path"]}"' in row[: row.index("</tr>")] for f in pair)
    start = image["warc_case_offset"]
    capture = next(c for c in manifest["captures"] if c["id"] == image["capture_id"])
    warc = (out / "evidence.warc.gz").read_bytes()[start : start + capture["warc"]["length"]]
    assert crawl.poster in gzip.decompress(warc)
