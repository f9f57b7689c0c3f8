"""The console's catalog pages through the real ASGI app, real sessions and CSRF tokens:
analysts add, edit and remove works and channels (seen by the API, audited before and after),
upload and remove reference images; viewers only read; a stale edit is a conflict, not a lost
update; hostile titles render inert; SVG dressed as PNG is refused with the reason."""

from __future__ import annotations

import io
import random
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from test_api_support import HOSTILE, World, build_world
from test_console_pages import _parse

from crawler.api import routes_catalog
from crawler.console import catalog_images

WORKS = "/console/catalog/works"
CHANNELS = "/console/catalog/channels"
IMAGES = "/console/catalog/images"
NEW = {"title": "L'Été meurtrier", "year": "1983", "kind": "movie", "owner": "SNC",
       "aliases": "One Deadly Summer\n\n  Ein mörderischer Sommer ",
       "original_titles": ""}  # fmt: skip


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    built = build_world(tmp_path_factory.mktemp("console-catalog"))
    try:
        yield built
    finally:
        built.db.close()


def _post(browser: TestClient, path: str, data: dict[str, str], csrf: str | None) -> Any:
    body = {**data, **({"csrf": csrf} if csrf is not None else {})}
    return browser.post(path, data=body, follow_redirects=False)


def _api_works(world: World, q: str) -> list[dict[str, Any]]:
    found = world.client("viewer").get("/api/v1/catalog/works", params={"q": q})
    assert found.status_code == 200, found.text
    items: list[dict[str, Any]] = found.json()["items"]
    return items


def _audit(world: World, action: str) -> list[dict[str, Any]]:
    found = world.client("admin").get("/api/v1/audit", params={"action": action})
    items: list[dict[str, Any]] = found.json()["items"]
    return items


def test_analyst_adds_a_work_the_api_and_the_audit_log_see(world: World) -> None:
    browser, csrf = world.login("analyst")
    page = browser.get(WORKS).text
    assert 'id="add-form"' in page and "Dune: Part Two" in page  # seeded from the YAML file
    done = _post(browser, WORKS, NEW, csrf)
    assert done.status_code == 303, done.text
    work_id = int(done.headers["location"].rsplit("=", 1)[1])
    assert done.headers["location"] == f"{WORKS}?added={work_id}"
    assert f"Work #{work_id} added." in browser.get(done.headers["location"]).text

    [work] = _api_works(world, "meurtrier")
    assert work["id"] == work_id and work["year"] == 1983 and work["created_by"] == "analyst"
    assert work["aliases"] == ["One Deadly Summer", "Ein mörderischer Sommer"]
    assert work["ambiguous"] is False and work["original_titles"] == []
    [entry] = [e for e in _audit(world, "catalog.work.add") if e["actor"] == "analyst"]
    assert entry["via"] == "console" and entry["before"] is None
    assert entry["after"]["title"] == "L'Été meurtrier" and str(work_id) in entry["target"]

    again = _post(browser, WORKS, {**NEW, "title": "l'été  MEURTRIER"}, csrf)  # same work
    assert again.status_code == 409 and f"is already work #{work_id}" in again.text
    assert 'value="l&#39;été  MEURTRIER"' in again.text  # the refused draft is kept
    bad = _post(browser, WORKS, {**NEW, "title": "Other", "year": "nineteen"}, csrf)
    assert bad.status_code == 422 and "Not added: year:" in bad.text
    nul = _post(browser, WORKS, {**NEW, "title": "Other\x00"}, csrf)  # PostgreSQL's bane
    assert nul.status_code == 422 and "control character U+0000" in nul.text
    assert len(_api_works(world, "meurtrier")) == 1


