"""``isop works list|add|remove|import``: the protected works the title detector matches.

They live in the registry (:mod:`crawler.registry.works`), like the API's: running crawlers
pick up a change within ``works.check_interval`` seconds.  Every change is in the audit log
as ``cli:<user>`` (``$ISOP_ANALYST`` or the login name).  ``import`` reads the YAML format
of ``config/catalog/works.yaml``: a row that is not a valid work prints one line on stderr
naming its number, title and cause, the good rows are still imported, and the exit status
is 2.
"""

from __future__ import annotations

import getpass
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from crawler.cli import USER_ERROR, _config, err_console, fail, user_errors

if TYPE_CHECKING:
    from crawler.api.db import Database
    from crawler.api.scope import Principal

RANGE_YEAR = click.IntRange(1880, 2100)


def _principal() -> Principal:
    from crawler.api.scope import Principal

    name = os.environ.get("ISOP_ANALYST") or getpass.getuser()
    return Principal(None, f"cli:{name}"[:64], "analyst", (), "cli")


def _bad(what: str, cause: str) -> None:
    err_console.print(f"[bold red]isop:[/] {escape(what)}: {escape(cause)}", soft_wrap=True)


def _database(ctx: click.Context) -> Database:
    """The registry, its works seeded from the title detector's YAML file if never seeded."""
    from crawler.api import works
    from crawler.api.db import Database
    from crawler.registry import works as store

    config = _config(ctx)
    with user_errors():
        db = Database.open(config.database_url)
    with db.reading() as session:
        due = store.seed_due(session)
    if due:
        try:
            path = works.works_path(config.detectors_path)
            with db.writing() as session:
                report = works.seed(session, path)
        except Exception as exc:  # a broken detector config or seed file: say which, once
            db.close()
            fail(f"works seed: {exc}")
        if report is not None:
            err_console.print(f"isop: seeded {len(report.added)} works from {escape(str(path))}",
                              soft_wrap=True)  # fmt: skip
    return db


@click.group()
def works() -> None:
    """The protected works (titles, aliases, year, owner) the title detector matches."""


@works.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per work per line.")
@click.option("--search", default=None, help="Only works whose title contains this text.")
@click.pass_context
def list_(ctx: click.Context, as_json: bool, search: str | None) -> None:
    """Every work: id, title, year, kind, owner, spellings, last change."""
    from crawler.registry import works as store

    db = _database(ctx)
    try:
        with db.reading() as session:
            rows = [store.to_json(row) for row in store.works(session)]
    finally:
        db.close()
    if search:
        rows = [row for row in rows if search.casefold() in row["title"].casefold()]
    if as_json:
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False, sort_keys=True))
        return
    table = Table("id", "title", "year", "kind", "owner", "spellings", "updated", "by")
    for row in rows:
        spellings = 1 + len(row["aliases"]) + len(row["original_titles"])
        table.add_row(str(row["id"]), escape(row["title"]), str(row["year"] or ""), row["kind"],
                      escape(row["owner"]), str(spellings), row["updated_at"][:19],
                      escape(row["updated_by"]))  # fmt: skip
    Console(highlight=False).print(table)
    click.echo(f"{len(rows)} work(s)")


@works.command("add")
@click.argument("title")
@click.option("--year", type=RANGE_YEAR, default=None)
@click.option("--kind", default="movie", show_default=True, help="movie, series, ...")
@click.option("--owner", default="", help="The rights holder.")
@click.option("--alias", "aliases", multiple=True, help="Another spelling (repeatable).")
@click.option("--original-title", "originals", multiple=True, help="Original-language title.")
@click.option("--ambiguous", is_flag=True, help="Also an ordinary word: match only with its year.")
@click.pass_context
def add(
    ctx: click.Context, title: str, year: int | None, kind: str, owner: str,
    aliases: tuple[str, ...], originals: tuple[str, ...], ambiguous: bool,
) -> None:  # fmt: skip
    """Add the work TITLE."""
    from pydantic import ValidationError

    from crawler.api import works as audited
    from crawler.registry.works import WorkConflict, WorkIn

    try:
        work = WorkIn(title=title, year=year, kind=kind, owner=owner, aliases=list(aliases),
                      original_titles=list(originals), ambiguous=ambiguous)  # fmt: skip
    except ValidationError as exc:
        first = exc.errors()[0]
        fail(f"work {title!r}: {'.'.join(map(str, first['loc']))}: {first['msg']}")
    db = _database(ctx)
    try:
        with db.writing() as session:
            row = audited.add(session, _principal(), work)
            click.echo(f"added #{row.id} {row.title!r} ({row.year or 'no year'})")
    except WorkConflict as exc:
        fail(str(exc))
    finally:
        db.close()


@works.command("remove")
@click.argument("ids", nargs=-1, required=True, type=click.IntRange(min=1, max=2**63 - 1))
@click.pass_context
def remove(ctx: click.Context, ids: tuple[int, ...]) -> None:
    """Remove the works ID... (ids from ``isop works list``)."""
    from crawler.api import works as audited
    from crawler.registry import works as store

    db = _database(ctx)
    missing = []
    try:
        for work_id in dict.fromkeys(ids):
            with db.writing() as session:
                row = store.find(session, work_id)
                if row is None:
                    missing.append(work_id)
                    continue
                gone = audited.remove(session, _principal(), row)
            click.echo(f"removed #{work_id} {gone['title']!r}")
    finally:
        db.close()
    for work_id in missing:
        _bad(f"work #{work_id}", "not in the catalog")
    if missing:
        sys.exit(USER_ERROR)


@works.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.pass_context
def import_(ctx: click.Context, file: str) -> None:
    """Add the works of a YAML FILE (the format of config/catalog/works.yaml); a work of the
    same title and year is updated to the file's fields."""
    from crawler.api import works as audited
    from detectors.base import DetectorError

    path = Path(file)
    db = _database(ctx)
    try:
        with db.writing() as session:
            report = audited.import_file(session, _principal(), path)
    except DetectorError as exc:
        fail(str(exc))
    finally:
        db.close()
    for error in report.errors:
        _bad(str(path), error)
    click.echo(f"{path}: {len(report.added)} added, {len(report.updated)} updated, "
               f"{report.unchanged} unchanged, {len(report.errors)} refused")  # fmt: skip
    if report.errors:
        sys.exit(USER_ERROR)
