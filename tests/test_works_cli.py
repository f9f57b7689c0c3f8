"""``isop works``: the registry's protected works from the command line; a broken import
file keeps its good rows and prints one line per bad row; user errors are one line, exit 2."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from test_catalog_cli import isop

IMPORT = """\
version: 1
works:
  - {title: "Flow", year: 2024, owner: "Sacrebleu", aliases: ["Straume"]}
  - {title: "", year: 2024}
  - {title: "Ancient", year: 1200}
  - not a work
  - {title: "Dune", year: 2021, owner: "Legendary Pictures", ambiguous: true, kind: movie}
  - {title: "Dune", year: 2021, owner: "Someone else"}
"""


def _works(data: Path, *args: str) -> list[dict[str, Any]]:
    run = isop("works", "list", "--json", *args, data_dir=data)
    assert run.returncode == 0, run.stderr
    return [json.loads(line) for line in run.stdout.splitlines()]


def test_works_from_the_command_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    seeded = _works(data)  # first use: seeded from the shipped YAML, said once on stderr
    assert "Dune: Part Two" in [w["title"] for w in seeded]
    assert {w["created_by"] for w in seeded} == {"seed"}
    assert [w["title"] for w in _works(data, "--search", "dune")] == ["Dune", "Dune: Part Two"]

    run = isop("works", "add", "The Wild Robot", "--year", "2024", "--alias", "Le Robot sauvage",
               data_dir=data)  # fmt: skip
    assert run.returncode == 0, run.stderr
    [robot] = [w for w in _works(data) if w["title"] == "The Wild Robot"]
    assert robot["aliases"] == ["Le Robot sauvage"] and robot["created_by"].startswith("cli:")
    again = isop("works", "add", "the wild robot", "--year", "2024", data_dir=data)
    assert again.returncode == 2 and again.stdout == ""
    assert [line for line in again.stderr.splitlines() if line] == [
        f"isop: 'The Wild Robot' (2024) is already work #{robot['id']}"]  # fmt: skip

    path = tmp_path / "more.yaml"
    path.write_text(IMPORT, encoding="utf-8")
    run = isop("works", "import", str(path), data_dir=data)
    assert run.returncode == 2
    assert run.stdout == f"{path}: 1 added, 0 updated, 1 unchanged, 4 refused\n"
    lines = [line for line in run.stderr.splitlines() if line]
    assert [line.split(": ")[2] for line in lines] == [
        "works #2", "works #3 ('Ancient')", "works #4", "works #6 ('Dune')"]  # fmt: skip
    assert all(line.startswith(f"isop: {path}: ") for line in lines)
    assert "Flow" in [w["title"] for w in _works(data)]

    run = isop("works", "remove", str(robot["id"]), "999999", data_dir=data)
    assert run.returncode == 2 and run.stdout == f"removed #{robot['id']} 'The Wild Robot'\n"
    assert run.stderr.strip() == "isop: work #999999: not in the catalog"
    assert "The Wild Robot" not in [w["title"] for w in _works(data)]

    for text in ("works: [", "version: 1\n"):
        path.write_text(text, encoding="utf-8")
        run = isop("works", "import", str(path), data_dir=data)
        assert run.returncode == 2 and len(run.stderr.strip().splitlines()) == 1
        assert str(path) in run.stderr
    missing = isop("works", "import", str(tmp_path / "none.yaml"), data_dir=data)
    assert missing.returncode == 2 and "none.yaml" in missing.stderr

    run = isop("channels", "add", "Téléfoot", "--alias", "Telefoot HD", data_dir=data)
    assert run.returncode == 0 and run.stdout.startswith("added channel ")
    channels = [json.loads(line) for line in
                isop("channels", "list", "--json", data_dir=data).stdout.splitlines()]  # fmt: skip
    assert "Sky Sports Main Event" in [c["name"] for c in channels]  # seeded from channels.yaml
    assert channels[-1]["name"] == "Téléfoot" and channels[-1]["aliases"] == ["Telefoot HD"]
    path.write_text("channels:\n  - {name: téléfoot}\n  - {nom: x}\n", encoding="utf-8")
    run = isop("channels", "import", str(path), data_dir=data)
    assert run.returncode == 2
    assert run.stdout == f"{path}: 0 added, 1 updated, 0 unchanged, 1 refused\n"
    assert "channels #2" in run.stderr and len(run.stderr.strip().splitlines()) == 1


def test_isop_detect_matches_the_registry_s_works_when_there_is_a_registry(tmp_path: Path) -> None:
    page = tmp_path / "robot.html"
    page.write_text("<html><head><title>Nonton Le Robot sauvage (2024) sub indo</title></head>"
                    "<body><h1>Le Robot sauvage (2024)</h1></body></html>", encoding="utf-8")

    def evidence(data: Path) -> tuple[str, str]:
        run = isop("detect", "--json", str(page), data_dir=data)
        assert run.returncode == 0, run.stderr
        signals = json.loads(run.stdout)["signals"]
        return " ".join(s["evidence"] for s in signals), run.stderr

    laptop = tmp_path / "laptop"  # no registry: the YAML files, and none is created
    assert "Wild Robot" not in evidence(laptop)[0]
    assert not (laptop / "registry.db").exists()

    data = tmp_path / "data"
    run = isop("works", "add", "The Wild Robot", "--year", "2024", "--alias", "Le Robot sauvage",
               data_dir=data)  # fmt: skip
    assert run.returncode == 0, run.stderr
    found, stderr = evidence(data)
    assert "'The Wild Robot' (2024" in found and stderr == ""

    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "registry.db").write_bytes(b"not a database" * 100)
    found, stderr = evidence(broken)  # judged all the same, with the YAML files
    assert "Wild Robot" not in found
    assert len(stderr.strip().splitlines()) == 1 and "title catalog" in stderr
