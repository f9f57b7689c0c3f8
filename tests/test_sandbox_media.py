"""Media the sandbox serves are well-formed: images, HLS, MPEG-TS, M3U, XMLTV, torrents."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
from PIL import Image

from crawler.sandbox import SandboxServer, SandboxWeb
from crawler.sandbox.graph import anchors

_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/x-icon": "ICO", "image/gif": "GIF"}


@pytest.fixture(scope="module")
def web(sandbox: SandboxServer) -> SandboxWeb:
    return sandbox.web


def _body(web: SandboxWeb, url: str) -> bytes:
    """Static content at url (even on the flaky site, whose proxy answers may be 5xx)."""
    res = web.resource(url)
    return res.data() if res is not None else web.fetch(url).body


def _ahash(data: bytes) -> int:
    img = Image.open(io.BytesIO(data)).convert("L").resize((8, 8), Image.Resampling.BILINEAR)
    px = list(img.tobytes())
    mean = sum(px) / 64
    return sum(1 << i for i, p in enumerate(px) if p > mean)


def test_images_decode_and_match_their_content_type(web: SandboxWeb) -> None:
    for url in web.urls("image/"):
        res = web.resource(url)
        assert res is not None
        with Image.open(io.BytesIO(res.data())) as img:
            img.load()
            assert img.format == _FORMATS[res.content_type], url
            assert img.width >= 16 and img.height >= 16


def test_posters_are_reencoded_copies_of_one_master(web: SandboxWeb) -> None:
    """The same work's poster on different sites: different bytes, near-identical aHash."""
    copies = [_body(web, u) for u in web.urls("image/jpeg")
              if "silent-harbor" in u and "thumb" not in u]
    assert len(copies) >= 3
    assert len({hashlib.sha256(c).digest() for c in copies}) >= 3
    hashes = [_ahash(c) for c in copies]
    assert all(bin(h ^ hashes[0]).count("1") <= 12 for h in hashes)


def _playlist_uris(text: str) -> list[str]:
    return [ln for ln in text.splitlines() if ln and not ln.startswith("#")]


def _check_media_playlist(text: str, live: bool) -> list[str]:
    lines = text.splitlines()
    assert lines[0] == "#EXTM3U"
    target = int(next(ln.split(":")[1] for ln in lines if ln.startswith("#EXT-X-TARGETDURATION")))
    durations = [float(ln[8:].rstrip(",")) for ln in lines if ln.startswith("#EXTINF:")]
    uris = _playlist_uris(text)
    assert durations and len(durations) == len(uris)
    assert max(durations) <= target
    assert ("#EXT-X-ENDLIST" in lines) is not live
    return uris


def _check_ts(data: bytes) -> None:
    assert len(data) % 188 == 0 and all(data[i] == 0x47 for i in range(0, len(data), 188))
    assert data[1] & 0x40 and data[1] & 0x1F == 0 and data[2] == 0  # PAT with PUSI


def test_embed_page_hls_tree_is_well_formed(web: SandboxWeb) -> None:
    page = "http://watchmoviehd.to/"
    watch = next(u for u in anchors(web.fetch(page).body.decode(), page) if "/movie/watch-" in u)
    html = web.fetch(watch).body.decode()
    embed = re.search(r'<iframe id="iframe-embed" src="([^"]+)"', html)
    assert embed
    ehtml = web.fetch(embed.group(1)).body.decode()
    master_url = re.search(r'<source src="([^"]+\.m3u8)" type="application/x-mpegURL"', ehtml)
    assert master_url
    master = web.fetch(master_url.group(1))
    assert master.content_type == "application/vnd.apple.mpegurl"
    text = master.body.decode()
    assert text.startswith("#EXTM3U") and "#EXT-X-STREAM-INF:BANDWIDTH=" in text
    lines = text.splitlines()
    for i, ln in enumerate(lines):
        if ln.startswith("#EXT-X-STREAM-INF"):
            assert "RESOLUTION=" in ln and not lines[i + 1].startswith("#")
    rendition = urljoin(master_url.group(1), _playlist_uris(text)[-1])
    segs = _check_media_playlist(web.fetch(rendition).body.decode(), live=False)
    seg = web.fetch(urljoin(rendition, segs[0]))
    assert seg.status == 200 and seg.content_type == "video/mp2t"
    _check_ts(seg.body)
    assert web.fetch(urljoin(rendition, "seg-999999.ts")).status == 404


def test_live_restream_playlist_has_no_endlist(web: SandboxWeb) -> None:
    page = "http://footylive-hd.io/"
    live = next(u for u in anchors(web.fetch(page).body.decode(), page) if "/live/" in u)
    embed = re.search(r'<iframe id="iframe-embed" src="([^"]+)"', web.fetch(live).body.decode())
    assert embed
    master_url = re.search(r'src="([^"]+master\.m3u8)"', web.fetch(embed.group(1)).body.decode())
    assert master_url
    rendition = urljoin(master_url.group(1), _playlist_uris(
        web.fetch(master_url.group(1)).body.decode())[0])
    segs = _check_media_playlist(web.fetch(rendition).body.decode(), live=True)
    _check_ts(web.fetch(urljoin(rendition, segs[-1])).body)


_ATTR = re.compile(r'([a-z-]+)="([^"]*)"')


