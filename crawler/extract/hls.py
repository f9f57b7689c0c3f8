"""HLS manifests through the ``m3u8`` package: a master's variants, a media playlist's
segments and the hosts that serve them (CDNs and restream servers are evidence), keys, live
or VOD. Only the manifest is read; segments are never fetched (see crawler.safety)."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from urllib.parse import urljoin

import m3u8

from crawler.extract import ParseError
from crawler.extract.html import host

MAX_MANIFEST_CHARS = 4_000_000


@dataclass(frozen=True)
class Variant:
    """One rendition a master playlist offers."""

    url: str
    bandwidth: int | None
    resolution: str  # '1920x1080' or ''
    codecs: str


@dataclass(frozen=True)
class HlsManifest:
    """A parsed manifest: master (``variants``) or media (``segment_count`` and hosts)."""

    is_master: bool
    variants: tuple[Variant, ...]
    media_urls: tuple[str, ...]  # alternative audio/subtitle renditions (EXT-X-MEDIA URI)
    segment_count: int
    segment_hosts: tuple[str, ...]  # distinct hosts of the segments, in order
    target_duration: float | None
    live: bool  # media playlist without EXT-X-ENDLIST
    encrypted: bool  # an EXT-X-KEY other than NONE
    key_hosts: tuple[str, ...]


def parse_hls(text: str, url: str) -> HlsManifest:
    """Parse a manifest served at ``url``: the ``m3u8`` package first, and where it rejects
    a real-world manifest (missing BANDWIDTH, unknown attributes), a tolerant line reader.
    ParseError only if the text has no HLS tag at all."""
    text = text[:MAX_MANIFEST_CHARS].lstrip("\ufeff")
    head = text[:2048]
    start = head.find("#EXTM3U")
    if start < 0:
        if "#EXT-X-" not in head and "#EXTINF" not in head:
            raise ParseError("not an HLS manifest (no #EXTM3U)")
        start = 0
    text = text[start:]
    try:
        playlist = m3u8.loads(text, uri=url)
    except Exception:  # m3u8 raises assorted errors on real-world tags: read it by hand
        return _tolerant(text, url)
    variants = tuple(
        Variant(
            url=urljoin(url, p.uri or ""),
            bandwidth=p.stream_info.bandwidth if p.stream_info else None,
            resolution="x".join(map(str, p.stream_info.resolution))
            if p.stream_info and p.stream_info.resolution else "",
            codecs=(p.stream_info.codecs or "") if p.stream_info else "",
        )
        for p in playlist.playlists
    )
    media = tuple(urljoin(url, m.uri) for m in playlist.media if m.uri)
    hosts: dict[str, None] = {}
    for segment in playlist.segments:
        if segment.uri:
            hosts[host(urljoin(url, segment.uri))] = None
    keys = [k for k in playlist.keys if k is not None and (k.method or "NONE") != "NONE"]
    key_hosts = dict.fromkeys(host(urljoin(url, k.uri)) for k in keys if k.uri)
    return HlsManifest(
        is_master=bool(playlist.is_variant),
        variants=variants,
        media_urls=media,
        segment_count=len(playlist.segments),
        segment_hosts=tuple(h for h in hosts if h),
        target_duration=float(playlist.target_duration) if playlist.target_duration else None,
        live=not playlist.is_variant and not playlist.is_endlist,
        encrypted=bool(keys),
        key_hosts=tuple(h for h in key_hosts if h),
    )


_ATTR = re.compile(r"""([A-Z0-9-]+)=("[^"]*"|[^",]*)""")


def _attrs(line: str) -> dict[str, str]:
    return {k: v.strip('"') for k, v in _ATTR.findall(line.partition(":")[2])}


def _tolerant(text: str, url: str) -> HlsManifest:
    """Line-by-line reading of what m3u8 refused: variants, segments, keys, endlist."""
    variants: list[Variant] = []
    media: list[str] = []
    hosts: dict[str, None] = {}
    key_hosts: dict[str, None] = {}
    segments = 0
    target: float | None = None
    pending: dict[str, str] | None = None
    encrypted = endlist = False
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#EXT-X-STREAM-INF"):
            pending = _attrs(line)
        elif line.startswith("#EXT-X-MEDIA:") and (uri := _attrs(line).get("URI")):
            media.append(urljoin(url, uri))
        elif line.startswith("#EXT-X-KEY") and _attrs(line).get("METHOD", "NONE") != "NONE":
            encrypted = True
            if uri := _attrs(line).get("URI"):
                key_hosts[host(urljoin(url, uri))] = None
        elif line.startswith("#EXT-X-TARGETDURATION:"):
            with contextlib.suppress(ValueError):
                target = float(line.partition(":")[2])
        elif line.startswith("#EXT-X-ENDLIST"):
            endlist = True
        elif line and not line.startswith("#"):
            if pending is not None:
                bandwidth = pending.get("BANDWIDTH", "")
                variants.append(Variant(urljoin(url, line),
                                        int(bandwidth) if bandwidth.isdigit() else None,
                                        pending.get("RESOLUTION", ""), pending.get("CODECS", "")))
                pending = None
            else:
                segments += 1
                hosts[host(urljoin(url, line))] = None
    return HlsManifest(
        is_master=bool(variants), variants=tuple(variants), media_urls=tuple(media),
        segment_count=segments, segment_hosts=tuple(h for h in hosts if h),
        target_duration=target, live=not variants and not endlist, encrypted=encrypted,
        key_hosts=tuple(h for h in key_hosts if h),
    )
