"""deploy/prometheus/rules.yml: valid for promtool, one unit test per rule, real metric names.

promtool comes from Debian's ``prometheus`` package, which ``.ci/run`` installs.  Its absence
is a failure, not a skip: these tests are the only check of the alert rules.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from deploy_helpers import DEPLOY, expr_metric_names, unknown_metrics

PROM = DEPLOY / "prometheus"
RULES = PROM / "rules.yml"


def _promtool() -> str:
    path = shutil.which("promtool")
    if path is None:
        pytest.fail("promtool not found on PATH: install Debian's 'prometheus' package "
                    "(apt-get install prometheus; .ci/run does)")  # fmt: skip
    return path


def _rules() -> list[dict[str, object]]:
    data = yaml.safe_load(RULES.read_text())
    return [rule for group in data["groups"] for rule in group["rules"]]


def test_promtool_checks_the_rules() -> None:
    result = subprocess.run([_promtool(), "check", "rules", str(RULES)],
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(_rules())} rules found" in result.stdout


def test_every_rule_has_a_unit_test_that_covers_it() -> None:
    alerts = {str(rule["alert"]) for rule in _rules()}
    for name in (
        "IsopFleetStalled", "IsopLeaseRecoveriesGrowing", "IsopAlertOutboxBacklog",
        "IsopFetchErrorRateHigh", "IsopRedisMemoryNearLimit",
    ):  # fmt: skip
        assert name in alerts  # what issue #7 asks for
    for alert in alerts:
        path = PROM / "tests" / f"{alert}.test.yml"
        assert path.exists(), f"no unit test for {alert}: {path}"
        spec = yaml.safe_load(path.read_text())
        cases = [c for t in spec["tests"] for c in t.get("alert_rule_test", [])]
        assert {c["alertname"] for c in cases} == {alert}, path
        assert any(c.get("exp_alerts") for c in cases), f"{path}: never expects {alert} to fire"
        assert any(not c.get("exp_alerts") for c in cases), f"{path}: no case where it is quiet"


@pytest.mark.parametrize("test_file", sorted((PROM / "tests").glob("*.test.yml")),
                         ids=lambda p: p.name.split(".")[0])  # fmt: skip
def test_promtool_unit_test(test_file: Path) -> None:
    result = subprocess.run([_promtool(), "test", "rules", test_file.name], cwd=test_file.parent,
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_rules_use_metrics_the_code_exports() -> None:
    exprs = [str(rule["expr"]) for rule in _rules()]
    assert all(expr_metric_names(e) for e in exprs)
    assert unknown_metrics(exprs) == {}


def test_a_misspelt_metric_is_caught() -> None:
    """The name check is not vacuous: a typo in an expression is reported."""
    assert unknown_metrics(["sum(rate(isop_response_total[5m]))"]) == {
        "sum(rate(isop_response_total[5m]))": {"isop_response_total"}
    }
