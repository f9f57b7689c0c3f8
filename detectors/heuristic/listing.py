"""Heuristic detector for what an index lists about one release: infohashes, .torrent and
cyberlocker links.

An index page is judged as a whole by the page detectors; the index spider also cuts it into
releases (:class:`crawler.items.ListingItem`), each judged on its own so that the registry
knows *which* releases of a site are pirated. Those facts are already parsed, so they reach
this detector typed (``Content.meta["listing"]``, a :class:`ListingFacts`), not as text.
Names (release, torrent and file names) are the ``listing`` text, one a line, for the title
matcher. Being a torrent is no piracy (Linux ISOs are torrents): these signals are light and
only a protected work or a scene release on top of them makes a flag. Weights:
``config/heuristic/listing.yaml``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from detectors.base import Content, Detector, Example, Signal
from detectors.counted import SignalSetting, counted_signal
from detectors.registry import REGISTRY


@dataclass(frozen=True)
class ListingFacts:
    """The links of one listed release (or one .torrent), as the crawler parsed them."""

    infohashes: tuple[str, ...] = ()  # lower-case hex v1 infohashes (magnets, .torrent files)
    torrent_urls: tuple[str, ...] = ()
    locker_hosts: tuple[str, ...] = ()  # cyberlocker hosts of the release's download links
    trackers: tuple[str, ...] = ()


class ListingSettings(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    signals: dict[str, SignalSetting]


@REGISTRY.register
class ListingLinksDetector(Detector):
    """Magnet infohashes, .torrent links and cyberlocker links of one listed release."""

    applies_to: ClassVar[frozenset[str]] = frozenset({"listing"})

    def __init__(self, config: Mapping[str, Any]) -> None:
        super().__init__(config)
        self.settings = ListingSettings.model_validate(dict(config))
        self.limits: Mapping[str, Any] = config.get("limits") or {}

    @classmethod
    def get_name(cls) -> str:
        return "listing_links"

    def detect(self, content: Content) -> list[Signal]:
        facts = content.meta.get("listing")
        if not isinstance(facts, ListingFacts):
            return []  # a listing read from a file (a guide, a .torrent): names only
        found = {
            "infohash": facts.infohashes,
            "torrent_link": facts.torrent_urls,
            "cyberlocker": tuple(dict.fromkeys(facts.locker_hosts)),
        }
        return [signal for name, hits in found.items() if (signal := self._signal(name, hits))]

    def _signal(self, name: str, hits: tuple[str, ...]) -> Signal | None:
        return counted_signal(self, name, self.settings.signals.get(name), hits, self.limits)

    @classmethod
    def get_examples(cls) -> list[Example]:
        magnet = ListingFacts(infohashes=("c12fe1c06bba254a9dc9f519b335aa7c1367a88a",))
        locker = ListingFacts(locker_hosts=("rapidgator.net", "nitroflare.com"))
        release = "Iron.Meridian.2024.1080p.WEB-DL.x264-HDKRAKEN"
        return [
            Example(Content("http://idx.example/", "listing", b"", text=release,
                            meta={"listing": magnet}), True, "a release with its magnet"),
            Example(Content("http://ddl.example/", "listing", b"", text=release,
                            meta={"listing": locker}), True, "a release on cyberlockers"),
            Example(Content("http://idx.example/", "listing", b"", text=release,
                            meta={"listing": ListingFacts()}), False, "a name and no link"),
            Example(Content("http://guide.example/", "listing", b"", text="BBC One\nBBC Two"),
                    False, "a guide's channel names: no listing facts"),
        ]  # fmt: skip
