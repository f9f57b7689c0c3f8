"""``isop works|channels list|add|remove|import``: the protected works and channels the title
detector matches.

They live in the registry (:mod:`crawler.registry.works`, :mod:`crawler.registry.channels`),
like the API's: running crawlers pick up a change within ``works.check_interval`` seconds.
Every change is in the audit log as ``cli:<user>`` (``$ISOP_ANALYST`` or the login name).
``import`` reads the YAML format of ``config/catalog/works.yaml`` (``channels.yaml``): a row
that is not valid prints one line on stderr naming its number, title and cause, the good rows
are still imported, and the exit status is 2.
"""

from __future__ import annotations

import getpass
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from crawler.cli import USER_ERROR, _config, err_console, fail, user_errors

if TYPE_CHECKING:
    from crawler.api.db import Database
    from crawler.api.scope import Principal
    from crawler.api.works import Kind

RANGE_YEAR = click.IntRange(1880, 2100)
ROW_ID = click.IntRange(min=1, max=2**63 - 1)
PLURAL = {"work": "works", "channel": "channels"}


def _principal() -> Principal:
    from crawler.api.scope import Principal

    name = os.environ.get("ISOP_ANALYST") or getpass.getuser()
    return Principal(None, f"cli:{name}"[:64], "analyst", (), "cli")


def _bad(what: str, cause: str) -> None:
    err_console.print(f"[bold red]isop:[/] {escape(what)}: {escape(cause)}", soft_wrap=True)


def _database(ctx: click.Context) -> Database:
    """The registry, its works and channels seeded from the YAML files if never seeded."""
    from crawler.api import works
    from crawler.api.db import Database

    config = _config(ctx)
    with user_errors():
        db = Database.open(config.database_url)
    try:
        reports = works.ensure_seeded(db, config.detectors_path)
    except Exception as exc:  # a broken detector config or seed file: say which, once
        db.close()
        fail(f"title catalog seed: {exc}")
    for kind, report in reports.items():
        err_console.print(f"isop: seeded {len(report.added)} {PLURAL[kind]}", soft_wrap=True)
    return db


def _validated(model: Any, what: str, **fields: Any) -> Any:
    from pydantic import ValidationError

    try:
        return model(**fields)
    except ValidationError as exc:
        first = exc.errors()[0]
        fail(f"{what}: {'.'.join(map(str, first['loc']))}: {first['msg']}")


def _list(ctx: click.Context, kind: Kind, as_json: bool, search: str | None) -> None:
    from crawler.api.works import STORES

    module = STORES[kind]
    label = "title" if kind == "work" else "name"
    db = _database(ctx)
    try:
        with db.reading() as session:
            every = module.works(session) if kind == "work" else module.channels(session)
            rows = [module.to_json(row) for row in every]
    finally:
        db.close()
    if search:
        rows = [row for row in rows if search.casefold() in row[label].casefold()]
    if as_json:
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False, sort_keys=True))
        return
    table = Table("id", label, *(["year", "kind"] if kind == "work" else []), "owner",
                  "spellings", "updated", "by")  # fmt: skip
    for row in rows:
        spellings = 1 + len(row["aliases"]) + len(row.get("original_titles", []))
        extra = [str(row["year"] or ""), escape(row["kind"])] if kind == "work" else []
        table.add_row(str(row["id"]), escape(row[label]), *extra, escape(row["owner"]),
                      str(spellings), row["updated_at"][:19],
                      escape(row["updated_by"]))  # fmt: skip
    Console(highlight=False).print(table)
    click.echo(f"{len(rows)} {PLURAL[kind]}")


def _add(ctx: click.Context, kind: Kind, item: Any) -> None:
    from crawler.api import works as audited
    from crawler.registry.works import WorkConflict

    db = _database(ctx)
    try:
        with db.writing() as session:
            row = audited.add(session, _principal(), item, kind)
            click.echo(f"added {audited.describe(kind, row.id, item.model_dump())}")
    except WorkConflict as exc:
        fail(str(exc))
    finally:
        db.close()


