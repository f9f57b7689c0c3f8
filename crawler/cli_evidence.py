"""``isop evidence verify`` and ``isop evidence export DOMAIN --out DIR``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from crawler.cli import _config, fail, user_errors

BROKEN = 1  # verify found a problem: not a usage error, a finding


@click.group()
def evidence() -> None:
    """Evidence captured from flagged pages: WARC files and their hash chain."""


@evidence.command()
@click.pass_context
def verify(ctx: click.Context) -> None:
    """Check the hash chain and every WARC digest; name the first broken link (exit 1)."""
    from crawler.alerts.db import open_engine
    from crawler.evidence.chain import verify as verify_chain

    config = _config(ctx)
    with user_errors():
        engine = open_engine(config.database_url)
    try:
        report = verify_chain(engine, config.data_dir / "evidence")
    finally:
        engine.dispose()
    if report.ok:
        click.echo(f"evidence chain intact: {report.checked} record(s), head {report.head}")
        return
    click.echo(
        f"evidence chain BROKEN: {report.total_problems} problem(s) in {report.checked} "
        f"record(s); first: {report.problems[0]}"
    )
    for problem in report.problems[1:]:
        click.echo(f"  also: {problem}")
    sys.exit(BROKEN)


@evidence.command()
@click.argument("domain")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Directory to create (or an empty one) for the case file.")  # fmt: skip
@click.pass_context
def export(ctx: click.Context, domain: str, out: Path) -> None:
    """Write DOMAIN's case file: its WARC records, manifest.json and report.html."""
    from crawler.alerts.db import open_engine
    from crawler.evidence.case import CaseError, export_case
    from crawler.pipelines.evidence import crawler_identity

    config = _config(ctx)
    with user_errors():
        engine = open_engine(config.database_url)
    try:
        by = crawler_identity(config.evidence.operator, config.crawl.user_agent)
        manifest = export_case(engine, config.data_dir / "evidence", domain, out, by)
    except CaseError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"{out}: cannot write the case file ({exc.strerror or exc})")
    finally:
        engine.dispose()
    chain = manifest["case"]["chain"]
    state = "intact" if chain["ok"] else f"BROKEN ({chain['total_problems']} problem(s))"
    click.echo(
        f"{out}: {len(manifest['captures'])} capture(s) of {manifest['case']['domain']}, "
        f"evidence chain {state}"
    )
