"""Typed items as detector contents (crawler.facts.content) and as observations
(crawler.facts.record): a catalog work's release yields title signals, a typed playlist is
judged as its M3U text is, panels by their answer; hostile items raise FactsError-like errors
the pipeline counts; every item exports as JSON."""

from __future__ import annotations

import io
import json
import math
from datetime import UTC, datetime

import pytest

from crawler.extract.listing import Listing
from crawler.extract.lockers import LockerLink
from crawler.extract.magnet import Magnet
from crawler.extract.playlist import parse_playlist
from crawler.extract.release import parse_release
from crawler.extract.torrent import TorrentInfo
from crawler.extract.xtream import Category, PanelAccount
from crawler.facts.content import content_for
from crawler.facts.export import JsonLinesExporter
from crawler.facts.record import FactsError, observe
from crawler.items import (
    ListingItem,
    PageItem,
    PanelItem,
    PlaylistItem,
    PortalItem,
    TorrentItem,
)
from crawler.safety.credentials import Redactor
from detectors.base import Content, Verdict
from detectors.pipeline import DetectionPipeline

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
DUNE = "Dune.Part.Two.2024.1080p.WEB-DL.DDP5.1.x264-HDKRAKEN"
HASH = "c12fe1c06bba254a9dc9f519b335aa7c1367a88a"


@pytest.fixture(scope="module")
def detection() -> DetectionPipeline:
    return DetectionPipeline.from_config()


def listing_item(title: str = DUNE, magnets: tuple[Magnet, ...] = (Magnet(HASH, DUNE),),
                 **fields: object) -> ListingItem:  # fmt: skip
    values: dict[str, object] = {
        "title": title, "release": parse_release(title) if isinstance(title, str) else None,
        "detail_url": None, "magnets": magnets,
        "torrent_urls": (), "lockers": (), "size": 4_500_000_000, "seeders": 120, "leechers": 7,
    }  # fmt: skip
    values.update(fields)
    listing = Listing(**values)  # type: ignore[arg-type]
    return ListingItem(url="http://flixtorrent.to/browse/2", domain="flixtorrent.to",
                       fetched_at=T0, listing=listing)  # fmt: skip


def judged(detection: DetectionPipeline, item: object) -> Verdict:
    content = content_for(item)
    assert content is not None
    return detection.evaluate(content)


def names(verdict: object) -> set[str]:
    return {s.qualified_name for s in verdict.signals}  # type: ignore[attr-defined]


def test_a_release_of_a_catalog_work_with_its_magnet_is_flagged_as_index(
    detection: DetectionPipeline,
) -> None:
    item = listing_item()
    content = content_for(item)
    assert content is not None and content.kind == "listing" and content.body == b""
    verdict = detection.evaluate(content)
    assert {"title_match.protected_release", "title_match.scene_release",
            "listing_links.infohash"} <= names(verdict)  # fmt: skip
    assert verdict.infringing and verdict.kind == "index"
    release = next(s for s in verdict.signals if s.name == "protected_release")
    assert "Dune: Part Two" in release.evidence


def test_a_scene_release_of_no_catalog_work_is_not_flagged(detection: DetectionPipeline) -> None:
    title = "Midnight.Courier.2023.1080p.WEB-DL.x264-HDKRAKEN"  # the sandbox's invented film
    verdict = judged(detection, listing_item(title, (Magnet(HASH, title),)))
    assert "title_match.protected_release" not in names(verdict)
    assert {"title_match.scene_release", "listing_links.infohash"} <= names(verdict)
    assert not verdict.infringing  # a torrent is no piracy by itself (Linux ISOs are torrents)


def test_locker_links_and_torrent_files_are_typed_facts(detection: DetectionPipeline) -> None:
    lockers = (LockerLink("https://rapidgator.net/file/abc123", "rapidgator.net", "abc123"),)
    verdict = judged(detection, listing_item(magnets=(), lockers=lockers))
    assert "listing_links.cyberlocker" in names(verdict) and verdict.infringing
    torrent = TorrentItem(url="http://flixtorrent.to/t/1.torrent", domain="flixtorrent.to",
                          fetched_at=T0, torrent=TorrentInfo(
                              HASH, DUNE, 10, ((f"{DUNE}/{DUNE}.mkv", 10),), 1,
                              ("udp://tracker.example:80",), "", "", False))  # fmt: skip
    content = content_for(torrent)
    assert content is not None and content.decoded_text().splitlines()[0] == DUNE
    assert {"title_match.protected_release", "listing_links.infohash"} <= names(
        detection.evaluate(content))


M3U = """#EXTM3U x-tvg-url="http://epg.example/guide.xml"
#EXTINF:-1 tvg-id="sky.uk" group-title="UK | SPORTS VIP",Sky Sports Main Event FHD
http://line.panel.example:8080/live/john/secret/101.ts
#EXTINF:-1 tvg-id="bein1" group-title="AR | beIN",beIN SPORTS 1 HD
http://line.panel.example:8080/live/john/secret/102.ts
#EXTINF:-1 group-title="FR | CINEMA",Canal+ Cinema
http://line.panel.example:8080/live/john/secret/103.ts
#EXTINF:-1 group-title="DE",Sky Sport Bundesliga 1
http://203.0.113.7:25461/live/john/secret/104.ts
"""


def test_a_typed_playlist_is_judged_as_its_text_is(detection: DetectionPipeline) -> None:
    info = parse_playlist(M3U, Redactor(b"salt"))
    item = PlaylistItem(url="http://lists.example/a.m3u", domain="lists.example", fetched_at=T0,
                        playlist=info)  # fmt: skip
    typed = content_for(item)
    assert typed is not None and typed.kind == "playlist" and typed.text == ""
    from_text = detection.evaluate(Content(item.url, "playlist", M3U.encode()))
    verdict = detection.evaluate(typed)
    assert names(verdict) == names(from_text)
    assert "title_match.protected_channels" in names(verdict) and verdict.infringing
    assert "secret" not in json.dumps(verdict.to_dict())  # only redacted URLs reached it


