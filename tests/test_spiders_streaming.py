"""The streaming spider on the sandbox's portals, video hosts and live-sport sites: embeds,
server lists, HLS manifests and schedules, checked against what the sandbox serves."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from scrapy import Request
from scrapy.http import TextResponse
from spider_replay import make_spider, of_type, run

from crawler.extract.html import parse_html
from crawler.sandbox import SandboxWeb, build_web
from spiders.streaming import StreamingSpider

VIDEO_HOSTS = {"vidstreamz.cc", "embedflix.net"}


@pytest.fixture(scope="module")
def web() -> SandboxWeb:
    return build_web(seed=1)


@pytest.fixture(scope="module")
def crawled(web: SandboxWeb, tmp_path_factory: pytest.TempPathFactory) -> list[object]:
    spider = make_spider(StreamingSpider, tmp_path_factory.mktemp("streaming"))
    seeds = ["http://watchmoviehd.to/", "http://cinepipoca.net/", "http://footylive-hd.io/"]
    return run(web, spider, seeds, max_pages=160)


def test_portal_pages_embed_the_video_hosts_and_list_servers(crawled: list[object]) -> None:
    portals = [i for i in of_type(crawled, "PlayerItem") if i.domain == "watchmoviehd.to"]
    assert len(portals) >= 5
    for item in portals:
        hosts = {e.host for e in item.player.embeds}
        assert hosts & VIDEO_HOSTS
        assert [s.label.split(" (")[0] for s in item.player.servers] == ["Server 1", "Server 2"]
        assert {s.host for s in item.player.servers} == VIDEO_HOSTS
    movies = [i for i in portals if "/movie/" in i.url]
    assert movies and all(i.player.posters for i in movies)  # for perceptual hashing


def test_embeds_lead_to_hls_masters_whose_variants_are_read(
        web: SandboxWeb, crawled: list[object]) -> None:  # fmt: skip
    embed_pages = [i for i in of_type(crawled, "PlayerItem") if i.domain in VIDEO_HOSTS]
    assert len(embed_pages) >= 5
    for item in embed_pages:
        assert [s.kind for s in item.player.sources] == ["hls"]
        assert item.player.player_scripts
    manifests = of_type(crawled, "HlsItem")
    masters = [m for m in manifests if m.manifest.is_master]
    media = [m for m in manifests if not m.manifest.is_master]
    assert masters and media
    for item in masters:
        served = web.fetch(item.url).body.decode()
        assert len(item.manifest.variants) == served.count("#EXT-X-STREAM-INF")
    for item in media:
        served = web.fetch(item.url).body.decode()
        assert item.manifest.segment_count == served.count("#EXTINF")
        assert item.manifest.segment_hosts == (urlsplit(item.url).hostname,)
    # manifests only: no segment was ever requested
    pages = {i.url for i in of_type(crawled, "PageItem")}
    assert not any(u.endswith(".ts") for u in pages)


def test_live_sport_schedule_and_restream_pages(web: SandboxWeb, crawled: list[object]) -> None:
    home = next(i for i in of_type(crawled, "PlayerItem") if i.url == "http://footylive-hd.io/")
    served = parse_html(web.fetch("http://footylive-hd.io/").body)
    live_links = {a.get("href") for a in served.iter("a") if "/live/" in (a.get("href") or "")}
    assert {urlsplit(e.url or "").path for e in home.player.schedule} == live_links
    assert all(" vs " in e.title and e.when.startswith("2025-") for e in home.player.schedule)
    assert {e.league for e in home.player.schedule} >= {"Premier League", "LaLiga"}
    match = [i for i in of_type(crawled, "PlayerItem") if "/live/" in i.url]
    assert match and all(len(i.player.acestream) == 1 for i in match)


def test_broken_manifests_and_players_are_counted_not_raised(tmp_path: Path) -> None:
    spider = make_spider(StreamingSpider, tmp_path)
    bad = [("http://cdn.test/a.m3u8", b"<html>403 Forbidden</html>", "application/x-mpegurl"),
           ("http://cdn.test/b.m3u8", b"#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=x\nlow/i.m3u8\n",
            "audio/x-mpegurl"),
           ("http://site.test/p", b"<html><iframe src='http://[::1'></iframe>" + b"\xff" * 900,
            "text/html")]  # fmt: skip
    out = []
    for url, body, ctype in bad:
        response = TextResponse(url, body=body, headers={"Content-Type": ctype},
                                request=Request(url))  # fmt: skip
        out.extend(spider.parse_manifest(response) if url.endswith(".m3u8") else
                   spider.parse(response))  # fmt: skip
    manifests = of_type(out, "HlsItem")
    assert len(manifests) == 1 and manifests[0].manifest.variants[0].bandwidth is None
    assert spider.crawler.stats.get_value("isop/parse_errors/hls") == 1
    assert len(of_type(out, "PageItem")) == 1


def test_players_and_manifests_are_observed_on_the_site_that_showed_them(
        crawled: list[object], tmp_path: Path) -> None:  # fmt: skip
    """FactsPipeline stores player pages and HLS manifests (not judged alone: their pages
    are): one row per page and per manifest host+path, on the site that pointed to it."""
    from test_facts_registry import crawl, rows, shared_detection

    from crawler.domains import registered_domain

    url = f"sqlite:///{tmp_path / 'registry.db'}"
    typed = of_type(crawled, "PlayerItem") + of_type(crawled, "HlsItem")
    stats = crawl(url, shared_detection(), typed, batch_size=200)
    assert not [k for k in stats.values if "/errors/" in k or "/evaluated/" in k]
    stored = rows(url)
    players = {(r.domain, r.key) for r in stored if r.kind == "player"}
    assert players == {(i.domain, f"page:{i.url}") for i in of_type(crawled, "PlayerItem")}
    manifests = [r for r in stored if r.kind == "hls"]
    expected = {(registered_domain(i.found_on) if i.found_on else i.domain,
                 f"hls:{urlsplit(i.url).netloc}{urlsplit(i.url).path}")
                for i in of_type(crawled, "HlsItem")}  # fmt: skip
    assert manifests and {(r.domain, r.key) for r in manifests} == expected
    assert all("?" not in r.key for r in manifests)
    assert {r.domain for r in manifests} & VIDEO_HOSTS  # masters found on the embed pages
