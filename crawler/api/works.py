"""The protected works (titles the ``title_match`` detector looks for), edited through the API.

The works are config data: the YAML file the title detector's settings name (by default
``config/catalog/works.yaml``), which analysts also edit by hand.  An API edit rewrites that
same file, so there is one source of truth: the header comments are kept, each work is one
flow-style line (the file's own layout), the result is read back with the detector's own
loader before it replaces the old file (atomically, under a lock), and a file the process may
not write (a read-only config mount) is a clear 503.  Crawl processes read the works when
their detectors load, so an edit takes effect at their next start.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

TITLE_DETECTOR = "title_match"


class WorksUnavailable(Exception):
    """The works file cannot be read or written (the message names it and why)."""


def works_path(detectors_config: str) -> Path:
    """The works file the title detector reads under this detectors config."""
    from detectors.config import load_config
    from detectors.title.detector import TitleSettings, _path

    title = TitleSettings.model_validate(
        load_config(Path(detectors_config)).settings_for(TITLE_DETECTOR)
    )
    return _path(title.works, title.config_dir)


def read_works(path: Path) -> list[dict[str, Any]]:
    """Every work of the file, validated as the title detector validates it."""
    from detectors.base import DetectorError
    from detectors.title.catalog import WorkSpec, _specs

    try:
        return [w.model_dump() for w in _specs(path, "works", WorkSpec)]
    except DetectorError as exc:
        raise WorksUnavailable(str(exc)) from None


def _same(work: dict[str, Any], title: str, year: int | None) -> bool:
    return bool(work["title"].casefold() == title.casefold() and work.get("year") == year)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    lock = path.with_name(f".{path.name}.lock")
    try:
        handle = os.open(lock, os.O_CREAT | os.O_RDWR, 0o644)
    except OSError as exc:
        raise WorksUnavailable(f"{path}: cannot be changed ({exc.strerror or exc})") from None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)


def _layout(path: Path, works: list[dict[str, Any]]) -> str:
    """The file's header comments, then one flow-style line per work (empty fields left out)."""
    text = path.read_text(encoding="utf-8")
    header = []
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            break
        header.append(line)
    data = yaml.safe_load(text) or {}
    lines = [*header, f"version: {data.get('version', 1)}", "works:"]
    for work in works:
        kept = {k: v for k, v in work.items() if v not in ([], "", None, False) or k == "title"}
        flow = yaml.safe_dump(kept, default_flow_style=True, allow_unicode=True, sort_keys=False,
                              width=1_000_000).strip()  # fmt: skip
        lines.append(f"  - {flow}")
    return "\n".join(lines) + "\n"


def change_works(path: Path, edit: Callable[[list[dict[str, Any]]], list[dict[str, Any]]]) -> None:
    """Read, ``edit``, check with the detector's loader, then atomically replace the file
    (left untouched when the edit changes nothing)."""
    from detectors.base import DetectorError
    from detectors.title.catalog import load_works

    with _locked(path):
        works = read_works(path)
        edited = edit(list(works))
        if edited == works:
            return  # nothing to change: the file stays as its authors wrote it
        text = _layout(path, edited)
        try:
            handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        except OSError as exc:
            raise WorksUnavailable(f"{path}: cannot be changed ({exc.strerror or exc})") from None
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
            try:
                load_works(Path(tmp))  # what the detector will read: never a file it rejects
            except DetectorError as exc:
                raise WorksUnavailable(f"{path}: the edit would break it ({exc})") from None
            os.chmod(tmp, path.stat().st_mode & 0o777)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)


def add_work(path: Path, work: dict[str, Any]) -> bool:
    """Add ``work``; False when a work of that title and year is already listed."""
    added = False

    def edit(works: list[dict[str, Any]]) -> list[dict[str, Any]]:
        nonlocal added
        if any(_same(w, work["title"], work.get("year")) for w in works):
            return works
        added = True
        return [*works, work]

    change_works(path, edit)
    return added


def remove_work(path: Path, title: str, year: int | None) -> dict[str, Any] | None:
    """Remove the work of that title (case-insensitively) and year; it, or None if absent."""
    removed: list[dict[str, Any]] = []

    def edit(works: list[dict[str, Any]]) -> list[dict[str, Any]]:
        removed.extend(w for w in works if _same(w, title, year))
        return [w for w in works if not _same(w, title, year)]

    change_works(path, edit)
    return removed[0] if removed else None
