"""detectors.heuristic.m3u and playlist_iptv: forgiving parsing, ratio-based judgement."""

from __future__ import annotations

from detectors.base import Content
from detectors.config import load_config
from detectors.heuristic.m3u import parse_m3u
from detectors.heuristic.playlist import PlaylistDetector


def _detector() -> PlaylistDetector:
    return PlaylistDetector(load_config().settings_for("playlist_iptv"))


def test_parser_reads_attributes_with_commas_and_names() -> None:
    text = (
        '\ufeff#EXTM3U x-tvg-url="http://a/epg.xml, http://b/epg.xml"\r\n'
        '#EXTINF:-1 tvg-id="a.b" group-title="News, Sport",Channel, One\r\n'
        "http://host/stream.m3u8\r\n"
        "#EXTINF:-1,Bare name\n#EXTGRP:Movies\nhttp://host/2.ts\n"
        "http://host/no-extinf.ts\n"
    )
    playlist = parse_m3u(text)
    assert playlist.is_m3u and not playlist.is_hls
    assert playlist.header["x-tvg-url"].startswith("http://a/")
    first, second, third = playlist.entries
    assert (first.name, first.group) == ("Channel, One", "News, Sport")
    assert first.attrs["tvg-id"] == "a.b"
    assert (second.name, second.group) == ("Bare name", "Movies")
    assert third.url == "http://host/no-extinf.ts"


def test_parser_caps_entries_and_recognises_hls() -> None:
    many = "#EXTM3U\n" + "#EXTINF:-1,x\nhttp://h/1.ts\n" * 30
    assert parse_m3u(many, max_entries=10).truncated
    hls = "#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXTINF:6.0,\nseg1.ts\n"
    assert parse_m3u(hls).is_hls


def test_xtream_playlist_is_flagged_with_its_evidence() -> None:
    lines = ["#EXTM3U"]
    names = ["Sky Sports Main Event", "beIN Sports 1", "DAZN 1", "HBO", "Canal+", "BBC One"]
    for index, name in enumerate(names):
        lines += [f'#EXTINF:-1 group-title="UK | SPORTS VIP",{name}',
                  f"http://line.example:8080/user1/pass1/{100 + index}"]
    signals = {s.name: s for s in _detector().detect(
        Content("http://line.example/get.php", "playlist", "\n".join(lines).encode()))}
    assert {"xtream_stream_urls", "premium_channels", "country_bundles"} <= signals.keys()
    assert "6/6 entries" in signals["xtream_stream_urls"].evidence


def test_small_legal_list_gets_counter_evidence_only() -> None:
    lines = ["#EXTM3U"]
    for name, url in [("BBC News", "https://www.bbc.co.uk/live.m3u8"),
                      ("France 24", "https://www.youtube.com/@FRANCE24/live"),
                      ("Rai 1", "https://mediapolis.rai.it/relinker?cont=1"),
                      ("DW English", "https://dw.com/live.m3u8")]:
        lines += [f"#EXTINF:-1,{name}", url]
    signals = _detector().detect(Content("u", "playlist", "\n".join(lines).encode()))
    assert signals and {s.family for s in signals} == {"counter"}


def test_garbage_playlist_yields_nothing() -> None:
    assert _detector().detect(Content("u", "playlist", b"\x00\xff" * 1000)) == []
