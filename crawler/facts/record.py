"""Typed items -> registry observations: what was seen, where, under which natural key.

One observation is one thing a site shows (a release, a playlist, a panel line, an HLS
stream...), keyed so that seeing it again updates the row instead of adding one:

=========  ====================================================  ==========================
kind       natural key                                           attributed to
=========  ====================================================  ==========================
listing    ``btih:<infohash>``, else the .torrent URL, the       the index that lists it
           locker file, the release name
torrent    ``btih:<infohash>``                                   the index serving it
player     the page URL                                          the page's site
hls, dash  ``hls:``/``dash:<host><path>`` (query tokens change)  the site that pointed to it
playlist   the (redacted) playlist URL                           its site
panel      ``panel:<base>#<credential hash>``                    the site that leaked it
portal     the portal URL                                        the site that advertised it
guide      the (redacted) guide URL                              its site
shop       the page URL                                          the shop
=========  ====================================================  ==========================

"Attributed to" is the registered domain of ``found_on`` when the item has one (an HLS
manifest on a CDN is observed on the streaming site that embedded it), else the item's own.
``facts`` is a compact JSON object: counts and the first few values, never a whole playlist.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from crawler.domains import registered_domain
from crawler.items import (
    DashItem,
    GuideItem,
    HlsItem,
    ListingItem,
    PanelItem,
    PlayerItem,
    PlaylistItem,
    PortalItem,
    ShopItem,
    TorrentItem,
)

TOP = 5  # values kept per list in the facts
MAX_KEY = 200  # longer natural keys are stored as their SHA-256
MAX_TEXT = 300

KIND_OF = {ListingItem: "listing", TorrentItem: "torrent", PlayerItem: "player", HlsItem: "hls",
           DashItem: "dash", PlaylistItem: "playlist", PanelItem: "panel", PortalItem: "portal",
           GuideItem: "guide", ShopItem: "shop"}  # fmt: skip
OBSERVATION_KINDS = tuple(KIND_OF.values())


class FactsError(ValueError):
    """A typed item whose fields are missing or unusable (counted, skipped)."""


@dataclass(frozen=True)
class Observation:
    """One registry row of ``observations`` (see :mod:`crawler.registry.observations`)."""

    domain: str
    kind: str
    key: str
    url: str
    seen_at: datetime
    facts: dict[str, Any]
    score: float | None = None
    infringing: bool = False


def observe(item: Any) -> Observation:
    """The observation of a typed item (``FactsError`` when it has no usable identity)."""
    kind = KIND_OF.get(type(item))
    if kind is None:
        raise FactsError(f"not a typed item: {type(item).__name__}")
    try:
        url, seen_at = item.url, item.fetched_at
        if not isinstance(url, str) or not url or not isinstance(seen_at, datetime):
            raise FactsError(f"{kind} item without a url or fetched_at")
        if seen_at.tzinfo is None:
            raise FactsError(f"{kind} item with a naive fetched_at")
        key, facts = _BUILDERS[kind](item)
        found_on = getattr(item, "found_on", None)
        domain = registered_domain(found_on) if isinstance(found_on, str) and found_on else ""
        domain = domain or (item.domain if isinstance(item.domain, str) else "")
        if not domain:
            raise FactsError(f"{kind} item {url[:100]!r} without a registered domain")
    except (AttributeError, TypeError, KeyError, IndexError) as exc:
        raise FactsError(f"{kind} item with a missing or malformed field: {exc}") from exc
    if not key:
        raise FactsError(f"{kind} item {url[:100]!r} has nothing to key it by")
    if len(key) > MAX_KEY:
        key = "sha256:" + hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()
    verdict = getattr(item, "verdict", None)
    score = verdict.score if verdict is not None else None
    infringing = bool(verdict.infringing) if verdict is not None else False
    if verdict is not None:
        facts["signals"] = sorted({s.qualified_name for s in verdict.signals})
    probed = getattr(item, "probed", None)  # stream liveness (crawler.safety.liveness)
    if probed is not None:
        facts["probed"] = {"probed": _count(probed.probed), "alive": _count(probed.alive)}
    return Observation(domain, kind, key, _cut(url, 4000), seen_at, facts, score, infringing)


# -- per kind: (natural key, compact facts) ----------------------------------------------------


def _listing(item: ListingItem) -> tuple[str, dict[str, Any]]:
    listing = item.listing
    hashes = list(dict.fromkeys(_str(m.infohash) for m in listing.magnets if m.infohash))
    release = listing.release
    facts: dict[str, Any] = {
        "title": _cut(_str(listing.title)),
        "infohashes": hashes[:TOP],
        "torrent_urls": [_cut(_str(u)) for u in listing.torrent_urls[:TOP]],
        "lockers": [f"{_str(lk.host)}/{_str(lk.file_id)}" for lk in listing.lockers[:TOP]],
        "size": _count(listing.size),
        "seeders": _count(listing.seeders),
        "leechers": _count(listing.leechers),
    }
    if release is not None:
        facts["release"] = {
            "title": _cut(_str(release.title)), "year": _count(release.year),
            "season": _count(release.season), "episode": _count(release.episode),
            "quality": _str(release.quality), "group": _str(release.group),
        }  # fmt: skip
    if hashes:
        key = f"btih:{hashes[0]}"
    elif listing.torrent_urls:
        key = f"torrent:{listing.torrent_urls[0]}"
    elif listing.lockers:
        key = f"locker:{facts['lockers'][0]}"
    else:
        key = f"release:{' '.join(_str(listing.title).lower().split())}"
    return key, facts


def _torrent(item: TorrentItem) -> tuple[str, dict[str, Any]]:
    t = item.torrent
    facts = {
        "infohash": _str(t.infohash), "name": _cut(_str(t.name)), "size": _count(t.size),
        "file_count": _count(t.file_count), "files": [_cut(_str(p)) for p, _ in t.files[:TOP]],
        "trackers": [_cut(_str(u)) for u in t.trackers[:TOP]], "private": bool(t.private),
    }  # fmt: skip
    return f"btih:{t.infohash}" if t.infohash else "", facts


def _player(item: PlayerItem) -> tuple[str, dict[str, Any]]:
    p = item.player
    facts = {"title": _cut(_str(p.title)),
             "embed_hosts": _distinct(e.host for e in p.embeds),
             "source_hosts": _distinct(s.host for s in p.sources),
             "source_kinds": _distinct(s.kind for s in p.sources),
             "servers": len(p.servers), "server_hosts": _distinct(s.host for s in p.servers),
             "posters": len(p.posters), "acestream": len(p.acestream),
             "schedule": [_cut(_str(e.title)) for e in p.schedule[:TOP]]}  # fmt: skip
    return f"page:{item.url}", facts


def _hls(item: HlsItem) -> tuple[str, dict[str, Any]]:
    m = item.manifest
    parts = urlsplit(item.url)
    facts = {"host": parts.hostname or "", "master": bool(m.is_master),
             "variants": len(m.variants),
             "resolutions": _distinct(v.resolution for v in m.variants if v.resolution),
             "segments": _count(m.segment_count), "segment_hosts": _distinct(m.segment_hosts),
             "live": bool(m.live), "encrypted": bool(m.encrypted),
             "key_hosts": _distinct(m.key_hosts), "found_on": item.found_on}  # fmt: skip
    return f"hls:{parts.netloc}{parts.path}", facts


def _dash(item: DashItem) -> tuple[str, dict[str, Any]]:
    m = item.manifest
    parts = urlsplit(item.url)
    facts = {"host": parts.hostname or "", "live": bool(m.live),
             "adaptation_sets": len(m.adaptation_sets), "max_resolution": _str(m.max_resolution),
             "segment_hosts": _distinct(m.segment_hosts), "drm": _distinct(m.drm_systems),
             "licensed_drm": bool(m.licensed_drm), "found_on": item.found_on}  # fmt: skip
    return f"dash:{parts.netloc}{parts.path}", facts


def _playlist(item: PlaylistItem) -> tuple[str, dict[str, Any]]:
    p = item.playlist
    facts = {"channels": len(p.channels), "groups": len(p.groups),
             "names": [_cut(_str(c.name)) for c in p.channels[:TOP]],
             "stream_hosts": _distinct(p.stream_hosts), "panels": _distinct(p.panels),
             "credentials": len(p.credentials),
             "epg_urls": [_cut(_str(u)) for u in p.epg_urls[:TOP]],
             "truncated": bool(p.truncated)}  # fmt: skip
    return f"playlist:{item.url}", facts


def _panel(item: PanelItem) -> tuple[str, dict[str, Any]]:
    account = item.account
    user = dict(account.user_info) if account is not None else {}
    server = dict(account.server_info) if account is not None else {}
    facts = {"base": _cut(_str(item.url)), "credential": _str(item.credential),
             "authenticated": bool(account.authenticated) if account is not None else None,
             "status": _cut(str(user.get("status", ""))),
             "max_connections": _cut(str(user.get("max_connections", ""))),
             "server": _cut(str(server.get("url", ""))),
             "categories": len(item.live_categories),
             "category_names": [_cut(_str(c.name)) for c in item.live_categories[:TOP]],
             "found_on": item.found_on}  # fmt: skip
    return f"panel:{item.url}#{item.credential}", facts


def _portal(item: PortalItem) -> tuple[str, dict[str, Any]]:
    return f"portal:{item.url}", {"found_on": _str(item.found_on)}


def _guide(item: GuideItem) -> tuple[str, dict[str, Any]]:
    g = item.guide
    facts = {"channels": len(g.channels), "programmes": _count(g.programme_count),
             "names": [_cut(_str(c.names[0])) for c in g.channels[:TOP] if c.names],
             "generator": _cut(_str(g.generator))}  # fmt: skip
    return f"guide:{item.url}", facts


def _shop(item: ShopItem) -> tuple[str, dict[str, Any]]:
    s = item.shop
    facts = {"plans": len(s.plans), "channel_count": _count(s.channel_count),
             "vod_count": _count(s.vod_count), "devices": _distinct(s.devices),
             "contacts": _distinct(s.contacts)}  # fmt: skip
    return f"page:{item.url}", facts


_BUILDERS: dict[str, Any] = {"listing": _listing, "torrent": _torrent, "player": _player,
                             "hls": _hls, "dash": _dash, "playlist": _playlist, "panel": _panel,
                             "portal": _portal, "guide": _guide, "shop": _shop}  # fmt: skip


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return value


def _cut(text: str, limit: int = MAX_TEXT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _count(value: Any) -> int | float | None:
    """A number for JSON (None when absent; NaN/inf and non-numbers refused)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"expected a number, got {type(value).__name__}")
    if isinstance(value, float) and not math.isfinite(value):
        raise TypeError("expected a finite number")
    return value


def _distinct(values: Any) -> list[str]:
    return [_cut(_str(v)) for v in dict.fromkeys(values)][:TOP]