def test_a_panel_answer_is_judged_from_its_typed_account(detection: DetectionPipeline) -> None:
    account = PanelAccount(True, {"auth": "1", "status": "Active", "exp_date": "1742040000",
                                  "max_connections": "1"},
                           {"url": "line.panel.example", "port": "8080", "https_port": "8443",
                            "server_protocol": "http"})  # fmt: skip
    item = PanelItem(url="http://line.panel.example:8080", domain="panel.example",
                     fetched_at=T0, credential="cred-0123456789abcdef", account=account,
                     live_categories=(Category("1", "UK Sports"),))  # fmt: skip
    verdict = judged(detection, item)
    assert {"panel_xtream.xtream_user_info", "panel_xtream.xtream_server_info"} <= names(verdict)
    assert verdict.infringing and verdict.kind == "iptv"
    unread = PanelItem(url=item.url, domain=item.domain, fetched_at=T0, credential="", account=None)
    assert content_for(unread) is None


def test_natural_keys_and_compact_facts() -> None:
    item = listing_item()
    item.verdict = None
    seen = observe(item)
    assert (seen.domain, seen.kind, seen.key) == ("flixtorrent.to", "listing", f"btih:{HASH}")
    assert seen.facts["release"]["group"] == "HDKRAKEN" and seen.facts["seeders"] == 120
    no_magnet = observe(listing_item(magnets=()))
    assert no_magnet.key == f"release:{DUNE.lower()}"
    portal = PortalItem(url="http://portal.example:8080/c/", domain="portal.example",
                        fetched_at=T0, found_on="http://shop.example/mag")  # fmt: skip
    assert observe(portal).domain == "shop.example"  # attributed to the site that showed it
    long_url = "http://lists.example/" + "a" * 400 + ".m3u"
    info = parse_playlist(M3U, Redactor(b"salt"))
    long_key = observe(PlaylistItem(url=long_url, domain="lists.example", fetched_at=T0,
                                    playlist=info)).key  # fmt: skip
    assert long_key.startswith("sha256:") and len(long_key) == 71
    assert observe(PlaylistItem(url=long_url, domain="lists.example", fetched_at=T0,
                                playlist=info)).key == long_key  # fmt: skip


@pytest.mark.parametrize("broken", [
    lambda: ListingItem(url="http://x.to/", domain="x.to", fetched_at=T0,
                        listing=None),  # type: ignore[arg-type]
    lambda: listing_item(title=None),  # type: ignore[arg-type]
    lambda: listing_item(size=math.nan),
    lambda: listing_item(magnets=(Magnet(b"\xff" * 20),)),  # type: ignore[arg-type]
    lambda: ListingItem(url="http://x.to/", domain="x.to", fetched_at=datetime(2026, 1, 1),
                        listing=listing_item().listing),
    lambda: ListingItem(url=None, domain="x.to", fetched_at=T0,  # type: ignore[arg-type]
                        listing=listing_item().listing),
    lambda: ListingItem(url="http://x/", domain="", fetched_at=T0, listing=listing_item().listing),
], ids=["no listing", "no title", "nan size", "bytes infohash", "naive time", "no url",
        "no domain"])  # fmt: skip
def test_hostile_items_raise_what_the_pipeline_counts(broken: object) -> None:
    item = broken()  # type: ignore[operator]
    with pytest.raises((FactsError, TypeError, AttributeError)):  # what FactsPipeline counts
        content_for(item)  # the judging step, then the storing step: either one refuses
        observe(item)


def test_every_item_exports_as_json_with_bodies_as_hashes(detection: DetectionPipeline) -> None:
    item = listing_item()
    item.verdict = judged(detection, item)
    page = PageItem(url="http://flixtorrent.to/", domain="flixtorrent.to", status=200,
                    content_type="text/html", kind="html", body=b"\xff\x00binary",
                    fetched_at=T0)  # fmt: skip
    out = io.BytesIO()
    exporter = JsonLinesExporter(out)
    exporter.start_exporting()
    for one in (item, page):
        exporter.export_item(one)
    exporter.finish_exporting()
    listing, page_json = (json.loads(line) for line in out.getvalue().splitlines())
    assert listing["fetched_at"] == T0.isoformat()
    assert listing["listing"]["magnets"][0]["infohash"] == HASH  # nested frozen dataclasses
    assert listing["listing"]["release"]["year"] == 2024
    assert listing["verdict"]["infringing"] is True and listing["verdict"]["signals"]
    assert page_json["body"] == {"bytes": 8, "sha256": __import__("hashlib").sha256(
        b"\xff\x00binary").hexdigest()}  # fmt: skip


def test_facts_counters_are_prometheus_metrics() -> None:
    from prometheus_client.exposition import generate_latest
    from prometheus_client.registry import CollectorRegistry

    from crawler.extensions.stats import StatsCollector

    stats = {"isop/facts/errors/listing": 2, "isop/facts/writes/flag": 5,
             "isop/facts/write_errors/OperationalError": 1,
             "isop/facts/flagged/panel": 2}  # fmt: skip
    registry = CollectorRegistry()
    registry.register(StatsCollector(lambda: stats))
    text = generate_latest(registry).decode()
    assert 'isop_facts_bad_items_total{kind="listing"} 2.0' in text
    assert 'isop_facts_writes_total{outcome="flag"} 5.0' in text
    assert 'isop_facts_write_errors_total{error="OperationalError"} 1.0' in text
    assert 'isop_facts_flagged_total{kind="panel"} 2.0' in text
