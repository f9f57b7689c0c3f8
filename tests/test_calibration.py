"""The shipped calibration: fitted on data we own, judged held out, and the thresholds moved
with it so that decisions stay right (labelled set and the demo's sandbox web)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from crawler.calibration import (
    FIT,
    HOLDOUT,
    SANDBOX_SEED,
    CalibrationRow,
    fit,
    labelled_rows,
    sandbox_rows,
    sandbox_verdicts,
    write_calibration,
)
from crawler.cli import cli
from crawler.config import CONFIG_DIR
from crawler.domains import registered_domain
from crawler.label_eval import load_labels
from crawler.rescore import refuse_stored, signal_specs
from detectors.base import Signal, Verdict
from detectors.fusion import Fusion
from detectors.inputs import to_content
from detectors.metrics import counts, sigmoid
from detectors.pipeline import DetectionPipeline
from detectors.report import explain_lines
from detectors.site import SiteConfig, fuse_site

LABELS = Path(__file__).resolve().parent / "fixtures" / "labelled" / "LABELS.csv"
REFIT = "isop calibrate tests/fixtures/labelled/LABELS.csv --write"


@pytest.fixture(scope="module")
def pipeline() -> DetectionPipeline:
    return DetectionPipeline.from_config()


@pytest.fixture(scope="module")
def sandbox(pipeline: DetectionPipeline) -> list[tuple[str, str, bool, Verdict]]:
    return list(sandbox_verdicts(SANDBOX_SEED, pipeline))


@pytest.fixture(scope="module")
def rows(
    pipeline: DetectionPipeline, sandbox: list[tuple[str, str, bool, Verdict]]
) -> list[CalibrationRow]:
    return labelled_rows(load_labels(LABELS), pipeline) + sandbox_rows(sandbox, pipeline)


def _old_rule(pipeline: DetectionPipeline) -> tuple[Fusion, SiteConfig]:
    """The uncalibrated scale as shipped before: identity, flag at 0.5, confirm at 0.8."""
    config = pipeline.fusion.config
    old = config.model_copy(update={
        "calibration": config.calibration.model_copy(update={"slope": 1.0, "intercept": 0.0}),
        "thresholds": config.thresholds.model_copy(update={"infringing": 0.5}),
    })  # fmt: skip
    return Fusion(old), pipeline.site.model_copy(update={"confirm_score": 0.8})


def test_fit_is_held_out_by_site_deterministic_and_beats_the_identity(
    rows: list[CalibrationRow],
) -> None:
    report = fit(rows, (1.0, 0.0), 0.7)
    seen = {(r.source, r.site) for r in rows if r.part == FIT}
    judged = {(r.source, r.site) for r in rows if r.part == HOLDOUT}
    assert len(seen) >= 30 and len(judged) >= 20 and not seen & judged
    for row in rows:
        if row.source == "labels":  # the labelled set's own split column decides
            assert row.part == (FIT if row.name.startswith("tune_") else HOLDOUT), row
    again = fit(list(rows), (1.0, 0.0), 0.7)
    assert (again.slope, again.intercept) == (report.slope, report.intercept)
    brier = {c.name: c.brier for c in report.candidates}
    assert brier["fitted"] <= brier["identity"], brier
    table = next(c for c in report.candidates if c.name == "fitted").table
    assert sum(b.count for b in table) == len(report.holdout)


def test_shipped_calibration_is_what_isop_calibrate_fits(
    rows: list[CalibrationRow], pipeline: DetectionPipeline
) -> None:
    shipped = pipeline.fusion.config.calibration
    assert (shipped.slope, shipped.intercept) != (1.0, 0.0)
    threshold = pipeline.fusion.config.thresholds.infringing
    report = fit(rows, (shipped.slope, shipped.intercept), threshold, rule=pipeline.site)
    # 0.01: detector edits that move the fit less than that need no refit; more, run REFIT.
    assert shipped.slope == pytest.approx(report.slope, abs=0.01), REFIT
    assert shipped.intercept == pytest.approx(report.intercept, abs=0.01), REFIT
    # What isop calibrate tells about held-out sandbox sites at the configured thresholds.
    sites = report.site_statuses()
    assert len(sites) >= 15 and {truth for truth, _ in sites.values()} == {True, False}
    assert all(status == "clean" for truth, status in sites.values() if not truth), sites
    assert all(status != "clean" for truth, status in sites.values() if truth), sites
    assert report.to_json()["sites"].keys() == sites.keys()


def test_labelled_set_decisions_are_no_worse_than_on_the_old_scale(
    rows: list[CalibrationRow], pipeline: DetectionPipeline
) -> None:
    old, _ = _old_rule(pipeline)
    labelled = [r for r in rows if r.source == "labels"]
    assert len(labelled) == 31
    before = counts([(sigmoid(r.log_odds), r.label) for r in labelled], 0.5)
    now = counts([(pipeline.fusion.calibrated(r.log_odds), r.label) for r in labelled],
                 pipeline.fusion.config.thresholds.infringing)  # fmt: skip
    assert now.precision >= before.precision and now.recall >= before.recall, (before, now)
    assert now.precision == 1.0 and now.recall >= 0.9
    assert old.config.thresholds.infringing == 0.5


def test_sandbox_site_verdicts_are_the_same_as_on_the_old_scale(
    pipeline: DetectionPipeline, sandbox: list[tuple[str, str, bool, Verdict]]
) -> None:
    """Every sandbox site gets the same status and kind as with the old scale and thresholds
    (the demo's own web, seed 1, is checked by test_detectors_sandbox and test_demo)."""
    old_fusion, old_site = _old_rule(pipeline)
    pages: dict[str, list[tuple[str, tuple[Signal, ...]]]] = {}
    for _, url, _, verdict in sandbox:
        pages.setdefault(registered_domain(url), []).append((url, verdict.signals))
    assert len(pages) >= 50
    confirmed = 0
    for domain, judged in pages.items():
        now = fuse_site(domain, [(u, pipeline.fusion.fuse(s)) for u, s in judged], pipeline.site)
        before = fuse_site(domain, [(u, old_fusion.fuse(s)) for u, s in judged], old_site)
        assert (now.status, now.kind) == (before.status, before.kind), (domain, now, before)
        confirmed += now.status == "confirmed"
        if now.status != "clean":
            assert now.score >= pipeline.fusion.config.thresholds.infringing
    assert confirmed >= 20


def test_rescore_and_explain_use_the_calibrated_score(pipeline: DetectionPipeline) -> None:
    specs = signal_specs(pipeline)
    name = next(k for k, (family, weight) in specs.items() if family == "index" and weight >= 2)
    detector, signal = name.split(".", 1)
    stored = [{"detector": detector, "name": signal, "score": 1.0, "evidence": "stored"}]
    verdict = refuse_stored(pipeline, stored, specs)
    raw = pipeline.fusion.log_odds(verdict.signals)
    calibration = pipeline.fusion.config.calibration
    assert verdict.score == pytest.approx(sigmoid(calibration.slope * raw + calibration.intercept))
    assert verdict.score != pytest.approx(sigmoid(raw), abs=1e-3)
    assert f"raw log-odds {raw:+.2f}" in verdict.explanation
    lines = list(explain_lines("t", to_content("https://x.example/", b"<p>hi</p>", "html"),
                               verdict, pipeline.fusion))  # fmt: skip
    assert f"raw log-odds {raw:+.2f} -> calibrated score" in lines[2]
    assert lines[2].endswith(f"= {verdict.score:.3f}")


def test_isop_calibrate_writes_the_fit_into_the_config(tmp_path: Path) -> None:
    config_dir = tmp_path / "config"
    shutil.copytree(CONFIG_DIR, config_dir)
    target = config_dir / "detectors.yaml"
    before = target.read_text("utf-8").splitlines()
    env = {"ISOP_DETECTORS__CONFIG": str(target), "ISOP_DATA_DIR": str(tmp_path / "data")}
    result = CliRunner().invoke(
        cli, ["calibrate", str(LABELS), "--no-sandbox", "--json", "--write"], env=env
    )
    assert result.exit_code == 0, result.output
    assert "reliability on held-out rows, fitted" in result.stdout
    figures: dict[str, Any] = json.loads(result.stdout.splitlines()[-1])
    assert figures["sources"] == {"labels": {"fit": 15, "holdout": 16}}
    written = yaml.safe_load(target.read_text("utf-8"))["fusion"]["calibration"]
    assert written == {"slope": figures["slope"], "intercept": figures["intercept"]}
    after = target.read_text("utf-8").splitlines()
    assert len(after) == len(before)
    assert sum(a != b for a, b in zip(after, before, strict=True)) <= 1  # comments kept
    broken = tmp_path / "broken.yaml"
    broken.write_text("fusion:\n  bias: -3\n")
    with pytest.raises(ValueError, match="found 0"):
        write_calibration(broken, 1.0, 0.0)
    bad = CliRunner().invoke(cli, ["calibrate", str(tmp_path / "nope.csv")], env=env)
    assert bad.exit_code == 2 and "nope.csv" in bad.stderr and len(bad.stderr.splitlines()) == 1


def test_isop_eval_reports_brier_and_reliability_of_the_configured_score(
    tmp_path: Path, rows: list[CalibrationRow], pipeline: DetectionPipeline
) -> None:
    result = CliRunner().invoke(cli, ["eval", str(LABELS), "--json", "--plots", str(tmp_path)])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout.splitlines()[-1])["calibration"]
    shipped = pipeline.fusion.config.calibration
    assert (figures["slope"], figures["intercept"]) == (shipped.slope, shipped.intercept)
    labelled = [r for r in rows if r.source == "labels"]
    scores = [(pipeline.fusion.calibrated(r.log_odds), r.label) for r in labelled]
    assert figures["brier"] == pytest.approx(
        sum((p - float(y)) ** 2 for p, y in scores) / len(scores), abs=1e-5
    )
    table = figures["reliability"]
    assert len(table) == 5 and sum(b["count"] for b in table) == len(labelled) == 31
    top = [(p, y) for p, y in scores if p >= 0.8]
    assert table[4]["count"] == len(top)
    assert table[4]["observed"] == pytest.approx(sum(y for _, y in top) / len(top), abs=1e-4)
    assert figures["refit_folds"] == "splits holdout, tune"
    assert figures["refit_out_of_fold_brier"] is not None
    assert "calibration (configured: slope" in result.stdout and "observed" in result.stdout
