"""``isop demo`` end to end: sandbox -> private Redis -> worker -> detectors -> registry.

The demo's verdicts are scored against the sandbox's ground truth, which the detectors'
rules were not written from.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from crawler.redis_server import EmbeddedRedis
from crawler.registry import Registry

pytestmark = pytest.mark.slow


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ISOP_")}
    env["ISOP_DATA_DIR"] = str(data_dir)
    return env


def _demo(data_dir: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "crawler", "demo", "--json", *args], env=_env(data_dir),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL,
    )  # fmt: skip


def _evaluation(stdout: str) -> dict[str, object]:
    result: dict[str, object] = json.loads(stdout.strip().splitlines()[-1])
    return result


def _assert_perfect(result: dict[str, object]) -> None:
    assert result["false_positives"] == [], "legitimate look-alikes were flagged"
    assert result["missed"] == [], "infringing sandbox sites were not flagged"
    assert result["true_positives"] >= 30  # type: ignore[operator]
    assert result["wrong_kind"] == [], "flagged with the wrong kind"
    # Flagged counts candidates too; confirmed by the site rule: no look-alike, and every
    # pirate not confirmed is at least a candidate (one ambiguous page).
    confirmed: dict[str, Any] = result["confirmed"]  # type: ignore[assignment]
    assert confirmed["false_positives"] == [] and confirmed["wrong_kind"] == []
    assert set(confirmed["missed"]) <= set(result["candidates"])  # type: ignore[call-overload]


def test_interrupted_demo_keeps_the_registry_resumes_and_flags_exactly_the_pirates(
    tmp_path: Path,
) -> None:
    """One end-to-end demo, Ctrl-C'd once: the resumed run must still end with every
    infringing sandbox site flagged and no look-alike (a lost request would show as a miss).
    One test rather than two whole demo runs keeps the suite inside its time budget."""
    demo = _demo(tmp_path)
    registry_db = tmp_path / "demo" / "registry.db"
    deadline = time.monotonic() + 120
    flagged = 0
    while flagged < 3:
        assert time.monotonic() < deadline and demo.poll() is None, "demo flagged nothing"
        time.sleep(0.5)
        if registry_db.exists():
            with Registry.open(f"sqlite:///{registry_db}") as registry:
                flagged = len(registry.sites())
    demo.send_signal(signal.SIGINT)
    stdout, stderr = demo.communicate(timeout=90)
    assert demo.returncode == 130, stderr[-3000:]
    assert "Traceback" not in stderr
    assert "run `isop demo` again to resume" in stdout
    with Registry.open(f"sqlite:///{registry_db}") as registry:
        assert len(registry.sites()) >= flagged  # nothing written was lost
    # The private Redis was stopped: its data dir is free for a new server.
    with EmbeddedRedis(tmp_path / "demo"):
        pass

    resumed = _demo(tmp_path)
    stdout, stderr = resumed.communicate(timeout=240)
    assert resumed.returncode == 0, stderr[-3000:]
    assert "resuming an interrupted run" in stdout
    assert "pages fetched" in stdout  # progress was shown
    _assert_perfect(_evaluation(stdout))
    with Registry.open(f"sqlite:///{registry_db}") as registry:
        sites = registry.sites()
        assert sites and all(site.evidence_count > 0 for site in sites)
        assert all(registry.evidence(site.id)[0].url.startswith("http://") for site in sites)
    # Evidence of both runs (batched through EvidencePipeline): one chain, every WARC byte
    # range intact, and the chain-head log's last head reached.
    from crawler.alerts.db import open_engine
    from crawler.evidence import chain

    engine = open_engine(f"sqlite:///{registry_db}")
    try:
        report = chain.verify(engine, tmp_path / "demo" / "evidence")
    finally:
        engine.dispose()
    assert report.ok and report.checked >= len(sites) and report.reaches_anchor, report.problems
