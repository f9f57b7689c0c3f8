"""Catalog uploads through the API: analysts add reference images, the image detector's own
catalog hashes and stores them; unusable files are refused with the reason."""

from __future__ import annotations

import io
import random
from typing import Any

from PIL import Image
from test_api_support import World, world_fixture

world = world_fixture()


def _poster(seed: int) -> bytes:
    rng = random.Random(seed)
    image = Image.new("RGB", (240, 360))
    image.putdata([(rng.randrange(256), rng.randrange(256), rng.randrange(256))
                   for _ in range(240 * 360)])  # fmt: skip
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _upload(world: World, who: str | None, data: bytes, name: str = "poster.png") -> Any:
    return world.client(who).post(
        "/api/v1/catalog/images",
        data={"work": "The Night Manager", "kind": "poster"},
        files={"image": (name, data, "image/png")},
    )


def test_analyst_adds_a_reference_once(world: World) -> None:
    data = _poster(1)
    first = _upload(world, "analyst", data)
    assert first.status_code == 201, first.text
    ref = first.json()["ref"]
    assert first.json()["new"] is True
    again = _upload(world, "analyst_fr", data)
    assert again.status_code == 201 and again.json() == {**first.json(), "new": False}
    found = world.client("viewer").get(f"/api/v1/catalog/images/{ref}")
    assert found.status_code == 200 and found.json()["work"] == "The Night Manager"
    assert world.client("viewer").get("/api/v1/catalog/images/999999").status_code == 404
    entries = world.client("admin").get("/api/v1/audit", params={"action": "catalog.add"})
    assert [e["actor"] for e in entries.json()["items"]] == ["analyst"]


def test_only_catalog_roles_upload(world: World) -> None:
    for who, expected in (("viewer", 403), ("coordinator", 403), ("ops", 403), (None, 401)):
        assert _upload(world, who, _poster(2)).status_code == expected, who


def test_unusable_files_are_refused_with_a_reason(world: World) -> None:
    blank = io.BytesIO()
    Image.new("RGB", (300, 300), (10, 10, 10)).save(blank, format="PNG")
    for data in (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
                 b"\x89PNG\r\n\x1a\nbroken", blank.getvalue()):  # fmt: skip
        response = _upload(world, "analyst", data)
        assert response.status_code == 422, response.text
        assert "image rejected" in response.json()["detail"]
