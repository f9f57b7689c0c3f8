"""``isop calibrate LABELS.csv``: fit the fused score's calibration, judge it held out, ship it.

The shipped ``config/detectors.yaml`` values come from
``isop calibrate tests/fixtures/labelled/LABELS.csv --write``; a test re-runs the fit and
compares, so the shipped numbers cannot drift from what this command produces.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from crawler.calibration import (
    SANDBOX_SEED,
    fit,
    labelled_rows,
    sandbox_rows,
    sandbox_verdicts,
    write_calibration,
)
from crawler.cli import _config, fail
from crawler.cli_detect import _pipeline, _unreadable
from crawler.label_eval import LabelsError, load_labels


@click.command()
@click.argument("labels", type=click.Path(dir_okay=False))
@click.option("--sandbox-seed", type=int, default=SANDBOX_SEED, show_default=True,
              help="Sandbox web whose pages (labelled by its ground truth) join the rows.")
@click.option("--no-sandbox", is_flag=True, help="Fit on the labelled set alone.")
@click.option("--write", is_flag=True,
              help="Write the fitted slope and intercept into the detectors config.")
@click.option("--json", "as_json", is_flag=True, help="End with the figures as one JSON line.")
@click.pass_context
def calibrate(ctx: click.Context, labels: str, sandbox_seed: int, no_sandbox: bool, write: bool,
              as_json: bool) -> None:  # fmt: skip
    """Fit Platt calibration of the fused score on labelled pages; report it on held-out rows."""
    try:
        rows = load_labels(Path(labels))
    except LabelsError as exc:
        fail(str(exc))
    pipeline = _pipeline(ctx)
    failed: list[str] = []

    def warn(target: str, cause: str) -> None:
        failed.append(target)
        _unreadable(target, cause)

    judged = labelled_rows(rows, pipeline, warn)
    if failed:
        fail(f"{labels}: {len(failed)} target(s) unreadable; fix them before fitting")
    if not no_sandbox:
        judged += sandbox_rows(sandbox_verdicts(sandbox_seed, pipeline), pipeline)
    config = pipeline.fusion.config
    report = fit(judged, (config.calibration.slope, config.calibration.intercept),
                 config.thresholds.infringing, rule=pipeline.site)  # fmt: skip
    for line in report.lines():
        click.echo(line)
    if as_json:
        click.echo(json.dumps(report.to_json(), sort_keys=True))
    if write:
        path = _config(ctx).detectors_path
        try:
            write_calibration(path, report.slope, report.intercept)
        except (OSError, ValueError) as exc:
            fail(f"{path}: cannot write the calibration ({exc})")
        click.echo(f"wrote calibration slope {report.slope} intercept {report.intercept} to "
                   f"{path}", err=True)  # fmt: skip