def test_search_ignores_case_and_accents_in_the_console_and_the_api(world: World) -> None:
    browser, csrf = world.login("analyst")
    for title in ("ÉTÉ INDIEN", "Été 85", "Cité de Dieu"):
        assert _post(browser, WORKS, {"title": title, "kind": "movie"}, csrf).status_code == 303
    for q in ("été", "ETE", "ete"):
        titles = [w["title"] for w in _api_works(world, q)]
        assert {"ÉTÉ INDIEN", "Été 85"} <= set(titles) and "Cité de Dieu" not in titles, q
        rows = browser.get(WORKS, params={"q": q}).text.split('id="catalog-table"')[1]
        assert "ÉTÉ INDIEN" in rows and "Été 85" in rows and "Cité de Dieu" not in rows, q
    assert [w["title"] for w in _api_works(world, "CITE")] == ["Cité de Dieu"]


def test_cursor_paging_walks_every_work_once(world: World) -> None:
    browser, _ = world.login("viewer")
    seen: list[int] = []
    url: str | None = WORKS
    while url is not None:
        page = browser.get(url.replace("&amp;", "&")).text
        table = page.split('id="catalog-table"')[1].split("</table>")[0]
        seen += [int(m) for m in re.findall(r'<tr id="work-(\d+)">', table)]
        found = re.search(r'href="(/console/catalog/works\?[^"]+)" id="next-page"', page)
        url = found.group(1) if found else None
    everything = world.client("viewer").get("/api/v1/catalog/works").json()["items"]
    assert seen == [w["id"] for w in everything] and len(seen) > 0


def test_viewers_and_admins_read_only_and_their_posts_are_refused(world: World) -> None:
    with world.db.reading() as session:
        from crawler.registry import works as store

        work = store.works(session)[0]
    for who in ("viewer", "admin"):  # admins manage accounts, not the catalog (roles.py)
        browser, csrf = world.login(who)
        listed = browser.get(WORKS).text
        assert "Dune" in listed and '<form method="post" action="/console/catalog' not in listed
        view = browser.get(f"{WORKS}/{work.id}")
        assert view.status_code == 200 and 'id="edit-form"' not in view.text
        assert work.title in view.text
        for path, data in ((WORKS, NEW), (f"{WORKS}/{work.id}", {**NEW, "revision": "1"}),
                           (f"{WORKS}/{work.id}/remove", {"revision": str(work.revision)}),
                           (CHANNELS, {"name": "Forged TV"})):  # fmt: skip
            assert _post(browser, path, data, csrf).status_code == 403, (who, path)
        assert browser.get(f"{WORKS}/{work.id}/remove").status_code == 403
        images = browser.get(IMAGES)
        assert images.status_code == 200 and 'id="upload-form"' not in images.text
        upload = browser.post(IMAGES, data={"csrf": csrf, "work": "X"},
                              files={"image": ("p.png", _poster(1), "image/png")})  # fmt: skip
        assert upload.status_code == 403
    ops, _ = world.login("ops")  # may not read sites: no catalog either, as in the API
    assert ops.get(WORKS).status_code == 403 and ops.get(IMAGES).status_code == 403
    anonymous = TestClient(world.app).get(WORKS, follow_redirects=False)  # type: ignore[arg-type]
    assert anonymous.status_code == 303 and "/console/login" in anonymous.headers["location"]
    assert _api_works(world, "Forged") == [] and work.title in [
        w["title"] for w in _api_works(world, work.title)
    ]


def test_a_missing_or_wrong_csrf_token_is_403(world: World) -> None:
    browser, csrf = world.login("analyst")
    for token in (None, "", "x" * len(csrf)):
        assert _post(browser, WORKS, {"title": "No Token"}, token).status_code == 403
        assert _post(browser, CHANNELS, {"name": "No Token TV"}, token).status_code == 403
        fields = {"work": "No Token", **({"csrf": token} if token is not None else {})}
        upload = browser.post(IMAGES, data=fields,
                              files={"image": ("p.png", _poster(2), "image/png")})  # fmt: skip
        assert upload.status_code == 403
    assert _api_works(world, "No Token") == []


