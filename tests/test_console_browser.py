"""The console in a real headless Chromium (Debian's package, driven by Playwright) against
``isop serve``: sign in, filter, open a site, confirm one, reject another, acknowledge an
alert; a site whose title, domains and evidence carry script payloads renders inert; an
analyst adds a protected work through the catalog form.

With ISOP_SCREENSHOTS=DIR the test also saves the README's screenshots there.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_api_serve import _free_port, _wait_up
from test_api_support import PASSWORD, World, build_world

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[World, str]]:
    if CHROMIUM is None:
        pytest.fail("chromium is not installed: .ci/run installs Debian's chromium package")
    tmp = tmp_path_factory.mktemp("browser")
    world = build_world(tmp)
    world.captures["de"] = _matched_image(world, tmp)
    port = _free_port()
    env = {**os.environ, "ISOP_DATABASE_URL": str(world.db.engine.url), "ISOP_DATA_DIR": str(tmp),
           "ISOP_API__SECURE_COOKIES": "false"}  # plain HTTP on loopback  # fmt: skip
    proc = subprocess.Popen([sys.executable, "-m", "crawler", "serve", "--port", str(port)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                            start_new_session=True)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_up(f"{base}/healthz", proc)
        yield world, base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
        world.db.close()


def _matched_image(world: World, tmp: Path) -> int:
    """A poster the DE site showed that matched a catalog reference, kept as image evidence
    (thumbnail pair, WARC capture) by the crawl's own writer; its id."""
    from test_image_evidence import MATCH, image_item
    from test_images_crawl import _poster

    from crawler.console.thumbs import reencode
    from crawler.evidence.images import ImageEvidenceWriter
    from crawler.evidence.warc import WarcStore
    from crawler.registry import Registry
    from crawler.sandbox import build_web

    web = build_web(seed=1)  # a sandbox index's poster, and the catalog's copy of it
    shown = web.fetch(_poster(web, "http://cinemagnet.mx/", "the-last-orchard")).body
    reference = reencode(shown)
    store = WarcStore(tmp / "evidence", 10_000_000, "I-SOP tests")
    writer = ImageEvidenceWriter(world.db.engine, Registry(world.db.engine), store,
                                 lambda ref: reference, lambda key, n: None)  # fmt: skip
    try:
        row = writer.record(image_item("kinode.example", shown), MATCH)
    finally:
        store.close()
    assert row is not None
    return row.id


def test_console_in_a_real_browser(served: tuple[World, str]) -> None:
    from playwright.sync_api import sync_playwright

    world, base = served
    shots = os.environ.get("ISOP_SCREENSHOTS")
    dialogs: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        # A script node created at any time, by anything, is recorded before the page's own.
        page.add_init_script(
            "window.__scripts = [];"
            "new MutationObserver(ms => ms.forEach(m => m.addedNodes.forEach(n => {"
            " if (n.nodeName === 'SCRIPT') window.__scripts.push(n.src || n.textContent); })))"
            ".observe(document, {childList: true, subtree: true});"
        )
        page.goto(f"{base}/console/sites")
        assert "/console/login" in page.url
        page.fill("input[name=username]", "coordinator")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/console/sites")
        assert page.locator("#sites-table tbody tr").count() == len(world.sites)
        if shots:
            page.screenshot(path=str(Path(shots) / "console-sites.png"), full_page=True)

        page.fill("input[name=q]", "kinode")
        page.click("#filters button[type=submit]")
        rows = page.locator("#sites-table tbody tr")
        assert rows.count() == 1 and "kinode.example" in rows.inner_text()

        rows.locator("a").first.click()
        page.wait_for_url(f"{base}/console/sites/{world.sites['de']}")
        page.click("#confirm")
        page.wait_for_load_state()
        assert page.inner_text("#site-status").startswith("confirmed")
        # the matched image beside the reference it matched, both served by us and decoded
        pair = page.locator(f"#image-{world.captures['de']} img")
        assert pair.count() == 2
        widths = pair.evaluate_all("imgs => imgs.map(i => i.complete && i.naturalWidth)")
        assert all(isinstance(w, int) and 0 < w <= 320 for w in widths), widths
        if shots:
            page.screenshot(path=str(Path(shots) / "console-site.png"), full_page=True)

        page.goto(f"{base}/console/sites/{world.sites['shared']}")
        page.click("#false-positive")
        page.wait_for_load_state()
        assert page.inner_text("#site-status").startswith("false_positive")

        page.goto(f"{base}/console/alerts")
        before = page.locator("#alerts-table button").count()
        assert before >= 1
        page.locator("#alerts-table button").first.click()
        page.wait_for_load_state()
        assert page.locator("#alerts-table button").count() == before - 1

        page.goto(f"{base}/console/sites/{world.sites['hostile']}")
        assert "<script>" in page.inner_text("h1")  # shown as text
        scripts = page.evaluate("[...document.scripts].map(s => s.src)")
        assert scripts == [f"{base}/console/static/console.js"]
        assert page.evaluate("window.__scripts") == [f"{base}/console/static/console.js"]
        assert page.locator("img, iframe, a[href^='javascript']").count() == 0
        page.locator("code.domain", has_text="javascript:").first.click()  # copy, not navigate
        assert page.url == f"{base}/console/sites/{world.sites['hostile']}"

        # An analyst adds a protected work through the catalog form.
        page.click("header button[type=submit]")  # sign out
        page.wait_for_url(f"{base}/console/login")
        page.fill("input[name=username]", "analyst")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/console/sites")
        page.click("header nav a:text('Catalog')")
        page.wait_for_url(f"{base}/console/catalog/works")
        page.click("#add summary")  # the form folds away above the list
        page.fill("#add-form input[name=title]", "L'Été <script>alert(1)</script>")
        page.fill("#add-form input[name=year]", "1983")
        page.fill("#add-form textarea[name=aliases]", "One Deadly Summer\njavascript:alert(2)")
        page.click("#add-form button[type=submit]")
        page.wait_for_url(f"{base}/console/catalog/works?added=*")
        added = page.locator("#catalog-table tbody tr", has_text="One Deadly Summer")
        assert added.count() == 1 and "<script>" in added.inner_text()  # text, inert
        if shots:
            page.screenshot(path=str(Path(shots) / "console-catalog.png"))  # the first screen
        browser.close()
    assert dialogs == []
    labels = world.client("viewer").get("/api/v1/review/labels").json()["labels"]
    verdicts = {row["site_id"]: row["label"] for row in labels}
    assert verdicts[world.sites["de"]] == "confirmed"
    assert verdicts[world.sites["shared"]] == "false_positive"
    works = world.client("viewer").get("/api/v1/catalog/works", params={"q": "ete <script>"})
    [work] = works.json()["items"]
    assert work["year"] == 1983 and work["created_by"] == "analyst"
    assert work["aliases"] == ["One Deadly Summer", "javascript:alert(2)"]