def _remove(ctx: click.Context, kind: Kind, ids: tuple[int, ...]) -> None:
    from crawler.api import works as audited

    db = _database(ctx)
    missing = []
    try:
        for row_id in dict.fromkeys(ids):
            with db.writing() as session:
                row = audited.STORES[kind].find(session, row_id)
                if row is None:
                    missing.append(row_id)
                    continue
                gone = audited.remove(session, _principal(), row, kind)
            click.echo(f"removed #{row_id} {gone['title' if kind == 'work' else 'name']!r}")
    finally:
        db.close()
    for row_id in missing:
        _bad(f"{kind} #{row_id}", "not in the catalog")
    if missing:
        sys.exit(USER_ERROR)


def _import(ctx: click.Context, kind: Kind, file: str) -> None:
    from crawler.api import works as audited
    from detectors.base import DetectorError

    path = Path(file)
    db = _database(ctx)
    try:
        with db.writing() as session:
            report = audited.import_file(session, _principal(), path, kind)
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


@click.group()
def works() -> None:
    """The protected works (titles, aliases, year, owner) the title detector matches."""


@click.group()
def channels() -> None:
    """The protected (pay-TV) channels the title detector matches in playlists and pages."""


KINDS: tuple[tuple[click.Group, Kind], ...] = ((works, "work"), (channels, "channel"))
for _group, _kind in KINDS:

    def _make(kind: Kind) -> list[click.Command]:
        label = "title" if kind == "work" else "name"

        @click.command("list", help=f"Every {kind}: id, {label}, owner, spellings, last change.")
        @click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
        @click.option("--search", default=None, help=f"Only those whose {label} contains this.")
        @click.pass_context
        def list_(ctx: click.Context, as_json: bool, search: str | None) -> None:
            _list(ctx, kind, as_json, search)

        @click.command("remove", help=f"Remove the {PLURAL[kind]} ID... (ids from list).")
        @click.argument("ids", nargs=-1, required=True, type=ROW_ID)
        @click.pass_context
        def remove(ctx: click.Context, ids: tuple[int, ...]) -> None:
            _remove(ctx, kind, ids)

        @click.command("import", help=f"Add the {PLURAL[kind]} of a YAML FILE (the format of "
                       f"config/catalog/{PLURAL[kind]}.yaml); one of the same {label} (and year) "
                       "is updated to the file's fields.")  # fmt: skip
        @click.argument("file", type=click.Path(dir_okay=False))
        @click.pass_context
        def import_(ctx: click.Context, file: str) -> None:
            _import(ctx, kind, file)

        return [list_, remove, import_]

    for _command in _make(_kind):
        _group.add_command(_command)


@works.command("add")
@click.argument("title")
@click.option("--year", type=RANGE_YEAR, default=None)
@click.option("--kind", default="movie", show_default=True, help="movie, series, ...")
@click.option("--owner", default="", help="The rights holder.")
@click.option("--alias", "aliases", multiple=True, help="Another spelling (repeatable).")
@click.option("--original-title", "originals", multiple=True, help="Original-language title.")
@click.option("--ambiguous", is_flag=True, help="Also an ordinary word: match only with its year.")
@click.pass_context
def add_work(
    ctx: click.Context, title: str, year: int | None, kind: Kind, owner: str,
    aliases: tuple[str, ...], originals: tuple[str, ...], ambiguous: bool,
) -> None:  # fmt: skip
    """Add the work TITLE."""
    from crawler.registry.works import WorkIn

    work = _validated(WorkIn, f"work {title!r}", title=title, year=year, kind=kind, owner=owner,
                      aliases=list(aliases), original_titles=list(originals),
                      ambiguous=ambiguous)  # fmt: skip
    _add(ctx, "work", work)


@channels.command("add")
@click.argument("name")
@click.option("--owner", default="", help="The channel's owner.")
@click.option("--alias", "aliases", multiple=True, help="How playlists spell it (repeatable).")
@click.pass_context
def add_channel(ctx: click.Context, name: str, owner: str, aliases: tuple[str, ...]) -> None:
    """Add the channel NAME."""
    from crawler.registry.channels import ChannelIn

    channel = _validated(ChannelIn, f"channel {name!r}", name=name, owner=owner,
                         aliases=list(aliases))  # fmt: skip
    _add(ctx, "channel", channel)
