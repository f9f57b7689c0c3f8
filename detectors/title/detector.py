"""Title and channel matching: does this page, playlist or listing name protected content?

Where names come from, per content kind:

- **html**: release names (link texts, magnet ``dn=`` and ``.torrent`` names the heuristic
  facts already hold), the page title and headings split at their separators, and the
  running text scanned for the exact spelling of non-ambiguous works;
- **playlist**: each entry's display name, cleaned of country prefixes and quality tags;
- **listing** (a .torrent's names, an XMLTV guide, a text list): one name per line.

Naming a protected work is weak evidence by itself (a review names films too), so it is
generic and light; a *release* of a protected work is index evidence; protected pay-TV
channels in a list are IPTV evidence. Weights and thresholds are in ``config/heuristic/title.yaml``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from detectors.base import Content, Detector, Example, Signal
from detectors.counted import SignalSetting, counted_signal
from detectors.heuristic.html_facts import page_facts, text_content
from detectors.heuristic.m3u import playlist_of
from detectors.registry import REGISTRY
from detectors.title import examples
from detectors.title.catalog import (
    Match,
    NameIndex,
    channels_index,
    load_channels,
    load_works,
    normalize,
    normalized_words,
    works_index,
)
from detectors.title.live import LiveWorks, WorksSource
from detectors.title.release import describe, parse_release, release_candidates, split_release

_VIDEO_EXTENSION = re.compile(r"\.(?:mkv|mp4|avi|m4v|ts|wmv|iso)$", re.IGNORECASE)
_HEADLINE_SPLIT = re.compile(r"\s+[-|\u2013\u2014:\u00b7\u2022]\s+|\s*[|\u2013\u2014]\s*")
_PAREN_YEAR = re.compile(r"\s*[(\[]\s*((?:19|20)\d{2})\s*[)\]]")
_CHANNEL_PREFIX = re.compile(r"^\s*(?:[\[|(]\s*[A-Za-z]{2,3}\s*[\]|)]|[A-Za-z]{2,3}\s*[:|-])\s*")
_CHANNEL_SUFFIX = frozenset(
    {"fhd", "hd", "sd", "uhd", "4k", "hevc", "h265", "h264", "50fps", "60fps", "backup",
     "vip", "raw", "hq", "lq", "multi", "mutli", "ppv"}
)  # fmt: skip


class TitleSettings(BaseModel):
    """The ``title_match`` detector's settings (``config/heuristic/title.yaml``)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    works: str = "catalog/works.yaml"
    channels: str = "catalog/channels.yaml"
    config_dir: str = ""
    min_ratio: float = Field(default=90.0, ge=50.0, le=100.0)
    min_fuzzy_chars: int = Field(default=10, ge=1)
    max_candidates: int = Field(default=600, ge=1)
    max_release_parses: int = Field(default=6, ge=0)
    max_playlist_entries: int = Field(default=50_000, ge=1)
    max_scan_words: int = Field(default=20_000, ge=0)
    signals: dict[str, SignalSetting]


def _path(name: str, config_dir: str) -> Path:
    path = Path(name)
    if path.is_absolute() or not config_dir:
        return path
    return Path(config_dir) / path


def _headline_pieces(text: str) -> tuple[tuple[str, int | None], ...]:
    """Pieces of a title or heading with the "(2023)" year they carry, if any.

    Remembered per text up to 500 characters (a site's pages repeat their title and
    headings; a hostile page's one-megabyte heading is not kept).
    """
    return _cached_pieces(text) if len(text) <= 500 else _split_headline(text)


@lru_cache(maxsize=8192)
def _cached_pieces(text: str) -> tuple[tuple[str, int | None], ...]:
    return _split_headline(text)


def _split_headline(text: str) -> tuple[tuple[str, int | None], ...]:
    pieces = []
    for piece in _HEADLINE_SPLIT.split(text):
        year_match = _PAREN_YEAR.search(piece)
        year = int(year_match.group(1)) if year_match else None
        piece = _PAREN_YEAR.sub(" ", piece).strip()
        if 0 < len(piece) <= 120:
            pieces.append((piece, year))
    return tuple(pieces)


