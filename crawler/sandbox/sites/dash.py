"""Dynamic DASH trees (manifest -> init and media segments) for portals whose own player
streams MPEG-DASH next to HLS."""

from __future__ import annotations

import re
from collections.abc import Callable

from ..media import DASH_TYPE, LADDER, MP4_TYPE, dash_mpd, mp4_segment
from ..model import Resource
from ..origin import Route

_RENDITIONS = {d for *_, d in LADDER[:2]} | {"audio"}


def dash_route(prefix: str, lookup: Callable[[str], tuple[int, bool] | None],
               lang: str = "en") -> Route:  # fmt: skip
    """Serve ``{prefix}/{id}/manifest.mpd`` and its segments; ``lookup(id)`` gives
    (minutes, live) or None."""
    pattern = re.compile(re.escape(prefix) + r"/([A-Za-z0-9_-]+)/(?:(manifest)\.mpd|"
                         r"(\w+)/(?:(init)\.mp4|seg-(\d{1,6})\.m4s))$")

    def route(path: str, query: dict[str, list[str]]) -> Resource | None:
        m = pattern.match(path)
        if not m:
            return None
        found = lookup(m.group(1))
        if found is None:
            return None
        minutes, live = found
        if m.group(2):
            return Resource(DASH_TYPE, dash_mpd(minutes, live=live, lang=lang).encode())
        if m.group(3) not in _RENDITIONS:
            return None
        if m.group(5) is not None and not 1 <= int(m.group(5)) <= max(1, minutes * 15):
            return None
        return Resource(MP4_TYPE, mp4_segment(path, init=bool(m.group(4))))

    return route