def test_m3u_playlists_are_well_formed(web: SandboxWeb) -> None:
    playlists = [u for u in web.urls() if web.fetch(u).content_type == "audio/x-mpegurl"]
    assert len(playlists) >= 5
    seen_catchup = False
    for url in playlists:
        lines = _body(web, url).decode().splitlines()
        assert lines[0].startswith("#EXTM3U") and 'x-tvg-url="' in lines[0]
        body = lines[1:]
        assert len(body) % 2 == 0 and body
        for info, target in zip(body[::2], body[1::2], strict=True):
            assert info.startswith("#EXTINF:-1 "), info
            attrs = dict(_ATTR.findall(info.split(",")[0] if "," in info else info))
            assert {"tvg-id", "tvg-name", "tvg-logo", "group-title"} <= set(attrs), info
            assert info.rsplit(",", 1)[1].strip()
            assert target.startswith(("http://", "https://"))
            seen_catchup |= "catchup" in attrs
    assert seen_catchup
    for url in playlists:  # every stream the web itself hosts answers with MPEG-TS or HLS
        for target in _body(web, url).decode().splitlines():
            host = urlsplit(target).hostname or ""
            if target.startswith("http://") and host in web.hostnames() and ".mkv" not in target:
                resp = web.fetch(target)
                assert resp.status == 200, target
                assert resp.content_type in ("video/mp2t", "application/vnd.apple.mpegurl")
    fta = web.fetch("http://openbroadcast-list.org/playlists/all.m3u").body.decode()
    assert "Sky Sports" not in fta and "beIN" not in fta and "France 2" in fta


def test_panel_m3u_plain_and_xmltv(web: SandboxWeb) -> None:
    url = next(u for u in anchors(web.fetch("http://iptvprimeplus.com/free-trial/").body.decode(),
                                  "http://iptvprimeplus.com/") if "get.php" in u)
    plain = web.fetch(url.replace("type=m3u_plus", "type=m3u"))
    assert plain.body.decode().splitlines()[1].startswith("#EXTINF:-1,")
    q = parse_qs(urlsplit(url).query)
    xml = web.fetch(f"http://{urlsplit(url).netloc}/xmltv.php?username={q['username'][0]}"
                    f"&password={q['password'][0]}")
    root = ET.fromstring(xml.body)
    assert root.tag == "tv" and root.findall("programme")


def test_xmltv_guides_parse_and_reference_their_channels(web: SandboxWeb) -> None:
    for url in ("http://programme-tele.fr/xmltv/complet.xml", "http://freeiptv-m3u.net/epg/guide.xml"):
        root = ET.fromstring(web.fetch(url).body)
        ids = {c.get("id") for c in root.findall("channel")}
        progs = root.findall("programme")
        assert ids and progs and {p.get("channel") for p in progs} <= ids
        assert all(re.fullmatch(r"\d{14} [+-]\d{4}", p.get("start") or "") for p in progs)


def _bdecode(data: bytes, i: int = 0) -> tuple[object, int]:
    c = data[i:i + 1]
    if c == b"i":
        end = data.index(b"e", i)
        return int(data[i + 1:end]), end + 1
    if c in (b"l", b"d"):
        i += 1
        items: list[object] = []
        while data[i:i + 1] != b"e":
            item, i = _bdecode(data, i)
            items.append(item)
        if c == b"l":
            return items, i + 1
        return dict(zip(items[::2], items[1::2], strict=True)), i + 1
    colon = data.index(b":", i)
    n = int(data[i:colon])
    return data[colon + 1:colon + 1 + n], colon + 1 + n


def _info_hash(torrent: bytes) -> str:
    start = torrent.index(b"4:info") + 6
    _, end = _bdecode(torrent, start)
    return hashlib.sha1(torrent[start:end]).hexdigest()


def test_torrent_files_match_their_magnets(web: SandboxWeb) -> None:
    checked = 0
    for page in web.urls("text/html"):
        html = _body(web, page).decode()
        magnets = re.findall(r'href="(magnet:\?xt=urn:btih:[^"]+)"', html)
        files = [u for u in anchors(html, page) if u.endswith(".torrent") or "download.php" in u
                 or "/torrent/download/" in u]
        if len(magnets) != 1 or len(files) != 1:
            continue
        btih = magnets[0].split("urn:btih:")[1].split("&")[0]
        hexhash = (base64.b32decode(btih).hex() if len(btih) == 32 else btih).lower()
        torrent = web.resource(files[0])
        assert torrent is not None and torrent.content_type == "application/x-bittorrent"
        meta, _ = _bdecode(torrent.data())
        assert isinstance(meta, dict) and b"announce" in meta and b"info" in meta
        assert _info_hash(torrent.data()) == hexhash, page
        checked += 1
    assert checked >= 20


def test_base32_magnets_exist_and_decode(web: SandboxWeb) -> None:
    text = b"".join(_body(web, u) for u in web.urls("text/html")).decode()
    b32 = re.findall(r"urn:btih:([A-Z2-7]{32})&", text)
    hexes = re.findall(r"urn:btih:([0-9a-fA-F]{40})&", text)
    assert b32 and hexes
    assert all(len(base64.b32decode(h)) == 20 for h in b32)


def test_json_and_xml_documents_parse(web: SandboxWeb) -> None:
    api = json.loads(web.fetch("http://cinemagnet.mx/api/v2/list_movies.json").body)
    assert api["status"] == "ok" and api["data"]["movies"][0]["torrents"][0]["hash"]
    for url in web.urls():
        if url.endswith(("sitemap.xml", "/feed/", "feed.php", ".mpd")):
            ET.fromstring(web.fetch(url).body)
