"""deploy/k8s: Kubernetes schemas (kubernetes-validate, offline), kustomize builds, and what
the fleet relies on (probes, grace period, budget, KEDA trigger, secrets)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from deploy_helpers import DEPLOY, expr_metric_names, unknown_metrics

from crawler.config import load_config

K8S = DEPLOY / "k8s"
BASE = K8S / "base"
KUBE_VERSION = "1.30.0"


def _docs(paths: list[Path]) -> list[dict[str, Any]]:
    return [d for p in paths for d in yaml.safe_load_all(p.read_text()) if d]


def _base() -> list[dict[str, Any]]:
    listed = yaml.safe_load((BASE / "kustomization.yaml").read_text())["resources"]
    return _docs([BASE / name for name in listed])


def _find(docs: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    return next(d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name)


def test_every_manifest_matches_the_kubernetes_schemas() -> None:
    docs = _base()
    checked = 0
    for doc in docs:
        if doc["apiVersion"].startswith("keda.sh/"):
            continue  # a CRD: checked field by field below
        kubernetes_validate.validate(doc, KUBE_VERSION, strict=True)
        checked += 1
    assert checked >= 7
    broken = _find(docs, "Deployment", "isop-worker")
    broken["spec"]["template"]["spec"]["containers"][0]["livenessProb"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBE_VERSION, strict=True)


def test_kustomize_builds_base_and_external_redis_overlay() -> None:
    kubectl = shutil.which("kubectl")
    assert kubectl is not None, "kubectl is installed by .ci/run (kubectl or kubernetes-client)"
    built = {}
    for folder in (BASE, K8S / "overlays" / "external-redis",
                   K8S / "overlays" / "prometheus-operator"):  # fmt: skip
        result = subprocess.run([kubectl, "kustomize", str(folder)], capture_output=True,
                                text=True, timeout=60)  # fmt: skip
        assert result.returncode == 0, result.stderr
        built[folder.name] = [d for d in yaml.safe_load_all(result.stdout) if d]
    base, overlay = built["base"], built["external-redis"]
    assert {d["metadata"].get("namespace") for d in base if d["kind"] != "Namespace"} == {"isop"}
    assert any(d["kind"] == "StatefulSet" for d in base)
    assert not any(d["kind"] == "StatefulSet" for d in overlay)
    env = _find(overlay, "ConfigMap", "isop-env")["data"]
    assert env["ISOP_REDIS__CLUSTER"] == "true"
    for doc in overlay:
        if not doc["apiVersion"].startswith("keda.sh/"):
            kubernetes_validate.validate(doc, KUBE_VERSION, strict=True)
    monitor = _find(built["prometheus-operator"], "PodMonitor", "isop")  # a CRD: by hand
    (expression,) = monitor["spec"]["selector"]["matchExpressions"]
    names = {_find(base, "Deployment", n)["spec"]["selector"]["matchLabels"][expression["key"]]
             for n in ("isop-worker", "isop-monitor", "isop-alerts")}  # fmt: skip
    assert names <= set(expression["values"])
    assert monitor["spec"]["podMetricsEndpoints"][0]["port"] == "metrics"


def test_workers_probe_health_and_outlast_the_lease_flush() -> None:
    config = load_config(environ={})
    worker = _find(_base(), "Deployment", "isop-worker")
    pod = worker["spec"]["template"]["spec"]
    container = pod["containers"][0]
    port = next(p for p in container["ports"] if p["name"] == "metrics")["containerPort"]
    assert port == config.worker.port
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    # Downloads in flight finish, then leases are given back: longer than both.
    assert pod["terminationGracePeriodSeconds"] > config.crawl.download_timeout + 30
    resources = container["resources"]
    assert resources["requests"]["cpu"] and resources["limits"]["memory"]
    annotations = worker["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/port"] == str(port)
    assert pod["securityContext"]["runAsNonRoot"] is True
    pdb = _find(_base(), "PodDisruptionBudget", "isop-worker")
    assert pdb["spec"]["selector"]["matchLabels"] == worker["spec"]["selector"]["matchLabels"]


def test_keda_scales_workers_on_frontier_depth() -> None:
    docs = _base()
    scaled = _find(docs, "ScaledObject", "isop-worker")
    assert scaled["apiVersion"] == "keda.sh/v1alpha1"
    spec = scaled["spec"]
    target = spec["scaleTargetRef"]["name"]
    assert _find(docs, "Deployment", target)
    assert 1 <= spec["minReplicaCount"] < spec["maxReplicaCount"]
    (trigger,) = spec["triggers"]
    assert trigger["type"] == "prometheus"
    meta = trigger["metadata"]
    assert float(meta["threshold"]) > 0 and meta["serverAddress"].startswith("http")
    assert expr_metric_names(meta["query"]) == {"isop_frontier_queued"}
    assert unknown_metrics([meta["query"]]) == {}


def test_secrets_come_from_secret_objects_only() -> None:
    docs = _base()
    assert not any(d["kind"] == "Secret" for d in docs), "secrets are created by ops, not committed"
    config_map = _find(docs, "ConfigMap", "isop-env")["data"]
    assert config_map["ISOP_DATABASE_URL_FILE"].startswith("/run/secrets/")
    assert not any("@" in str(v) for v in config_map.values())  # no credentials in URLs
    for doc in docs:
        if doc["kind"] not in ("Deployment", "StatefulSet"):
            continue
        pod = doc["spec"]["template"]["spec"]
        for container in pod["containers"]:
            for var in container.get("env", []):
                assert "PASSWORD" not in var["name"] and "@" not in str(var.get("value", ""))
        secrets = [v for v in pod.get("volumes", []) if "secret" in v]
        if doc["metadata"]["name"].startswith("isop-"):
            assert secrets and secrets[0]["secret"]["secretName"] == "isop-secrets"
