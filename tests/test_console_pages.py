"""Console pages: hostile content renders inert, pirate hosts are never live links, the
review queue is ordered by uncertainty and its one-click verdicts become labels."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from test_api_support import HOSTILE, World, world_fixture

world = world_fixture()


def test_sites_table_filters(world: World) -> None:
    browser, _ = world.login("viewer")
    page = browser.get("/console/sites", params={"kind": "iptv"}).text
    assert "iptvall.example" in page and "streamfr.example" not in page
    page = browser.get("/console/sites", params={"q": "kinode"}).text
    assert "kinode.example" in page and "iptvall.example" not in page


def test_scoped_console_user_sees_only_their_sites(world: World) -> None:
    browser, _ = world.login("analyst_fr")
    page = browser.get("/console/sites").text
    assert "streamfr.example" in page and "kinode" not in page
    assert browser.get(f"/console/sites/{world.sites['de']}").status_code == 404


class _Tags(HTMLParser):
    """Every element and attribute as a browser's parser would see them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _parse(page: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(page)
    return parser.tags


def test_hostile_content_is_escaped_and_links_are_dead(world: World) -> None:
    browser, _ = world.login("coordinator")
    for path in ("/console/sites", f"/console/sites/{world.sites['hostile']}", "/console/review"):
        page = browser.get(path).text
        assert HOSTILE not in page, path  # never raw
        tags = _parse(page)
        scripts = [attrs for tag, attrs in tags if tag == "script"]
        assert scripts == [{"src": "/console/static/console.js", "defer": None}], path
        assert not [t for t, _ in tags if t in ("img", "iframe", "object", "embed")], path
        for tag, attrs in tags:
            assert not [a for a in attrs if a.startswith("on")], (path, tag, attrs)
            for name in ("href", "src", "action"):
                value = attrs.get(name)
                ours = value is None or value.startswith(("/console/", "/api/v1/captures/"))
                assert ours, (path, tag, attrs)
    detail = browser.get(f"/console/sites/{world.sites['hostile']}").text
    assert "&lt;script&gt;" in detail  # shown, as text
    assert "title.work 0.80: &lt;script&gt;" in detail  # the matched signal, escaped
    copyable = [a["data-copy"] for t, a in _parse(detail) if "data-copy" in a]
    assert any(value and value.startswith("javascript:") for value in copyable)  # text only
    svg = detail[detail.index("<svg") : detail.index("</svg>")]
    assert "<script" not in svg and "href" not in svg and "&lt;script&gt;" in svg


def test_review_queue_is_most_uncertain_first_and_feeds_labels(world: World) -> None:
    browser, csrf = world.login("analyst")
    page = browser.get("/console/review").text
    order = [int(m) for m in re.findall(r'href="/console/sites/(\d+)"', page)]
    scores = {world.sites["hostile"]: 0.51, world.sites["de"]: 0.55, world.sites["shared"]: 0.61,
              world.sites["untagged"]: 0.8, world.sites["fr"]: 0.92}  # fmt: skip
    assert order == sorted(order, key=lambda site: abs(scores[site] - 0.5))
    first, second = order[0], order[1]
    for site, verdict in ((first, "confirmed"), (second, "false_positive")):
        done = browser.post(f"/console/sites/{site}/review",
                            data={"verdict": verdict, "csrf": csrf, "next": "/console/review"},
                            follow_redirects=False)  # fmt: skip
        assert done.status_code == 303 and done.headers["location"] == "/console/review"
    after = browser.get("/console/review").text
    remaining = [int(m) for m in re.findall(r'href="/console/sites/(\d+)"', after)]
    assert first not in remaining and second not in remaining
    labels = world.client("viewer").get("/api/v1/review/labels").json()["labels"]
    by_site = {row["site_id"]: row["label"] for row in labels}
    assert by_site[first] == "confirmed" and by_site[second] == "false_positive"
    detail = world.client("viewer").get(f"/api/v1/sites/{second}").json()
    assert detail["status"] == "false_positive"


def test_alert_inbox_and_acknowledge(world: World) -> None:
    assert world.alert_id is not None
    browser, csrf = world.login("coordinator")
    inbox = browser.get("/console/alerts").text
    assert f"/console/alerts/{world.alert_id}/ack" in inbox
    done = browser.post(f"/console/alerts/{world.alert_id}/ack", data={"csrf": csrf},
                        follow_redirects=False)  # fmt: skip
    assert done.status_code == 303
    assert f"/console/alerts/{world.alert_id}/ack" not in browser.get("/console/alerts").text
    listed = world.client("viewer").get("/api/v1/alerts").json()["items"]
    acked = next(a for a in listed if a["id"] == world.alert_id)
    assert acked["acked_by"] == "coordinator"


