"""IPTV spider: M3U/M3U8 playlists, Xtream-Codes panels, Stalker portals, XMLTV guides and
reseller shops.

* playlists (linked, or pasted in a page's ``<pre>``) become
  :class:`~crawler.items.PlaylistItem` with header, channels, groups, logos and stream hosts;
* a line (panel + credentials) seen in a playlist, a ``get.php`` link or a page is used once
  per panel to read ``player_api.php`` (account, server, live categories) into
  :class:`~crawler.items.PanelItem`, and its ``get.php?type=m3u_plus`` playlist;
* XMLTV guides (``x-tvg-url``, ``xmltv.php``, linked ``.xml``) become
  :class:`~crawler.items.GuideItem`; Stalker portal URLs become
  :class:`~crawler.items.PortalItem` (never logged into);
* reseller pages with plans, prices or channel counts become :class:`~crawler.items.ShopItem`.

Every URL that carried credentials is redacted in items and logs; the panel requests
themselves carry the line, as any player does. A playlist's streams are sampled by the
liveness probe (crawler.safety.probe: first 64 KB of a few, spread over the stream hosts)
and the answer recorded in ``PlaylistItem.probed``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode, urlsplit

from scrapy.http import Response, TextResponse

from crawler.domains import registered_domain
from crawler.extract.html import absolute
from crawler.extract.listing import find_pagination
from crawler.extract.playlist import _header, parse_playlist
from crawler.extract.shop import extract_shop
from crawler.extract.xmltv import parse_xmltv
from crawler.extract.xtream import (
    PanelAccount,
    XtreamLine,
    lines_in,
    parse_account,
    parse_categories,
    stalker_portals,
)
from crawler.items import GuideItem, PageItem, PanelItem, PlaylistItem, PortalItem, ShopItem
from crawler.safety.liveness import stream_urls
from crawler.safety.probe import StreamProber
from spiders.focused import FocusedSpider

_PLAYLIST_LINK = re.compile(r"(?i)\.m3u8?$|/get\.php$")
_GUIDE_LINK = re.compile(r"(?i)\.xml(?:\.gz)?$|\.xmltv$|/xmltv\.php$|/epg\b")
_LINE_SCAN_CHARS = 400_000


class IptvSpider(FocusedSpider):
    """Playlists, panels, portals, guides and shops of IPTV sellers and list sites."""

    name = "iptv"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.panels_seen: set[str] = set()

    # -- html ----------------------------------------------------------------------------
    def extract_html(self, response: TextResponse, root: Any, item: PageItem) -> Iterator[Any]:
        text = response.text[:_LINE_SCAN_CHARS]
        links = [link for a in root.iter("a") if (link := absolute(response.url, a.get("href")))]
        for pre in root.iter("pre", "textarea", "code"):
            pasted = pre.text_content()
            if pasted.lstrip().startswith("#EXTM3U"):
                yield from self._playlist(response.url + "#pasted", pasted, item.domain,
                                          response)
        shop = self.safely("shop", response.url, extract_shop, root)
        if shop is not None and (shop.plans or shop.channel_count or shop.vod_count):
            yield ShopItem(url=response.url, domain=item.domain, fetched_at=item.fetched_at,
                           shop=shop)  # fmt: skip
        for portal in stalker_portals(links, text):
            yield PortalItem(url=portal, domain=registered_domain(portal),
                             fetched_at=item.fetched_at, found_on=response.url)  # fmt: skip
        yield from self._lines(lines_in(links, text), response)
        for link in dict.fromkeys(links):
            path = urlsplit(link).path
            if _PLAYLIST_LINK.search(path) and "username=" not in link:
                request = self.follow(link, response, priority=self.DETAIL_PRIORITY)
            elif _GUIDE_LINK.search(path) and "username=" not in link:
                request = self.follow(link, response, self.parse_guide,
                                      priority=self.DETAIL_PRIORITY)  # fmt: skip
            else:
                continue
            if request is not None:
                yield request
        pages = self.safely("pagination", response.url, find_pagination, root, response.url)
        yield from self.same_site_links(
            response, root, boost=dict.fromkeys(pages or (), self.PAGINATION_PRIORITY))

    # -- playlists, guides, panels -------------------------------------------------------
    def extract_other(self, response: Response, item: PageItem) -> Iterator[Any]:
        text = response.body.decode("utf-8", "replace")
        if item.kind == "playlist":
            if "#EXT-X-" in text[:4096] and "#EXTINF:-1" not in text[:4096]:
                return  # an HLS video manifest: the streaming spider's
            yield from self._playlist(response.url, text, item.domain, response)
            header = self.safely("playlist", response.url, _header, text) or {}
            for url in (header.get("x-tvg-url", "") or header.get("url-tvg", "")).split(","):
                request = self.follow(url.strip(), response, self.parse_guide)
                if request is not None:
                    yield request
            yield from self._lines(lines_in([], text[:_LINE_SCAN_CHARS]), response)
        elif response.body.lstrip()[:5] in (b"<?xml", b"<tv>", b"<tv ", b"<!DOC"):
            yield from self.parse_guide(response)

    def _playlist(self, url: str, text: str, domain: str, response: Response) -> Iterator[Any]:
        playlist = self.safely("playlist", url, parse_playlist, text, self.redactor)
        if playlist is not None and playlist.channels:
            self.crawler.stats.inc_value("isop/iptv/channels", len(playlist.channels))
            item = PlaylistItem(url=self.redactor.redact_url(url).url, domain=domain,
                                fetched_at=self.now(), playlist=playlist)  # fmt: skip
            yield StreamProber.of(self.crawler).plan(item, stream_urls(text, url), domain)
            logos = [c.logo for c in playlist.channels if c.logo]
            yield from self.images.logo_requests(response, logos, self.parse_image, self.on_error)

    def parse_guide(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """An XMLTV guide."""
        guide = self.safely("xmltv", response.url, parse_xmltv, response.body)
        if guide is not None and guide.root == "tv":
            yield GuideItem(url=self.redactor.redact_url(response.url).url,
                            domain=registered_domain(response.url), fetched_at=self.now(),
                            guide=guide)  # fmt: skip

    def _lines(self, lines: list[XtreamLine], response: Response) -> Iterator[Any]:
        """Read each new panel once, through the first line seen for it."""
        for line in lines:
            if line.base in self.panels_seen:
                continue
            self.panels_seen.add(line.base)
            query = urlencode({"username": line.username, "password": line.password})
            credential = self.redactor.credential_hash(line.username, line.password)
            meta = {"isop_panel": line.base, "isop_credential": credential,
                    "found_on": self.redactor.redact_url(response.url).url}  # fmt: skip
            for url, callback in ((f"{line.base}/player_api.php?{query}", self.parse_account),
                                  (f"{line.base}/get.php?{query}&type=m3u_plus&output=ts",
                                   self.parse)):  # fmt: skip
                request = self.follow(url, response, callback, priority=self.DETAIL_PRIORITY,
                                      how_found="xtream_line", **meta)  # fmt: skip
                if request is not None:
                    yield request

    def parse_account(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """``player_api.php``: the account answer, then the live categories."""
        account = self.safely("xtream", response.url, parse_account, response.body)
        if account is None:
            return
        if not account.authenticated:
            yield self._panel(response, account, ())
            return
        request = self.follow(response.url + "&action=get_live_categories", response,
                              self.parse_categories, isop_account=dataclasses.asdict(account),
                              isop_panel=response.meta.get("isop_panel"),
                              isop_credential=response.meta.get("isop_credential"),
                              found_on=response.meta.get("found_on"))  # fmt: skip
        if request is not None:
            yield request

    def parse_categories(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        categories = self.safely("xtream", response.url, parse_categories, response.body)
        account = response.meta.get("isop_account")  # JSON in the frontier: rebuilt here
        yield self._panel(response, PanelAccount(**account) if account else None,
                          categories or ())  # fmt: skip

    def _panel(self, response: Response, account: Any, categories: tuple[Any, ...]) -> PanelItem:
        base = str(response.meta.get("isop_panel") or "")
        self.crawler.stats.inc_value("isop/iptv/panels")
        return PanelItem(url=base, domain=registered_domain(base), fetched_at=self.now(),
                         credential=str(response.meta.get("isop_credential") or ""),
                         account=account, live_categories=categories,
                         found_on=response.meta.get("found_on"))  # fmt: skip
