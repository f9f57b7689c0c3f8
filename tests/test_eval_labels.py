"""``isop eval LABELS.csv`` on our own labelled set, and its handling of bad label files."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from PIL import Image

from crawler.cli import cli
from crawler.label_eval import load_labels

LABELS = Path(__file__).resolve().parent / "fixtures" / "labelled" / "LABELS.csv"


def test_labelled_set_is_split_and_covers_hard_negatives_and_languages() -> None:
    rows = load_labels(LABELS)
    tune, holdout = load_labels(LABELS, "tune"), load_labels(LABELS, "holdout")
    assert len(tune) + len(holdout) == len(rows) >= 30
    assert all(Path(row.target).exists() for row in rows)
    for part in (tune, holdout):
        assert sum(r.label for r in part) >= 5 and sum(not r.label for r in part) >= 5
        assert {r.kind for r in part if r.label} == {"index", "streaming", "iptv"}


def test_eval_prints_every_table_writes_plots_and_json(tmp_path: Path) -> None:
    plots = tmp_path / "plots"
    result = CliRunner().invoke(cli, ["eval", str(LABELS), "--plots", str(plots), "--json"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    for heading in ("confusion by kind", "threshold sweep", "misclassified:", "calibration"):
        assert heading in out
    figures = json.loads(out.splitlines()[-1])
    fused = figures["detectors"]["fused"]
    assert figures["targets"] == 31
    assert fused["tp"] + fused["fn"] == 14 and fused["fp"] + fused["tn"] == 17
    # Hard negatives (news, distro torrents, FTA lists, licences, broadcasters) stay clean.
    assert fused["precision"] >= 0.9 and fused["recall"] >= 0.8, fused
    assert set(figures["detectors"]) >= {"page_vocabulary", "title_match", "fused"}
    assert figures["confusion"]["legitimate->clean"] >= 16
    for name, path in figures["plots"].items():
        with Image.open(path) as image:
            assert image.format == "PNG", name
    for target in figures["misclassified"]:
        assert f"{target} (score" in out  # each listed with its score and signals


def test_bad_labels_file_is_one_line_exit_2(tmp_path: Path) -> None:
    runner = CliRunner()
    bad = tmp_path / "LABELS.csv"
    bad.write_text("target,url,label\nx.html,,1\n")
    result = runner.invoke(cli, ["eval", str(bad)])
    assert result.exit_code == 2 and "missing column(s) kind" in result.stderr
    bad.write_text("target,url,label,kind\nx.html,,maybe,\n")
    result = runner.invoke(cli, ["eval", str(bad)])
    assert result.exit_code == 2 and "LABELS.csv:2" in result.stderr
    bad.write_text("target,url,label,kind\nnope.html,,1,index\nalso.html,,0,\n")
    result = runner.invoke(cli, ["eval", str(bad), "--plots", str(tmp_path / "p")])
    assert result.exit_code == 2 and "nope.html: no such file" in result.stderr
