"""Shared media identities: video ids on the video hosts, and the day's live matches.

Streaming portals embed videos from the video hosts and sport sites restream the same
matches; both sides derive ids from here, so an embed URL on a portal resolves on the host.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from .. import rand
from ..media import NOW
from ..model import Catalog, Work, slugify
from ..sportdata import FIXTURES

VIDEO_HOSTS = ("vidstreamz", "embedflix")
EPISODES = 3  # episodes of season 1 that the portals carry


def work_key(work: Work, episode: int | None = None) -> str:
    """Video key of a film (or one episode of a series)."""
    return work.id if episode is None else f"{work.id}:e{episode}"


def video_id(seed: int, host_site: str, key: str) -> str:
    """A host's file id for a video key (12 alphanumerics, like real hosts)."""
    return rand.alnum(seed, "video", host_site, key, n=12, upper=True)


@dataclass(frozen=True)
class Match:
    """A live fixture restreamed by sport sites."""

    slug: str
    league: str
    home: str
    away: str
    kickoff: datetime
    channel: str  # catalog channel id of the rights holder broadcasting it

    @property
    def key(self) -> str:
        """Video key of the match's live stream."""
        return f"match:{self.slug}"


def matches(seed: int) -> list[Match]:
    """Today's and tomorrow's fixtures (seeded pairings, real league names)."""
    out = []
    for day in (0, 1):
        r = rand.rng(seed, "fixtures", day)
        for league, teams, channel in FIXTURES:
            pool = list(teams)
            r.shuffle(pool)
            for i in range(0, 4, 2):
                home, away = pool[i], pool[i + 1]
                kick = (NOW + timedelta(days=day)).replace(hour=r.choice((13, 15, 17, 19, 20, 21)),
                                                            minute=r.choice((0, 30, 45)))
                slug = f"{slugify(home)}-vs-{slugify(away)}-{kick:%Y-%m-%d}"
                out.append(Match(slug, league, home, away, kick, channel))
    out.sort(key=lambda m: (m.kickoff, m.slug))
    return out


def all_video_keys(seed: int, catalog: Catalog) -> list[str]:
    """Every key a video host can serve: films, first episodes, channels and matches."""
    keys: list[str] = []
    for w in catalog.works:
        if w.kind == "movie":
            keys.append(work_key(w))
        else:
            keys.extend(work_key(w, e) for e in range(1, EPISODES + 1))
    keys.extend(f"ch:{c.id}" for c in catalog.channels)
    keys.extend(m.key for m in matches(seed))
    return keys


# Per-host URL shapes: real video hosts differ in how they spell embed and file pages.
PATTERNS: dict[str, dict[str, str]] = {
    "vidstreamz": {"embed": "/e/{id}", "download": "/d/{id}", "hls": "/hls/{id}/master.m3u8",
                   "thumb": "/thumb/{id}.jpg"},
    "embedflix": {"embed": "/embed-{id}.html", "download": "/f/{id}",
                  "hls": "/stream/{id}/master.m3u8", "thumb": "/i/{id}/poster.jpg"},
}


def host_url(seed: int, host_site: str, host_domain: str, key: str, what: str) -> str:
    """Absolute URL of a video key on a host: ``what`` is embed, download, hls or thumb."""
    path = PATTERNS[host_site][what].format(id=video_id(seed, host_site, key))
    return f"http://{host_domain}{path}"
