"""deploy/grafana/isop.json: every query parses (promtool) and names metrics that exist."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from deploy_helpers import DEPLOY, unknown_metrics

BOARD = DEPLOY / "grafana" / "isop.json"


def _board() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(BOARD.read_text())
    return data


def _targets() -> list[tuple[str, str]]:
    """(panel title, expression) of every query."""
    return [(panel["title"], target["expr"]) for panel in _board()["panels"]
            for target in panel.get("targets", [])]  # fmt: skip


def test_board_covers_what_ops_watch() -> None:
    titles = {panel["title"] for panel in _board()["panels"]}
    for wanted in ("Fleet throughput by status", "Queue depth per shard", "Lease recovery",
                   "Flags by kind", "Deliveries", "Outbox"):  # fmt: skip
        assert wanted in titles
    ids = [panel["id"] for panel in _board()["panels"]]
    assert len(ids) == len(set(ids))
    queue = next(p for p in _board()["panels"] if p["title"] == "Queue depth per shard")
    assert "by (shard)" in queue["targets"][0]["expr"]


def test_every_query_names_exported_metrics() -> None:
    exprs = [expr for _, expr in _targets()]
    assert len(exprs) > 20
    assert unknown_metrics(exprs) == {}


def test_every_query_parses(tmp_path: Path) -> None:
    """promtool parses each query, wrapped as a recording rule."""
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.fail("promtool not found on PATH: install Debian's 'prometheus' package "
                    "(.ci/run does)")  # fmt: skip
    rules = [{"record": f"isop:board_query_{i}", "expr": expr}
             for i, (_, expr) in enumerate(_targets())]  # fmt: skip
    path = tmp_path / "board_rules.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "board", "rules": rules}]}))
    result = subprocess.run([promtool, "check", "rules", str(path)], capture_output=True,
                            text=True, timeout=60)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_broken_query_would_be_caught(tmp_path: Path) -> None:
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.fail("promtool not found on PATH: install Debian's 'prometheus' package")
    path = tmp_path / "bad.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "b", "rules": [
        {"record": "isop:bad", "expr": "sum(rate(isop_responses_total[5m])"}]}]}))  # fmt: skip
    result = subprocess.run([promtool, "check", "rules", str(path)], capture_output=True,
                            text=True, timeout=60)  # fmt: skip
    assert result.returncode != 0
