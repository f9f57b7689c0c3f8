"""SIGTERM to a real ``isop worker`` mid-crawl: it exits 0, gives its leases back, and a
second worker finishes the crawl without losing a request or refetching a handled one."""

from __future__ import annotations

import re
import signal
import time
from collections import Counter
from pathlib import Path

import pytest
import redis
from fleet_helpers import _env, _log_since
from worker_helpers import scrape, start_worker, total, wait_for

from crawler.domains import registered_domain
from crawler.frontier import codec
from crawler.redis_server import _free_port
from crawler.sandbox import SandboxServer

pytestmark = pytest.mark.slow
PREFIX = "sigterm"


def _queued_urls(client: redis.Redis) -> set[str]:
    """URLs waiting in the frontier's domain queues (read straight from Redis)."""
    urls = set()
    for key in client.scan_iter(match="{" + PREFIX + ":*}:q:*"):
        for member in client.zrange(key, 0, -1):
            urls.add(codec.loads(member)["url"])
    return urls


def _shard_totals(client: redis.Redis) -> Counter[str]:
    out: Counter[str] = Counter()
    for key in client.scan_iter(match="{" + PREFIX + ":*}:stats"):
        for name, value in client.hgetall(key).items():
            out[name.decode()] += int(value)
    for key in client.scan_iter(match="{" + PREFIX + ":*}:leases"):
        out["leased_now"] += int(client.zcard(key))
    return out


def _ok_urls(log: list[tuple[float, str, int]]) -> Counter[str]:
    return Counter(url for _, url, status in log if status == 200)


def test_sigterm_mid_crawl_loses_nothing(sandbox: SandboxServer, redis_url: str,
                                         tmp_path: Path) -> None:  # fmt: skip
    seeds = tmp_path / "seeds.txt"
    web = sandbox.web
    good = [s for s in web.seeds() if not any(b in s for b in ("slow", "dead"))]
    pirate = [s for s in good if (e := web.entry(registered_domain(s))) and e.infringing]
    assert pirate, "the sandbox has no infringing seed: no registry write to check"
    seeds.write_text("\n".join(pirate[:2] + [s for s in good if s not in pirate][:4]) + "\n")
    env = _env(redis_url, tmp_path, PREFIX, ISOP_METRICS__ADDRESS="127.0.0.1",
               ISOP_CRAWL__MAX_SITE_HOPS="0", ISOP_CRAWL__PAGE_BUDGET_PER_SITE="15",
               ISOP_CRAWL__DOWNLOAD_DELAY="0.3",
               ISOP_FRONTIER__LEASE_TTL="30")  # expiry cannot be what brings leases back
    port = _free_port()
    log1 = tmp_path / "first.log"
    started = time.monotonic()
    first = start_worker(env, tmp_path, port, sandbox.proxy_url, "--seeds", str(seeds),
                         name="first")  # fmt: skip
    try:
        def busy() -> bool:
            now = scrape(port)
            return (total(now, "isop_worker_leases_held") >= 2
                    and total(now, "isop_responses_total") >= 8
                    and total(now, "isop_frontier_queued") > 0)  # fmt: skip
        wait_for("the worker to hold leases mid-crawl", busy, 60, log1, every=0.05)
        first.send_signal(signal.SIGTERM)
        first.wait(timeout=60)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    text = log1.read_text(errors="replace")
    assert first.returncode == 0, text[-3000:]
    run1 = _ok_urls(_log_since(sandbox, started))

    client = redis.Redis.from_url(redis_url)
    try:
        counts = _shard_totals(client)
        left = _queued_urls(client)
    finally:
        client.close()
    # Every lease the worker took was finished before it exited: handled and acknowledged
    # (downloads in flight complete during the graceful stop) or given back unhandled.
    assert counts["granted"] > 0 and counts["leased_now"] == 0, counts
    assert counts["acked"] + counts["released"] == counts["granted"], counts
    assert counts["expired"] == 0, counts  # nothing was left for lease expiry to recover
    assert "finish_reason': 'shutdown'" in text
    # Registry writes were flushed before the exit: every flag counted is in the database.
    flags = re.search(r"'isop/registry/flags_written': (\d+)", text)
    assert flags and int(flags.group(1)) > 0, "no flag written before the stop"
    assert _evidence_rows(env["ISOP_DATABASE_URL"]) == int(flags.group(1))
    assert left, "nothing was left to crawl: the SIGTERM came too late to test anything"
    released = counts["released"]

    second_start = time.monotonic()
    second = start_worker(env, tmp_path, _free_port(), sandbox.proxy_url, "--idle-exit", "2",
                          name="second")  # fmt: skip
    second.wait(timeout=120)
    assert second.returncode == 0, (tmp_path / "second.log").read_text()[-3000:]
    run2 = _ok_urls(_log_since(sandbox, second_start))

    # Nothing lost: every request queued or given back at the SIGTERM was fetched later.
    missing = {u for u in left if _key(u) not in run2}
    assert not missing, sorted(missing)[:5]
    # Writes flushed: a page handled (acknowledged) before the stop is not fetched again;
    # at most the requests whose leases were given back unacknowledged come twice.
    again = set(run1) & set(run2)
    assert len(again) <= released, sorted(again)[:5]
    print(f"first run {len(run1)} pages, released {released}, left {len(left)}, "
          f"second run {len(run2)}, fetched twice {len(again)}")


def _evidence_rows(database_url: str) -> int:
    from crawler.registry import Registry

    registry = Registry.open(database_url)
    try:
        return sum(len(registry.evidence(site.id)) for site in registry.sites())
    finally:
        registry.close()


def _key(url: str) -> str:
    """``http://host:port/path`` as the sandbox logs it: ``host:port/path``."""
    rest = url.split("://", 1)[1]
    host, _, path = rest.partition("/")
    if ":" not in host:
        host += ":80"
    return f"{host.lower()}/{path}"
