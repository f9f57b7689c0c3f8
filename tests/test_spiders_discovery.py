"""The discovery spider: items, link ranks (best-first) and the site-hop limit."""

from __future__ import annotations

from pathlib import Path

from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.config import load_config
from crawler.items import PageItem
from spiders.discovery import DiscoverySpider, link_priority

FIXTURES = Path(__file__).parent / "fixtures" / "detectors" / "html"


def _spider(max_site_hops: int = 4) -> DiscoverySpider:
    config = load_config(environ={}).with_overrides(crawl={"max_site_hops": max_site_hops})
    crawler = get_crawler(DiscoverySpider, {"ISOP_CONFIG": config})
    spider = crawler._create_spider()
    spider.max_site_hops = max_site_hops
    return spider


def _response(fixture: str, url: str, hops: int = 0) -> HtmlResponse:
    body = (FIXTURES / fixture).read_bytes()
    # Every page links out to the same new site, so only the page's verdict differs.
    body = body.replace(b"</body>", b'<a href="http://new-site.cc/x">x</a></body>')
    request = Request(url, meta={"site_hops": hops})
    return HtmlResponse(url, body=body, headers={"Content-Type": "text/html; charset=utf-8"},
                        request=request)  # fmt: skip


def _outbound_priority(spider: DiscoverySpider, response: HtmlResponse) -> tuple[PageItem, int]:
    out = list(spider.parse(response))
    item = next(o for o in out if isinstance(o, PageItem))
    link = next(o for o in out if isinstance(o, Request) and "new-site.cc" in o.url)
    return item, link.priority


def test_a_link_on_a_flagged_page_outranks_one_on_a_clean_page() -> None:
    spider = _spider()
    pirate, pirate_rank = _outbound_priority(
        spider, _response("en_torrent_index.html", "http://torrentbay.to/browse/movies"))
    news, news_rank = _outbound_priority(
        spider, _response("en_news_crackdown.html", "http://worldnews.com/tech/europol"))
    assert pirate.verdict is not None and pirate.verdict.infringing
    assert news.verdict is not None and not news.verdict.infringing
    assert pirate_rank > news_rank
    assert link_priority(0.9, 2) > link_priority(0.05, 1)  # flagged two hops out still first


def test_links_beyond_the_hop_limit_are_not_followed() -> None:
    spider = _spider(max_site_hops=1)
    out = list(spider.parse(_response("en_news_crackdown.html", "http://worldnews.com/a", hops=1)))
    assert not any(isinstance(o, Request) and "new-site.cc" in o.url for o in out)
    assert any(isinstance(o, PageItem) for o in out)
