"""``isop catalog add|import|match`` and ``isop eval-images``: the reference image catalog
(``list`` and ``remove`` are in :mod:`crawler.cli_catalog_manage`).

An image that cannot be used (missing, unreadable, not an image, below the quality floor) prints
one line on stderr naming it and the cause; the other images are still processed, and the exit
status is 2.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from crawler.cli import _config, err_console, fail
from detectors.base import DetectorError
from detectors.catalog.service import ImageCatalog
from detectors.catalog.settings import KINDS, CatalogSettings, parse_settings
from detectors.image.evaluate import EvalReport
from detectors.image.hashing import ImageRejected, ImageUnreadable

USER_ERROR = 2
DETECTOR = "image_phash"


def _settings(ctx: click.Context) -> CatalogSettings:
    from detectors.config import load_config

    path = _config(ctx).detectors_path
    try:
        return parse_settings(load_config(path).settings_for(DETECTOR))
    except DetectorError as exc:
        fail(f"detector config {path}: {exc}")


def _catalog(ctx: click.Context) -> ImageCatalog:
    settings = _settings(ctx)
    directory = Path(settings.catalog_dir) if settings.catalog_dir else None
    directory = directory or _config(ctx).data_dir / "catalog"
    try:
        return ImageCatalog(settings, directory)
    except DetectorError as exc:
        fail(str(exc))


def _bad(what: str, cause: str) -> None:
    err_console.print(f"[bold red]isop:[/] {escape(what)}: {escape(cause)}", soft_wrap=True)


def _note(what: str, message: str) -> None:
    err_console.print(f"[yellow]isop:[/] {escape(what)}: {escape(message)}", soft_wrap=True)


def _warn_line(message: str) -> None:
    err_console.print(f"[yellow]isop:[/] {escape(message)}", soft_wrap=True)


def _read(path: str) -> bytes | None:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        _bad(path, f"cannot read ({exc.strerror or exc})")
        return None


def _readable(images: tuple[str, ...], failures: list[str]) -> Iterator[tuple[str, bytes]]:
    """Each IMAGE's path and bytes; one that cannot be read is said and noted in FAILURES."""
    for image in images:
        data = _read(image)
        if data is None:
            failures.append(image)
        else:
            yield image, data


@click.group()
def catalog() -> None:
    """The reference catalog of protected images (posters, stills, channel logos)."""


@catalog.command("add")
@click.option("--work", required=True, help="Title of the protected work the images belong to.")
@click.option("--kind", type=click.Choice(KINDS), default="poster", show_default=True)
@click.option("--catalog", "name", default=None, help="Catalog name (thresholds per catalog).")
@click.argument("images", nargs=-1, required=True)
@click.pass_context
def add(
    ctx: click.Context, work: str, kind: str, name: str | None, images: tuple[str, ...]
) -> None:
    """Hash IMAGE... and add them as references of WORK."""
    if not work.strip():
        fail("--work: the title is empty")
    images_catalog = _catalog(ctx)
    failures: list[str] = []
    try:
        for image, data in _readable(images, failures):
            try:
                ref, new = images_catalog.add(data, work, kind, image, name)
            except ImageRejected as exc:
                _bad(image, str(exc))
                failures.append(image)
                continue
            state = "added" if new else "already in the catalog as"
            click.echo(f"{state} #{ref} {work!r} ({kind}): {image}")
    finally:
        images_catalog.close()
    if failures:
        sys.exit(USER_ERROR)


@catalog.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.pass_context
def import_(ctx: click.Context, file: str) -> None:
    """Add the references listed in a CSV FILE (columns work, image[, kind, catalog]).

    Relative image paths start at the CSV file's folder.
    """
    path = Path(file)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"{file}: cannot read ({getattr(exc, 'strerror', None) or exc})")
    rows = list(csv.DictReader(text.splitlines()))
    missing = {"work", "image"} - set(rows[0] if rows else ())
    if missing:
        fail(f"{file}: needs a header with columns work and image (missing {sorted(missing)})")
    images_catalog = _catalog(ctx)
    failed, added, known = False, 0, 0
    try:
        for number, row in enumerate(rows, start=2):
            where = f"{file} line {number}"
            work, image = (row.get("work") or "").strip(), (row.get("image") or "").strip()
            kind = (row.get("kind") or "poster").strip()
            if not work or not image or kind not in KINDS:
                _bad(where, f"needs a work, an image and a kind in {KINDS}")
                failed = True
                continue
            image_path = Path(image) if Path(image).is_absolute() else path.parent / image
            data = _read(str(image_path))
            if data is None:
                failed = True
                continue
            try:
                _, new = images_catalog.add(data, work, kind, image, row.get("catalog") or None)
            except ImageRejected as exc:
                _bad(f"{where} ({image})", str(exc))
                failed = True
                continue
            added, known = added + new, known + (not new)
    finally:
        images_catalog.close()
    click.echo(f"imported {added} new references ({known} already known) from {file}")
    if failed:
        sys.exit(USER_ERROR)


