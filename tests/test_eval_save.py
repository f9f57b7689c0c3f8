"""``isop eval --save`` writes its figures where the API's ``/api/v1/evaluation`` reads them."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result
from test_api_support import build_world

from crawler.cli import cli

LABELS = Path(__file__).resolve().parent / "fixtures" / "labelled" / "LABELS.csv"


def _eval(tmp_path: Path, data_dir: Path, *extra: str) -> Result:
    env = {"ISOP_DATA_DIR": str(data_dir)}
    args = ["eval", str(LABELS), "--split", "holdout", "--plots", str(tmp_path / "plots"), *extra]
    return CliRunner().invoke(cli, args, env=env)


def test_saved_eval_is_what_the_api_serves(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    result = _eval(tmp_path, data_dir, "--save", "--json")
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout.splitlines()[-1])
    saved = sorted((data_dir / "eval").iterdir())
    assert [p.suffix for p in saved] == [".json"], saved  # no temporary file left behind
    body = json.loads(saved[0].read_text(encoding="utf-8"))
    assert {k: body[k] for k in printed} == printed
    assert body["split"] == "holdout" and body["labels"] == str(LABELS)

    second = _eval(tmp_path, data_dir, "--save")  # same second or not: both kept
    assert second.exit_code == 0, second.output
    files = sorted((data_dir / "eval").glob("*.json"))
    assert len(files) == 2

    world = build_world(data_dir)
    try:
        answer = world.client("viewer").get("/api/v1/evaluation")
    finally:
        world.db.close()
    assert answer.status_code == 200, answer.text
    latest = answer.json()["latest_eval"]
    newest = max(files, key=lambda p: p.stat().st_mtime)
    assert latest["file"] == newest.name
    assert latest["result"]["detectors"]["fused"] == printed["detectors"]["fused"]
    assert latest["result"]["targets"] == printed["targets"] > 0


def test_an_unwritable_eval_folder_is_one_line_and_non_zero(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "eval").write_text("a file where the folder should be")
    result = _eval(tmp_path, data_dir, "--save")
    assert result.exit_code != 0
    errors = [line for line in result.stderr.splitlines() if "cannot save" in line]
    assert len(errors) == 1 and str(data_dir / "eval") in errors[0], result.stderr
