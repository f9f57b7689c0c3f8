"""The index spider on the sandbox's torrent and DDL sites, checked against the releases,
infohashes and locker links the sandbox generated (crawler.sandbox.torrents)."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from spider_replay import make_spider, of_type, run

from crawler.sandbox import SandboxWeb, build_web
from crawler.sandbox.torrents import Release, locker_links, releases
from spiders.index import IndexSpider


@pytest.fixture(scope="module")
def web() -> SandboxWeb:
    return build_web(seed=1)


@pytest.fixture(scope="module")
def truth(web: SandboxWeb) -> dict[str, Release]:
    return {r.name: r for work in web.catalog.works for r in releases(1, work)}


@pytest.fixture(scope="module")
def crawled(web: SandboxWeb, tmp_path_factory: pytest.TempPathFactory) -> list[object]:
    spider = make_spider(IndexSpider, tmp_path_factory.mktemp("index"))
    seeds = ["http://flixtorrent.to/", "http://cinemagnet.mx/", "http://torrentjoa37.com/",
             "http://ddlhive.net/", "http://telechargement-hd.cc/"]
    return run(web, spider, seeds, max_pages=170)


def test_listings_carry_the_generated_releases_and_infohashes(
        crawled: list[object], truth: dict[str, Release]) -> None:  # fmt: skip
    listings = [i.listing for i in of_type(crawled, "ListingItem")]
    sites = {i.domain for i in of_type(crawled, "ListingItem")}
    assert {"flixtorrent.to", "cinemagnet.mx", "torrentjoa37.com", "ddlhive.net",
            "telechargement-hd.cc"} <= sites  # fmt: skip
    checked = 0
    for listing in listings:
        release = truth.get(listing.title)
        if release is None:
            continue
        parsed = listing.release
        assert parsed is not None and parsed.group == release.group
        assert parsed.title.lower() == release.work.title.lower()
        if release.work.kind == "movie":
            assert parsed.year == release.work.year
        for magnet in listing.magnets:  # hex and base32 magnets alike
            assert magnet.infohash == release.infohash
            checked += 1
        if listing.size is not None:
            assert abs(listing.size - release.size) / release.size < 0.01
    assert checked >= 30
    base32_sites = {i.domain for i in of_type(crawled, "ListingItem") if i.listing.magnets
                    and i.domain == "cinemagnet.mx"}  # fmt: skip
    assert base32_sites  # cinemagnet's magnets are base32; they still matched above


def test_seeders_and_leechers_are_read_from_tables(crawled: list[object]) -> None:
    rows = [i.listing for i in of_type(crawled, "ListingItem") if i.domain == "flixtorrent.to"]
    with_peers = [r for r in rows if r.seeders is not None and r.leechers is not None]
    assert len(with_peers) >= 10
    assert all(r.seeders >= 0 and r.leechers >= 0 for r in with_peers)


def test_torrent_files_hash_to_the_generated_infohash(
        crawled: list[object], truth: dict[str, Release]) -> None:  # fmt: skip
    torrents = of_type(crawled, "TorrentItem")
    assert len(torrents) >= 10
    for item in torrents:
        name = item.torrent.name.removesuffix(".mkv")
        assert truth[name].infohash == item.torrent.infohash
        assert item.torrent.size == truth[name].size


def test_ddl_locker_links_match_the_generated_uploads(
        crawled: list[object], truth: dict[str, Release]) -> None:  # fmt: skip
    ddl = [i.listing for i in of_type(crawled, "ListingItem")
           if i.domain == "ddlhive.net" and i.listing.lockers]  # fmt: skip
    assert len(ddl) >= 5
    for listing in ddl:
        release = truth[listing.title]
        expected = {url for _, urls in locker_links(1, release.name, release.size) for url in urls}
        found = {lk.url for lk in listing.lockers}
        assert found == expected
        assert {lk.host for lk in listing.lockers} >= {"rapidgator", "nitroflare", "1fichier"}
    protected = [lk for i in of_type(crawled, "ListingItem") if i.domain == "telechargement-hd.cc"
                 for lk in i.listing.lockers]  # fmt: skip
    assert any(lk.protected for lk in protected) and any(not lk.protected for lk in protected)


def test_pagination_is_followed(crawled: list[object]) -> None:
    pages = {i.url for i in of_type(crawled, "PageItem")}
    assert "http://flixtorrent.to/cat/Movies/2/" in pages
    assert "http://ddlhive.net/page/2/" in pages


def test_hostile_pages_give_counted_errors_not_crashes(tmp_path: Path) -> None:
    spider = make_spider(IndexSpider, tmp_path)
    junk = [b"\x00\xff" * 5000, b"<html><body>" + b"<div>" * 50_000, b"",
            b"<table><tr><td>magnet:?xt=urn:btih:zz</td>" * 100,
            b"<a href='magnet:?xt=urn:btih:ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'>x</a>"]
    outputs = []
    for index, body in enumerate(junk):
        url = f"http://junk.test/{index}"
        response = HtmlResponse(url, body=body, headers={"Content-Type": "text/html"},
                                request=Request(url))  # fmt: skip
        outputs.extend(spider.parse(response))
    assert len(of_type(outputs, "PageItem")) == len(junk)
    magnets = [m for i in of_type(outputs, "ListingItem") for m in i.listing.magnets]
    assert [m.infohash for m in magnets] == ["00443214c74254b635cf84653a56d7c675be77df"]
    stats = spider.crawler.stats.get_stats()
    assert sum(v for k, v in stats.items() if k.startswith("isop/parse_errors/")) >= 1


def test_every_spider_name_loads_its_own_class() -> None:
    """A base class that inherits a spider's name would shadow it (duplicate names warn,
    and warnings are errors here)."""
    from scrapy.settings import Settings
    from scrapy.spiderloader import SpiderLoader

    from spiders.discovery import DiscoverySpider
    from spiders.iptv import IptvSpider
    from spiders.streaming import StreamingSpider

    loader = SpiderLoader(Settings({"SPIDER_MODULES": ["spiders"]}))
    assert loader.load("discovery") is DiscoverySpider
    assert loader.load("index") is IndexSpider
    assert loader.load("streaming") is StreamingSpider
    assert loader.load("iptv") is IptvSpider


def test_typed_items_are_stored_once_by_natural_key(crawled: list[object],
                                                    tmp_path: Path) -> None:  # fmt: skip
    """The crawl's releases and torrents through FactsPipeline into a registry, twice (a
    revisit): every magnet release and every .torrent is one row on its site, none twice."""
    from dataclasses import replace
    from datetime import timedelta

    from test_facts_registry import crawl, rows, shared_detection

    url = f"sqlite:///{tmp_path / 'registry.db'}"
    detection = shared_detection()
    typed = of_type(crawled, "ListingItem") + of_type(crawled, "TorrentItem")
    stats = crawl(url, detection, typed, batch_size=200)
    assert stats.values["isop/facts/errors/listing"] == 0
    stored = {(r.domain, r.kind, r.key): r for r in rows(url)}
    magnets = {(i.domain, "listing", f"btih:{i.listing.magnets[0].infohash}")
               for i in of_type(crawled, "ListingItem") if i.listing.magnets}  # fmt: skip
    torrents = {(i.domain, "torrent", f"btih:{i.torrent.infohash}")
                for i in of_type(crawled, "TorrentItem")}  # fmt: skip
    assert len(magnets) >= 30 and magnets <= set(stored)
    assert torrents == {key for key in stored if key[1] == "torrent"}
    # The releases are judged: scene release names are title signals (the sandbox's works
    # are invented, so none is a catalog work: tests/test_facts.py covers those).
    judged = [i.verdict for i in typed if i.verdict is not None]
    assert len(judged) == len(typed)
    assert all(any(s.name == "scene_release" for s in v.signals) for v in judged[:20])
    later = [replace(i, fetched_at=i.fetched_at + timedelta(days=1)) for i in typed]
    crawl(url, detection, later, batch_size=200)
    again = rows(url)
    assert len(again) == len(stored)  # a revisit updates, never duplicates
    assert all(r.times_seen >= 2 for r in again)
