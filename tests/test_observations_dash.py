"""DASH manifests judged through the facts pipeline: a licensed service's DRM (read from its
player's ``data-dash`` attribute) is counter-evidence and makes no site; a DRM-free live
manifest on a page flagged for streaming is not counter-evidence; ``isop sites show`` on a
domain that only has observations prints them and says no site owns it."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import lxml.html
import pytest
from click.testing import CliRunner
from spider_replay import make_spider, of_type, run
from test_facts_registry import crawl, shared_detection

from crawler.cli import cli
from crawler.extract.dash import parse_dash
from crawler.extract.players import extract_players
from crawler.items import DashItem
from crawler.registry import Registry
from crawler.registry.observed import for_site
from crawler.sandbox import SandboxWeb, build_web
from detectors.pipeline import DetectionPipeline
from spiders.streaming import StreamingSpider

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
RESTREAM = b"""<?xml version="1.0"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="dynamic" minimumUpdatePeriod="PT2S">
 <BaseURL>http://edge1.restream.cc/live/ch7/</BaseURL>
 <Period id="1"><AdaptationSet contentType="video" mimeType="video/mp4">
  <SegmentTemplate initialization="$RepresentationID$/init.mp4"
                   media="$RepresentationID$/seg-$Number%05d$.m4s" startNumber="100"/>
  <Representation id="v720" bandwidth="2800000" width="1280" height="720" codecs="avc1.4d401f"/>
 </AdaptationSet></Period>
