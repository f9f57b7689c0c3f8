"""``isop evidence verify``, ``isop evidence head``, ``isop evidence export DOMAIN --out DIR``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from crawler.cli import _config, fail, user_errors

if TYPE_CHECKING:
    from crawler.evidence.anchor import Head

BROKEN = 1  # verify found a problem: not a usage error, a finding


@click.group()
def evidence() -> None:
    """Evidence captured from flagged pages: WARC files and their hash chain."""


def _heads(values: tuple[str, ...]) -> list[Head]:
    from crawler.evidence.anchor import parse_head

    heads = []
    for value in values:
        try:
            heads.append(parse_head(value))
        except ValueError as exc:
            fail(f"--expect-head {exc}")
    return heads


@evidence.command()
@click.option("--expect-head", "expect", multiple=True, metavar="SEQ:HASH",
              help="A head kept elsewhere (case file, e-mail, ticket): the chain must still "
                   "pass through it. Repeatable.")  # fmt: skip
@click.pass_context
def verify(ctx: click.Context, expect: tuple[str, ...]) -> None:
    """Check the hash chain, every WARC digest and the chain-head log (and the heads given
    with --expect-head); name the first broken link or missing record (exit 1)."""
    from crawler.alerts.db import open_engine
    from crawler.evidence.chain import verify as verify_chain

    config = _config(ctx)
    heads = _heads(expect)
    with user_errors():
        engine = open_engine(config.database_url)
    try:
        report = verify_chain(engine, config.data_dir / "evidence", heads,
                              config.evidence.anchor_key)  # fmt: skip
    finally:
        engine.dispose()
    anchored = report.anchored
    if anchored is None:
        anchor = "no anchored head"
    else:
        reach = "reaches it" if report.reaches_anchor else "does NOT reach it"
        anchor = f"last anchored head {anchored.head} ({anchored.where()}); the chain {reach}"
    if report.ok:
        click.echo(f"evidence chain intact: {report.checked} record(s), head {report.head_ref}")
        click.echo(f"  {anchor}")
        for head in heads:
            click.echo(f"  expected head {head}: reached")
    else:
        click.echo(
            f"evidence chain BROKEN: {report.total_problems} problem(s) in {report.checked} "
            f"record(s); first: {report.problems[0]}"
        )
        click.echo(f"  head {report.head_ref}; {anchor}")
        if report.first_missing is not None:
            click.echo(f"  first missing sequence number: {report.first_missing}")
        for problem in report.problems[1:]:
            click.echo(f"  also: {problem}")
    for note in report.notes:
        click.echo(f"  note: {note}")
    if not report.ok:
        sys.exit(BROKEN)


@evidence.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object instead of SEQ:HASH.")
@click.pass_context
def head(ctx: click.Context, as_json: bool) -> None:
    """Print the chain's head as SEQ:HASH (the database's newest row, not verified): keep it
    elsewhere, and check it later with `isop evidence verify --expect-head SEQ:HASH`."""
    from crawler.alerts.db import open_engine
    from crawler.evidence.anchor import LOG_NAME, read_log
    from crawler.evidence.chain import current_head

    config = _config(ctx)
    with user_errors():
        engine = open_engine(config.database_url)
    try:
        current = current_head(engine)
    finally:
        engine.dispose()
    if as_json:
        log = read_log(config.data_dir / "evidence" / LOG_NAME, config.evidence.anchor_key)
        last = log.last
        click.echo(json.dumps({
            "head": str(current) if current else None,
            "seq": current.seq if current else 0,
            "hash": current.hash if current else None,
            "anchored": {"head": str(last.head), "line": last.line, "at": last.at,
                         "signed": last.signed} if last else None,
        }, sort_keys=True))  # fmt: skip
        return
    if current is None:
        click.echo("no evidence yet: the chain is empty")
        return
    click.echo(str(current))


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
        f"evidence chain {state}, head {chain.get('head_ref', chain['head'])}"
    )
