"""Images end to end: ``isop crawl`` over the sandbox (its proxy, a real Redis, SQLite) with a
catalog holding a cropped, recompressed copy of one poster a pirate index shows.

The index (reached through its former domain, which 301s to it) must get registry evidence
of the catalog match; a licensed service showing the same film's poster must not become a
site; both sites' favicons must reach the linking features; the HTTP status of the redirect
must reach them too; and no site may cost more images than ``crawl.images_per_site``.
"""

from __future__ import annotations

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
    return Crawl(log, database, env, poster_url, web.fetch(licensed_url).body)


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
