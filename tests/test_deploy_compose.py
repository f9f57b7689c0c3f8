"""deploy/compose.yaml, deploy/Dockerfile and the compose Prometheus config, checked offline.

No Docker engine runs here, so the compose file is validated against the Compose
Specification's JSON schema (the copy vendored by check-jsonschema) and for what the fleet
relies on; the Prometheus config goes through ``promtool check config``.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from importlib import resources
from typing import Any

import jsonschema
import pytest
import yaml
from deploy_helpers import DEPLOY

from crawler.config import load_config

COMPOSE = DEPLOY / "compose.yaml"


def _compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return data


def _seconds(text: str) -> float:
    units = {"s": 1, "m": 60, "h": 3600}
    return sum(float(n) * units[u] for n, u in re.findall(r"(\d+(?:\.\d+)?)([smh])", text))


def test_compose_matches_the_compose_specification() -> None:
    schema_file = resources.files("check_jsonschema.builtin_schemas.vendor") / "compose-spec.json"
    schema = json.loads(schema_file.read_text())
    jsonschema.validate(_compose(), schema)
    broken = _compose()
    broken["services"]["worker"]["stop_grace_perod"] = "60s"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def test_compose_runs_the_whole_fleet() -> None:
    services = _compose()["services"]
    for name in ("redis", "redis-exporter", "postgres", "worker", "monitor", "alerts",
                 "prometheus", "grafana"):  # fmt: skip
        assert name in services
    assert "--appendonly yes" in services["redis"]["command"]
    worker = services["worker"]
    assert "ports" not in worker, "a fixed host port would stop `--scale worker=8`"
    assert worker["command"][:1] == ["worker"]
    port = load_config(environ={}).worker.port
    assert f"127.0.0.1:{port}/healthz" in " ".join(worker["healthcheck"]["test"])
    # The stop grace covers downloads in flight plus the lease flush.
    timeout = load_config(environ={}).crawl.download_timeout
    assert _seconds(worker["stop_grace_period"]) > timeout + 10
    for name, service in services.items():
        if name != "redis-exporter":  # a scratch image: no shell, no client to probe with
            assert "healthcheck" in service, name
        named = [v for v in service.get("volumes", []) if not str(v).startswith("./")]
        for volume in named:
            assert str(volume).split(":")[0] in _compose()["volumes"], (name, volume)


def test_compose_passes_secrets_as_files_only() -> None:
    data = _compose()
    for name, service in data["services"].items():
        for key, value in (service.get("environment") or {}).items():
            if re.search(r"PASSWORD|SECRET|TOKEN|DATABASE_URL|ROUTES", key):
                assert key.endswith("_FILE"), f"{name}: {key} must come from a secret file"
                assert str(value).startswith("/run/secrets/"), (name, key)
        for secret in service.get("secrets", []):
            assert secret in data["secrets"], (name, secret)
    assert all("file" in s for s in data["secrets"].values())


def test_prometheus_config_is_valid() -> None:
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.fail("promtool not found on PATH: install Debian's 'prometheus' package "
                    "(.ci/run does)")  # fmt: skip
    result = subprocess.run([promtool, "check", "config", "prometheus.yml"],
                            cwd=DEPLOY / "prometheus", capture_output=True, text=True,
                            timeout=60)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    config = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    jobs = {job["job_name"] for job in config["scrape_configs"]}
    assert "isop-worker" in jobs  # the name rules.yml's IsopWorkersDown asks `up` about


def test_dockerfile_is_slim_pinned_and_non_root() -> None:
    text = (DEPLOY / "Dockerfile").read_text()
    images = re.findall(r"^ARG PYTHON_IMAGE=(\S+)", text, re.M)
    assert images and re.fullmatch(r"python:\d+\.\d+\.\d+-slim-\w+(@sha256:[0-9a-f]{64})?",
                                   images[0]), images  # fmt: skip
    stages = re.findall(r"^FROM (\S+)", text, re.M)
    assert stages[-1] == "${PYTHON_IMAGE}"  # the runtime stage: no compiler
    assert re.search(r"^USER 10001", text, re.M)
    assert re.search(r"^COPY crawler ", text, re.M)  # the package comes from this repository
    assert re.search(r"pip install .*--no-index", text)
    port = load_config(environ={}).worker.port
    assert re.search(rf"^EXPOSE {port}$", text, re.M)
    assert "HEALTHCHECK" in text and "/healthz" in text
