"""``isop catalog add|import|match`` and ``isop eval-images`` as a user runs them."""

from __future__ import annotations

import io
import json
import os
import random
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageOps


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str


def isop(*args: str, data_dir: Path) -> Run:
    """The ``isop`` command in this process (its imports cost seconds per subprocess)."""
    from click.testing import CliRunner

    from crawler.cli import cli

    env = {k: None for k in os.environ if k.startswith("ISOP_")}
    result = CliRunner().invoke(cli, list(args), env={**env, "ISOP_DATA_DIR": str(data_dir)})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Run(result.exit_code, result.stdout, result.stderr)


def isop_process(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    """The real entry point, once: ``python -m crawler``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ISOP_")}
    env["ISOP_DATA_DIR"] = str(data_dir)
    return subprocess.run([sys.executable, "-m", "crawler", *args], env=env, capture_output=True,
                          text=True, timeout=120, stdin=subprocess.DEVNULL)  # fmt: skip


def poster(seed: int) -> Image.Image:
    rng = random.Random(seed)
    img = Image.new("RGB", (300, 450), tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(img)
    for _ in range(14):
        x, y = rng.randrange(300), rng.randrange(450)
        box = (x, y, x + rng.randrange(20, 140), y + rng.randrange(20, 140))
        colour = tuple(rng.randrange(256) for _ in range(3))
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)(box, fill=colour)
    return img


def save(img: Image.Image, path: Path, quality: int = 90) -> Path:
    buffer = io.BytesIO()
    img.save(buffer, "JPEG", quality=quality)
    path.write_bytes(buffer.getvalue())
    return path


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "in"
    folder.mkdir()
    out = {f"p{i}": save(poster(i), folder / f"p{i}.jpg") for i in range(1, 4)}
    pirate = ImageOps.expand(poster(2), border=(0, 40), fill="black").resize((200, 353))
    out["pirate"] = save(pirate, folder / "pirate.jpg", 40)
    out["stranger"] = save(poster(99), folder / "stranger.jpg")
    out["text"] = folder / "notes.png"
    out["text"].write_text("this is not a picture\n")
    return out


def test_add_then_match_json(tmp_path: Path, files: dict[str, Path]) -> None:
    data = tmp_path / "data"
    added = isop("catalog", "add", "--work", "Second Film", "--kind", "poster",
                 str(files["p2"]), str(files["text"]), str(tmp_path / "missing.jpg"),
                 data_dir=data)  # fmt: skip
    assert added.returncode == 2
    assert "added #1 'Second Film' (poster)" in added.stdout
    errors = [line for line in added.stderr.splitlines() if line.strip()]
    assert len(errors) == 2 and "Traceback" not in added.stderr
    assert "notes.png" in errors[0] and "not an image" in errors[0]
    assert "missing.jpg" in errors[1] and "cannot read" in errors[1]
    assert (data / "catalog" / "catalog.sqlite").exists()

    matched = isop_process("catalog", "match", "--json", str(files["pirate"]), str(files["text"]),
                   str(files["stranger"]), data_dir=data)  # fmt: skip
    assert matched.returncode == 2
    lines = [json.loads(line) for line in matched.stdout.splitlines()]
    assert [line["image"] for line in lines] == [str(files["pirate"]), str(files["stranger"])]
    hit = lines[0]["match"]
    assert hit["work"] == "Second Film" and hit["reference"] == str(files["p2"])
    assert hit["hash"] == "phash" and 0 <= hit["distance"] <= 12
    assert lines[1]["match"] is None
    assert len(matched.stderr.strip().splitlines()) == 1 and "notes.png" in matched.stderr


def test_import_csv(tmp_path: Path, files: dict[str, Path]) -> None:
    listing = files["p1"].parent / "refs.csv"
    listing.write_text(
        "work,image,kind,catalog\n"
        "First Film,p1.jpg,poster,\n"
        "Third Film,p3.jpg,still,stills\n"
        ",p2.jpg,poster,\n"
        "Bad Kind,p2.jpg,banner,\n"
        "Text,notes.png,logo,logos\n"
    )
    data = tmp_path / "data"
    result = isop("catalog", "import", str(listing), data_dir=data)
    assert result.returncode == 2
    assert "imported 2 new references (0 already known)" in result.stdout
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 3 and all("refs.csv line" in e for e in errors), result.stderr
    again = isop("catalog", "match", str(files["p3"]), data_dir=data)
    assert again.returncode == 0 and "'Third Film' (still" in again.stdout
    bad = isop("catalog", "import", str(files["p1"].parent / "absent.csv"), data_dir=data)
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1


def test_eval_images_reports_every_transform(tmp_path: Path) -> None:
    folder = tmp_path / "refs"
    folder.mkdir()
    for i in range(8):
        save(poster(100 + i), folder / f"r{i}.jpg")
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff not really")
    result = isop("eval-images", "--json", str(folder), data_dir=tmp_path / "data")
    assert result.returncode == 2, result.stderr  # the broken file is named and counted
    assert "broken.jpg" in result.stderr
    report = json.loads(result.stdout)
    assert report["images"] == 8 and report["unreadable"] == 1
    names = {row["transform"] for row in report["transforms"]}
    assert {"jpeg_q30", "crop_10%", "letterbox_20%", "pad_20%", "overlay", "grayscale"} <= names
    for row in report["transforms"]:
        assert row["queries"] == 8
        assert 0.0 <= row["working"]["recall"] <= 1.0
        assert row["working"]["false_match_rate"] <= report["max_false_match_rate"]
    empty = tmp_path / "empty"
    empty.mkdir()
    none = isop("eval-images", str(empty), data_dir=tmp_path / "data")
    assert none.returncode == 2 and "no image files" in none.stderr
