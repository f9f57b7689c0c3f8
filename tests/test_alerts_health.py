"""``isop alerts deliver`` serves /metrics, /healthz and /readyz like ``isop worker``: a real
process, a real webhook receiver, a real SQLite outbox; and the deploy probes use them."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import yaml
from sqlalchemy import text
from test_alerts_cli import _env, isop, receiver  # noqa: F401  (a fixture)
from test_alerts_delivery import Receiver, add_alerts, free_port, wait_for

from crawler.alerts.db import open_engine
from crawler.config import load_config

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"


def _get(port: int, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()
    except OSError:
        return 0, ""


def _metric(body: str, name: str) -> float:
    values = [float(line.split()[-1]) for line in body.splitlines() if line.startswith(name + " ")]
    assert len(values) == 1, (name, body[:2000])
    return values[0]


def test_deliverer_health_follows_the_outbox(tmp_path: Path, receiver: Receiver) -> None:  # noqa: F811
    env = _env(tmp_path, receiver.url(), ISOP_METRICS__ADDRESS="127.0.0.1")
    port = free_port()
    engine = open_engine(env["ISOP_DATABASE_URL"])
    proc = subprocess.Popen(
        [sys.executable, "-m", "crawler", "alerts", "deliver", "--metrics-port", str(port)],
        env={**{k: v for k, v in os.environ.items() if not k.startswith("ISOP_")}, **env},
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        wait_for(lambda: _get(port, "/readyz") == (200, "outbox reachable\n"))
        status, body = _get(port, "/healthz")
        assert status == 200 and body.startswith("heartbeat"), body
        ids = add_alerts(engine, 3)
        wait_for(lambda: sorted(receiver.ids()) == ids)
        wait_for(lambda: _metric(_get(port, "/metrics")[1], "isop_alerts_delivered_total") == 3)
        assert _get(port, "/nothing")[0] == 404

        # The outbox goes away (a migration, a failover): not ready, but alive.
        with engine.begin() as conn:
            conn.execute(text("ALTER TABLE alert_outbox RENAME TO alert_outbox_away"))
        wait_for(lambda: _get(port, "/readyz")[0] == 503)
        assert "alert outbox unavailable (OperationalError)" in _get(port, "/readyz")[1]
        assert _get(port, "/healthz")[0] == 200
        with engine.begin() as conn:
            conn.execute(text("ALTER TABLE alert_outbox_away RENAME TO alert_outbox"))
        wait_for(lambda: _get(port, "/readyz") == (200, "outbox reachable\n"), timeout=40)

        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
        engine.dispose()
    assert proc.returncode == 0, stderr
    assert "stopped cleanly" in stderr and f"metrics and health on port {port}" in stderr
    assert _get(port, "/healthz")[0] == 0  # the server went with the process


def test_a_taken_port_is_one_line_and_non_zero(tmp_path: Path, receiver: Receiver) -> None:  # noqa: F811
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = _env(tmp_path, receiver.url(), ISOP_METRICS__ADDRESS="127.0.0.1")
        result = isop("alerts", "deliver", "--once", "--metrics-port", str(port), env=env)
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line]
    assert len(lines) == 1 and f"--metrics-port {port}: cannot listen" in lines[0], lines


def test_compose_and_k8s_probe_the_deliverers_health() -> None:
    port = load_config(environ={}).worker.port
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())["services"]["alerts"]
    assert compose["command"] == ["alerts", "deliver", "--metrics-port", str(port)]
    assert f"127.0.0.1:{port}/healthz" in " ".join(compose["healthcheck"]["test"])
    docs = list(yaml.safe_load_all((DEPLOY / "k8s" / "base" / "alerts.yaml").read_text()))
    (deployment,) = [d for d in docs if d and d["kind"] == "Deployment"]
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    assert container["args"] == ["alerts", "deliver", "--metrics-port", str(port)]
    assert {"name": "metrics", "containerPort": port} in container["ports"]
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "metrics"}
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "metrics"}