def test_hostile_titles_render_as_text(world: World) -> None:
    browser, csrf = world.login("analyst")
    hostile = {"title": HOSTILE, "kind": "movie", "aliases": "javascript:alert(1)\n" + HOSTILE,
               "owner": '"><script>alert(2)</script>'}  # fmt: skip
    done = _post(browser, WORKS, hostile, csrf)
    assert done.status_code == 303, done.text
    work_id = int(done.headers["location"].rsplit("=", 1)[1])
    channel = _post(browser, CHANNELS, {"name": HOSTILE, "aliases": "javascript:alert(3)"}, csrf)
    assert channel.status_code == 303, channel.text
    for path in (WORKS, f"{WORKS}/{work_id}", f"{WORKS}/{work_id}/remove", CHANNELS):
        page = browser.get(path).text
        assert HOSTILE not in page and "<script>alert" not in page, path
        assert "&lt;script&gt;alert" in page, path  # shown, as text
        tags = _parse(page)
        assert [a for t, a in tags if t == "script"] == [
            {"src": "/console/static/console.js", "defer": None}], path  # fmt: skip
        for tag, attrs in tags:
            assert not [a for a in attrs if a.startswith("on")], (path, tag, attrs)
            for name in ("href", "src", "action"):
                value = attrs.get(name)
                assert value is None or value.startswith("/console/"), (path, tag, attrs)


def test_a_stale_edit_is_a_conflict_showing_both_versions(world: World) -> None:
    first, csrf1 = world.login("analyst")
    second, csrf2 = world.login("analyst_fr")
    added = _post(first, WORKS, {"title": "Flow", "year": "2024", "kind": "movie"}, csrf1)
    work_id = int(added.headers["location"].rsplit("=", 1)[1])
    form = first.get(f"{WORKS}/{work_id}").text
    assert 'name="revision" value="1"' in form
    edit = {"title": "Flow", "year": "2024", "kind": "movie", "revision": "1"}
    saved = _post(second, f"{WORKS}/{work_id}", {**edit, "owner": "Sacrebleu"}, csrf2)
    assert saved.status_code == 303 and saved.headers["location"] == f"{WORKS}?saved={work_id}"
    stale = _post(first, f"{WORKS}/{work_id}", {**edit, "owner": "Dream Well"}, csrf1)
    assert stale.status_code == 409
    assert (
        "Not saved: analyst_fr changed this work" in stale.text and "now revision 2" in stale.text
    )
    assert 'name="owner" value="Sacrebleu"' in stale.text  # the form: the current values
    assert "Dream Well" in stale.text.split('id="your-edit"')[1]  # ours, kept aside
    [work] = [w for w in _api_works(world, "flow") if w["id"] == work_id]
    assert work["owner"] == "Sacrebleu" and work["revision"] == 2
    again = _post(first, f"{WORKS}/{work_id}", {**edit, "owner": "Dream Well", "revision": "2"},
                  csrf1)  # fmt: skip
    assert again.status_code == 303
    edits = [e for e in _audit(world, "catalog.work.edit") if str(work_id) in e["target"]]
    assert [(e["actor"], e["before"]["owner"], e["after"]["owner"]) for e in edits] == [
        ("analyst", "Sacrebleu", "Dream Well"), ("analyst_fr", "", "Sacrebleu")]  # fmt: skip
    empty = _post(first, f"{WORKS}/{work_id}", {**edit, "title": "  ", "revision": "3"}, csrf1)
    assert empty.status_code == 422 and "title" in empty.text


