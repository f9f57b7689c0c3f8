"""A forgiving M3U/M3U8 reader for channel lists (``#EXTINF`` + URL), capped in size.

It never raises: real playlists have attributes with commas, missing names, blank lines, BOMs,
CRLF and junk. An HLS media/master manifest (``#EXT-X-...``) is recognised as such, because a
video manifest is not a channel list and must not be judged as one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from detectors.base import Content

_ATTR = re.compile(r"""(?<![\w-])([\w-]{1,60}+)\s*+=\s*+"([^"]{0,4000}+)\"""")
_MAX_LINE = 16_384  # characters kept per line: no real channel line is longer
_HLS_TAGS = ("#EXT-X-TARGETDURATION", "#EXT-X-STREAM-INF", "#EXT-X-MEDIA-SEQUENCE")


@dataclass(frozen=True)
class Entry:
    """One channel or item: display name, group, ``tvg-*`` attributes and stream URL."""

    name: str
    group: str
    url: str
    attrs: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Playlist:
    """Parsed playlist: entries, header attributes, and what kind of M3U it is."""

    entries: tuple[Entry, ...]
    header: dict[str, str]
    is_m3u: bool
    is_hls: bool
    truncated: bool


def _extinf(line: str) -> tuple[str, dict[str, str]]:
    rest = line[len("#EXTINF:") :]
    attrs = {key.lower(): value for key, value in _ATTR.findall(rest)}
    last_attr_end = 0
    for match in _ATTR.finditer(rest):
        last_attr_end = match.end()
    _, comma, name = rest[last_attr_end:].partition(",")
    return (name.strip() if comma else ""), attrs


def parse_m3u(text: str, max_entries: int = 50_000) -> Playlist:
    """Entries of an M3U text; at most ``max_entries`` (``truncated`` says if cut)."""
    lines = text.lstrip("\ufeff").splitlines()
    first = lines[0][:_MAX_LINE].strip() if lines else ""
    header = dict(_ATTR.findall(first)) if first.upper().startswith("#EXTM3U") else {}
    is_hls = any(line.startswith(_HLS_TAGS) for line in lines[:200])
    entries: list[Entry] = []
    name, group = "", ""
    attrs: dict[str, str] = {}
    pending = False
    truncated = False
    for raw in lines:
        line = raw[:_MAX_LINE].strip()
        if not line:
            continue
        if line.startswith("#EXTINF:"):
            name, attrs = _extinf(line)
            group = attrs.get("group-title", "")
            pending = True
        elif line.startswith("#EXTGRP:"):
            group = line[len("#EXTGRP:") :].strip()
        elif line.startswith("#"):
            continue
        else:
            if len(entries) >= max_entries:
                truncated = True
                break
            if pending or "://" in line:
                entries.append(Entry(name=name, group=group, url=line, attrs=attrs))
            name, group, pending = "", "", False
            attrs = {}
    return Playlist(
        entries=tuple(entries),
        header=header,
        is_m3u=bool(header) or first.upper().startswith("#EXTM3U"),
        is_hls=is_hls,
        truncated=truncated,
    )


def playlist_of(content: Content, max_entries: int) -> Playlist:
    """The playlist of ``content``: the one a crawler item already parsed (``meta["m3u"]``,
    see :mod:`crawler.facts.content`), else the text parsed once per content and cap."""
    given = content.meta.get("m3u")
    if isinstance(given, Playlist):
        return given
    return content.memo(
        f"m3u:{max_entries}", lambda: parse_m3u(content.decoded_text(), max_entries)
    )