</MPD>"""


@pytest.fixture(scope="module")
def web() -> SandboxWeb:
    return build_web(seed=1)


@pytest.fixture(scope="module")
def detection() -> DetectionPipeline:
    return shared_detection()


def _watch_page(web: SandboxWeb) -> str:
    return next(u for u in web.urls("text/html") if u.startswith("http://screenpass.tv/watch/"))


def test_players_read_manifest_attributes() -> None:
    root = lxml.html.fromstring(
        '<div><video data-dash="/manifests/film.mpd"></video>'
        '<video data-hls="/play?id=7"></video>'  # no extension: the attribute says HLS
        '<video><source data-src="//cdn.example/v/master.m3u8"></video>'
        '<video data-manifest="/not-a-manifest" data-mpd="blob:https://x/1"></video></div>'
    )
    sources = {s.url: s.kind for s in extract_players(root, "http://svod.example/watch/1/").sources}
    assert sources == {"http://svod.example/manifests/film.mpd": "dash",
                       "http://svod.example/play?id=7": "hls",
                       "http://cdn.example/v/master.m3u8": "hls"}  # fmt: skip


def test_a_licensed_services_drm_is_counter_evidence_and_makes_no_site(
    web: SandboxWeb, detection: DetectionPipeline, tmp_path: Path
) -> None:
    spider = make_spider(StreamingSpider, tmp_path)
    page = _watch_page(web)
    items = run(web, spider, [page], max_pages=2)  # the watch page, then its data-dash manifest
    [dash] = of_type(items, "DashItem")
    assert dash.found_on == page and dash.manifest.licensed_drm
    url = f"sqlite:///{tmp_path / 'r.db'}"
    stats = crawl(url, detection, [dash])
    verdict = dash.verdict
    assert verdict is not None and not verdict.infringing
    [signal] = [s for s in verdict.signals if s.detector == "dash_drm"]
    assert (signal.name, signal.family) == ("licensed_drm", "counter")
    assert "widevine, playready" in signal.evidence
    assert stats.values["isop/facts/evaluated/dash"] == 1
    assert "isop/facts/flagged/dash" not in stats.values
    with Registry.open(url) as registry:
        assert registry.site_by_domain("screenpass.tv") is None  # counter-evidence makes no site
        observed = for_site(registry, ["screenpass.tv"])
    [manifest] = observed.manifests
    assert manifest["licensed_drm"] and manifest["drm"] == ["cenc", "widevine", "playready"]
    assert manifest["score"] == pytest.approx(verdict.score) and not manifest["flagged"]

    env = {"ISOP_DATABASE_URL": url, "COLUMNS": "200"}
    shown = CliRunner().invoke(cli, ["sites", "show", "screenpass.tv"], env=env)
    assert shown.exit_code == 0, shown.output
    assert shown.output.startswith("screenpass.tv: no site in the registry owns this domain")
    assert "licensed DRM: counter-evidence" in shown.output and "dash 1" in shown.output
    as_json = CliRunner().invoke(cli, ["sites", "show", "screenpass.tv", "--json"], env=env)
    assert as_json.exit_code == 0, as_json.output
    parsed = json.loads(as_json.output)
    assert parsed["site"] is None and parsed["observations"]["counts"] == {"dash": 1}
    nothing = CliRunner().invoke(cli, ["sites", "show", "never-seen.example"], env=env)
    assert nothing.exit_code != 0
    assert nothing.output.strip() == ("isop: never-seen.example: no site in the registry owns "
                                      "this domain")  # fmt: skip


def test_a_drm_free_live_dash_on_a_flagged_streaming_page_is_no_counter_evidence(
    detection: DetectionPipeline, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    page = "http://restream-foot.cc/match/psg-om/"
    with Registry.open(url) as registry:
        site = registry.record_page_verdict("restream-foot.cc", page, 0.93, True, "streaming",
                                            "restream", [], "4" * 64, T0)  # fmt: skip
        assert site is not None
    mpd = "http://edge1.restream.cc/live/ch7/manifest.mpd"
    item = DashItem(url=mpd, domain="restream.cc", fetched_at=T0, found_on=page,
                    manifest=parse_dash(RESTREAM, mpd))  # fmt: skip
    assert item.manifest.live and item.manifest.drm_systems == ()
    crawl(url, detection, [item])
    assert item.verdict is not None and not item.verdict.infringing
    assert not [s for s in item.verdict.signals if s.family == "counter"]
    with Registry.open(url) as registry:
        after = registry.site_by_domain("restream-foot.cc")
        assert after is not None and after.score == pytest.approx(0.93)  # untouched
        observed = for_site(registry, ["restream-foot.cc"])
    [manifest] = observed.manifests
    assert manifest["live"] and manifest["drm"] == [] and not manifest["licensed_drm"]
    assert "edge1.restream.cc" in [h["host"] for h in observed.stream_hosts]


def test_a_hostile_dash_item_is_counted_not_raised(
    detection: DetectionPipeline, tmp_path: Path
) -> None:
    mpd = "http://edge1.restream.cc/live/ch7/manifest.mpd"
    good = parse_dash(RESTREAM, mpd)
    broken = replace(good, drm_systems=(None,))  # type: ignore[arg-type]
    item = DashItem(url=mpd, domain="restream.cc", fetched_at=T0, found_on=None,
                    manifest=broken)  # fmt: skip
    stats = crawl(f"sqlite:///{tmp_path / 'r.db'}", detection, [item])
    assert stats.values["isop/facts/errors/dash"] == 1


def test_sites_show_prints_scraped_brackets_as_text(tmp_path: Path) -> None:
    """A flagged URL holding "[/b]" is text, not Rich markup (it raised MarkupError)."""
    url = f"sqlite:///{tmp_path / 'r.db'}"
    with Registry.open(url) as registry:
        registry.record_page_verdict("pirate.to", "http://pirate.to/search?q[/b]=[red]1", 0.95,
                                     True, "index", "x", [], "1" * 64, T0)  # fmt: skip
    env = {"ISOP_DATABASE_URL": url, "COLUMNS": "250"}
    for args in (["sites", "show", "pirate.to"], ["sites"]):
        shown = CliRunner().invoke(cli, args, env=env)
        assert shown.exit_code == 0, repr(shown.exception)
    detail = CliRunner().invoke(cli, ["sites", "show", "pirate.to"], env=env)
    assert "http://pirate.to/search?q[/b]=[red]1" in detail.output
