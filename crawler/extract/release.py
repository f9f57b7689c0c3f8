"""Scene/P2P release names ('Midnight.Courier.2023.2160p.WEB-DL.HDR.DDP5.1.Atmos.x265-GROUP')
parsed into title, year, season, episode, quality, source, codecs and release group.

guessit does the parsing; here it is bounded (length, cache) and never raises. A cheap
pre-check decides whether a string looks like a release name at all, so page text and
link labels are not all sent through guessit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from detectors.title.release import parse_release as guess

MAX_NAME = 300
_MARKERS = re.compile(
    r"(?i)(?:^|[._ \-\[(])(?:(?:19|20)\d{2}|s\d{1,2}(?:e\d{1,3})?|\d{3,4}p|4k|uhd|web-?dl|"
    r"web-?rip|web|blu-?ray|bdrip|brrip|hdtv|dvdrip|x26[45]|h\.?26[45]|hevc|xvid|complete)"
    r"(?=$|[._ \-\])])"
)
_GROUP = re.compile(r"-[A-Za-z0-9][\w]{1,20}(?:\.[a-z0-9]{2,4})?$|\[[\w .-]{2,20}\]$")
_EXTENSIONS = (".mkv", ".mp4", ".avi", ".ts", ".m4v", ".torrent", ".rar", ".zip")


@dataclass(frozen=True)
class Release:
    """A release name and what it says. Fields guessit cannot tell are None or ''."""

    name: str  # the name as written (file extension removed)
    title: str  # the work's title ('Midnight Courier')
    year: int | None
    season: int | None
    episode: int | None
    quality: str  # screen size: 720p, 1080p, 2160p...
    source: str  # Web, Blu-ray, HDTV...
    video_codec: str
    audio_codec: str
    group: str  # release group ('HDKRAKEN')
    kind: str  # "movie" | "episode" (guessit's type)


def strip_extension(name: str) -> str:
    """'X.mkv' -> 'X' (only video/archive/torrent extensions)."""
    low = name.lower()
    for ext in _EXTENSIONS:
        if low.endswith(ext):
            return name[: -len(ext)]
    return name


def looks_like_release(text: str) -> bool:
    """A dotted/underscored name with at least two release markers, or one and a group."""
    name = strip_extension(text.strip())
    if not 8 <= len(name) <= MAX_NAME or (name.count(" ") > 2 and "." not in name):
        return False
    if name.count(".") + name.count("_") < 2 and " " in name:
        return False
    markers = len(_MARKERS.findall(name))
    return markers >= 2 or (markers >= 1 and bool(_GROUP.search(name)))


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def _int(value: Any) -> int | None:
    value = _first(value)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _str(value: Any) -> str:
    value = _first(value)
    return str(value) if value is not None and not isinstance(value, list) else ""


_SCENE_TAIL = re.compile(r"-([A-Za-z0-9]{2,32})$")


def _group(name: str, guessed: str) -> str:
    """guessit's release group, whole again when it read the group's tail as a tag.

    Scene names end in ``-GROUP``; guessit takes a tail that spells a tag ("DD" in "Jdddd",
    Dolby Digital) out of the group and keeps only its head.  A group that is a proper head
    of the last ``-token`` is that token.
    """
    tail = _SCENE_TAIL.search(name)
    if tail and guessed and tail.group(1) != guessed and tail.group(1).startswith(guessed):
        return tail.group(1)
    return guessed


@lru_cache(maxsize=8192)
def parse_release(name: str) -> Release | None:
    """The parsed release; None for an empty name or one guessit cannot read."""
    name = strip_extension(name.strip())[:MAX_NAME]
    if not name:
        return None
    # The title detector's cached guessit reading: the facts pipeline judges this very name
    # again (crawler.pipelines.facts), and guessit costs ~8 ms a name.
    facts = guess(name)
    if not facts:  # guessit raised (odd input: a name is data) or read nothing
        return None
    return Release(
        name=name,
        title=_str(facts.get("title")),
        year=_int(facts.get("year")),
        season=_int(facts.get("season")),
        episode=_int(facts.get("episode")),
        quality=_str(facts.get("screen_size")),
        source=_str(facts.get("source")),
        video_codec=_str(facts.get("video_codec")),
        audio_codec=_str(facts.get("audio_codec")),
        group=_group(name, _str(facts.get("release_group"))),
        kind=_str(facts.get("type")),
    )
