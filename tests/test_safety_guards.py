"""Safety components in a real Scrapy crawl of a real local HTTP server: payloads refused by
URL and stopped at the headers, a gzip bomb stopped at the size cap while decompressing, a
probe cut at 64 KB, per-kind caps, and SSRF refusal unless allow-listed."""

from __future__ import annotations

import contextlib
import gzip
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

SCRIPT = Path(__file__).parent / "fixtures" / "extract" / "guarded_crawl.py"
BOMB_INFLATED = 64 * 1024 * 1024
BOMB = gzip.compress(b"<html>" + b"\0" * BOMB_INFLATED, compresslevel=9)


class _Handler(BaseHTTPRequestHandler):
    seen: list[str] = []

    def log_message(self, *args: Any) -> None:
        pass

    def _send(self, ctype: str, body: bytes, **headers: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for key, value in headers.items():
            self.send_header(key.replace("_", "-"), value)
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)

    def do_GET(self) -> None:
        _Handler.seen.append(self.path)
        if self.path == "/page":
            self._send("text/html", b"<html><body>hello</body></html>")
        elif self.path == "/bomb":
            self._send("text/html", BOMB, Content_Encoding="gzip")
        elif self.path.startswith("/watch"):  # a stream behind an innocent URL
            self._send("video/mp2t", b"\x47" * 2_000_000)
        elif self.path == "/live/probe":
            self._send("video/mp2t", b"\x47" * 1_000_000)
        elif self.path == "/big.m3u":
            line = b"#EXTINF:-1,Channel\nhttp://example.com/stream.m3u8\n"
            self._send("audio/x-mpegurl", b"#EXTM3U\n" + line * (6_500_000 // len(line)))
        elif self.path == "/big.html":
            self._send("text/html", b"<html>" + b"a" * 6_500_000)
        else:
            self._send("text/html", b"<html>other</html>")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def _crawl(urls: list[str], **args: Any) -> dict[str, Any]:
    _Handler.seen.clear()
    done = subprocess.run([sys.executable, str(SCRIPT), json.dumps({"urls": urls, **args})],
                          capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_payloads_bombs_and_caps_in_a_real_crawl(server: str) -> None:
    base = f"http://{server}"
    urls = [f"{base}/page", f"{base}/bomb", f"{base}/movie.mkv", f"{base}/seg/00042.ts",
            f"{base}/watch?v=1", f"{base}/big.m3u", f"{base}/big.html"]  # fmt: skip
    out = _crawl(urls, safety={"allow_private": [server]})
    fetched, failed, stats = out["fetched"], out["failed"], out["stats"]
    assert fetched[f"{base}/page"] > 0
    # refused before any byte left: the server never saw them
    assert "/movie.mkv" not in _Handler.seen and "/seg/00042.ts" not in _Handler.seen
    assert failed[f"{base}/movie.mkv"] == "IgnoreRequest"
    assert stats["isop/safety/media_refused/mkv"] == 1
    assert stats["isop/safety/media_refused/ts"] == 1
    # a stream behind an innocent URL is stopped at its headers
    assert f"{base}/watch?v=1" not in fetched
    assert stats["isop/safety/media_stopped"] == 1
    # the gzip bomb (64 MB inflated from ~64 KB) stops at the 5 MB cap while decompressing
    assert len(BOMB) < 200_000
    assert f"{base}/bomb" not in fetched and failed[f"{base}/bomb"] == "IgnoreRequest"
    # per-kind caps: a 6.5 MB playlist is read, a 6.5 MB page is not
    assert fetched[f"{base}/big.m3u"] > 6_000_000
    assert f"{base}/big.html" not in fetched


def test_a_liveness_probe_reads_at_most_64_kb(server: str) -> None:
    url = f"http://{server}/live/probe"
    out = _crawl([url], safety={"allow_private": [server]}, meta={"isop_probe": True})
    assert 0 < out["fetched"][url] <= 65_536 + 65_536  # cut at the first chunk past 64 KB
    assert out["stats"]["isop/safety/probe_cut"] == 1


def test_private_addresses_are_refused_unless_allow_listed(server: str) -> None:
    host, port = server.split(":")
    urls = [f"http://{server}/page", f"http://localhost:{port}/page",
            "http://169.254.169.254/latest/meta-data/", "http://[::1]:1/x",
            "http://10.0.0.1/", "http://metadata.google.internal/computeMetadata/v1/"]
    out = _crawl(urls, safety={"allow_private": [f"{host}:{int(port) + 1}"]})  # another port
    assert not out["fetched"] and _Handler.seen == []
    assert set(out["failed"].values()) == {"IgnoreRequest"}
    assert out["stats"]["isop/safety/ssrf_refused/private_address"] == 4
    assert out["stats"]["isop/safety/ssrf_refused/internal_name"] == 2
    allowed = _crawl([f"http://{server}/page"], safety={"allow_private": [server]})
    assert allowed["fetched"] and _Handler.seen == ["/page"]
