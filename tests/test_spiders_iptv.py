"""The iptv spider on the sandbox's list sites, shops and Xtream panels, checked against
the lines, categories, streams and prices the sandbox generated; no credential in clear."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from spider_replay import as_json, make_spider, of_type, run

from crawler.sandbox import SandboxWeb, build_web
from crawler.sandbox.sites.iptv_text import PLAN_MONTHS, SHOP
from crawler.sandbox.xtream import categories, panel_lines, streams
from spiders.iptv import IptvSpider

PANELS = {"http://line.primeplus-panel.cc:8080": "primeplus-panel",
          "http://tv.starline-iptv.net:25461": "starline-iptv"}


@pytest.fixture(scope="module")
def web() -> SandboxWeb:
    return build_web(seed=1)


@pytest.fixture(scope="module")
def crawled(web: SandboxWeb, tmp_path_factory: pytest.TempPathFactory) -> list[object]:
    spider = make_spider(IptvSpider, tmp_path_factory.mktemp("iptv"))
    seeds = ["http://freeiptv-m3u.net/", "http://iptvprimeplus.com/",
             "http://abonnement-iptv-france.com/"]
    return run(web, spider, seeds, max_pages=120)


def test_panels_are_read_through_a_leaked_line(web: SandboxWeb, crawled: list[object]) -> None:
    panels = {i.url: i for i in of_type(crawled, "PanelItem")}
    assert set(panels) == set(PANELS)
    for base, item in panels.items():
        assert item.account is not None and item.account.authenticated
        assert item.account.server_info["url"] == base.split("//")[1].split(":")[0]
        assert [c.name for c in item.live_categories] == [n for _, n in categories(web.catalog)]
        assert item.credential.startswith("cred-")


def test_playlists_list_the_panel_streams_with_tvg_attributes(
        web: SandboxWeb, crawled: list[object]) -> None:  # fmt: skip
    playlists = of_type(crawled, "PlaylistItem")
    from_panel = [p for p in playlists if "/get.php" in p.url]
    assert len(from_panel) == 2
    for item in from_panel:
        panel = PANELS[item.url.split("/get.php")[0]]
        live = [c for c in item.playlist.channels if "/movie/" not in c.stream_url]
        assert len(live) == len(streams(1, panel, web.catalog))
        assert all(c.tvg_id and c.logo and c.group for c in live)
        assert any(c.catchup == "xc" and c.catchup_days == 7 for c in live)
        assert item.playlist.epg_urls and "xmltv.php" in item.playlist.epg_urls[0]
    pasted = [p for p in playlists if p.url.endswith("#pasted")]
    assert pasted and all(p.playlist.channels for p in pasted)
    guides = of_type(crawled, "GuideItem")
    assert {g.guide.generator for g in guides} >= {"Xtream Codes", "Free IPTV M3U"}


def test_no_credential_leaves_the_spider_in_clear(crawled: list[object]) -> None:
    secrets = [s for panel in PANELS.values() for line in panel_lines(1, panel)
               for s in (line.username, line.password)]
    dumped = "\n".join(as_json(item) for item in crawled)
    leaked = [s for s in secrets if s in dumped]
    assert leaked == []
    assert "cred-" in dumped  # the hashes that replace them are there


def test_shops_plans_prices_counts_and_portals(crawled: list[object]) -> None:
    shops = {i.url: i.shop for i in of_type(crawled, "ShopItem")}
    for url, lang in (("http://iptvprimeplus.com/", "en"),
                      ("http://abonnement-iptv-france.com/", "fr")):  # fmt: skip
        shop = shops[url]
        prices = [float(p.replace(",", ".")) for p in SHOP[lang]["prices"].split("|")]
        assert [p.price.amount for p in shop.plans if p.price] == prices
        assert [p.months for p in shop.plans] == [float(m) for m in PLAN_MONTHS]
        assert shop.channel_count == 20000 and shop.vod_count == 80000
        assert {"Firestick", "MAG", "Smart TV"} <= set(shop.devices)
        assert any("wa.me" in c for c in shop.contacts)
    portals = {i.url for i in of_type(crawled, "PortalItem")}
    assert "http://line.primeplus-panel.cc:8080/c/" in portals


def test_typed_items_are_judged_and_stored_without_secrets(
        crawled: list[object], tmp_path: Path) -> None:  # fmt: skip
    """Panels, playlists, guides, portals and shops through FactsPipeline into a registry:
    keyed rows, both panels flagged and evidence on their own sites, no secret stored."""
    from test_facts_registry import crawl, rows, shared_detection

    from crawler.registry import Registry

    url = f"sqlite:///{tmp_path / 'registry.db'}"
    typed = [i for i in crawled if type(i).__name__ not in ("PageItem", "ImageItem")]
    stats = crawl(url, shared_detection(), typed, batch_size=200)
    assert not [k for k in stats.values if k.startswith("isop/facts/errors/")]
    assert stats.values["isop/facts/flagged/panel"] == 2
    stored = rows(url)
    panels = {r.key for r in stored if r.kind == "panel"}
    assert panels == {f"panel:{i.url}#{i.credential}" for i in of_type(crawled, "PanelItem")}
    kinds = {r.kind for r in stored}
    assert {"panel", "playlist", "guide", "portal", "shop"} <= kinds
    from_panel = [r for r in stored if r.kind == "playlist" and "/get.php" in r.url]
    assert len(from_panel) == 2 and all(r.infringing for r in from_panel)
    with Registry.open(url) as registry:
        for domain in ("primeplus-panel.cc", "starline-iptv.net"):
            site = registry.site_by_domain(domain)
            assert site is not None and site.kind == "iptv"
        lists = registry.site_by_domain("freeiptv-m3u.net")  # its pasted playlists flagged
        assert lists is not None
        pasted = [e.url for e in registry.evidence(lists.id)]
        assert pasted and not [u for u in pasted if "#" in u]  # evidence of their page
    dumped = "\n".join(f"{r.url} {r.key} {r.facts}" for r in stored)
    secrets = [s for panel in PANELS.values() for line in panel_lines(1, panel)
               for s in (line.username, line.password)]  # fmt: skip
    assert [s for s in secrets if s in dumped] == []


@pytest.mark.slow
def test_isop_crawl_runs_the_iptv_spider_through_the_proxy_with_redacted_logs(
        sandbox: object, redis_url: str, tmp_path: Path) -> None:  # fmt: skip
    """End to end: ``isop crawl --spider iptv`` with a real Redis, the sandbox behind its
    proxy and SQLite; the worker's log never shows a line's password."""
    seeds = tmp_path / "seeds.txt"
    seeds.write_text("http://freeiptv-m3u.net/category/xtream/\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ISOP_")}
    env.update({"ISOP_REDIS_URLS": redis_url, "ISOP_REDIS__KEY_PREFIX": "iptv-e2e",
                "ISOP_DATABASE_URL": f"sqlite:///{tmp_path / 'registry.db'}",
                "ISOP_DATA_DIR": str(tmp_path / "data"), "ISOP_CRAWL__DOWNLOAD_DELAY": "0.05",
                "ISOP_CRAWL__PAGE_BUDGET_PER_SITE": "6"})  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "crawler", "crawl", "--spider", "iptv", "--seeds", str(seeds),
         "--proxy", sandbox.proxy_url, "--idle-exit", "1"],  # type: ignore[attr-defined]
        env=env, capture_output=True, text=True, timeout=240, check=False)  # fmt: skip
    log = done.stdout + done.stderr
    assert done.returncode == 0, log[-3000:]
    assert "'isop/iptv/channels'" in log  # playlists were parsed by the running spider
    assert "'isop/iptv/panels': 2" in log  # both panels read (their meta went through Redis)
    assert "'isop/probe/alive'" in log and "'isop/safety/probe_cut'" in log  # live streams
    assert "'isop/facts/flagged/panel': 2" in log  # judged and stored by FactsPipeline
    assert "unencodable" not in log
    assert "crawler.safety.logs.LogRedaction" in log  # the filter was on for every line
    assert "title_match reads its works from the registry" in log  # seeded, checked live
    secrets = [s for panel in PANELS.values() for line in panel_lines(1, panel)
               for s in (line.username, line.password)]  # fmt: skip
    assert [s for s in secrets if s in log] == []


def test_broken_playlists_and_panel_answers_are_counted_not_raised(tmp_path: Path) -> None:
    from scrapy import Request
    from scrapy.http import TextResponse

    spider = make_spider(IptvSpider, tmp_path)
    truncated = ('#EXTM3U\n#EXTINF:-1 tvg-id="A.uk" group-title="UK",Channel A\n'
                 'http://panel.cc:8080/u1/p1/1\n#EXTINF:-1 tvg-name="B')  # fmt: skip
    response = TextResponse("http://list.test/a.m3u", body=truncated.encode(), request=Request(
        "http://list.test/a.m3u"), headers={"Content-Type": "audio/x-mpegurl"})  # fmt: skip
    out = list(spider.parse(response))
    playlists = of_type(out, "PlaylistItem")
    assert [c.name for c in playlists[0].playlist.channels] == ["Channel A"]
    assert "p1" not in playlists[0].playlist.channels[0].stream_url
    for body in (b'{"user_info": {"auth": 1', b"<html>502 Bad Gateway</html>", b"\xff\xfe\x00"):
        url = "http://panel.cc:8080/player_api.php?username=u1&password=p1"
        answer = TextResponse(url, body=body, request=Request(url, meta={"isop_panel": "x"}))
        assert list(spider.parse_account(answer)) == []
    stats = spider.crawler.stats.get_stats()
    assert stats["isop/parse_errors/xtream"] == 3
