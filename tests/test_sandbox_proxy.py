"""The sandbox proxy over real sockets: serving, hop behaviour, errors, hostile clients."""

from __future__ import annotations

import http.client
import json
import socket
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

from crawler.sandbox import SandboxServer, SandboxWeb, build_web
from crawler.sandbox.roster import PANELS
from crawler.sandbox.xtream import panel_lines


def _get(server: SandboxServer, url: str, method: str = "GET",
         headers: dict[str, str] | None = None,
         limit: int | None = None) -> tuple[int, dict[str, str], bytes]:  # fmt: skip
    """One absolute-URI request through the proxy, no redirect following; ``limit`` bytes
    of the body at most (a live stream never ends)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request(method, url, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read(limit)
    finally:
        conn.close()


def _raw(server: SandboxServer, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_urllib_through_proxy_handler(sandbox: SandboxServer) -> None:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": sandbox.proxy_url}))
    with opener.open("http://flixtorrent.to/", timeout=10) as resp:
        body = resp.read()
        assert resp.status == 200
        assert resp.headers["Content-Type"] == "text/html; charset=utf-8"
        assert int(resp.headers["Content-Length"]) == len(body)
    assert b"magnet:?xt=urn:btih:" in body or b"/torrent/" in body


def test_every_truth_domain_answers_as_labelled(sandbox: SandboxServer) -> None:
    web: SandboxWeb = sandbox.web
    primary = {e.site: e.domain for e in web.truth() if e.role == "primary"}

    def check(entry_index: int) -> str | None:
        e = web.truth()[entry_index]
        path = "/watch/x?page=2" if e.role == "former" else "/"
        status, headers, _ = _get(sandbox, f"http://{e.domain}{path}")
        if e.live and status != 200:
            return f"{e.domain}: home {status}"
        if e.role == "former" and (status != 301 or headers.get("location")
                                   != f"http://{primary[e.site]}/watch/x?page=2"):
            return f"{e.domain}: {status} {headers.get('location')}"
        if e.role == "dead" and status not in (502, 504):
            return f"{e.domain}: dead but {status}"
        return None

    with ThreadPoolExecutor(16) as pool:
        problems = [p for p in pool.map(check, range(len(web.truth()))) if p]
    assert not problems


def test_www_redirects_to_apex(sandbox: SandboxServer) -> None:
    status, headers, _ = _get(sandbox, "http://www.copyrightbeat.com/about/")
    assert status == 301 and headers["location"] == "http://copyrightbeat.com/about/"


def test_unknown_host_is_a_proxy_dns_error(sandbox: SandboxServer) -> None:
    status, headers, body = _get(sandbox, "http://no-such-site-anywhere.com/")
    assert status == 502
    assert headers["x-squid-error"].startswith("ERR_DNS_FAIL")
    assert b"could not resolve host" in body


def test_known_host_wrong_port_is_refused(sandbox: SandboxServer) -> None:
    status, headers, _ = _get(sandbox, "http://flixtorrent.to:8080/")
    assert status == 502 and headers["x-squid-error"].startswith("ERR_CONNECT_FAIL")


def test_connect_is_not_implemented(sandbox: SandboxServer) -> None:
    reply = _raw(sandbox, b"CONNECT flixtorrent.to:443 HTTP/1.1\r\n"
                          b"Host: flixtorrent.to:443\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 501")
    assert b"CONNECT not supported" in reply


def test_head_has_headers_and_no_body(sandbox: SandboxServer) -> None:
    status, headers, body = _get(sandbox, "http://flixtorrent.to/", method="HEAD")
    full = sandbox.web.fetch("http://flixtorrent.to/").body
    assert status == 200 and body == b"" and int(headers["content-length"]) == len(full)


def test_origin_form_uses_host_header(sandbox: SandboxServer) -> None:
    reply = _raw(sandbox, b"GET /robots.txt HTTP/1.1\r\nHost: cinemagnet.mx\r\n"
                          b"Connection: close\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 200") and b"User-agent: *" in reply


def test_keep_alive_serves_several_requests(sandbox: SandboxServer) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", sandbox.port, timeout=10)
    try:
        for path in ("/", "/robots.txt", "/favicon.ico"):
            conn.request("GET", f"http://ddlhive.net{path}")
            resp = conn.getresponse()
            assert resp.status == 200 and resp.read()
    finally:
        conn.close()


def test_malformed_requests_do_not_kill_the_server(sandbox: SandboxServer) -> None:
    junk = [b"GARBAGE\r\n\r\n", b"GET\r\n\r\n", b"\x00\xff\x16\x03\x01binary\r\n\r\n",
            b"GET " + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n", b"GET http://:99999/ HTTP/1.1\r\n\r\n",
            b"GET http://flixtorrent.to:notaport/ HTTP/1.1\r\n\r\n", b"GET / HTTP/1.1\r\n\r\n",
            b"GET https://flixtorrent.to/ HTTP/1.1\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n",
            b"GET http://flixtorrent.to/ HTTP/1.1\r\nContent-Length: 99\r\n\r\nshort"]
    for data in junk:
        reply = _raw(sandbox, data)
        assert reply == b"" or reply.startswith(b"HTTP/"), data[:30]
    with socket.create_connection(("127.0.0.1", sandbox.port), timeout=5):
        pass  # connect and vanish
    status, _, _ = _get(sandbox, "http://flixtorrent.to/")
    assert status == 200


def test_request_log_records_requests(sandbox: SandboxServer) -> None:
    before = time.monotonic()
    _get(sandbox, "http://reelcritic.net/about/")
    _get(sandbox, "http://reelcritic.net/nope")
    recs = [r for r in sandbox.request_log if r.monotonic >= before and r.host == "reelcritic.net"]
    assert [(r.path, r.status) for r in recs] == [("/about/", 200), ("/nope", 404)]
    assert recs[0].monotonic <= recs[1].monotonic and recs[0].wall > 1e9


def test_slow_site_is_slow_and_flaky_site_is_deterministic(sandbox: SandboxServer) -> None:
    t0 = time.monotonic()
    status, _, _ = _get(sandbox, "http://animekuro.tv/robots.txt")
    assert status == 200 and time.monotonic() - t0 >= 1.0
    urls = [u for u in sandbox.web.urls("text/html") if "bajatorrentes.net" in u]
    first = [sandbox.web.fetch(u).status for u in urls]
    assert 200 in first and {500, 503} & set(first)
    bad = urls[first.index(next(s for s in first if s >= 500))]
    assert _get(sandbox, bad)[0] == _get(sandbox, bad)[0] >= 500


def test_xtream_panel_api(sandbox: SandboxServer) -> None:
    host, port = PANELS["primeplus-panel"]
    line = panel_lines(sandbox.web.seed, "primeplus-panel")[0]
    base = f"http://{host}:{port}"
    creds = f"username={line.username}&password={line.password}"
    status, headers, body = _get(sandbox, f"{base}/player_api.php?{creds}")
    info = json.loads(body)
    assert status == 200 and headers["content-type"] == "application/json"
    assert info["user_info"]["auth"] == 1 and info["server_info"]["port"] == str(port)
    cats = json.loads(_get(sandbox, f"{base}/player_api.php?{creds}&action=get_live_categories")[2])
    assert any("SPORTS" in c["category_name"] for c in cats)
    status, headers, body = _get(sandbox, f"{base}/get.php?{creds}&type=m3u_plus&output=ts")
    assert status == 200 and headers["content-type"] == "audio/x-mpegurl"
    assert body.startswith(b"#EXTM3U x-tvg-url=") and b"Sky Sports Main Event" in body
    stream = next(x for x in body.decode().splitlines() if x.startswith("http"))
    status, headers, seg = _get(sandbox, stream, limit=4096)  # a live channel: never ends
    assert status == 200 and headers["content-type"] == "video/mp2t" and seg[0] == 0x47
    bad = json.loads(_get(sandbox, f"{base}/player_api.php?username=x&password=y")[2])
    assert bad == {"user_info": {"auth": 0}}
    # the API host has nothing on port 80
    assert _get(sandbox, f"http://{urlsplit(base).hostname}/")[0] == 502


def test_stop_closes_idle_keep_alive_connections() -> None:
    server = SandboxServer(build_web(seed=3), latency=False).start()
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request("GET", "http://flixtorrent.to/")
        conn.getresponse().read()
        t0 = time.monotonic()
        server.stop()
        assert time.monotonic() - t0 < 3
    finally:
        conn.close()
    server.stop()  # idempotent
    assert [r.host for r in server.request_log] == ["flixtorrent.to"]  # kept after stop
