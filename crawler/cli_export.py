"""``isop export csv|jsonl|stix [--out FILE]``: sites and domains for partners, streamed,
with what the spiders observed on them (counts in CSV; a summary in JSON Lines; panels,
stream hosts, magnets and a note in STIX).

With ``--out`` the file appears whole or not at all (written beside it, then renamed).
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

import click

from crawler.cli import _config, fail, user_errors
from crawler.registry.vocab import SITE_STATUSES


@click.command()
@click.argument("fmt", metavar="csv|jsonl|stix", type=click.Choice(["csv", "jsonl", "stix"]))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write here instead of standard output.")  # fmt: skip
@click.option(
    "--status", "statuses", multiple=True, type=click.Choice(sorted(SITE_STATUSES)),
    help="Only sites in this status (repeatable; default: all but false_positive).",
)  # fmt: skip
@click.option("--max-urls", type=click.IntRange(0, 1000), default=10, show_default=True,
              help="STIX: evidence URLs per site exported as url observables.")  # fmt: skip
@click.pass_context
def export(
    ctx: click.Context, fmt: str, out: Path | None, statuses: tuple[str, ...], max_urls: int
) -> None:
    """Export the registry's sites and domains as CSV, JSON Lines or a STIX 2.1 bundle."""
    from crawler.alerts.db import open_engine
    from crawler.exports import observed, rows, stix, tabular

    config = _config(ctx)
    with user_errors():
        engine = open_engine(config.database_url)
    # With what the spiders observed on each site: counts for CSV, the summary otherwise.
    records = observed.attach(rows.sites(engine, statuses), engine, detail=fmt != "csv")

    def write(handle: IO[str]) -> int:
        if fmt == "csv":
            return tabular.write_csv(records, handle)
        if fmt == "jsonl":
            return tabular.write_jsonl(records, handle)
        return stix.write_bundle(
            records, handle, lambda site_id: rows.evidence_urls(engine, site_id, max_urls)
        )

    try:
        count = write(sys.stdout) if out is None else _atomic(out, write)
    except BrokenPipeError:  # `isop export csv | head`: the reader had enough
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
    except OSError as exc:
        fail(f"{out}: cannot write the export ({exc.strerror or exc})")
    finally:
        engine.dispose()
    if out is not None:
        click.echo(f"{out}: {count} site(s) as {fmt}", err=True)


def _atomic(out: Path, write: Callable[[IO[str]], int]) -> int:
    parent = out.resolve().parent
    fd, temp = tempfile.mkstemp(prefix=f".{out.name}.", dir=parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            count = write(handle)
        os.replace(temp, out)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return count
