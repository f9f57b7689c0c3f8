"""Dynamic DASH trees (manifest -> init and media segments) for portals whose own player
streams MPEG-DASH next to HLS."""

from __future__ import annotations

import re

from ..media import DASH_TYPE, LADDER, MP4_TYPE, dash_mpd, mp4_segment
from ..model import Resource
from ..origin import Route
from .hls import Lookup, media_route

_RENDITIONS = {d for *_, d in LADDER[:2]} | {"audio"}


def dash_route(prefix: str, lookup: Lookup, lang: str = "en") -> Route:
    """Serve ``{prefix}/{id}/manifest.mpd`` and its segments; ``lookup(id)`` gives
    (minutes, live) or None."""
    pattern = re.compile(re.escape(prefix) + r"/([A-Za-z0-9_-]+)/(?:(manifest)\.mpd|"
                         r"(\w+)/(?:(init)\.mp4|seg-(\d{1,6})\.m4s))$")

    def serve(m: re.Match[str], minutes: int, live: bool) -> Resource | None:
        if m.group(2):
            return Resource(DASH_TYPE, dash_mpd(minutes, live=live, lang=lang).encode())
        if m.group(3) not in _RENDITIONS:
            return None
        if m.group(5) is not None and not 1 <= int(m.group(5)) <= max(1, minutes * 15):
            return None
        return Resource(MP4_TYPE, mp4_segment(m.string, init=bool(m.group(4))))

    return media_route(pattern, lookup, serve)
