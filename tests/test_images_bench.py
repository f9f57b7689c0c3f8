"""Smoke test of ``python -m bench images --quick``: it runs and its answers are exact."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_images_quick_prints_exact_lookups_and_rates() -> None:
    done = subprocess.run([sys.executable, "-m", "bench", "images", "--quick"], cwd=ROOT,
                          capture_output=True, text=True, timeout=240)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["hash_images_per_s"] > 0 and result["baseline_images_per_s"] > 0
    assert [row["n"] for row in result["lookups"]] == [20_000, 100_000]
    assert all(row["exact"] and row["found"] > 0 for row in result["lookups"])
    assert result["reload"]["reopen_s"] >= 0