@catalog.command("match")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per image per line.")
@click.argument("images", nargs=-1, required=True)
@click.pass_context
def match(ctx: click.Context, as_json: bool, images: tuple[str, ...]) -> None:
    """Which protected work does each IMAGE copy?"""
    images_catalog = _catalog(ctx)
    failures: list[str] = []
    try:
        for image, data in _readable(images, failures):
            try:
                found = images_catalog.match(data)
            except ImageUnreadable as exc:
                _bad(image, str(exc))
                failures.append(image)
                continue
            except ImageRejected as exc:  # below the quality floor: never matched
                _note(image, f"not matched: {exc}")
                found = None
            result = found.to_json() if found else None
            if as_json:
                click.echo(json.dumps({"image": image, "match": result}, ensure_ascii=False))
            elif found is None:
                click.echo(f"{image}: no match")
            else:
                click.echo(
                    f"{image}: {found.reference.work!r} ({found.reference.kind}, reference "
                    f"{found.reference.source}, pHash distance {found.phash_distance}, "
                    f"dHash {found.dhash_distance})"
                )
    finally:
        images_catalog.close()
    if failures:
        sys.exit(USER_ERROR)


@click.command("eval-images")
@click.argument("folder", type=click.Path(file_okay=False))
@click.option(
    "--max-false-rate",
    type=click.FloatRange(0, 1),
    default=0.001,
    show_default=True,
    help="False-match rate (per query and distractor) the working point may reach.",
)
@click.option("--seed", type=int, default=1, show_default=True, help="Seed of the transforms.")
@click.option("--json", "as_json", is_flag=True, help="The report as one JSON object.")
@click.pass_context
def eval_images(ctx: click.Context, folder: str, max_false_rate: float, seed: int,
                as_json: bool) -> None:  # fmt: skip
    """Recall per pirate transform (crop, letterbox, overlay...) of the images in FOLDER."""
    from detectors.image.evaluate import evaluate, find_images

    root = Path(folder)
    if not root.is_dir():
        fail(f"{folder}: not a folder")
    if not find_images(root):
        fail(f"{folder}: no image files (.jpg, .png, .gif, .webp...) in it")
    report = evaluate(root, _settings(ctx), max_false_rate, seed, warn=_warn_line)
    if as_json:
        click.echo(json.dumps(report.to_json(), sort_keys=True))
    else:
        report_table(report)
    if report.unreadable:
        sys.exit(USER_ERROR)


def _pct(value: float) -> str:
    return f"{100 * value:.1f} %"


def report_table(report: EvalReport) -> None:
    """Print the robustness table and how it was measured."""
    console = Console()
    cp, cd = report.configured
    wp, wd = report.working
    table = Table(
        title=f"Recall per transform, {len(report.images)} originals: at the configured "
        f"threshold {cp}/{cd} (pHash/dHash), at the working point {wp}/{wd}, at each "
        "transform's best"
    )
    for column in ("transform", "goal", f"recall {cp}/{cd}", "false", f"recall {wp}/{wd}",
                   "false", "best p/d", "recall"):  # fmt: skip
        table.add_column(column, justify="left" if column == "transform" else "right")
    for row in report.rows:
        conf, work, best = row["configured"], row["working"], row["best"]
        table.add_row(
            row["transform"],
            "yes" if row["goal"] else "-",
            _pct(conf["recall"]),
            _pct(conf["false_match_rate"]),
            _pct(work["recall"]),
            _pct(work["false_match_rate"]),
            f"{best['phash']}/{best['dhash']}",
            _pct(best["recall"]),
        )
    console.print(table)
    console.print(
        f"working point (pHash/dHash): {wp}/{wd}, the best lowest goal recall with every "
        f"false-match rate <= {_pct(report.max_false_rate)} (per query and distractor)"
    )
    merged = [group for group in report.groups if len(group) > 1]
    if merged:
        console.print(
            "originals merged as one picture: " + "; ".join(" = ".join(g) for g in merged)
        )
    if report.skipped:
        console.print(f"skipped {len(report.skipped)} unusable image(s) (listed on stderr)")


def register(cli: click.Group) -> None:
    """Add the catalog commands to the ``isop`` group."""
    cli.add_command(catalog)
    cli.add_command(eval_images)


# The group's management commands live in their own module (it imports this one's helpers).
from crawler.cli_catalog_manage import list_, remove  # noqa: E402

catalog.add_command(list_)
catalog.add_command(remove)