def test_viewer_sees_no_action_forms_and_cannot_post(world: World) -> None:
    browser, csrf = world.login("viewer")
    page = browser.get(f"/console/sites/{world.sites['fr']}").text
    assert "/review" not in page and "/status" not in page
    forged = browser.post(
        f"/console/sites/{world.sites['fr']}/review",
        data={"verdict": "confirmed", "csrf": csrf},
        follow_redirects=False,
    )
    assert forged.status_code == 403


def test_history_shows_notes_escaped_and_registry_verdicts_are_labels(world: World) -> None:
    from crawler.registry import Registry

    site = world.sites["untagged"]
    note = world.client("analyst").post(f"/api/v1/sites/{site}/notes", json={"text": HOSTILE})
    assert note.status_code == 201
    with Registry.open(str(world.db.engine.url)) as registry:  # `isop sites false-positive`
        registry.false_positive("nobody.example", "cli-analyst", "parked page")
    browser, _ = world.login("viewer")
    page = browser.get(f"/console/sites/{site}").text
    assert HOSTILE not in page and "&lt;script&gt;alert" in page and "cli-analyst" in page
    labels = world.client("viewer").get("/api/v1/review/labels").json()["labels"]
    mine = [row for row in labels if row["site_id"] == site]
    assert mine and all(r["label"] == "false_positive" and r["analyst"] == "cli-analyst"
                        for r in mine)  # fmt: skip


def test_audit_page_for_admins_only(world: World) -> None:
    browser, _ = world.login("admin")
    page = browser.get("/console/audit").text
    assert "site.review.confirmed" in page and "user.add" in page
    assert HOSTILE not in page  # targets and values are scraped too: escaped
    viewer, _ = world.login("viewer")
    assert viewer.get("/console/audit").status_code == 403


def test_site_page_shows_observations_escaped_and_never_live(world: World) -> None:
    """The "Observed" section: counts, releases with infohash, works, playlists, panels (the
    line's salted hash only), stream hosts and manifests with their DRM; every scraped value
    is text (a hostile one too) and no pirate URL or host is a link."""
    from datetime import UTC, datetime

    from crawler.facts.record import Observation
    from crawler.registry.observations import upsert

    at = datetime(2026, 11, 2, tzinfo=UTC)
    evil = f"javascript:alert(1)//{HOSTILE}"

    def seen(kind: str, key: str, url: str, facts: dict[str, object],
             infringing: bool = False) -> Observation:  # fmt: skip
        return Observation("hostile.example", kind, key, url, at, facts, 0.9 if infringing
                           else 0.2, infringing)  # fmt: skip

    with world.db.writing() as session:
        upsert(session, [
            seen("listing", "btih:1", "http://hostile.example/t/1",
                 {"title": HOSTILE, "infohashes": ["c12fe1c06bba254a9dc9f519b335aa7c1367a88a"],
                  "seeders": 4242, "signals": ["title_match.protected_release"],
                  "release": {"title": f"Dune {HOSTILE}", "year": 2024}}, True),
            seen("playlist", "playlist:1", evil, {"channels": 1234}, True),
            seen("panel", "panel:1", "http://line.hostile.example:8080",
                 {"base": evil, "credential": "h:5f0e1d2c3b4a", "status": HOSTILE,
                  "categories": 17}, True),
            seen("hls", "hls:1", evil, {"host": HOSTILE, "segment_hosts": ["seg.hostile.example"],
                                        "live": True}),
            seen("dash", "dash:1", "http://svod.hostile.example/m.mpd",
                 {"host": "svod.hostile.example", "live": False, "licensed_drm": True,
                  "drm": ["cenc", "widevine", HOSTILE]}),
        ])  # fmt: skip
    browser, _ = world.login("coordinator")
    page = browser.get(f"/console/sites/{world.sites['hostile']}").text
    observed = page[page.index('<h2 id="observed">') : page.index("<h2>Evidence")]
    assert "dash 1</span>" in observed and "listing 1 (1 flagged)</span>" in observed
    assert "c12fe1c06bba254a9dc9f519b335aa7c1367a88a" in observed and "4242" in observed
    assert "Dune &lt;script&gt;" in observed  # the protected work, escaped
    assert "1234" in observed and "h:5f0e1d2c3b4a" in observed and "17" in observed
    assert "seg.hostile.example" in observed
    assert "licensed DRM (counter-evidence)" in observed and "widevine" in observed
    assert HOSTILE not in page and "&lt;script&gt;alert" in observed
    tags = _parse(observed)
    assert not [t for t, _ in tags if t in ("a", "script", "img", "iframe")]
    assert all(not [a for a in attrs if a.startswith("on") or a in ("href", "src")]
               for _, attrs in tags)  # fmt: skip
    copyable = [a["data-copy"] for _, a in tags if "data-copy" in a]
    assert evil in copyable and HOSTILE in copyable  # as text to copy, not to follow
    empty = browser.get(f"/console/sites/{world.sites['untagged']}").text
    assert "Nothing observed by the index, streaming or iptv spiders yet." in empty
