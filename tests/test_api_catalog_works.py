"""The protected works through the API: rows of the registry, seeded once from the title
detector's YAML file, listed by anyone who reads sites, added, edited and removed by analysts
(audited, before and after); the config file is never written, so a read-only config mount
changes nothing."""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_api_support import World, build_world

from crawler.api import works
from detectors.catalog.settings import CONFIG_DIR

NEW = {"title": "The Wild Robot", "year": 2024, "kind": "movie", "owner": "DreamWorks",
       "aliases": ["Le Robot sauvage", "Robô Selvagem"], "original_titles": [],
       "ambiguous": False}  # fmt: skip
WORKS = "/api/v1/catalog/works"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp("works")
    shutil.copytree(CONFIG_DIR, tmp / "config")
    built = build_world(tmp)
    app = built.app
    app.state.settings = dataclasses.replace(  # type: ignore[attr-defined]
        app.state.settings, detectors_config=str(tmp / "config" / "detectors.yaml"))  # type: ignore[attr-defined]
    try:
        yield built
    finally:
        built.db.close()


def _file(world: World) -> Path:
    return works.works_path(world.app.state.settings.detectors_config)  # type: ignore[attr-defined]


def _listed(world: World, **params: Any) -> dict[str, Any]:
    found = world.client("viewer").get(WORKS, params=params)
    assert found.status_code == 200, found.text
    return found.json()


def _audit(world: World, action: str) -> list[dict[str, Any]]:
    entries = world.client("admin").get("/api/v1/audit", params={"action": action})
    return entries.json()["items"]


def test_analysts_add_edit_and_remove_works_and_the_file_stays(world: World) -> None:
    path = _file(world)
    original = path.read_bytes()
    first = _listed(world)
    titles = [w["title"] for w in first["items"]]
    assert "Dune: Part Two" in titles and "The Wild Robot" not in titles  # seeded from the file
    assert {w["created_by"] for w in first["items"]} == {"seed"}
    assert [w["title"] for w in _listed(world, q="DUNE")["items"]] == ["Dune", "Dune: Part Two"]
    page = _listed(world, limit=5)
    assert len(page["items"]) == 5 and page["next_cursor"] == str(page["items"][-1]["id"])
    rest = _listed(world, cursor=page["next_cursor"])
    assert [w["title"] for w in page["items"] + rest["items"]] == titles

    for who, expected in (("viewer", 403), ("coordinator", 403), ("ops", 403), (None, 401)):
        assert world.client(who).post(WORKS, json=NEW).status_code == expected
    added = world.client("analyst").post(WORKS, json=NEW)
    assert added.status_code == 201, added.text
    work = added.json()["work"]
    assert {k: work[k] for k in NEW} == NEW and work["revision"] == 1
    assert work["created_by"] == "analyst"
    again = world.client("analyst_fr").post(WORKS, json={**NEW, "title": "the wild  ROBOT"})
    assert again.status_code == 409 and f"work #{work['id']}" in again.json()["detail"]
    assert _listed(world)["version"] == first["version"] + 1

    one = f"{WORKS}/{work['id']}"
    assert world.client("viewer").get(one).json()["title"] == "The Wild Robot"
    assert world.client("viewer").patch(one, json={"owner": "x"}).status_code == 403
    stale = world.client("analyst").patch(one, json={"owner": "DreamWorks Animation",
                                                     "revision": 7})  # fmt: skip
    assert stale.status_code == 409 and "revision 1" in stale.json()["detail"]
    taken = world.client("analyst").patch(one, json={"title": "Dune", "year": 2021})
    assert taken.status_code == 409
    edited = world.client("analyst").patch(one, json={"owner": "DreamWorks Animation",
                                                      "year": None, "revision": 1})  # fmt: skip
    assert edited.status_code == 200, edited.text
    assert edited.json()["changed"] is True
    assert (edited.json()["work"]["owner"], edited.json()["work"]["year"]) == (
        "DreamWorks Animation", None)  # fmt: skip
    same = world.client("analyst").patch(one, json={"owner": "DreamWorks Animation"})
    assert same.json()["changed"] is False and same.json()["work"]["revision"] == 2

    assert world.client("viewer").delete(one).status_code == 403
    removed = world.client("analyst").delete(one)
    assert removed.status_code == 200 and removed.json()["removed"]["title"] == "The Wild Robot"
    assert world.client("analyst").delete(one).status_code == 404
    assert world.client("viewer").get(one).status_code == 404
    assert [w["title"] for w in _listed(world)["items"]] == titles

    [add] = [e for e in _audit(world, "catalog.work.add") if e["actor"] == "analyst"]
    assert add["after"]["title"] == "The Wild Robot" and add["before"] is None
    [edit] = _audit(world, "catalog.work.edit")
    assert (edit["before"]["year"], edit["after"]["year"]) == (2024, None)
    assert edit["after"]["owner"] == "DreamWorks Animation"
    [remove] = _audit(world, "catalog.work.remove")
    assert remove["before"]["owner"] == "DreamWorks Animation" and remove["actor"] == "analyst"
    assert path.read_bytes() == original  # the API never writes the config file