def channel_name(raw: str) -> str:
    """A playlist entry's name without "UK:" prefixes and "FHD"/"HEVC" suffixes."""
    name = _CHANNEL_PREFIX.sub("", raw, count=1) or raw
    words = normalize(name).split()
    while len(words) > 1 and words[-1] in _CHANNEL_SUFFIX:
        words.pop()
    return " ".join(words)


class Found:
    """Distinct catalog hits of one kind, with the strings that named them."""

    def __init__(self) -> None:
        self.hits: dict[str, str] = {}

    def add(self, label: str, evidence: str) -> None:
        self.hits.setdefault(label, evidence)

    def __len__(self) -> int:
        return len(self.hits)


@REGISTRY.register
class TitleDetector(Detector):
    """Protected works and channels named by a page, playlist or listing."""

    applies_to: ClassVar[frozenset[str]] = frozenset({"html", "playlist", "listing"})

    def __init__(self, config: Mapping[str, Any]) -> None:
        super().__init__(config)
        self.settings = TitleSettings.model_validate(dict(config))
        self.limits: Mapping[str, Any] = config.get("limits") or {}
        ratio, short = self.settings.min_ratio, self.settings.min_fuzzy_chars
        self.works: NameIndex = load_works(self.works_file, ratio, short)
        self.channels: NameIndex = load_channels(self.channels_file, ratio, short)
        self.live: LiveWorks | None = None

    @property
    def works_file(self) -> Path:
        """The YAML file of works: read when no source is attached, and the registry's seed."""
        return _path(self.settings.works, self.settings.config_dir)

    @property
    def channels_file(self) -> Path:
        """The YAML file of channels: read when no source has them, and the registry's seed."""
        return _path(self.settings.channels, self.settings.config_dir)

    def attach_works(
        self, source: WorksSource, check_every: float, background: bool = False
    ) -> None:
        """Match the works (and channels) of ``source`` from now on, re-reading them when its
        version moves (checked at most every ``check_every`` seconds, in a thread of its own
        with ``background``).  Errors of the first read propagate."""
        ratio, short = self.settings.min_ratio, self.settings.min_fuzzy_chars
        self.live = LiveWorks(source, lambda works: works_index(works, ratio, short),
                              lambda channels: channels_index(channels, ratio, short),
                              check_every, background=background)  # fmt: skip
        self._use_live()

    def _use_live(self) -> None:
        if self.live is not None:
            self.works = self.live.current()
            if self.live.channels is not None:
                self.channels = self.live.channels

    @classmethod
    def get_name(cls) -> str:
        return "title_match"

    @classmethod
    def get_examples(cls) -> list[Example]:
        return examples.EXAMPLES

    def detect(self, content: Content) -> list[Signal]:
        self._use_live()
        releases, titles, channels, scene = Found(), Found(), Found(), Found()
        budget = [self.settings.max_release_parses]
        if content.kind == "html":
            self._html(content, releases, titles, channels, budget)
        elif content.kind == "playlist":
            self._lines(self._playlist_names(content), releases, titles, channels, None, budget)
        else:
            lines = content.decoded_text().splitlines()[: self.settings.max_candidates * 8]
            self._lines(lines, releases, titles, channels, scene, budget)
        found = {"protected_release": releases, "protected_titles": titles,
                 "protected_channels": channels, "scene_release": scene}  # fmt: skip
        if content.kind != "listing":
            found.pop("scene_release")  # pages: page_structure.release_names covers this
        return [signal for name, hits in found.items() if (signal := self._signal(name, hits))]

    # -- sources -----------------------------------------------------------------------------

    def _html(
        self, content: Content, releases: Found, titles: Found, channels: Found, budget: list[int]
    ) -> None:
        limits = self.limits
        facts = page_facts(
            content, int(limits.get("max_text_chars", 400_000)),
            int(limits.get("max_elements", 50_000)),
        )  # fmt: skip
        cap = self.settings.max_candidates
        seen: set[str] = set()
        for index in release_candidates(facts.folded_segments, facts.joined_segments):
            if len(seen) >= cap:
                break
            segment = facts.segments[index]
            if segment not in seen:
                seen.add(segment)
                self._release(segment, releases, budget)
        headlines = [facts.title]
        if facts.root is not None:
            for node in facts.headings:  # root.iter("h1", "h2", "h3"), found by the text walk
                headlines.append(text_content(node))
                if len(headlines) > 60:
                    break
        for headline in headlines:
            for piece, year in _headline_pieces(headline):
                self._title(self.works.lookup(piece, year), year, piece, titles)
        scanned = facts.folded[: self.settings.max_scan_words * 8]
        # The page's words are already split (same split as normalize's) unless "&" ("and").
        if len(scanned) == len(facts.folded) and "&" not in scanned:
            words = facts.words
        else:
            words = normalized_words(scanned)
        for index, entry in self.works.scan(words[: self.settings.max_scan_words]):
            after = words[index : index + len(entry.key.split()) + 3]
            year = entry.year if entry.year is not None and str(entry.year) in after else None
            if not entry.ambiguous or year is not None:
                titles.add(entry.label, f"{entry.describe()} in the text")
        for _, entry in self.channels.scan(words[: self.settings.max_scan_words]):
            channels.add(entry.label, f"{entry.describe()} in the text")

    def _playlist_names(self, content: Content) -> list[str]:
        # Same memo key as playlist_iptv: the playlist is parsed once per content.
        playlist = playlist_of(content, self.settings.max_playlist_entries)
        if playlist.is_hls:
            return []
        return [entry.name for entry in playlist.entries]

    def _lines(
        self, lines: Iterable[str], releases: Found, titles: Found, channels: Found,
        scene: Found | None, budget: list[int],
    ) -> None:  # fmt: skip
        for raw in lines:
            line = raw.strip()
            if not line or len(line) > 300:
                continue
            key = channel_name(line)  # first: "CANAL+ SPORT HEVC" is a channel, not a release
            match = self.channels.lookup(key) if key else None
            if match is not None:
                channels.add(match.entry.label, f"{match.entry.describe()} as {line!r}")
                continue
            if self._release(line, releases, budget):
                line = _VIDEO_EXTENSION.sub("", line)  # a torrent's name and its one file
                if scene is not None and len(scene) < 8 and line not in scene.hits:
                    parsed = parse_release(line) if budget[0] > 0 else {}
                    budget[0] -= 1
                    scene.add(line, f"{line!r}" + (f" ({describe(parsed)})" if parsed else ""))
                continue
            for piece, year in _headline_pieces(line):
                self._title(self.works.lookup(piece, year), year, piece, titles)

    # -- matching ----------------------------------------------------------------------------

    def _release(self, text: str, releases: Found, budget: list[int]) -> bool:
        """Record a release of a protected work; True when ``text`` is a release name at all."""
        release = split_release(text)
        if release is None:
            return False
        match = self.works.lookup(release.title, release.year) if release.title else None
        if match is None:
            return True
        entry = match.entry
        parsed: dict[str, Any] = {}
        if budget[0] > 0:
            budget[0] -= 1
            parsed = parse_release(text)
            year = parsed.get("year")
            if isinstance(year, int) and entry.year is not None and abs(year - entry.year) > 1:
                return True  # guessit reads another year: a same-named work
        note = f" ({describe(parsed)})" if parsed else ""
        releases.add(entry.label, f"{entry.describe()} in release {text!r}{note}"
                     f" (match {match.score:.0f})")  # fmt: skip
        return True

    @staticmethod
    def _title(match: Match | None, year: int | None, text: str, titles: Found) -> None:
        if match is None:
            return
        entry = match.entry
        if entry.ambiguous and year is None:
            return  # "Barbie" alone is a doll, "Elite" a word: only with the year
        titles.add(entry.label, f"{entry.describe()} as {text!r} (match {match.score:.0f})")

    def _signal(self, name: str, found: Found) -> Signal | None:
        hits = list(found.hits.values())
        return counted_signal(self, name, self.settings.signals.get(name), hits, self.limits)
