"""A running worker as ops see it: ``isop fleet status`` and the Prometheus endpoint."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from fleet_helpers import _env

from crawler.redis_server import _free_port
from crawler.sandbox import SandboxServer

pytestmark = pytest.mark.slow


def _metrics(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        return str(response.read().decode())


def test_status_and_metrics_of_a_running_worker(sandbox: SandboxServer, redis_url: str,
                                                tmp_path: Path) -> None:  # fmt: skip
    seeds = tmp_path / "seeds.txt"
    seeds.write_text("\n".join(sandbox.web.seeds()[:3]) + "\n")
    port = _free_port()
    env = _env(redis_url, tmp_path, "opsview", ISOP_CRAWL__DOWNLOAD_DELAY="0.5",
               ISOP_METRICS__ADDRESS="127.0.0.1")  # fmt: skip
    log = open(tmp_path / "worker.log", "wb")  # noqa: SIM115
    worker = subprocess.Popen(
        [sys.executable, "-m", "crawler", "crawl", "--seeds", str(seeds), "--proxy",
         sandbox.proxy_url, "--metrics-port", str(port)],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    log.close()
    try:
        deadline = time.monotonic() + 60
        text = ""
        while 'isop_responses_total{spider="discovery",status="200"}' not in text:
            assert time.monotonic() < deadline, (tmp_path / "worker.log").read_text()[-2000:]
            time.sleep(0.3)
            try:
                text = _metrics(port)
            except OSError:
                continue
        assert "isop_frontier_up 1.0" in text
        assert 'isop_frontier_queued{shard="0"}' in text
        assert "isop_fleet_workers_live 1.0" in text

        status = subprocess.run(
            [sys.executable, "-m", "crawler", "fleet", "status", "--json"],
            env=env, capture_output=True, text=True, timeout=30,
        )  # fmt: skip
        assert status.returncode == 0, status.stderr
        view = json.loads(status.stdout)
        assert view["live_workers"] == 1
        assert len(view["shards"]) == 16
        assert view["queued"] + view["leased"] > 0
        assert view["workers"][0]["heartbeat_age"] < 5

        table = subprocess.run([sys.executable, "-m", "crawler", "fleet", "status"], env=env,
                               capture_output=True, text=True, timeout=30)  # fmt: skip
        assert "Frontier shards" in table.stdout and "Live workers" in table.stdout
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)
    assert worker.returncode == 0
