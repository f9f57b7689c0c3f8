"""Real data must parse: every playlist, XMLTV guide, HLS manifest and .torrent file under
../shared/realdata, read at test time and never copied (some are GPL or unlicensed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.extract.hls import parse_hls
from crawler.extract.html import parse_html
from crawler.extract.listing import extract_index
from crawler.extract.playlist import parse_playlist
from crawler.extract.torrent import parse_torrent
from crawler.extract.xmltv import parse_xmltv
from crawler.safety.credentials import Redactor

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"
pytestmark = [
    pytest.mark.realdata,
    pytest.mark.skipif(not REALDATA.exists(), reason="../shared/realdata is absent"),
]


def test_free_tv_playlist_yields_its_2059_channels() -> None:
    text = (REALDATA / "iptv" / "free-tv_playlist.m3u8").read_text(encoding="utf-8")
    playlist = parse_playlist(text, Redactor(b"salt"))
    assert len(playlist.channels) == 2059
    assert len(playlist.groups) == 97
    assert len(playlist.epg_urls) > 50  # the long x-tvg-url header, comma-separated
    # 1,479 #EXTINF lines carry a non-empty tvg-id and tvg-logo (grep counts the same)
    assert sum(1 for c in playlist.channels if c.tvg_id and c.logo) == 1479
    # CDN paths such as /hls/live/2034711/... are not mistaken for Xtream credentials; the
    # few lines with user/password in the path or query (15 URLs) are redacted
    redacted = [c for c in playlist.channels if c.credential]
    assert 10 <= len(redacted) <= 20
    assert not any("/hls/live/" in c.stream_url for c in redacted)
    assert all("redacted" in c.stream_url for c in redacted)


def test_every_xmltv_guide_parses() -> None:
    guides = sorted((REALDATA / "epg").glob("*.xml"))
    assert len(guides) == 10
    parsed = {path.name: parse_xmltv(path.read_bytes()) for path in guides}
    xmltv = {name: g for name, g in parsed.items() if g.root == "tv"}
    assert len(xmltv) == 9  # hoy.tv is a provider's own format, read without error
    assert all(g.channels and g.programme_count for g in xmltv.values())
    assert parsed["hoy.tv.content.xml"].channels == ()


def test_every_hls_manifest_parses() -> None:
    manifests = sorted((REALDATA / "hls" / "globocom_m3u8").glob("*.m3u8"))
    assert len(manifests) == 96
    masters = media = 0
    for path in manifests:
        manifest = parse_hls(path.read_text(encoding="utf-8", errors="replace"),
                             f"http://cdn.example.com/{path.name}")  # fmt: skip
        masters += manifest.is_master
        media += not manifest.is_master
    assert masters >= 20 and media >= 60


def test_every_torrent_file_parses_with_its_infohash() -> None:
    infos = {p.name: parse_torrent(p.read_bytes()) for p in (REALDATA / "torrents").iterdir()
             if p.suffix == ".torrent"}  # fmt: skip
    assert len(infos) == 4
    scene = infos["88.torrent"]
    assert scene.name == "Two Men In Manhattan.1959.720p.BluRay.x264-mfcorrea"
    assert scene.infohash == "14fa859b775ed0ca1bed4bc9e3d2fa71342df476"
    assert infos["a.torrent"].file_count == 270


def test_real_torrent_search_page_yields_its_magnets() -> None:
    page = REALDATA / "jackett" / "torrent_search_results.html"
    index = extract_index(parse_html(page.read_bytes()), "http://tracker.example/search")
    assert len(index.magnets) == 25
    rows = [listing for listing in index.listings if listing.magnets]
    assert len(rows) == 25  # one listing per result row (a template never seen before)
    first = rows[0]
    assert (first.title, first.size, first.seeders, first.leechers) == (
        "ubuntu-19.04-desktop-amd64.iso", 2097152000, 12, 1)
