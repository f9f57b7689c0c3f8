"""Typed items -> detector contents: the facts the spiders parsed, handed over as they are.

Which detectors see an item is the content kind (``config/detectors.yaml`` maps detectors to
kinds), so each item becomes a content of one kind:

======================  =========  =====================================================
item                    kind       what the detectors read
======================  =========  =====================================================
ListingItem             listing    names (release, magnet ``dn``) one a line for
                                   ``title_match``; infohashes, .torrent and locker links
                                   as :class:`~detectors.heuristic.listing.ListingFacts`
TorrentItem             listing    the torrent's name and file names; its infohash,
                                   trackers
PlaylistItem            playlist   the channels as a parsed :class:`~detectors.heuristic.
                                   m3u.Playlist` (``meta["m3u"]``): no M3U text rebuilt
PanelItem               panel      the ``player_api.php`` answer's ``user_info`` and
                                   ``server_info`` as parsed JSON (``meta["json"]``)
GuideItem               listing    the guide's channel names, one a line
DashItem                playlist   the manifest's DRM systems and liveness as
                                   :class:`~detectors.heuristic.dash.DashFacts`
                                   (``meta["dash"]``): licensed DRM is counter-evidence
======================  =========  =====================================================

Player, HLS, portal and shop items have no content of their own: the page that carried them
is judged as a page, and they are stored as observations only. Nothing here reads a body.
"""

from __future__ import annotations

from typing import Any

from crawler.items import DashItem, GuideItem, ListingItem, PanelItem, PlaylistItem, TorrentItem
from detectors.base import Content
from detectors.heuristic.dash import DashFacts
from detectors.heuristic.listing import ListingFacts
from detectors.heuristic.m3u import Entry, Playlist

#: Names per content at most (a torrent of 10,000 files, a guide of 5,000 channels).
MAX_NAMES = 2000

JUDGED = (ListingItem, TorrentItem, PlaylistItem, PanelItem, GuideItem, DashItem)


def content_for(item: Any) -> Content | None:
    """The detector content of a typed item; None for items that are not judged alone.

    Raises ``TypeError``/``AttributeError``/``ValueError`` on an item whose fields are missing
    or of the wrong type: the pipeline counts those and skips the item.
    """
    if isinstance(item, ListingItem):
        return _listing(item)
    if isinstance(item, TorrentItem):
        return _torrent(item)
    if isinstance(item, PlaylistItem):
        return _playlist(item)
    if isinstance(item, PanelItem):
        return _panel(item)
    if isinstance(item, GuideItem):
        names = [name for channel in item.guide.channels for name in channel.names[:1]]
        return Content(_text(item.url), "listing", b"", text=_lines(names))
    if isinstance(item, DashItem):
        return _dash(item)
    return None


def _dash(item: DashItem) -> Content:
    manifest = item.manifest
    facts = DashFacts(drm_systems=tuple(_text(s) for s in manifest.drm_systems),
                      live=bool(manifest.live),
                      segment_hosts=tuple(_text(h) for h in manifest.segment_hosts))  # fmt: skip
    return Content(_text(item.url), "playlist", b"", text="", meta={"dash": facts})


def _listing(item: ListingItem) -> Content:
    listing = item.listing
    names = [listing.title, *(m.name for m in listing.magnets)]
    facts = ListingFacts(
        infohashes=tuple(dict.fromkeys(_text(m.infohash) for m in listing.magnets)),
        torrent_urls=tuple(_text(url) for url in listing.torrent_urls),
        locker_hosts=tuple(_text(link.host) for link in listing.lockers),
        trackers=tuple(dict.fromkeys(t for m in listing.magnets for t in m.trackers)),
    )
    return Content(_text(item.url), "listing", b"", text=_lines(names), meta={"listing": facts})


def _torrent(item: TorrentItem) -> Content:
    torrent = item.torrent
    names = [torrent.name, *(path.rsplit("/", 1)[-1] for path, _ in torrent.files)]
    facts = ListingFacts(infohashes=(_text(torrent.infohash),), torrent_urls=(_text(item.url),),
                         trackers=tuple(torrent.trackers))  # fmt: skip
    return Content(_text(item.url), "listing", b"", text=_lines(names), meta={"listing": facts})


def _playlist(item: PlaylistItem) -> Content:
    info = item.playlist
    entries = []
    for channel in info.channels[:50_000]:
        attrs = {"tvg-id": channel.tvg_id, "tvg-name": channel.tvg_name,
                 "tvg-logo": channel.logo, "group-title": channel.group}  # fmt: skip
        if channel.catchup:
            attrs["catchup"] = channel.catchup
        entries.append(Entry(name=_text(channel.name), group=_text(channel.group),
                             url=_text(channel.stream_url),
                             attrs={k: _text(v) for k, v in attrs.items() if v}))  # fmt: skip
    playlist = Playlist(entries=tuple(entries), header=dict(info.header), is_m3u=True,
                        is_hls=bool(info.is_hls), truncated=bool(info.truncated))  # fmt: skip
    return Content(_text(item.url), "playlist", b"", text="", meta={"m3u": playlist})


def _panel(item: PanelItem) -> Content | None:
    account = item.account
    answer: dict[str, Any] = {}
    if account is not None:
        answer["user_info"] = {str(k): v for k, v in dict(account.user_info).items()}
        answer["server_info"] = {str(k): v for k, v in dict(account.server_info).items()}
    if not answer:
        return None  # no answer read: nothing to judge
    return Content(_text(item.url), "panel", b"", text="", meta={"json": answer})


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return value


def _lines(names: list[str]) -> str:
    """Distinct non-empty names, one a line (newlines inside a name would split it)."""
    clean = (" ".join(_text(name).split()) for name in names[:MAX_NAMES])
    return "\n".join(dict.fromkeys(name for name in clean if name))
