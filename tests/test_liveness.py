"""The stream-liveness probe: judging first bytes, the sample, the plan a spider makes, and a
real crawl (Scrapy, Twisted, the sandbox proxy) where the iptv and streaming spiders probe
never-ending Xtream live channels, a refused stream and DASH segments."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from crawler.config import load_config
from crawler.safety.liveness import judge, sample, stream_urls
from crawler.safety.probe import Pending, ProbeMiddleware, StreamProber
from crawler.sandbox import SandboxServer, build_web
from crawler.sandbox.media import mp4_segment, ts_segment
from crawler.sandbox.xtream import panel_lines
from spiders.iptv import IptvSpider

SCRIPT = Path(__file__).parent / "fixtures" / "liveness" / "probe_crawl.py"
CAP = 65_536
PANEL = "http://line.primeplus-panel.cc:8080"


@pytest.mark.parametrize("status, ctype, head, verdict", [
    (200, "video/mp2t", ts_segment("k"), (True, "mpegts")),
    (206, "application/octet-stream", mp4_segment("k", init=False), (True, "mp4")),
    (200, "video/mp4", mp4_segment("k", init=True), (True, "mp4")),
    (200, "video/x-matroska", b"\x1a\x45\xdf\xa3" + bytes(60), (True, "matroska")),
    (200, "text/plain", b"\xef\xbb\xbf#EXTM3U\n#EXT-X-TARGETDURATION:6\n", (True, "hls")),
    (200, "application/dash+xml", b'<?xml version="1.0"?><MPD type="dynamic">', (True, "dash")),
    (200, "audio/mpeg", b"ID3\x04\x00", (True, "audio")),
    (200, "video/mp2t", b"<html><body>Your line has expired</body></html>", (False, "not_media")),
    (200, "video/mp2t", b"", (False, "empty")),
    (404, "video/mp2t", ts_segment("k"), (False, "http_404")),
    (401, "text/plain", b"", (False, "http_401")),
])  # fmt: skip
def test_judging_first_bytes(status: int, ctype: str, head: bytes,
                             verdict: tuple[bool, str]) -> None:  # fmt: skip
    assert judge(status, ctype, head) == verdict


def test_the_sample_spreads_over_hosts_and_stream_urls_skip_comments() -> None:
    urls = ["http://a.tv/1.ts", "http://a.tv/2.ts", "http://a.tv/1.ts", "http://b.tv/1.ts",
            "http://c.tv/1.ts", "http://b.tv/2.ts"]  # fmt: skip
    assert sample(urls, 3) == ["http://a.tv/1.ts", "http://b.tv/1.ts", "http://c.tv/1.ts"]
    assert sample(urls, 5) == [*sample(urls, 3), "http://a.tv/2.ts", "http://b.tv/2.ts"]
    assert sample(urls, 0) == [] and sample([], 3) == []
    text = "#EXTM3U\n#EXTINF:-1,One\nhttp://x.tv/live/u/p/1.ts\n\n#EXTINF:-1,Two\nseg-2.ts\nrtmp://y/z\n"
    assert stream_urls(text, "http://cdn.tv/hls/index.m3u8") == [
        "http://x.tv/live/u/p/1.ts", "http://cdn.tv/hls/seg-2.ts"]


def _prober(tmp_path: Path, **safety: Any) -> StreamProber:
    config = load_config(environ={}).with_overrides(safety={"credential_salt": "s", **safety})
    crawler = get_crawler(IptvSpider, {"ISOP_CONFIG": config.model_copy(
        update={"data_dir": tmp_path})})  # fmt: skip
    crawler._create_spider()
    return StreamProber.of(crawler)


def test_a_spider_hands_over_items_only_when_a_middleware_will_probe_them(tmp_path: Path) -> None:
    prober = _prober(tmp_path, probe_streams=2, probe_per_site=3)
    item = object()
    assert prober.plan(item, ["http://a.tv/1.ts"], "site.tv") is item  # no middleware yet
    ProbeMiddleware.from_crawler(prober.crawler)
    pending = prober.plan(item, ["http://a.tv/1.ts"], "site.tv")
    assert isinstance(pending, Pending) and pending.item is item
    assert "a.tv" not in repr(pending)  # the clear URLs are kept out of reprs and logs
    assert prober.plan(item, [], "site.tv") is item
    prober.site_counts["site.tv"] = 3
    assert prober.plan(item, ["http://a.tv/1.ts"], "site.tv") is item  # the site's budget
    assert prober.crawler.stats.get_value("isop/probe/skipped/site_budget") == 1
    request = prober.request("http://a.tv/1.ts")
    assert request.meta["isop_probe"] and request.dont_filter
    assert request.headers[b"Range"] == b"bytes=0-65535"
    with pytest.raises(NotConfigured, match="probe_streams"):
        ProbeMiddleware.from_crawler(_prober(tmp_path / "off", probe_streams=0).crawler)


def test_probes_in_a_real_crawl_read_at_most_64_kb_and_cut_live_streams(tmp_path: Path) -> None:
    web = build_web(seed=1)
    line = panel_lines(1, "primeplus-panel")[0]
    get = (f"{PANEL}/get.php?username={line.username}"
           f"&password={line.password}&type=m3u_plus&output=ts")
    free = "http://freeiptv-m3u.net/free-iptv-m3u-20250314/"
    page = "http://voirfilms-hd.cc/children-of-the-lighthouse-2022/"
    vod = re.sub(r"master\.m3u8$", "360p/index.m3u8", re.findall(
        r'src="([^"]+/master\.m3u8)"', web.fetch(page).body.decode())[0])  # fmt: skip
    live = f"{PANEL}/live/{line.username}/{line.password}/8425.m3u8"
    film = f"{PANEL}/movie/{line.username}/{line.password}/50000.mkv"
    with SandboxServer(web, port=0, latency=False) as server:
        args = {"proxy": server.proxy_url, "data_dir": str(tmp_path), "iptv": [get, free],
                "streaming": [page, vod, live], "probe": [film],
                "safety": {"probe_per_site": 3}}
        done = subprocess.run([sys.executable, str(SCRIPT), json.dumps(args)],
                              capture_output=True, text=True, timeout=120, check=False)
        log = server.request_log
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    items, stats = out["items"], out["stats"]
    assert line.password not in done.stdout and line.username not in done.stdout
    lists = [i for i in items if i["type"] == "PlaylistItem"]
    panel = next(i for i in lists if "primeplus-panel" in i["url"])
    # two live channels of the panel: media came back, the probe cut them at 64 KB
    assert panel["probed"]["probed"] == panel["probed"]["alive"] == 2
    for result in panel["probed"]["results"]:
        assert result["reason"] == "mpegts" and result["cut"]
        assert result["bytes_read"] == CAP and "/redacted/" in result["url"]
    # a film file honours the probe's Range: the server sends exactly 64 KB, nothing is cut
    [direct] = [i["probed"] for i in items if i["type"] == "direct"]
    [(status, reason, kept, cut)] = [(r["status"], r["reason"], r["bytes_read"], r["cut"])
                                     for r in direct["results"]]  # fmt: skip
    assert (status, reason, kept, cut) == (206, "matroska", CAP, False)
    assert [r.sent for r in log if r.path.startswith("/movie/")] == [CAP]
    streamed = [r for r in log if r.sent is not None and r.status == 200]  # until hung up
    assert len(streamed) == stats["isop/safety/probe_cut"] >= 2
    # the server never had to stop on its own: each stream ended with the probe's hang-up,
    # after the 64 KB the probe read and what was in flight (a stream not cut sends MBs)
    assert all(CAP <= r.sent < 1_000_000 for r in streamed)
    # a free list: per-site budget of 3 over its two copies, a stream refused (SSRF) is dead
    free_lists = [i["probed"] for i in lists if "freeiptv-m3u.net" in i["url"]]
    assert sum(p["probed"] for p in free_lists if p) == 3
    results = [r for p in free_lists if p for r in p["results"]]
    assert {(r["alive"], r["reason"]) for r in results} == {(False, "IgnoreRequest"),
                                                            (True, "mpegts")}  # fmt: skip
    # DASH: the lowest video rendition's and the audio's first segments, read whole
    [dash] = [i for i in items if i["type"] == "DashItem"]
    assert dash["found_on"] == page and dash["probed"]["alive"] == 2
    assert {r["reason"] for r in dash["probed"]["results"]} == {"mp4"}
    assert not any(r["cut"] for r in dash["probed"]["results"])
    # HLS media playlists: one segment each, the live edge first for a live one
    hls = {i["url"]: i["probed"] for i in items if i["type"] == "HlsItem"}
    assert hls[vod]["probed"] == 1 and hls[vod]["results"][0]["url"].endswith("/seg-0.ts")
    [(live_url, on_air)] = [(u, p) for u, p in hls.items() if "8425.m3u8" in u]
    assert "/redacted/" in live_url and on_air["alive"] == on_air["probed"] == 1
    assert on_air["results"][0]["url"].endswith("/8425_90215.ts")  # the newest segment
    probed = sum(i["probed"]["probed"] for i in items if i.get("probed"))
    assert stats["isop/probe/requests"] == probed
    assert stats["isop/probe/alive"] == sum(i["probed"]["alive"] for i in items
                                            if i.get("probed"))  # fmt: skip
