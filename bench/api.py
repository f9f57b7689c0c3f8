"""Registry API at scale: sites list (filters, cursor) and site page p95; export memory.

A registry (SQLite, then a throwaway PostgreSQL) is filled with generated sites (100,000;
--quick 5,000), ten evidence rows per site (1,000,000) and country tags; requests go through
the real ASGI app in process
(FastAPI's TestClient: routing, auth, scoped queries, JSON/HTML rendering; no network).
Measured: first page of a filtered list as a country-scoped user, a page deep in the list
by cursor (ours) against the same scoped query paged by OFFSET (the baseline a naive API
uses), the console's site page; and on SQLite the peak RSS growth of a full CSV export
(streamed) against materialising every site first (``Registry.sites()``, what ``isop sites``
does), each in a fresh process.
Goal (issue #8): p95 under 200 ms for the list and the site page.
"""

from __future__ import annotations

import multiprocessing
import random
import resource
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import insert, text

from crawler.api import accounts
from crawler.api.app import create_app
from crawler.api.db import Database
from crawler.api.deps import ApiSettings
from crawler.api.models import SiteTag
from crawler.api.queries import decode_cursor
from crawler.api.scope import Principal
from crawler.registry import Registry
from crawler.registry.models import Domain, Evidence, Site

GOAL_P95_MS = 200.0
KINDS = ("index", "streaming", "iptv")
TAGS = ("FR", "DE", "IT", "ES", "ALL")


def _fill(db: Database, sites: int, evidence_per_site: int) -> None:
    rng = random.Random(8)
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    with db.engine.begin() as conn:
        for start in range(0, sites, 5000):
            ids = range(start + 1, min(sites, start + 5000) + 1)
            seen = {i: t0 + timedelta(minutes=rng.randrange(400_000)) for i in ids}
            conn.execute(insert(Site), [
                {"id": i, "label": f"site{i}.example", "kind": KINDS[i % 3],
                 "status": "confirmed", "score": rng.random(), "max_score": 1.0,
                 "first_seen": seen[i], "last_seen": seen[i]} for i in ids])  # fmt: skip
            conn.execute(insert(Domain), [
                {"domain": f"site{i}.example", "site_id": i, "role": "primary",
                 "how_linked": "seed", "first_seen": seen[i], "last_seen": seen[i]}
                for i in ids])  # fmt: skip
            conn.execute(insert(SiteTag), [{"site_id": i, "tag": TAGS[i % 5]} for i in ids])
            rows = [
                {"site_id": i, "url": f"http://site{i}.example/p{j}",
                 "url_sha256": f"{i:032x}{j:032x}",
                 "score": 0.9, "kind": KINDS[i % 3], "explanation": "generated", "signals": [],
                 "content_sha256": f"{j:064x}", "captured_at": seen[i]}
                for i in ids for j in range(evidence_per_site)
            ]  # fmt: skip
            conn.execute(insert(Evidence), rows)
        conn.execute(text("ANALYZE"))


def _timed(client: Any, path: str, params: dict[str, str] | None = None) -> tuple[float, Any]:
    started = time.perf_counter()
    response = client.get(path, params=params)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, response.text[:200]
    return elapsed, response


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 20 else max(values)


def _rss_child(how: str, url: str, token: str) -> tuple[float, int]:
    """In a fresh process: peak RSS growth (MB) of one full export, and its size."""
    from fastapi.testclient import TestClient

    db = Database.open(url)
    client = TestClient(create_app(db, ApiSettings()), headers={"Authorization": f"Bearer {token}"})
    client.get("/healthz")  # warm: imports, app start
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    size = 0
    if how == "stream":
        with client.stream("GET", "/api/v1/exports/sites.csv") as response:
            for chunk in response.iter_bytes():
                size += len(chunk)
    else:
        with Registry.open(url) as registry:
            size = len(registry.sites())
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    db.close()
    return grown, size


def _peak_growth_mb(how: str, url: str, token: str) -> tuple[float, int]:
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        result: tuple[float, int] = pool.apply(_rss_child, (how, url, token))
    return result


