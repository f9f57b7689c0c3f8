"""WARC bytes that no evidence row points at: orphans, noted, never called tampering.

A batch's WARC records are synced before its rows are committed; a crash (or a refused
commit) in between leaves records on disk that no row claims.  They are not evidence (no
chain covers them) and not a sign of tampering: removed rows show up in the chain and the
chain-head log, not here.  So ``verify`` lists them as notes: the captures found in each
gap between claimed byte ranges (the gzip members are split and their ``WARC-Type`` read,
no WARC parser needed), and bytes that are not whole records (a write cut short).
"""

from __future__ import annotations

import re
import zlib
from array import array
from collections import Counter
from pathlib import Path

from crawler.evidence.warc import read_range

MAX_GAP_READ = 64 * 1024 * 1024  # bytes of one gap examined; the rest is only counted
MAX_INFLATE = 1024 * 1024 * 1024  # bytes inflated per gap: a gzip bomb stops here
_TYPE = re.compile(rb"\r\nWARC-Type: *([A-Za-z]+)")


class Ranges:
    """The byte ranges rows claim, per WARC file name (16 bytes a row)."""

    def __init__(self) -> None:
        self.by_file: dict[str, array[int]] = {}

    def add(self, name: str, offset: int, length: int) -> None:
        spans = self.by_file.setdefault(Path(name).name, array("q"))
        spans.extend((offset, offset + length))


def members(data: bytes) -> tuple[Counter[str], int]:
    """The WARC record types of the whole gzip members at the start of ``data``, and how
    many bytes they take (less than ``len(data)`` when the rest is not whole members)."""
    types: Counter[str] = Counter()
    view = memoryview(data)
    at, budget = 0, MAX_INFLATE
    while at < len(data):
        inflater = zlib.decompressobj(31)
        try:
            head = inflater.decompress(view[at:], 4096)
            while not inflater.eof and inflater.unconsumed_tail and budget > 0:
                budget -= len(inflater.decompress(inflater.unconsumed_tail, 1 << 20))
        except zlib.error:
            break
        if not inflater.eof:  # cut short, not gzip, or a bomb past the budget
            break
        found = _TYPE.search(head)
        types[found[1].decode("ascii").lower() if found else "unknown"] += 1
        at = len(data) - len(inflater.unused_data)
    return types, at


def _gaps(size: int, spans: array[int] | None) -> list[tuple[int, int]]:
    claimed = sorted(zip(spans[::2], spans[1::2], strict=True)) if spans else []
    gaps, at = [], 0
    for start, end in claimed:
        if start > at:
            gaps.append((at, start))
        at = max(at, end)
    if size > at:
        gaps.append((at, size))
    return gaps


def find_orphans(evidence_dir: Path, ranges: Ranges) -> tuple[int, list[str]]:
    """How many orphan captures the WARC files of ``evidence_dir`` hold, and notes naming
    them (a warcinfo record at a file's start is expected, not an orphan)."""
    if not evidence_dir.is_dir():
        return 0, []
    orphans, notes, torn = 0, [], []
    for path in sorted(evidence_dir.glob("*.warc*")):
        if not path.name.endswith((".warc", ".warc.gz")) or not path.is_file():
            continue
        try:
            size = path.stat().st_size
            for start, end in _gaps(size, ranges.by_file.get(path.name)):
                data = read_range(path, start, min(end - start, MAX_GAP_READ))
                types, whole = members(data)
                captures = types.get("response", 0)
                if captures:
                    orphans += captures
                    notes.append(f"WARC {path.name} bytes {start}-{start + whole}: "
                                 f"{captures} orphan capture(s)")  # fmt: skip
                if start + whole < end:
                    torn.append(f"WARC {path.name}: bytes {start + whole}-{end} are not whole "
                                "WARC records (a write cut short)")  # fmt: skip
        except OSError as exc:
            notes.append(f"WARC {path.name}: unreadable for the orphan check "
                         f"({exc.strerror or exc})")  # fmt: skip
    if orphans:
        notes.insert(0, f"{orphans} orphan capture(s): WARC records no row points at, not "
                     "evidence on their own; left by a crash or a failed commit between the "
                     "WARC sync and the database commit (not tampering), or by rows removed "
                     "since (which the chain or its head log shows above)")  # fmt: skip
        del notes[6:]
    return orphans, notes + torn[:5]