def test_remove_asks_first_and_refuses_a_stale_confirmation(world: World) -> None:
    browser, csrf = world.login("analyst")
    added = _post(browser, WORKS, {"title": "Memoir of a Snail", "kind": "movie"}, csrf)
    work_id = int(added.headers["location"].rsplit("=", 1)[1])
    confirm = browser.get(f"{WORKS}/{work_id}/remove").text
    assert "Remove work" in confirm and 'name="revision" value="1"' in confirm
    edited = _post(browser, f"{WORKS}/{work_id}",
                   {"title": "Memoir of a Snail", "kind": "movie", "year": "2024", "revision": "1"},
                   csrf)  # fmt: skip
    assert edited.status_code == 303
    stale = _post(browser, f"{WORKS}/{work_id}/remove", {"revision": "1"}, csrf)
    assert stale.status_code == 409 and "Not removed" in stale.text
    assert _api_works(world, "Snail")
    done = _post(browser, f"{WORKS}/{work_id}/remove", {"revision": "2"}, csrf)
    assert done.status_code == 303 and done.headers["location"] == f"{WORKS}?removed={work_id}"
    assert _api_works(world, "Snail") == []
    assert browser.get(f"{WORKS}/{work_id}").status_code == 404
    [entry] = [e for e in _audit(world, "catalog.work.remove") if str(work_id) in e["target"]]
    assert entry["before"]["year"] == 2024 and entry["after"] is None

    api = world.client("analyst")  # the API's DELETE takes the same optional revision
    channel = api.post("/api/v1/catalog/channels", json={"name": "Snail TV"}).json()["channel"]
    one = f"/api/v1/catalog/channels/{channel['id']}"
    assert api.patch(one, json={"owner": "S", "revision": 1}).status_code == 200
    stale_api = api.delete(one, params={"revision": 1})
    assert stale_api.status_code == 409 and "at revision 2, not 1" in stale_api.json()["detail"]
    assert api.delete(one, params={"revision": 2}).json()["removed"]["name"] == "Snail TV"


def test_channels_add_edit_and_search(world: World) -> None:
    browser, csrf = world.login("analyst")
    done = _post(browser, CHANNELS, {"name": "Téléfoot Extra", "owner": "TF1",
                                     "aliases": "TFX\nTelefoot X"}, csrf)  # fmt: skip
    assert done.status_code == 303, done.text
    channel_id = int(done.headers["location"].rsplit("=", 1)[1])
    saved = _post(browser, f"{CHANNELS}/{channel_id}",
                  {"name": "Téléfoot Extra", "owner": "TF1 Group", "aliases": "TFX",
                   "revision": "1"}, csrf)  # fmt: skip
    assert saved.status_code == 303
    found = world.client("viewer").get("/api/v1/catalog/channels", params={"q": "TELEFOOT"})
    [channel] = [c for c in found.json()["items"] if c["id"] == channel_id]
    assert channel["owner"] == "TF1 Group" and channel["aliases"] == ["TFX"]
    page = browser.get(CHANNELS, params={"q": "téléfoot ext"}).text
    assert f'id="channel-{channel_id}"' in page
    edits = [e for e in _audit(world, "catalog.channel.edit") if "Téléfoot" in e["target"]]
    assert [(e["actor"], e["via"], e["after"]["owner"]) for e in edits] == [
        ("analyst", "console", "TF1 Group")]  # fmt: skip


def _poster(seed: int) -> bytes:
    rng = random.Random(seed)
    image = Image.new("RGB", (200, 300))
    image.putdata([(rng.randrange(256), rng.randrange(256), rng.randrange(256))
                   for _ in range(200 * 300)])  # fmt: skip
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


SVG = (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
       b"<script>alert(2)</script></svg>")  # fmt: skip