def _measure(url: str, sites: int, per_site: int, rounds: int, quick: bool) -> dict[str, Any]:
    """Fill the database at ``url`` and time the requests; one backend's figures."""
    from fastapi.testclient import TestClient

    db = Database.open(url)
    started = time.perf_counter()
    _fill(db, sites, per_site)
    fill_s = time.perf_counter() - started
    root = Principal(None, "bench", "admin", (), "cli")
    with db.writing() as session:
        accounts.add_user(session, root, "fr", "coordinator", ["FR"], None)
        _, token = accounts.create_token(session, root, "fr", "bench")
        accounts.add_user(session, root, "web", "viewer", ["FR"], "bench password 1")
    app = create_app(db, ApiSettings(secure_cookies=False))
    client = TestClient(app, headers={"Authorization": f"Bearer {token}"})
    rng = random.Random(1)
    filtered = {"kind": "index", "min_score": "0.3", "limit": "50"}
    first = [_timed(client, "/api/v1/sites", filtered)[0] for _ in range(rounds)]
    # Walk the cursor deep into the scoped list; time the last pages.
    cursor, deep, position = None, [], (1.0, 0)
    depth = 40 if quick else 400
    for page in range(depth):
        params = {"limit": "50", **({"cursor": cursor} if cursor else {})}
        elapsed, response = _timed(client, "/api/v1/sites", params)
        if page >= depth - 20:
            deep.append(elapsed)
        if page == depth - 21:
            position = decode_cursor(response.json()["next_cursor"])
        cursor = response.json()["next_cursor"]
    offset = (depth - 20) * 50
    scoped = ("SELECT s.id FROM sites s WHERE EXISTS (SELECT 1 FROM site_tags t WHERE "
              "t.site_id = s.id AND t.tag IN ('FR', 'ALL')) ORDER BY s.score DESC, s.id "
              "LIMIT 50 OFFSET :offset")  # fmt: skip
    keyset = ("SELECT s.id FROM sites s WHERE EXISTS (SELECT 1 FROM site_tags t WHERE "
              "t.site_id = s.id AND t.tag IN ('FR', 'ALL')) AND (s.score < :score OR "
              "(s.score = :score AND s.id > :id)) "
              "ORDER BY s.score DESC, s.id LIMIT 50")  # fmt: skip
    baseline, ours_sql = [], []
    with db.engine.connect() as conn:
        for k in range(20):
            t = time.perf_counter()
            conn.execute(text(scoped), {"offset": offset + 50 * k}).all()
            baseline.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            conn.execute(text(keyset), {"score": position[0], "id": position[1]}).all()
            ours_sql.append((time.perf_counter() - t) * 1000)
    visible = [i for i in range(1, sites + 1) if TAGS[i % 5] in ("FR", "ALL")]
    api_page = [_timed(client, f"/api/v1/sites/{rng.choice(visible)}")[0]
                for _ in range(rounds)]  # fmt: skip
    browser = TestClient(app)
    form = browser.get("/console/login").text
    login_csrf = form.split('name="login_csrf" value="', 1)[1].split('"', 1)[0]
    browser.post("/console/login", data={"username": "web", "password": "bench password 1",
                                          "login_csrf": login_csrf})  # fmt: skip
    html_page = [_timed(browser, f"/console/sites/{rng.choice(visible)}")[0]
                 for _ in range(rounds)]  # fmt: skip
    db.close()
    return {
        "fill_s": round(fill_s, 1),
        "list_first_page_p95_ms": round(_p95(first), 1),
        "list_deep_page_p95_ms": round(_p95(deep), 1),
        "site_api_p95_ms": round(_p95(api_page), 1),
        "site_page_p95_ms": round(_p95(html_page), 1),
        "deep_keyset_sql_ms": round(statistics.median(ours_sql), 2),
        "deep_offset_sql_ms": round(statistics.median(baseline), 2),
        "offset_over_keyset": round(
            statistics.median(baseline) / max(statistics.median(ours_sql), 1e-6), 1),
    }  # fmt: skip


def run(quick: bool = False) -> dict[str, Any]:
    from bench.registry import _postgres  # the same throwaway server (or ISOP_BENCH_PG_URL)

    sites = 5_000 if quick else 100_000
    per_site = 10
    rounds = 40 if quick else 200
    result: dict[str, Any] = {"sites": sites, "evidence_rows": sites * per_site,
                              "goal_p95_ms": GOAL_P95_MS}  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'registry.db'}"
        for key, value in _measure(url, sites, per_site, rounds, quick).items():
            result[f"sqlite_{key}"] = value
        db = Database.open(url)
        with db.writing() as session:
            root = Principal(None, "bench", "admin", (), "cli")
            accounts.add_user(session, root, "all", "coordinator", [], None)
            _, token_all = accounts.create_token(session, root, "all", "bench")
        db.close()
        ours_rss, exported = _peak_growth_mb("stream", url, token_all)
        baseline_rss, _ = _peak_growth_mb("materialise", url, token_all)
        result.update({"export_bytes": exported,
                       "export_peak_rss_growth_mb": round(ours_rss, 1),
                       "materialise_peak_rss_growth_mb": round(baseline_rss, 1)})  # fmt: skip
        server, new_database = _postgres(Path(tmp))
        try:
            for key, value in _measure(new_database(), sites, per_site, rounds, quick).items():
                result[f"postgresql_{key}"] = value
        finally:
            if server is not None:
                server.stop()
    table = Table(title=f"Registry API, {sites:,} sites, {sites * per_site:,} evidence rows")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key, value in result.items():
        table.add_row(key, str(value))
    Console().print(table)
    return result
