"""MPEG-DASH manifests: the parser on the sandbox's manifests (a pirate portal's own player,
a licensed service's DRM), live templates, hostile XML, generated MPDs (hypothesis), the media
guard's view of .mpd and segments, and the streaming spider's DashItem."""

from __future__ import annotations

import string
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scrapy import Request
from scrapy.http import TextResponse
from spider_replay import as_json, make_spider, of_type, run

from crawler.extract import ParseError
from crawler.extract.dash import MAX_MANIFEST_BYTES, parse_dash, parse_duration
from crawler.safety.media import is_media_type, media_reason
from crawler.sandbox import SandboxWeb, build_web
from crawler.sandbox.sites.legit_media import _mpd
from spiders.streaming import StreamingSpider

LIVE = b"""<?xml version="1.0"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="dynamic" minimumUpdatePeriod="PT2S">
 <BaseURL>http://cdn1.restream.cc/live/ch7/</BaseURL><BaseURL>http://cdn2.restream.cc/ch7/</BaseURL>
 <Period id="1">
  <AdaptationSet contentType="video" mimeType="video/mp4">
   <ContentProtection schemeIdUri="urn:uuid:1077efec-c0b2-4d02-ace3-3c1e52e2fb4b"/>
   <SegmentTemplate initialization="$RepresentationID$/init.mp4"
                    media="$RepresentationID$/seg-$Number%05d$.m4s" startNumber="100"/>
   <Representation id="v720" bandwidth="2800000" width="1280" height="720" codecs="avc1.4d401f"/>
   <Representation id="v360" bandwidth="800000" width="640" height="360" codecs="avc1.4d401e"/>
  </AdaptationSet>
  <AdaptationSet mimeType="audio/mp4" lang="es">
   <SegmentList><Initialization sourceURL="http://audio.cdn.cc/a/init.mp4"/>
    <SegmentURL media="http://audio.cdn.cc/a/1.m4s"/></SegmentList>
   <Representation id="a1" bandwidth="128000" codecs="mp4a.40.2"/>
  </AdaptationSet>
 </Period>
</MPD>"""


@pytest.fixture(scope="module")
def web() -> SandboxWeb:
    return build_web(seed=1)


def test_a_licensed_services_drm_is_counter_evidence() -> None:
    got = parse_dash(_mpd("some-film").encode(), "http://screenpass.tv/manifests/x.mpd")
    assert got.drm_systems == ("cenc", "widevine", "playready") and got.licensed_drm
    assert not got.live and got.duration == 7080.0 and got.period_count == 1
    [video] = got.adaptation_sets
    assert video.content_type == "video" and video.representations[0].resolution == "1920x1080"
    assert got.max_resolution == "1920x1080"


def test_a_live_restream_template_segment_hosts_and_probe_urls() -> None:
    got = parse_dash(LIVE, "http://portal.cc/watch/x.mpd")
    assert got.live and got.duration is None
    assert got.segment_hosts == ("cdn1.restream.cc", "cdn2.restream.cc", "audio.cdn.cc")
    assert [s.content_type for s in got.adaptation_sets] == ["video", "audio"]
    assert got.languages == ("es",)
    assert [r.bandwidth for r in got.adaptation_sets[0].representations] == [2_800_000, 800_000]
    # ClearKey: its keys travel in the clear, so it is no sign of a licensed service
    assert got.drm_systems == ("clearkey",) and not got.licensed_drm
    # the lowest rendition's first segment of each set, templates filled in
    assert got.probe_urls == ("http://cdn1.restream.cc/live/ch7/v360/seg-00100.m4s",
                              "http://audio.cdn.cc/a/1.m4s")


@pytest.mark.parametrize("value, seconds", [("PT1H58M", 7080.0), ("P0Y0M0DT0H3M30.5S", 210.5),
                                            ("PT0S", 0.0), ("P1D", 86400.0), ("1H", None),
                                            ("", None), ("P", None), (None, None)])  # fmt: skip
def test_durations(value: str | None, seconds: float | None) -> None:
    assert parse_duration(value) == seconds


