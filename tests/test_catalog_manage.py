"""``isop catalog list`` and ``isop catalog remove``: what the catalog holds, thumbnails kept
for the console, and a removed reference that no longer matches."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PIL import Image
from test_catalog_cli import isop, poster, save


def _listed(data_dir: Path, *args: str) -> list[dict[str, Any]]:
    run = isop("catalog", "list", "--json", *args, data_dir=data_dir)
    assert run.returncode == 0, run.stderr
    return [json.loads(line) for line in run.stdout.splitlines()]


def test_list_shows_references_with_thumbnails_and_remove_stops_matching(tmp_path: Path) -> None:
    data = tmp_path / "data"
    images = [save(poster(seed), tmp_path / f"p{seed}.jpg") for seed in (1, 2, 3)]
    assert isop("catalog", "list", "--json", data_dir=data).stdout == ""  # empty: no catalog
    assert not (data / "catalog").exists()  # listing never creates one
    for image, work in zip(images, ("Dune", "Dune: Part Two", "Le Bureau"), strict=True):
        run = isop("catalog", "add", "--work", work, str(image), data_dir=data)
        assert run.returncode == 0, run.stderr

    rows = _listed(data)
    assert [r["work"] for r in rows] == ["Dune", "Dune: Part Two", "Le Bureau"]
    assert all(r["thumbnail"] is True and r["variants"] >= 1 for r in rows)
    assert [r["work"] for r in _listed(data, "--work", "dune")] == ["Dune", "Dune: Part Two"]
    assert _listed(data, "--catalog", "nope") == []
    thumb = data / "catalog" / "thumbs" / f"{rows[0]['ref']}.png"
    with Image.open(thumb) as picture:  # a fresh, small PNG: not the uploaded JPEG
        assert picture.format == "PNG" and max(picture.size) <= 320
    table = isop("catalog", "list", data_dir=data)
    assert "Bureau" in table.stdout and table.stdout.endswith("3 reference(s)\n")

    before = isop("catalog", "match", "--json", str(images[1]), data_dir=data)
    assert json.loads(before.stdout)["match"]["work"] == "Dune: Part Two"
    gone = rows[1]["ref"]
    run = isop("catalog", "remove", str(gone), "999999", data_dir=data)
    assert run.returncode == 2
    assert run.stdout == f"removed #{gone}\n"
    lines = [line for line in run.stderr.splitlines() if line]
    assert len(lines) == 1 and "#999999" in lines[0] and "not in the catalog" in lines[0]
    assert [r["ref"] for r in _listed(data)] == [rows[0]["ref"], rows[2]["ref"]]
    assert not (data / "catalog" / "thumbs" / f"{gone}.png").exists()
    after = isop("catalog", "match", "--json", str(images[1]), data_dir=data)
    assert json.loads(after.stdout)["match"] is None
    still = isop("catalog", "match", "--json", str(images[0]), data_dir=data)
    assert json.loads(still.stdout)["match"]["work"] == "Dune"


def test_remove_needs_numeric_ids(tmp_path: Path) -> None:
    run = isop("catalog", "remove", "abc", data_dir=tmp_path)
    assert run.returncode == 2 and "abc" in run.stderr
