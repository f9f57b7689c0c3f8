"""``isop catalog list`` and ``isop catalog remove``: what the image catalog holds, and taking
references out of it (a rights holder withdrew a work, a wrong picture was added).

Removal takes effect for every matcher at its next use: the store's generation changes, so
the detector reloads its snapshot.  An id that is not in the catalog prints one line on stderr
naming it; the others are still removed, and the exit status is 2.
"""

from __future__ import annotations

import json
import sys

import click
from rich.console import Console
from rich.table import Table

from crawler.cli_catalog import USER_ERROR, _bad, _catalog

PAGE = 1000


@click.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per reference per line.")
@click.option("--work", default=None, help="Only works whose title contains this text.")
@click.option("--catalog", "name", default=None, help="Only this catalog.")
@click.pass_context
def list_(ctx: click.Context, as_json: bool, work: str | None, name: str | None) -> None:
    """The stored reference images: id, work, kind, catalog, source, when added."""
    images = _catalog(ctx)
    table = Table("ref", "work", "kind", "catalog", "variants", "thumbnail", "source", "added")
    count, after = 0, 0
    try:
        while page := images.references(catalog=name, work=work, after=after, limit=PAGE):
            for ref in page:
                count += 1
                if as_json:
                    row = {**ref.to_json(), "thumbnail": images.thumbnail(ref.id) is not None}
                    click.echo(json.dumps(row, ensure_ascii=False, sort_keys=True))
                else:
                    table.add_row(str(ref.id), ref.work, ref.kind, ref.catalog,
                                  str(ref.variants),
                                  "yes" if images.thumbnail(ref.id) is not None else "no",
                                  ref.source, ref.added[:19])  # fmt: skip
            after = page[-1].id
    finally:
        images.close()
    if not as_json:
        Console(highlight=False).print(table)
        click.echo(f"{count} reference(s)")


@click.command("remove")
@click.argument("refs", nargs=-1, required=True, type=click.IntRange(min=1))
@click.pass_context
def remove(ctx: click.Context, refs: tuple[int, ...]) -> None:
    """Remove the references REF... (ids from ``isop catalog list``) and their hashes."""
    images = _catalog(ctx)
    try:
        removed = set(images.remove(list(refs)))
    finally:
        images.close()
    for ref in sorted(removed):
        click.echo(f"removed #{ref}")
    missing = [ref for ref in dict.fromkeys(refs) if ref not in removed]
    for ref in missing:
        _bad(f"reference #{ref}", "not in the catalog")
    if missing:
        sys.exit(USER_ERROR)
