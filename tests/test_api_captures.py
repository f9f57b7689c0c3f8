"""Evidence WARC captures through the API: listed per visible site, downloaded byte for
byte as the evidence feature stored them, re-verified, audited; out of scope is 404."""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from test_api_support import World, build_world

from crawler.evidence import chain
from crawler.evidence.warc import Fetch, WarcStore


def _capture(world: World, store: WarcStore, domain: str, body: bytes) -> int:
    when = datetime(2026, 11, 3, tzinfo=UTC)
    fetch = Fetch(
        url=f"http://{domain}/watch", status=200, body=body, fetched_at=when,
        response_headers=[("Content-Type", "text/html")], ip_address="127.0.0.1",
    )  # fmt: skip
    stored = store.append(fetch, {"signals": []})
    row = chain.append(world.db.engine, {
        "domain": domain, "url": fetch.url, "fetched_at": when, "crawler": store.crawler,
        "http_status": 200, "content_type": "text/html", "ip_address": "127.0.0.1",
        "redirect_chain": [], "score": 0.9, "kind": "streaming", "explanation": "test",
        "signals": [], "payload_sha256": stored.payload_sha256, "warc_file": stored.warc_file,
        "warc_offset": stored.offset, "warc_length": stored.length, "warc_sha256": stored.sha256,
    })  # fmt: skip
    return int(row.id)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, redis_url: str) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp("api-captures")
    built = build_world(tmp, (redis_url,))
    store = WarcStore(tmp / "evidence", 10_000_000, "I-SOP tests")
    try:
        built.captures = {
            "fr": _capture(built, store, "streamfr.example", b"<title>FR stream</title>"),
            "de": _capture(built, store, "kinode.example", b"<title>DE index</title>"),
        }
    finally:
        store.close()
    built.evidence_dir = tmp / "evidence"
    try:
        yield built
    finally:
        built.db.close()


def test_captures_of_a_site_are_listed(world: World) -> None:
    items = world.client("viewer").get(f"/api/v1/sites/{world.sites['fr']}/captures").json()
    assert [c["id"] for c in items["items"]] == [world.captures["fr"]]
    assert items["items"][0]["warc"] == f"/api/v1/captures/{world.captures['fr']}/warc"


def test_warc_download_is_the_stored_bytes_and_audited(world: World) -> None:
    capture = world.captures["fr"]
    response = world.client("analyst_fr").get(f"/api/v1/captures/{capture}/warc")
    assert response.status_code == 200 and response.headers["x-evidence-verified"] == "yes"
    assert hashlib.sha256(response.content).hexdigest() == response.headers["x-evidence-sha256"]
    records = gzip.decompress(response.content)
    assert b"WARC/1.1" in records or b"WARC/1.0" in records
    assert b"<title>FR stream</title>" in records
    audit = world.client("admin").get("/api/v1/audit", params={"action": "evidence.download"})
    assert any(e["actor"] == "analyst_fr" for e in audit.json()["items"])


def test_out_of_scope_captures_are_404(world: World) -> None:
    de = world.captures["de"]
    assert world.client("analyst_fr").get(f"/api/v1/captures/{de}/warc").status_code == 404
    assert world.client("analyst_fr").get(
        f"/api/v1/sites/{world.sites['de']}/captures").status_code == 404  # fmt: skip
    assert world.client("viewer_de").get(f"/api/v1/captures/{de}/warc").status_code == 200
    assert world.client("ops").get(f"/api/v1/captures/{de}/warc").status_code == 403
    assert world.client().get(f"/api/v1/captures/{de}/warc").status_code == 401


def test_tampered_warc_is_flagged_not_hidden(world: World) -> None:
    capture = world.captures["de"]
    path = next(Path(str(world.evidence_dir)).glob("*.warc.gz"))
    data = bytearray(path.read_bytes())
    data[-40] ^= 0xFF
    path.write_bytes(bytes(data))
    response = world.client("viewer").get(f"/api/v1/captures/{capture}/warc")
    assert response.status_code == 200 and response.headers["x-evidence-verified"] == "no"


def test_site_page_links_the_warc_download(world: World) -> None:
    browser, _ = world.login("viewer")
    page = browser.get(f"/console/sites/{world.sites['fr']}").text
    link = f'/api/v1/captures/{world.captures["fr"]}/warc'
    assert f'href="{link}"' in page
    assert browser.get(link).headers["x-evidence-verified"] == "yes"  # the cookie suffices
