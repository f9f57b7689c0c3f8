"""Index spider: torrent/magnet indexes and DDL link sites.

From listing and detail pages it yields one :class:`~crawler.items.ListingItem` per release
(release name parsed by guessit, magnets with hex infohash, .torrent links, cyberlocker
links, size, seeders/leechers), fetches the .torrent files themselves (small metadata, capped
by ``safety.max_torrent_bytes``) into :class:`~crawler.items.TorrentItem`, and follows
pagination and detail pages first within the site's page budget (the frontier's).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scrapy.http import Response, TextResponse

from crawler.domains import registered_domain
from crawler.extract.listing import extract_index
from crawler.extract.torrent import parse_torrent
from crawler.items import ListingItem, PageItem, TorrentItem
from spiders.focused import FocusedSpider


class IndexSpider(FocusedSpider):
    """Releases, magnets, torrents and locker links of index sites."""

    name = "index"

    def extract_html(self, response: TextResponse, root: Any, item: PageItem) -> Iterator[Any]:
        page = self.safely("index", response.url, extract_index, root, response.url)
        boost: dict[str, int] = {}
        if page is not None:
            for listing in page.listings:
                if listing.magnets or listing.torrent_urls or listing.lockers or listing.release:
                    yield ListingItem(url=response.url, domain=item.domain,
                                      fetched_at=item.fetched_at, listing=listing)  # fmt: skip
            self.crawler.stats.inc_value("isop/index/listings", len(page.listings))
            for url in page.torrent_urls:
                if registered_domain(url) == item.domain:
                    request = self.follow(url, response, self.parse_torrent,
                                          priority=self.DETAIL_PRIORITY)  # fmt: skip
                    if request is not None:
                        yield request
            boost.update(dict.fromkeys(page.pagination, self.PAGINATION_PRIORITY))
            boost.update(dict.fromkeys(page.detail_urls, self.DETAIL_PRIORITY))
        yield from self.same_site_links(response, root, boost=boost)

    def parse_torrent(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """A .torrent file: its metadata (the infohash ties it to magnets elsewhere)."""
        info = self.safely("torrent", response.url, parse_torrent, response.body)
        if info is not None:
            yield TorrentItem(url=response.url, domain=registered_domain(response.url),
                              fetched_at=self.now(), torrent=info)  # fmt: skip
