"""Streaming spider: pages that embed players.

Per page it yields a :class:`~crawler.items.PlayerItem` (iframes and their hosts,
<video>/HLS/DASH sources, "server 1 / server 2" lists, player scripts, posters and
thumbnails for perceptual hashing, AceStream ids, live-sport schedules). It follows the
embeds to the video hosts, parses HLS manifests into :class:`~crawler.items.HlsItem`
(a master's lowest variant too, for its segment hosts) and DASH manifests (a ``.mpd`` source,
or any ``application/dash+xml`` answer) into :class:`~crawler.items.DashItem`. It never
fetches a segment for itself; a liveness probe (crawler.safety.probe) reads the first 64 KB
of a few, recorded in the item's ``probed``. URLs in items are redacted.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scrapy.http import Response, TextResponse

from crawler.domains import registered_domain
from crawler.extract.dash import parse_dash
from crawler.extract.hls import parse_hls
from crawler.extract.listing import find_pagination
from crawler.extract.players import extract_players
from crawler.items import DashItem, HlsItem, PageItem, PlayerItem
from crawler.safety.liveness import first_per_host, stream_urls
from crawler.safety.probe import StreamProber, site_of
from spiders.focused import FocusedSpider


class StreamingSpider(FocusedSpider):
    """Players, sources, server lists and schedules of streaming portals and video hosts."""

    name = "streaming"

    def extract_html(self, response: TextResponse, root: Any, item: PageItem) -> Iterator[Any]:
        player = self.safely("players", response.url, extract_players, root, response.url)
        boost: dict[str, int] = {}
        if player is not None:
            embeds = [e for e in player.embeds if not self.is_ad(e.url)]
            if embeds or player.sources or player.servers or player.schedule or player.acestream:
                yield PlayerItem(url=response.url, domain=item.domain,
                                 fetched_at=item.fetched_at, player=player)  # fmt: skip
            targets = dict.fromkeys([*(e.url for e in embeds), *(s.url for s in player.servers)])
            for url in targets:
                request = self.follow(url, response, priority=self.DETAIL_PRIORITY,
                                      how_found="embed")  # fmt: skip
                if request is not None:
                    yield request
            for source in player.sources:
                if source.kind in ("hls", "dash"):
                    callback = self.parse_manifest if source.kind == "hls" else self.parse_dash
                    request = self.follow(source.url, response, callback,
                                          priority=self.DETAIL_PRIORITY,
                                          found_on=self.redactor.redact_url(response.url).url)
                    if request is not None:
                        yield request
            for entry in player.schedule:
                if entry.url:
                    boost[entry.url] = self.DETAIL_PRIORITY
        pages = self.safely("pagination", response.url, find_pagination, root, response.url)
        boost.update(dict.fromkeys(pages or (), self.PAGINATION_PRIORITY))
        yield from self.same_site_links(response, root, boost=boost)

    @property
    def prober(self) -> StreamProber:
        return StreamProber.of(self.crawler)

    def extract_other(self, response: Response, item: PageItem) -> Iterator[Any]:
        if item.kind == "playlist":
            yield from self.parse_manifest(response)
        elif "dash+xml" in item.content_type.lower() or b"<MPD" in response.body[:2048]:
            yield from self.parse_dash(response)

    def parse_dash(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """A DASH manifest: adaptation sets, renditions, segment hosts, DRM systems."""
        manifest = self.safely("dash", response.url, parse_dash, response.body, response.url)
        if manifest is None:
            return
        found_on = response.meta.get("found_on")
        item = DashItem(url=self.redactor.redact_url(response.url).url,
                        domain=registered_domain(response.url), fetched_at=self.now(),
                        found_on=found_on, manifest=manifest)  # fmt: skip
        if manifest.licensed_drm:
            self.crawler.stats.inc_value("isop/streaming/dash_licensed_drm")
        yield self.prober.plan(item, manifest.probe_urls, site_of(found_on or response.url))

    def parse_manifest(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """An HLS manifest: variants and segment hosts; a master's lowest variant is read."""
        text = response.text if isinstance(response, TextResponse) else \
            response.body.decode("utf-8", "replace")  # fmt: skip
        manifest = self.safely("hls", response.url, parse_hls, text, response.url)
        if manifest is None:
            return
        found_on = response.meta.get("found_on")
        item = HlsItem(url=self.redactor.redact_url(response.url).url,
                       domain=registered_domain(response.url), fetched_at=self.now(),
                       found_on=found_on, manifest=manifest)  # fmt: skip
        if manifest.is_master:
            yield item  # its lowest variant is read below, and probed there
        else:  # one segment per host: the live edge, the segment a player would ask for now
            segments = stream_urls(text, response.url)
            picks = first_per_host(segments[::-1] if manifest.live else segments)
            yield self.prober.plan(item, picks, site_of(found_on or response.url))
        if manifest.is_master and manifest.variants and not response.meta.get("variant_of"):
            lowest = min(manifest.variants, key=lambda v: v.bandwidth or 0)
            request = self.follow(lowest.url, response, self.parse_manifest,
                                  found_on=self.redactor.redact_url(response.url).url,
                                  variant_of=self.redactor.redact_url(response.url).url)
            if request is not None:
                yield request
