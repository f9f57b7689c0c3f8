"""The protected works through the API: listed from the title detector's catalog file,
added and removed by analysts (audited) in that same file, which the title detector then
reads; the file keeps its header and every other work, and a file that cannot be written is
a 503 that names it."""

from __future__ import annotations

import dataclasses
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_api_support import World, build_world

from crawler.api import works
from detectors.base import Content
from detectors.catalog.settings import CONFIG_DIR
from detectors.config import load_config
from detectors.title.detector import TitleDetector

NEW = {"title": "The Wild Robot", "year": 2024, "kind": "movie", "owner": "DreamWorks",
       "aliases": ["Le Robot sauvage", "Robô Selvagem"], "original_titles": [],
       "ambiguous": False}  # fmt: skip
PAGE = (b"<html><head><title>Nonton Le Robot sauvage (2024) sub indo gratis</title></head>"
        b"<body><h1>Le Robot sauvage (2024)</h1></body></html>")  # fmt: skip


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp("works")
    shutil.copytree(CONFIG_DIR, tmp / "config")  # never the repository's own file
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


def _titles(world: World) -> list[str]:
    found = world.client("viewer").get("/api/v1/catalog/works")
    assert found.status_code == 200, found.text
    return [w["title"] for w in found.json()["items"]]


def _title_signals(world: World) -> list[str]:
    settings = load_config(Path(world.app.state.settings.detectors_config))  # type: ignore[attr-defined]
    detector = TitleDetector(settings.settings_for("title_match"))
    content = Content(url="http://films.example/robot", kind="html", body=PAGE,
                      content_type="text/html")  # fmt: skip
    return [s.evidence for s in detector.detect(content)]


def test_analysts_add_and_remove_works_the_detector_reads(world: World) -> None:
    path = _file(world)
    original = path.read_text(encoding="utf-8")
    before = _titles(world)
    assert "Dune: Part Two" in before and "The Wild Robot" not in before
    assert not any("Wild Robot" in e for e in _title_signals(world))

    for who, expected in (("viewer", 403), ("coordinator", 403), (None, 401)):
        assert world.client(who).post("/api/v1/catalog/works", json=NEW).status_code == expected
    added = world.client("analyst").post("/api/v1/catalog/works", json=NEW)
    assert added.status_code == 201 and added.json() == {"added": True, "work": NEW}
    again = world.client("analyst_fr").post("/api/v1/catalog/works",
                                            json={**NEW, "title": "the wild robot"})
    assert again.status_code == 201 and again.json()["added"] is False  # same title and year
    assert _titles(world) == [*before, "The Wild Robot"]
    assert any("'The Wild Robot' (2024" in e for e in _title_signals(world))
    text = path.read_text(encoding="utf-8")
    header = [line for line in original.splitlines() if line.startswith("#")]
    assert text.splitlines()[: len(header)] == header  # the analysts' notes stay
    assert "Robô Selvagem" in text  # written as UTF-8, not escaped

    wrong_year = world.client("analyst").delete("/api/v1/catalog/works",
                                                params={"title": "The Wild Robot", "year": 2023})
    assert wrong_year.status_code == 404
    assert world.client("viewer").delete("/api/v1/catalog/works",
                                         params={"title": "The Wild Robot"}).status_code == 403
    removed = world.client("analyst").delete("/api/v1/catalog/works",
                                             params={"title": "THE WILD ROBOT", "year": 2024})
    assert removed.status_code == 200 and removed.json()["removed"]["title"] == "The Wild Robot"
    assert _titles(world) == before
    assert not any("Wild Robot" in e for e in _title_signals(world))
    entries = world.client("admin").get("/api/v1/audit", params={"action": "catalog.work.add"})
    assert [e["actor"] for e in entries.json()["items"]] == ["analyst"]
    entries = world.client("admin").get("/api/v1/audit", params={"action": "catalog.work.remove"})
    assert [e["before"]["year"] for e in entries.json()["items"]] == [2024]


def test_bad_works_are_refused_and_the_file_stays(world: World) -> None:
    path = _file(world)
    before = path.read_bytes()
    for body in ({"title": ""}, {"title": "X", "year": 1200}, {"title": "X", "aliases": [""]},
                 {"title": "X", "colour": "red"} | {"year": "soon"}):  # fmt: skip
        response = world.client("analyst").post("/api/v1/catalog/works", json=body)
        assert response.status_code == 422, (body, response.text)
    assert path.read_bytes() == before


def test_an_unwritable_works_file_is_a_503_naming_it(world: World) -> None:
    path = _file(world)
    lock = path.with_name(f".{path.name}.lock")
    lock.unlink(missing_ok=True)
    lock.mkdir()  # the lock cannot be opened, as on a read-only mount
    try:
        response = world.client("analyst").post("/api/v1/catalog/works",
                                                json={**NEW, "title": "Flow"})
    finally:
        os.rmdir(lock)
    assert response.status_code == 503
    detail = response.json()["detail"]
    assert str(path) in detail and "cannot be changed" in detail
    assert "Flow" not in _titles(world)