def test_reference_images_upload_list_remove_and_svg_is_refused(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    browser, csrf = world.login("analyst")
    poster = _poster(7)
    done = browser.post(IMAGES, data={"csrf": csrf, "work": "Flow", "kind": "poster"},
                        files={"image": ("flow.png", poster, "image/png")},
                        follow_redirects=False)  # fmt: skip
    assert done.status_code == 303, done.text
    ref = int(done.headers["location"].rsplit("=", 1)[1])
    page = browser.get(IMAGES).text
    [img] = [a for t, a in _parse(page) if t == "img"]
    assert img["src"] == f"/console/catalog/{ref}/thumbnail.png"
    thumb = browser.get(img["src"])
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/png"
    assert thumb.content != poster and thumb.content.startswith(b"\x89PNG")  # ours, re-encoded
    assert [e["actor"] for e in _audit(world, "catalog.add")] == ["analyst"]

    refused = browser.post(IMAGES, data={"csrf": csrf, "work": "Flow"},
                           files={"image": ("poster.png", b"  " + SVG, "image/png")})  # fmt: skip
    assert refused.status_code == 422
    assert "Refused poster.png: markup (SVG/HTML), not a raster image" in refused.text
    assert "SVG and other markup are never accepted" in refused.text
    broken_png = b"\x89PNG\r\n\x1a\nbroken"
    broken = browser.post(IMAGES, data={"csrf": csrf, "work": "Flow"},
                          files={"image": ("x.png", broken_png, "image/png")})  # fmt: skip
    assert broken.status_code == 422 and "Refused x.png: undecodable image" in broken.text
    huge = browser.post(IMAGES, content=b"x", headers={"content-length": str(10**9)})
    assert huge.status_code == 413 and "larger than 20 MB" in huge.text
    monkeypatch.setattr(catalog_images, "MAX_UPLOAD", 100_000)  # a chunked body: no length
    boundary = "b0undary"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{csrf}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="image"; filename="big.png"'
            "\r\nContent-Type: image/png\r\n\r\n").encode() + b"\0" * 300_000  # fmt: skip
    multipart = {"content-type": f"multipart/form-data; boundary={boundary}"}
    chunked = browser.post(IMAGES, content=iter([body[:1000], body[1000:]]), headers=multipart)
    assert "content-length" not in chunked.request.headers
    assert chunked.status_code == 413 and "Refused: the upload is larger than" in chunked.text
    monkeypatch.setattr(catalog_images, "MAX_UPLOAD", routes_catalog.MAX_UPLOAD)
    assert world.client("viewer").get("/api/v1/catalog/images").json()["items"][0]["ref"] == ref
    assert len(world.client("viewer").get("/api/v1/catalog/images").json()["items"]) == 1

    second = browser.post(IMAGES, data={"csrf": csrf, "work": "Flow", "kind": "still"},
                          files={"image": ("still.png", _poster(8), "image/png")},
                          follow_redirects=False)  # fmt: skip
    other = int(second.headers["location"].rsplit("=", 1)[1])
    monkeypatch.setattr(catalog_images, "PAGE", 1)  # cursor paging, one reference a page
    first_page = browser.get(IMAGES, params={"work": "Flow"}).text
    assert f'id="ref-{ref}"' in first_page and f'id="ref-{other}"' not in first_page
    next_url = re.search(r'href="(/console/catalog/images\?[^"]+)" id="next-page"', first_page)
    assert next_url is not None
    last_page = browser.get(next_url.group(1).replace("&amp;", "&")).text
    assert f'id="ref-{other}"' in last_page and 'id="next-page"' not in last_page
    assert _post(browser, f"{IMAGES}/{other}/remove", {}, csrf).status_code == 303

    confirm = browser.get(f"{IMAGES}/{ref}/remove").text
    assert f"Remove reference image #{ref}: Flow" in confirm
    removed = _post(browser, f"{IMAGES}/{ref}/remove", {}, csrf)
    assert removed.status_code == 303 and removed.headers["location"] == f"{IMAGES}?removed={ref}"
    assert world.client("viewer").get("/api/v1/catalog/images").json()["items"] == []
    assert browser.get(f"/console/catalog/{ref}/thumbnail.png").status_code == 404
    assert [e["target"] for e in _audit(world, "catalog.remove")] == [
        f"reference {ref}", f"reference {other}"]  # newest first  # fmt: skip
