"""Plain data types of the sandbox web: ground truth, catalog and served resources.

Kept free of behaviour so that tests, detectors and benchmarks can import them cheaply.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

KINDS = ("index", "streaming", "iptv")
ROLES = ("primary", "former", "mirror", "dead")
LANGS = ("en", "fr", "es", "pt", "id", "ko")


@dataclass(frozen=True)
class TruthEntry:
    """What one registered domain of the sandbox really is: the label detectors are judged on."""

    domain: str
    infringing: bool
    kind: str | None
    site: str
    role: str
    live: bool
    lang: str

    def to_json(self) -> dict[str, object]:
        """The stable JSON shape printed by ``isop sandbox truth --json``."""
        return {
            "domain": self.domain,
            "infringing": self.infringing,
            "kind": self.kind,
            "site": self.site,
            "role": self.role,
            "live": self.live,
            "lang": self.lang,
        }


def slugify(text: str) -> str:
    """ASCII slug, the way WordPress-like sites build URLs from titles."""
    norm = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", norm.lower()).strip("-") or "item"


@dataclass(frozen=True)
class Work:
    """A film or series that pirate sites carry (and legitimate sites review or license)."""

    id: str
    title: str
    original_title: str
    year: int
    aliases: tuple[str, ...]
    kind: str  # "movie" | "series" | "anime"
    lang: str  # original language (ISO 639-1)
    genres: tuple[str, ...]
    runtime: int  # minutes (per episode for series)
    seasons: int = 0
    localized: tuple[tuple[str, str], ...] = ()  # (lang, title) as sites in that language say it

    @property
    def slug(self) -> str:
        """URL slug of the English title."""
        return slugify(self.title)

    def names(self) -> tuple[str, ...]:
        """Every name the work is known by: title, original title, aliases."""
        out = [self.title]
        for name in (self.original_title, *self.aliases):
            if name not in out:
                out.append(name)
        return tuple(out)

    def local_title(self, lang: str) -> str:
        """The title a site in ``lang`` would show (alias in that language, else English)."""
        return dict(self.localized).get(lang, self.title)


@dataclass(frozen=True)
class Channel:
    """A premium TV channel whose rights owner is the victim of IPTV piracy."""

    id: str
    name: str
    aliases: tuple[str, ...]
    owner: str
    country: str
    category: str  # "sports" | "movies" | "entertainment" | "news" | "kids"

    @property
    def slug(self) -> str:
        """Slug used for logo file names."""
        return slugify(self.name)


@dataclass(frozen=True)
class Catalog:
    """Works and premium channels carried by the sandbox's pirate sites."""

    works: tuple[Work, ...]
    channels: tuple[Channel, ...]

    def work(self, work_id: str) -> Work:
        """Look a work up by id."""
        for work in self.works:
            if work.id == work_id:
                return work
        raise KeyError(work_id)

    def channel(self, channel_id: str) -> Channel:
        """Look a channel up by id."""
        for channel in self.channels:
            if channel.id == channel_id:
                return channel
        raise KeyError(channel_id)

    def to_json(self) -> dict[str, list[dict[str, object]]]:
        """Plain JSON form (``isop sandbox catalog``), e.g. to seed a title detector's config."""
        return {
            "works": [{"id": w.id, "title": w.title, "original_title": w.original_title,
                       "year": w.year, "aliases": list(w.aliases), "kind": w.kind,
                       "lang": w.lang} for w in self.works],
            "channels": [{"id": c.id, "name": c.name, "aliases": list(c.aliases),
                          "owner": c.owner, "country": c.country, "category": c.category}
                         for c in self.channels],
        }


Producer = Callable[[], bytes]
Streamer = Callable[[], Iterator[bytes]]


@dataclass
class Resource:
    """One thing an origin serves at a path; images are produced lazily and cached."""

    content_type: str
    body: bytes | Producer
    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    _cache: bytes | None = field(default=None, repr=False, compare=False)
    # A live stream: ``body`` is its first chunk (what fetch() gives), then the proxy keeps
    # sending what this yields until the client hangs up
    stream: Streamer | None = field(default=None, repr=False, compare=False)

    def data(self) -> bytes:
        """The body bytes, produced on first use."""
        if isinstance(self.body, bytes):
            return self.body
        if self._cache is None:
            self._cache = self.body()
        return self._cache


@dataclass(frozen=True)
class Response:
    """What the proxy sends back for one request (already resolved to an origin or an error)."""

    status: int
    content_type: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()
    delay: float = 0.0  # seconds the origin (or the proxy timing out) takes before answering
    stream: Streamer | None = field(default=None, repr=False, compare=False)  # see Resource
