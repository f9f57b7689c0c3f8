"""Helpers to run real worker processes against the sandbox in tests."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from crawler.sandbox import SandboxServer


def _env(redis_url: str, tmp: Path, prefix: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ISOP_")}
    env.update({
        "ISOP_REDIS_URLS": redis_url,
        "ISOP_REDIS__KEY_PREFIX": prefix,
        "ISOP_DATABASE_URL": f"sqlite:///{tmp / 'registry.db'}",
        "ISOP_DATA_DIR": str(tmp / "data"),
        "ISOP_CRAWL__DOWNLOAD_DELAY": "0.1",
        "ISOP_FRONTIER__LEASE_TTL": "3",
        "ISOP_METRICS__PROGRESS_INTERVAL": "0.5",
        **extra,
    })  # fmt: skip
    return env


def _start_workers(n: int, env: dict[str, str], seeds: Path, proxy: str,
                   tmp: Path) -> list[subprocess.Popen[bytes]]:  # fmt: skip
    workers = []
    for i in range(n):
        log = open(tmp / f"worker{i}.log", "wb")  # noqa: SIM115 - closed with the process
        command = [sys.executable, "-m", "crawler", "crawl", "--proxy", proxy, "--idle-exit", "3"]
        if i == 0:  # one worker queues the seeds; the others join the shared frontier
            command += ["--seeds", str(seeds)]
        workers.append(subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT))
        log.close()
    return workers


def _wait(workers: list[subprocess.Popen[bytes]], timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    for worker in workers:
        worker.wait(timeout=max(1.0, deadline - time.monotonic()))


def _log_since(sandbox: SandboxServer, since: float) -> list[tuple[float, str, int]]:
    return [(r.monotonic, f"{r.host}:{r.port}{r.path}", r.status)
            for r in sandbox.request_log if r.monotonic >= since]  # fmt: skip
