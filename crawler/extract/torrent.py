"""Bencoded .torrent files: a bounded decoder and the facts an index shares (name, infohash,
size, files, trackers, comment). The infohash is the SHA-1 of the info dict's exact bytes."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from crawler.extract import ParseError

MAX_DEPTH = 64
MAX_TORRENT_BYTES = 10_000_000
_TORRENT_PATH = re.compile(r"\.torrent$|/(?:torrent/)?download/[0-9A-Fa-f]{40}$|/dl/\d+",
                           re.IGNORECASE)  # fmt: skip


class _Decoder:
    """Iterative-enough bdecode: recursion bounded by MAX_DEPTH, positions checked."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.info_span: tuple[int, int] | None = None

    def decode(self, pos: int, depth: int) -> tuple[Any, int]:
        if depth > MAX_DEPTH:
            raise ParseError("bencode nested too deeply")
        if pos >= len(self.data):
            raise ParseError("bencode truncated")
        lead = self.data[pos : pos + 1]
        if lead == b"i":
            end = self.data.find(b"e", pos)
            if end < 0 or end - pos > 40:
                raise ParseError("bad bencode integer")
            try:
                return int(self.data[pos + 1 : end]), end + 1
            except ValueError:
                raise ParseError("bad bencode integer") from None
        if lead == b"l":
            items, pos = [], pos + 1
            while self.data[pos : pos + 1] != b"e":
                item, pos = self.decode(pos, depth + 1)
                items.append(item)
            return items, pos + 1
        if lead == b"d":
            out: dict[bytes, Any] = {}
            pos += 1
            while self.data[pos : pos + 1] != b"e":
                key, pos = self.decode(pos, depth + 1)
                if not isinstance(key, bytes):
                    raise ParseError("bencode dict key is not a string")
                start = pos
                out[key], pos = self.decode(pos, depth + 1)
                if key == b"info" and depth == 0:
                    self.info_span = (start, pos)
            return out, pos + 1
        if lead.isdigit():
            colon = self.data.find(b":", pos)
            if colon < 0 or colon - pos > 12:
                raise ParseError("bad bencode string length")
            length = int(self.data[pos:colon])
            end = colon + 1 + length
            if end > len(self.data):
                raise ParseError("bencode string runs past the end")
            return self.data[colon + 1 : end], end
        raise ParseError(f"unexpected byte {lead!r} at {pos}")


def bdecode(data: bytes) -> Any:
    """Decode one bencoded value (trailing bytes are ignored, as clients do)."""
    value, _ = _Decoder(data).decode(0, 0)
    return value


@dataclass(frozen=True)
class TorrentInfo:
    """What a .torrent file says about its content."""

    infohash: str  # hex SHA-1 of the bencoded info dict
    name: str
    size: int  # total bytes of all files
    files: tuple[tuple[str, int], ...]  # (path, bytes), at most 1000 kept
    file_count: int
    trackers: tuple[str, ...]  # announce + announce-list, distinct, in order
    comment: str
    created_by: str
    private: bool


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else ""


def parse_torrent(data: bytes) -> TorrentInfo:
    """Facts of a .torrent file; :class:`ParseError` if it is not one."""
    if len(data) > MAX_TORRENT_BYTES:
        raise ParseError("torrent file too large")
    decoder = _Decoder(data)
    try:
        meta, _ = decoder.decode(0, 0)
    except (IndexError, RecursionError) as exc:
        raise ParseError(f"bencode: {exc}") from None
    if not isinstance(meta, dict) or not isinstance(meta.get(b"info"), dict):
        raise ParseError("no info dictionary")
    assert decoder.info_span is not None
    start, end = decoder.info_span
    info = meta[b"info"]
    name = _text(info.get(b"name.utf-8") or info.get(b"name"))
    files: list[tuple[str, int]] = []
    raw_files = info.get(b"files")
    if isinstance(raw_files, list):
        for entry in raw_files:
            if isinstance(entry, dict) and isinstance(entry.get(b"length"), int):
                path = entry.get(b"path.utf-8") or entry.get(b"path") or []
                parts = [_text(p) for p in path] if isinstance(path, list) else []
                files.append(("/".join(parts), entry[b"length"]))
    elif isinstance(info.get(b"length"), int):
        files.append((name, info[b"length"]))
    trackers = [_text(meta.get(b"announce"))]
    tiers = meta.get(b"announce-list")
    if isinstance(tiers, list):
        for tier in tiers:
            trackers.extend(_text(t) for t in (tier if isinstance(tier, list) else [tier]))
    return TorrentInfo(
        infohash=hashlib.sha1(data[start:end]).hexdigest(),
        name=name,
        size=sum(size for _, size in files),
        files=tuple(files[:1000]),
        file_count=len(files),
        trackers=tuple(dict.fromkeys(t for t in trackers if t)),
        comment=_text(meta.get(b"comment")),
        created_by=_text(meta.get(b"created by")),
        private=info.get(b"private") == 1,
    )


def is_torrent_url(url: str) -> bool:
    """A link to a .torrent file (by extension or the usual download paths)."""
    try:
        path = unquote(urlsplit(url).path)
    except ValueError:
        return False
    return bool(_TORRENT_PATH.search(path))