def test_hostile_manifests_give_a_parse_error_or_what_could_be_read() -> None:
    laughs = (b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
              + b"".join(b'<!ENTITY a%d "%s">' % (i, b"&a%d;" % (i - 1) * 10 if i > 1 else
                                                  b"&a;" * 10) for i in range(1, 12))
              + b']><MPD><Period><AdaptationSet lang="&a11;"/></Period></MPD>')  # fmt: skip
    start = time.monotonic()
    got = parse_dash(laughs, "http://x.cc/a.mpd")
    assert time.monotonic() - start < 1.0
    assert all(len(s.lang) <= 20 for s in got.adaptation_sets)  # never expanded
    for junk in (b"", b"\xff\xfe\x00junk", b"<html><body>403</body></html>", b"{}"):
        with pytest.raises(ParseError):
            parse_dash(junk, "http://x.cc/a.mpd")
    with pytest.raises(ParseError, match="too large"):
        parse_dash(b"<MPD>" + b" " * MAX_MANIFEST_BYTES + b"</MPD>", "http://x.cc/a.mpd")
    truncated = LIVE[: LIVE.index(b"<AdaptationSet mimeType")]
    partial = parse_dash(truncated, "http://x.cc/a.mpd")  # recovered: the first set is there
    assert [s.content_type for s in partial.adaptation_sets] == ["video"]
    broken_urls = parse_dash(b'<MPD><BaseURL>http://[::1</BaseURL><Period><AdaptationSet>'
                             b'<SegmentTemplate media="http://[x/$Number$.m4s"/>'
                             b'<Representation id="a"/></AdaptationSet></Period></MPD>',
                             "http://x.cc/a.mpd")  # fmt: skip
    assert len(broken_urls.adaptation_sets) == 1 and broken_urls.probe_urls == ()
    external = (b'<?xml version="1.0"?><!DOCTYPE MPD [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                b'<MPD><Period><AdaptationSet lang="&x;"/></Period></MPD>')
    assert "root" not in repr(parse_dash(external, "http://x.cc/a.mpd"))


_ID = st.text(alphabet=string.ascii_letters + string.digits, min_size=1, max_size=8)


@st.composite
def manifests(draw: st.DrawFn) -> tuple[bytes, list[dict[str, Any]], bool]:
    sets = draw(st.lists(st.fixed_dictionaries({
        "type": st.sampled_from(["video", "audio", "text"]),
        "lang": st.sampled_from(["", "en", "fr", "pt-BR"]),
        "reps": st.lists(st.tuples(_ID, st.integers(1, 10**9), st.integers(16, 7680),
                                   st.integers(16, 4320)), min_size=1, max_size=4),
    }), min_size=1, max_size=5))  # fmt: skip
    live = draw(st.booleans())
    body = [f'<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="{"dynamic" if live else "static"}"'
            '><Period>']
    for s in sets:
        lang = f' lang="{s["lang"]}"' if s["lang"] else ""
        body.append(f'<AdaptationSet contentType="{s["type"]}"{lang}><SegmentTemplate '
                    'media="$RepresentationID$/$Number$.m4s"/>')
        for rid, bw, w, h in s["reps"]:
            body.append(f'<Representation id="{rid}" bandwidth="{bw}" width="{w}" '
                        f'height="{h}"/>')
        body.append("</AdaptationSet>")
    body.append("</Period></MPD>")
    return "".join(body).encode(), sets, live


@settings(max_examples=60, deadline=None)
@given(manifests())
def test_generated_manifests_round_trip(case: tuple[bytes, list[dict[str, Any]], bool]) -> None:
    body, sets, live = case
    got = parse_dash(body, "http://cdn.example.com/x/manifest.mpd")
    assert got.live is live and got.period_count == 1
    assert [s.content_type for s in got.adaptation_sets] == [s["type"] for s in sets]
    for parsed, want in zip(got.adaptation_sets, sets, strict=True):
        assert parsed.lang == want["lang"]
        assert [(r.id, r.bandwidth, r.resolution) for r in parsed.representations] == \
            [(i, bw, f"{w}x{h}") for i, bw, w, h in want["reps"]]
    assert got.segment_hosts == ("cdn.example.com",)
    lowest = [min((bw, f"http://cdn.example.com/x/{i}/1.m4s") for i, bw, _, _ in s["reps"])[1]
              for s in sets]
    assert got.probe_urls == tuple(dict.fromkeys(lowest))[:4]


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.binary(max_size=2000), st.text(max_size=2000).map(str.encode),
                 st.text(max_size=1500).map(lambda t: f"<MPD><Period>{t}".encode())))
def test_any_bytes_parse_or_raise_parse_error_only(body: bytes) -> None:
    try:
        got = parse_dash(body, "http://x.cc/a.mpd")
    except ParseError:
        return
    assert len(got.adaptation_sets) <= body.count(b"<") + 1


def test_segments_are_refused_and_manifests_allowed() -> None:
    assert media_reason("http://cdn.cc/live/v360/seg-00100.m4s") == "m4s"
    assert media_reason("http://screenpass.tv/manifests/video_1080p.mp4") == "mp4"
    assert media_reason("http://voirfilms-hd.cc/dash/abc/manifest.mpd") is None
    assert not is_media_type("application/dash+xml; charset=utf-8")
    assert is_media_type("video/mp4")


def test_the_streaming_spider_reads_a_portals_dash_and_a_licensed_manifest(
        web: SandboxWeb, tmp_path: Path) -> None:  # fmt: skip
    spider = make_spider(StreamingSpider, tmp_path)
    page = "http://voirfilms-hd.cc/children-of-the-lighthouse-2022/"
    svod = next(u for u in web.urls("application/dash+xml") if "screenpass.tv" in u)
    items = run(web, spider, [page, svod], max_pages=12)
    dash = {i.url: i for i in of_type(items, "DashItem")}
    portal = next(i for u, i in dash.items() if "voirfilms-hd.cc/dash/" in u)
    assert portal.found_on == page and portal.domain == "voirfilms-hd.cc"
    served = web.fetch(portal.url).body
    assert len(portal.manifest.adaptation_sets) == served.count(b"<AdaptationSet")
    assert not portal.manifest.licensed_drm and portal.manifest.languages == ("fr",)
    assert portal.probed is None  # no engine offline: nothing was probed
    licensed = dash[svod]  # served as application/dash+xml, read as such
    assert licensed.manifest.licensed_drm and licensed.found_on is None
    assert spider.crawler.stats.get_value("isop/streaming/dash_licensed_drm") == 1
    assert '"licensed_drm": true' in as_json(licensed)


def test_a_broken_dash_answer_is_counted(tmp_path: Path) -> None:
    spider = make_spider(StreamingSpider, tmp_path)
    url = "http://cdn.test/x.mpd"
    response = TextResponse(url, body=b"<html>403</html>", request=Request(url),
                            headers={"Content-Type": "application/dash+xml"})  # fmt: skip
    assert list(spider.parse_dash(response)) == []
    assert spider.crawler.stats.get_value("isop/parse_errors/dash") == 1
