"""The monitor end to end: ``isop monitor`` (a real Scrapy process on a real Redis) checks
sites of a real registry through a small web on 127.0.0.1 that plays every case: a live
site, a dead one whose hop candidate serves it, a seizure banner, a parking page, a redirect
to a new domain.  Afterwards the registry holds the checks and statuses, and the hop."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis

from crawler.linking.hops import hop_candidates
from crawler.registry import Registry
from crawler.registry.checks import CheckResult

GONE = "gone-movies.to"
HOP_OF_GONE = hop_candidates(GONE, 5)[2]  # what the linking generator will propose
PAGES: dict[str, tuple[int, str, dict[str, str]]] = {
    "alive-movies.to": (200, "<title>Alive Movies</title><p>1080p magnet links</p>", {}),
    HOP_OF_GONE: (200, f"<title>{HOP_OF_GONE.upper()} - Free films</title><p>new home</p>", {}),
    "seized-films.to": (
        200, "<h1>This domain has been seized</h1><p>by the FBI pursuant to a seizure warrant</p>",
        {},
    ),
    "parked-films.to": (200, "<h2>This domain is for sale!</h2><a>Buy this domain</a>", {}),
    "hop-films.to": (301, "", {"Location": "http://hop-films.cc/"}),
    "hop-films.cc": (200, "<title>Hop films</title>", {}),
    "late-films.to": (200, "<title>Late films</title>", {}),
}


class FakeWeb(BaseHTTPRequestHandler):
    """An HTTP proxy's view of the web: the host of the absolute URL picks the answer;
    unknown hosts (the dead site, most hop candidates) drop the connection."""

    def do_GET(self) -> None:
        host = urlsplit(self.path).hostname or ""
        if host not in PAGES:
            self.close_connection = True
            self.connection.shutdown(2)
            return
        status, body, headers = PAGES[host]
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def fake_web() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeWeb)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _flag(reg: Registry, domain: str) -> int:
    url = f"http://{domain}/"
    site = reg.record_page_verdict(
        domain=domain, url=url, score=0.9, infringing=True, kind="streaming",
        explanation="players", signals=[], content_sha256=hashlib.sha256(url.encode()).hexdigest(),
        seen_at=datetime.now(UTC) - timedelta(days=1),
    )  # fmt: skip
    assert site is not None
    return site.id


@pytest.mark.slow
def test_monitor_checks_sites_and_follows_a_hop(
    tmp_path: Path, fake_web: str, redis_url: str, registry_url: str
) -> None:
    url = registry_url  # SQLite, then PostgreSQL
    with Registry.open(url) as reg:
        ids = {d: _flag(reg, d) for d in
               ("alive-movies.to", GONE, "seized-films.to", "parked-films.to", "hop-films.to")}
        # The dead site was seen up before, under the title its new domain still shows.
        reg.record_check(CheckResult(
            site_id=ids[GONE], domain=GONE, url=f"http://{GONE}/",
            at=datetime.now(UTC) - timedelta(hours=2), outcome="up", http_status=200,
            title=f"{GONE.upper()} - Free films",
        ))  # fmt: skip
    env = {
        **os.environ,
        "ISOP_DATA_DIR": str(tmp_path / "data"),
        "ISOP_DATABASE_URL": url,
        "ISOP_REDIS_URLS": redis_url,
        "ISOP_REDIS__KEY_PREFIX": f"t{uuid.uuid4().hex[:8]}",
        "ISOP_CRAWL__RETRY_TIMES": "0",
        "ISOP_CRAWL__DOWNLOAD_DELAY": "0",
        "ISOP_CRAWL__DOWNLOAD_TIMEOUT": "5",
        "ISOP_MONITOR__DOWN_AFTER_FAILURES": "1",
        "ISOP_MONITOR__HOP_PROBES": "5",
        "ISOP_MONITOR__SWEEP_INTERVAL": "1",
    }
    # Runs until SIGTERM, sent once the 5 sites were checked and the dead one's hop found.
    proc = subprocess.Popen(
        [sys.executable, "-m", "crawler", "monitor", "--proxy", fake_web],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        _wait_for_checks(url, list(ids), 6, proc)
        # A site confirmed while the monitor runs is picked up by its next sweep.
        with Registry.open(url) as reg:
            ids["late-films.to"] = _flag(reg, "late-films.to")
        _wait_for_checks(url, list(ids), 7, proc)
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, stderr[-3000:]
    with Registry.open(url) as reg:
        status = {d: reg.site_by_domain(d) for d in ids}
        assert {d: s.status for d, s in status.items() if s} == {
            "alive-movies.to": "monitored",
            GONE: "moved",
            "seized-films.to": "seized",
            "parked-films.to": "parked",
            "hop-films.to": "moved",
            "late-films.to": "monitored",
        }
        hopped = reg.history(GONE)
        assert hopped is not None and hopped.site.label == HOP_OF_GONE
        assert [c.outcome for c in hopped.checks] == ["up", "down", "moved"]
        assert hopped.domains[-1].how_linked == "hop-probe:same-title"
        redirected = reg.history("hop-films.cc")
        assert redirected is not None and redirected.site.id == ids["hop-films.to"]
        [check] = redirected.checks
        assert check.redirect_chain == ["http://hop-films.to/", "http://hop-films.cc/"]
        assert check.http_status == 200 and check.response_ms is not None
        alive = reg.history("alive-movies.to")
        assert alive is not None and alive.next_check_at is not None
        # The next check is due one "monitored" interval later, queued in the frontier.
        assert alive.next_check_at - alive.checks[-1].at == timedelta(seconds=3600)
    # SIGTERM was clean: every site's next check waits in the monitor's own frontier (not the
    # discovery workers'), for the next run.
    client = redis.Redis.from_url(redis_url)
    try:
        prefix = env["ISOP_REDIS__KEY_PREFIX"]
        due = sum(client.zcard(key) for key in client.scan_iter(f"{{{prefix}:monitor:*}}:due"))
        shared = list(client.scan_iter(f"{{{prefix}:[0-9]*"))
    finally:
        client.close()
    # One per site, plus the dead site's recheck queued when it went down: stale since the
    # hop was found (it is dropped, unrecorded, when it comes due).
    assert due == len(ids) + 1 and shared == []


def _wait_for_checks(url: str, domains: list[str], count: int, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.5)
        with Registry.open(url) as reg:
            histories = [reg.history(d) for d in domains]
        if sum(len(h.checks) for h in histories if h) >= count + 1:  # + the one made before
            return
    raise AssertionError(f"fewer than {count} checks recorded (monitor exited: {proc.poll()})")

