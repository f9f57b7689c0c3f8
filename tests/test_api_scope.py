"""Scopes leak nothing: a user scoped to FR never sees a DE-only site anywhere."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

from test_api_support import World, world_fixture

world = world_fixture()


def _listed(world: World, who: str, **params: str) -> set[int]:
    ids: set[int] = set()
    cursor = None
    while True:
        query = {**params, "limit": "2", **({"cursor": cursor} if cursor else {})}
        page = world.client(who).get("/api/v1/sites", params=query)
        assert page.status_code == 200, page.text
        ids |= {row["id"] for row in page.json()["items"]}
        cursor = page.json()["next_cursor"]
        if cursor is None:
            return ids


def test_list_shows_own_and_shared_sites_only(world: World) -> None:
    s = world.sites
    assert _listed(world, "analyst_fr") == {s["fr"], s["shared"], s["hostile"]}
    assert _listed(world, "viewer_de") == {s["de"], s["shared"]}
    assert _listed(world, "viewer") == set(s.values())  # unscoped: every site


def test_search_and_filters_stay_in_scope(world: World) -> None:
    for params in ({"q": "kinode"}, {"q": "old"}, {"tag": "DE"}, {"tld": "example"},
                   {"kind": "index"}, {"min_score": "0.5"}):  # fmt: skip
        assert world.sites["de"] not in _listed(world, "analyst_fr", **params)
    assert _listed(world, "viewer_de", q="kinode-old") == {world.sites["de"]}  # an alias
    assert _listed(world, "viewer", tag="DE") == {world.sites["de"]}


def test_detail_of_out_of_scope_site_is_a_plain_404(world: World) -> None:
    hidden = world.client("analyst_fr").get(f"/api/v1/sites/{world.sites['de']}")
    missing = world.client("analyst_fr").get("/api/v1/sites/999999")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()  # same answer: existence does not leak


def _not_false_positive(world: World, who: str) -> set[int]:
    page = world.client(who).get("/api/v1/sites", params={"limit": "200"}).json()["items"]
    return {row["id"] for row in page if row["status"] != "false_positive"}


def test_exports_hold_only_visible_sites(world: World) -> None:
    body = world.client("coordinator_fr").get("/api/v1/exports/sites.csv").text
    rows = list(csv.DictReader(io.StringIO(body)))
    assert {int(row["site_id"]) for row in rows} == _not_false_positive(world, "coordinator_fr")
    assert {int(row["site_id"]) for row in rows} <= {
        world.sites[k] for k in ("fr", "shared", "hostile")
    }
    assert "kinode" not in body and "nobody.example" not in body
    lines = world.client("coordinator_fr").get("/api/v1/exports/sites.jsonl").text.splitlines()
    assert {json.loads(line)["site_id"] for line in lines} == {int(row["site_id"]) for row in rows}
    everything = world.client("coordinator").get("/api/v1/exports/sites.jsonl").text
    assert {json.loads(line)["site_id"] for line in everything.splitlines()} == _not_false_positive(
        world, "coordinator"
    )
    bundle = world.client("coordinator_fr").get("/api/v1/exports/sites.stix")
    assert bundle.status_code == 200
    objects = json.loads(bundle.text)["objects"]
    names = {o["value"] for o in objects if o["type"] == "domain-name"}
    assert "streamfr.example" in names and not any("kinode" in n for n in names)


def test_csv_export_defuses_formulas(world: World) -> None:
    from crawler.registry.models import Site

    with world.db.writing() as session:
        site = session.get(Site, world.sites["untagged"])
        assert site is not None
        site.label = '=HYPERLINK("http://evil.example","x")'
    body = world.client("coordinator").get("/api/v1/exports/sites.csv").text
    labels = [row["label"] for row in csv.DictReader(io.StringIO(body))]
    assert '\'=HYPERLINK("http://evil.example","x")' in labels
    for row in csv.DictReader(io.StringIO(body)):
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@")), value


def test_alerts_of_out_of_scope_sites_are_invisible(world: World) -> None:
    fr = world.client("coordinator_fr").get("/api/v1/alerts").json()["items"]
    assert world.sites["de"] not in {a["site_id"] for a in fr}
    all_alerts = world.client("coordinator").get("/api/v1/alerts").json()["items"]
    assert world.alert_id in {a["id"] for a in all_alerts}


def test_review_queue_and_labels_stay_in_scope(world: World) -> None:
    queue = world.client("analyst_fr").get("/api/v1/review/queue").json()["items"]
    assert world.sites["de"] not in {row["id"] for row in queue}
    world.client("analyst").post(f"/api/v1/sites/{world.sites['de']}/review",
                                 json={"verdict": "confirmed"})  # fmt: skip
    labels = world.client("analyst_fr").get("/api/v1/review/labels").json()["labels"]
    assert "kinode.example" not in {row["target"] for row in labels}
    labels = world.client("viewer_de").get("/api/v1/review/labels").json()["labels"]
    assert {"kinode.example", "kinode-old.example"} <= {row["target"] for row in labels}


def test_bad_cursor_is_a_400_not_a_500(world: World) -> None:
    for cursor in ("garbage", "W10", "WyJ4IiwgInkiXQ"):
        response = world.client("viewer").get("/api/v1/sites", params={"cursor": cursor})
        assert response.status_code == 400


def test_large_export_streams_every_batch(world: World) -> None:
    """More sites than one query batch and more bytes than one pipe chunk."""
    from datetime import UTC, datetime

    from crawler.api.models import SiteTag
    from crawler.registry.models import Domain, Site

    now = datetime(2026, 11, 2, tzinfo=UTC)
    with world.db.writing() as session:
        for n in range(1200):
            site = Site(label=f"bulk{n}.example", kind="index", status="confirmed", score=0.9,
                        max_score=0.9, first_seen=now, last_seen=now)  # fmt: skip
            session.add(site)
            session.flush()
            session.add(Domain(domain=f"bulk{n}.example", site_id=site.id, role="primary",
                               how_linked="seed", first_seen=now, last_seen=now))  # fmt: skip
            session.add(SiteTag(site_id=site.id, tag="FR" if n % 2 else "DE"))
    body = world.client("coordinator_fr").get("/api/v1/exports/sites.jsonl").text
    names = [json.loads(line)["label"] for line in body.splitlines()]
    bulk = {name for name in names if name.startswith("bulk")}
    assert len(names) == len(set(names)) and len(bulk) == 600
    assert all(int(name[4:].split(".")[0]) % 2 for name in bulk)


def test_evaluation_reads_verdicts_in_scope_and_the_newest_saved_eval(world: World) -> None:
    folder = Path(world.app.state.settings.data_dir) / "eval"  # type: ignore[attr-defined]
    folder.mkdir(exist_ok=True)
    (folder / "old.json").write_text('{"f1": 0.5}')
    (folder / "new.json").write_text('{"f1": 0.9}')
    (folder / "broken.json").write_text("{not json")
    os.utime(folder / "new.json", (2e9, 2e9))
    os.utime(folder / "broken.json", (2.1e9, 2.1e9))  # newest, but unreadable: skipped
    world.client("analyst").post(f"/api/v1/sites/{world.sites['de']}/review",
                                 json={"verdict": "false_positive"})  # fmt: skip
    result = world.client("viewer_de").get("/api/v1/evaluation").json()
    assert result["latest_eval"] == {"file": "new.json", "result": {"f1": 0.9}}
    review = result["analyst_review"]
    labels = world.client("viewer_de").get("/api/v1/review/labels").json()["labels"]
    sites = {row["site_id"]: row["label"] for row in labels}
    assert review["reviewed_sites"] == len(sites) >= 1
    assert review["false_positive"] == sum(1 for v in sites.values() if v == "false_positive")
    assert world.sites["fr"] not in sites  # out of scope for viewer_de


def test_status_changes_stay_in_the_registry_vocabulary(world: World) -> None:
    from crawler.registry.vocab import SITE_STATUSES

    site = world.sites["shared"]
    for status in ("monitored", "closed"):
        response = world.client("coordinator").post(f"/api/v1/sites/{site}/status",
                                                    json={"status": status})  # fmt: skip
        assert response.status_code == (200 if status in SITE_STATUSES else 422), status
    assert world.client("viewer").get(f"/api/v1/sites/{site}").json()["status"] in SITE_STATUSES
