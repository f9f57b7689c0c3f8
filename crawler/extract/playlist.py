"""M3U/M3U8 channel lists: ``#EXTM3U`` header (``x-tvg-url``), ``#EXTINF`` channels with
``tvg-id``/``tvg-name``/``tvg-logo``/``group-title`` and catchup attributes, stream URLs.

The line reader is the detectors' forgiving one (``detectors.heuristic.m3u``), so a playlist
is read the same way for judging and for evidence. Stream URLs leave this module redacted:
Xtream lines carry the subscriber's user name and password in the path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from crawler.extract.html import host
from crawler.safety.credentials import Redactor
from detectors.heuristic.m3u import parse_m3u

MAX_HEADER_CHARS = 1_000_000
_HEADER_ATTR = re.compile(r"""([\w-]{1,60})\s*=\s*"([^"]{0,900000})\"""")
_PANEL = re.compile(r"^(https?://[^/]+)/(?:(?:live|movie|series)/)?[^/]+/[^/]+/\d+(?:\.\w+)?$")


@dataclass(frozen=True)
class ChannelEntry:
    """One channel (or VOD entry) of a playlist; names and logos are kept for matching."""

    name: str  # the display name after the comma of #EXTINF
    tvg_id: str
    tvg_name: str
    logo: str  # tvg-logo URL
    group: str  # group-title (or #EXTGRP)
    catchup: str  # catchup type: default, append, shift, flussonic, xc... ('' if none)
    catchup_days: int | None
    stream_url: str  # redacted
    stream_host: str
    credential: str  # salted hash of the line's credentials ('' if none in the URL)


@dataclass(frozen=True)
class PlaylistInfo:
    """A parsed channel list."""

    epg_urls: tuple[str, ...]  # from x-tvg-url / url-tvg (comma-separated lists split)
    header: dict[str, str]  # every #EXTM3U attribute (values cut at 2,000 characters)
    channels: tuple[ChannelEntry, ...]
    groups: tuple[str, ...]  # distinct group titles, in order
    stream_hosts: tuple[str, ...]
    panels: tuple[str, ...]  # Xtream panel base URLs seen in stream URLs
    credentials: tuple[str, ...]  # distinct credential hashes
    is_hls: bool  # an HLS video manifest, not a channel list
    truncated: bool


def _header(text: str) -> dict[str, str]:
    first = text.lstrip("\ufeff \r\n")[:MAX_HEADER_CHARS].partition("\n")[0]
    if not first.upper().startswith("#EXTM3U"):
        return {}
    return {k.lower(): v for k, v in _HEADER_ATTR.findall(first)}


def _int(value: str) -> int | None:
    value = value.strip()
    return int(value) if value.isdigit() and len(value) < 7 else None


def parse_playlist(text: str, redactor: Redactor, max_entries: int = 50_000) -> PlaylistInfo:
    """Channels and header of an M3U text (never raises; junk gives an empty list)."""
    parsed = parse_m3u(text, max_entries=max_entries)
    header = _header(text)
    epg: dict[str, None] = {}
    for key in ("x-tvg-url", "url-tvg", "tvg-url"):
        for url in header.get(key, "").split(","):
            if url.strip():
                epg[url.strip()] = None
    channels = []
    groups: dict[str, None] = {}
    hosts: dict[str, None] = {}
    panels: dict[str, None] = {}
    creds: dict[str, None] = {}
    for entry in parsed.entries:
        redacted = redactor.redact_url(entry.url)
        stream_host = host(entry.url)
        attrs = entry.attrs
        if match := _PANEL.match(entry.url):
            panels[match.group(1)] = None
        channels.append(ChannelEntry(
            name=entry.name, tvg_id=attrs.get("tvg-id", ""), tvg_name=attrs.get("tvg-name", ""),
            logo=attrs.get("tvg-logo", ""), group=entry.group,
            catchup=attrs.get("catchup", "") or attrs.get("catchup-type", ""),
            catchup_days=_int(attrs.get("catchup-days", "") or attrs.get("timeshift", "")),
            stream_url=redacted.url, stream_host=stream_host, credential=redacted.credential,
        ))  # fmt: skip
        if entry.group:
            groups[entry.group] = None
        if stream_host:
            hosts[stream_host] = None
        if redacted.credential:
            creds[redacted.credential] = None
    return PlaylistInfo(
        epg_urls=tuple(redactor.redact_url(u).url for u in epg),
        header={k: redactor.redact_text(v[:2000]) for k, v in header.items()},
        channels=tuple(channels),
        groups=tuple(groups),
        stream_hosts=tuple(hosts),
        panels=tuple(panels),
        credentials=tuple(creds),
        is_hls=parsed.is_hls,
        truncated=parsed.truncated,
    )