def test_bad_works_are_refused_and_nothing_changes(world: World) -> None:
    before = _listed(world)
    for body in ({"title": ""}, {"title": "   "}, {"title": "X", "year": 1200},
                 {"title": "X", "aliases": [""]}, {"title": "X", "colour": "red"},
                 {"title": "X", "year": "soon"}, {"title": "x" * 301},
                 {"title": "X", "aliases": ["a"] * 101}):  # fmt: skip
        response = world.client("analyst").post(WORKS, json=body)
        assert response.status_code == 422, (body, response.text)
    work_id = before["items"][0]["id"]
    for patch in ({"title": None}, {"year": 3000}, {"revision": 0}, {"colour": "red"},
                  {"aliases": [""]}):  # fmt: skip
        response = world.client("analyst").patch(f"{WORKS}/{work_id}", json=patch)
        assert response.status_code == 422, (patch, response.text)
    for bad_id in ("0", "abc", str(2**63)):
        assert world.client("analyst").delete(f"{WORKS}/{bad_id}").status_code == 422
    assert _listed(world) == before


def test_analysts_edit_the_channels_too(world: World) -> None:
    url = "/api/v1/catalog/channels"
    seeded = world.client("viewer").get(url).json()
    assert "Sky Sports Main Event" in [c["name"] for c in seeded["items"]]
    body = {"name": "Téléfoot La Chaîne", "owner": "Mediapro", "aliases": ["Telefoot"]}
    assert world.client("coordinator").post(url, json=body).status_code == 403
    added = world.client("analyst").post(url, json=body)
    assert added.status_code == 201, added.text
    one = f"{url}/{added.json()['channel']['id']}"
    assert world.client("analyst").post(url, json={"name": "TÉLÉFOOT la chaîne"}).status_code == 409
    for bad in ({"name": ""}, {"name": "x", "year": 2024}, {"name": "x", "aliases": [""]}):
        assert world.client("analyst").post(url, json=bad).status_code == 422, bad
    assert world.client("analyst").patch(one, json={"revision": 3}).status_code == 409
    assert world.client("analyst").patch(one, json={"name": None}).status_code == 422
    edited = world.client("analyst").patch(one, json={"owner": "LFP Media", "revision": 1})
    assert edited.status_code == 200 and edited.json()["channel"]["revision"] == 2
    assert world.client("viewer").get(url, params={"q": "téléfoot"}).json()["items"][0][
        "owner"] == "LFP Media"  # fmt: skip
    assert world.client("analyst").delete(one).status_code == 200
    assert world.client("viewer").get(one).status_code == 404
    assert world.client("viewer").get(url).json()["items"] == seeded["items"]
    [edit] = _audit(world, "catalog.channel.edit")
    assert (edit["before"]["owner"], edit["after"]["owner"]) == ("Mediapro", "LFP Media")
    assert [e["actor"] for e in _audit(world, "catalog.channel.remove")] == ["analyst"]
