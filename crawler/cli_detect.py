"""``isop detect``, ``isop explain``, ``isop eval`` and ``isop rescore``: detection for analysts.

A TARGET is a local file (HTML, M3U/M3U8, panel JSON, XMLTV, .torrent) or an http(s) URL,
fetched for real. A target that cannot be read prints one line on stderr naming it and the
cause; the other targets are still judged, and the exit status is 2.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
from rich.markup import escape

from crawler.cli import _config, err_console, fail
from detectors.base import DetectorError
from detectors.pipeline import DetectionPipeline

USER_ERROR = 2


def _pipeline(ctx: click.Context) -> DetectionPipeline:
    from crawler.registry.works_source import attach_for_command

    path = _config(ctx).detectors_path
    try:
        pipeline = DetectionPipeline.from_config(path)
    except DetectorError as exc:
        fail(f"detector config {path}: {exc}")
    # The registry's protected works and channels when there is a registry, as crawlers see.
    warning = attach_for_command(pipeline, _config(ctx))
    if warning:
        err_console.print(f"[yellow]isop:[/] {escape(warning)}", soft_wrap=True)
    return pipeline


def _unreadable(target: str, cause: str) -> None:
    # Escaped: a file named "[red]x.html" is a name, not rich markup.
    err_console.print(f"[bold red]isop:[/] {escape(target)}: {escape(cause)}", soft_wrap=True,
                      highlight=False)  # fmt: skip


@click.command()
@click.option("--url", default=None, help="Where the (single) local file was fetched from.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per target per line.")
@click.argument("targets", nargs=-1, required=True)
@click.pass_context
def detect(ctx: click.Context, url: str | None, as_json: bool, targets: tuple[str, ...]) -> None:
    """Judge local files or http(s) URLs: flagged, score, kind and the signals behind it."""
    pipeline = _pipeline(ctx)
    judged = _JudgedTargets(pipeline, url, targets)
    for target, content, verdict in judged:
        if as_json:
            record = {
                "target": target,
                "url": content.url,
                "flagged": verdict.infringing,
                "score": round(verdict.score, 4),
                "kind": verdict.kind,
                "signals": [
                    {"detector": s.detector, "name": s.name, "score": round(s.score, 4),
                     "evidence": s.evidence}
                    for s in verdict.signals
                ],
            }
            click.echo(json.dumps(record, ensure_ascii=False))
        else:
            mark = "FLAGGED" if verdict.infringing else "clean  "
            kind = verdict.kind or "-"
            click.echo(f"{mark} {verdict.score:.2f} {kind:<9} {target}")
    if judged.failed:
        sys.exit(USER_ERROR)


@click.command()
@click.option("--url", default=None, help="Where the (single) local file was fetched from.")
@click.argument("targets", nargs=-1, required=True)
@click.pass_context
def explain(ctx: click.Context, url: str | None, targets: tuple[str, ...]) -> None:
    """The judgement of each target for a person: every signal, its weight, what triggered it."""
    from detectors.report import explain_lines

    pipeline = _pipeline(ctx)
    judged = _JudgedTargets(pipeline, url, targets)
    for target, content, verdict in judged:
        for line in explain_lines(target, content, verdict, pipeline.fusion):
            click.echo(line)
    if judged.failed:
        sys.exit(USER_ERROR)


class _JudgedTargets:
    """Read and judge each target in turn; an unreadable one gets its stderr line, is
    skipped, and sets ``failed`` (the command then exits 2 after the others)."""

    def __init__(self, pipeline: DetectionPipeline, url: str | None,
                 targets: tuple[str, ...]) -> None:  # fmt: skip
        if url is not None and len(targets) != 1:
            fail("--url names where ONE local file came from; give exactly one TARGET with it")
        self.pipeline, self.url, self.targets = pipeline, url, targets
        self.failed = False

    def __iter__(self) -> Iterator[tuple[str, Any, Any]]:
        from crawler.targets import TargetError, read_target

        for target in self.targets:
            try:
                content = read_target(target, self.url)
            except TargetError as exc:
                _unreadable(target, str(exc))
                self.failed = True
                continue
            yield target, content, self.pipeline.evaluate(content)


@click.command("eval")
@click.argument("labels", type=click.Path(dir_okay=False))
@click.option("--split", default=None, help="Only rows whose 'split' column has this value.")
@click.option("--plots", "plots_dir", type=click.Path(file_okay=False), default="eval-plots",
              show_default=True, help="Folder for one precision-recall PNG per detector.")
@click.option("--json", "as_json", is_flag=True, help="End with the figures as one JSON line.")
@click.option("--save", is_flag=True,
              help="Also write the figures to <data_dir>/eval/ (the API's /evaluation reads them).")
@click.pass_context
def eval_labels(ctx: click.Context, labels: str, split: str | None, plots_dir: str, as_json: bool,
                save: bool) -> None:  # fmt: skip
    """Precision, recall and F1 per detector and fused on a labelled CSV (target,url,label,kind)."""
    from crawler.label_eval import LabelsError, load_labels, run_labelled_eval, save_report

    try:
        rows = load_labels(Path(labels), split)
    except LabelsError as exc:
        fail(str(exc))
    report = run_labelled_eval(rows, _pipeline(ctx), Path(plots_dir), warn=_unreadable)
    for line in report.lines():
        click.echo(line)
    if as_json:
        click.echo(json.dumps(report.to_json(), sort_keys=True))
    if save:
        folder = _config(ctx).data_dir / "eval"
        try:
            saved = save_report(report, folder, Path(labels), split)
        except OSError as exc:
            fail(f"{folder}: cannot save the results ({exc.strerror or exc})")
        click.echo(f"saved {saved}", err=True)
    if report.unreadable:
        sys.exit(USER_ERROR)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object per changed site.")
@click.option("--all", "show_all", is_flag=True, help="List every site, changed or not.")
@click.pass_context
def rescore(ctx: click.Context, as_json: bool, show_all: bool) -> None:
    """Re-run the detectors over stored evidence; report which sites' verdicts changed."""
    from crawler.cli import user_errors
    from crawler.rescore import rescore_sites

    config = _config(ctx)
    with user_errors():
        result = rescore_sites(config, _pipeline(ctx), warn=_unreadable)
    for change in result.changes if not show_all else result.sites:
        click.echo(json.dumps(change.to_json(), ensure_ascii=False) if as_json else change.line())
    summary = result.summary()
    if as_json:
        click.echo(json.dumps({"summary": summary}))
    else:
        click.echo(
            f"rescored {summary['sites']} site(s) from {summary['warc_records']} WARC record(s)"
            f" and {summary['registry_rows']} registry row(s): {summary['changed']} changed"
        )


def register(group: click.Group) -> None:
    """Add the detection commands to the ``isop`` group."""
    for command in (detect, explain, eval_labels, rescore):
        group.add_command(command)
