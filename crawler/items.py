"""Typed items that flow from spiders to detectors to the registry.

Scrapy handles dataclass items natively (itemadapter), so these stay plain dataclasses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from crawler.extract.dash import DashManifest
from crawler.extract.hls import HlsManifest
from crawler.extract.listing import Listing
from crawler.extract.players import PlayerPage
from crawler.extract.playlist import PlaylistInfo
from crawler.extract.shop import ShopFacts
from crawler.extract.torrent import TorrentInfo
from crawler.extract.xmltv import Guide
from crawler.extract.xtream import Category, PanelAccount
from crawler.safety.liveness import ProbeSummary

if TYPE_CHECKING:
    from detectors.base import Verdict

#: What a fetched document is, as detectors see it.
PAGE_KINDS = ("html", "playlist", "panel", "other")


@dataclass
class PageItem:
    """One fetched document and what is known about how it was reached."""

    url: str
    domain: str  # registered domain of the final URL
    status: int
    content_type: str
    kind: str  # one of PAGE_KINDS
    body: bytes
    fetched_at: datetime
    redirect_chain: list[str] = field(default_factory=list)  # URLs before the final one
    # Why each hop of redirect_chain was left: HTTP status (301, 302, 307, 308) or
    # "meta refresh" (Scrapy's response.meta["redirect_reasons"]); for linking proofs.
    redirect_reasons: list[int | str] = field(default_factory=list)
    referer: str | None = None
    site_hops: int = 0  # cross-site links followed from a seed
    verdict: Verdict | None = None
    # How it was fetched (headers, address, protocol), for evidence: crawler.evidence.capture
    capture: dict[str, Any] | None = None

    @property
    def redirect_domains(self) -> list[str]:
        """Registered domains of the redirect chain other than the final one, in order."""
        from crawler.domains import registered_domain

        seen: list[str] = []
        for url in self.redirect_chain:
            dom = registered_domain(url)
            if dom and dom != self.domain and dom not in seen:
                seen.append(dom)
        return seen


# -- typed evidence of the per-kind spiders (index, streaming, iptv) -------------------------
# Each item names the page it came from (``url``, ``domain``) and when; the facts themselves
# are the frozen dataclasses of :mod:`crawler.extract`, so a detector or an export reads the
# same fields the parsers produce. URLs that carried IPTV credentials are redacted
# (:mod:`crawler.safety.credentials`); ``credential`` fields hold the salted hash.
# :mod:`crawler.pipelines.facts` judges listings, torrents, playlists, panels, guides and DASH
# manifests with the detectors of their content kind (``verdict``, as on a page) and stores
# every typed item as a registry observation (:mod:`crawler.facts.record` names each one's
# natural key).


@dataclass
class ListingItem:
    """One release listed by a torrent/magnet index or a DDL site (index spider)."""

    url: str  # the page that lists it
    domain: str  # registered domain of ``url``
    fetched_at: datetime
    listing: Listing  # title, parsed release, magnets, .torrent links, lockers, size, peers
    verdict: Verdict | None = None  # set by crawler.pipelines.facts (kind "listing")


@dataclass
class TorrentItem:
    """A .torrent file fetched from an index: its infohash, name, size, files, trackers."""

    url: str
    domain: str
    fetched_at: datetime
    torrent: TorrentInfo
    verdict: Verdict | None = None  # set by crawler.pipelines.facts (kind "listing")


@dataclass
class PlayerItem:
    """A page embedding players: iframes, sources, server lists, posters, schedule
    (streaming spider). Posters and thumbnails are collected for perceptual hashing."""

    url: str
    domain: str
    fetched_at: datetime
    player: PlayerPage


@dataclass
class HlsItem:
    """An HLS manifest: variants, segment hosts, live or VOD (segments are never fetched)."""

    url: str
    domain: str
    fetched_at: datetime
    found_on: str | None  # the page or master playlist that pointed to it
    manifest: HlsManifest
    # Liveness probe of a few segments (crawler.safety.liveness); None: not probed
    probed: ProbeSummary | None = None


@dataclass
class DashItem:
    """An MPEG-DASH manifest: adaptation sets, renditions, segment hosts, live or static,
    DRM systems (segments are never fetched).

    ``manifest.licensed_drm`` (Widevine, PlayReady, FairPlay...) is counter-evidence for the
    detectors: licensed services protect their streams with a licence server, restreams of
    pirated content almost never do (ClearKey does not count: its keys are in the clear)."""

    url: str  # redacted
    domain: str
    fetched_at: datetime
    found_on: str | None  # the page that pointed to it
    manifest: DashManifest
    probed: ProbeSummary | None = None
    verdict: Verdict | None = None  # set by crawler.pipelines.facts (kind "playlist": dash_drm)


@dataclass
class PlaylistItem:
    """An M3U/M3U8 channel list (iptv spider); channel names and logos kept for matching."""

    url: str  # redacted
    domain: str
    fetched_at: datetime
    playlist: PlaylistInfo
    # Liveness probe of a sample of its streams: "live streams behind this list"; None: not
    # probed (probing off, or no engine, as in offline replays)
    probed: ProbeSummary | None = None
    verdict: Verdict | None = None  # set by crawler.pipelines.facts (kind "playlist")


@dataclass
class PanelItem:
    """An Xtream-Codes panel seen through one line: account and server facts, categories."""

    url: str  # the panel's base URL, 'http://host:port'
    domain: str
    fetched_at: datetime
    credential: str  # salted hash of the line used
    account: PanelAccount | None
    live_categories: tuple[Category, ...] = ()
    found_on: str | None = None  # redacted URL of the page or playlist that leaked the line
    verdict: Verdict | None = None  # set by crawler.pipelines.facts (kind "panel")


@dataclass
class PortalItem:
    """A Stalker (MAG) portal URL advertised by a shop or list."""

    url: str  # the portal URL ('http://host:port/c/')
    domain: str  # registered domain of the portal
    fetched_at: datetime
    found_on: str


@dataclass
class GuideItem:
    """An XMLTV guide: channels (ids, names, logos) and programme counts."""

    url: str  # redacted
    domain: str
    fetched_at: datetime
    guide: Guide
    verdict: Verdict | None = None  # set by crawler.pipelines.facts (kind "listing")


@dataclass
class ShopItem:
    """A reseller page: plans, prices, advertised channel/VOD counts, devices, contacts."""

    url: str
    domain: str
    fetched_at: datetime
    shop: ShopFacts


#: Why an image was fetched: what it is on the page that showed it.
IMAGE_ROLES = ("poster", "thumbnail", "logo", "favicon")


@dataclass
class ImageItem:
    """An image shown by a page (poster, thumbnail, channel logo) or a site's favicon.

    It goes to the ``image_phash`` detector (a catalog match becomes evidence on the site of
    ``page_url``) and, for favicons, to the linking features. ``body`` is kept only until
    hashing: the image pipeline empties it (``sha256`` stays) unless the image matched.
    """

    url: str
    domain: str  # registered domain of the site whose page showed it (not of the image host)
    page_url: str  # the page it was found on (the site's home for a /favicon.ico guess)
    role: str  # one of IMAGE_ROLES
    content_type: str
    sha256: str
    body: bytes
    fetched_at: datetime
    verdict: Verdict | None = None
    # How it was fetched (headers, address, status, redirects), kept for the WARC capture of
    # a catalog match (crawler.evidence.images); None for items built without a response.
    capture: dict[str, Any] | None = None
