"""Dynamic HLS trees (master -> rendition playlists -> MPEG-TS segments) for any server
that streams: video hosts, portals with their own player, IPTV panels."""

from __future__ import annotations

import re
from collections.abc import Callable

from ..media import HLS_TYPE, LADDER, TS_TYPE, hls_master, hls_media, ts_segment
from ..model import Resource
from ..origin import Route

_RUNGS = {d for *_, d in LADDER}
LIVE_WINDOW = 6
LIVE_SEQUENCE = 185_220


Lookup = Callable[[str], tuple[int, bool] | None]
Serve = Callable[["re.Match[str]", int, bool], Resource | None]


def media_route(pattern: re.Pattern[str], lookup: Lookup, serve: Serve) -> Route:
    """A route for a media tree whose paths ``pattern`` matches with the item id as group 1:
    unknown paths and ids answer None; otherwise ``serve(match, minutes, live)`` answers.
    Shared by the HLS and DASH trees so that both look items up the same way."""

    def route(path: str, query: dict[str, list[str]]) -> Resource | None:
        m = pattern.match(path)
        if not m:
            return None
        found = lookup(m.group(1))
        if found is None:
            return None
        return serve(m, *found)

    return route


def hls_route(prefix: str, lookup: Lookup) -> Route:
    """Serve ``{prefix}/{id}/master.m3u8`` etc.; ``lookup(id)`` gives (minutes, live) or None."""
    pattern = re.compile(re.escape(prefix) + r"/([A-Za-z0-9_-]+)/(?:(master)\.m3u8|"
                         r"(\d+p)/index\.m3u8|(\d+p)/seg-(\d+)\.ts)$")

    def serve(m: re.Match[str], minutes: int, live: bool) -> Resource | None:
        if m.group(2):
            return Resource(HLS_TYPE, hls_master().encode())
        rung = m.group(3) or m.group(4)
        if rung not in _RUNGS:
            return None
        total = max(1, minutes * 10)
        if m.group(3):
            if live:
                body = hls_media(LIVE_WINDOW, live=True, sequence=LIVE_SEQUENCE)
            else:
                body = hls_media(total)
            return Resource(HLS_TYPE, body.encode())
        n = int(m.group(5))
        ok = (LIVE_SEQUENCE <= n < LIVE_SEQUENCE + LIVE_WINDOW) if live else n < total
        if not ok:
            return None
        return Resource(TS_TYPE, ts_segment(f"{m.group(1)}/{rung}/{n}"))

    return media_route(pattern, lookup, serve)
