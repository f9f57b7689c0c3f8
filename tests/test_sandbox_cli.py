"""The `isop sandbox` click group: stable output contracts of serve, seeds and truth."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys

import pytest
from click.testing import CliRunner

from crawler.sandbox import SandboxServer
from crawler.sandbox.cli import sandbox as sandbox_cli


def test_seeds_prints_one_url_per_line(sandbox: SandboxServer) -> None:
    result = CliRunner().invoke(sandbox_cli, ["seeds", "--seed", "1"])
    assert result.exit_code == 0
    assert result.output.splitlines() == sandbox.web.seeds()


def test_truth_json_is_one_object_per_line(sandbox: SandboxServer) -> None:
    result = CliRunner().invoke(sandbox_cli, ["truth", "--json"])
    assert result.exit_code == 0
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert rows == [e.to_json() for e in sandbox.web.truth()]


def test_truth_table() -> None:
    result = CliRunner().invoke(sandbox_cli, ["truth"], terminal_width=200)
    assert result.exit_code == 0 and "flixtorrent.to" in result.output


def test_catalog_json(sandbox: SandboxServer) -> None:
    result = CliRunner().invoke(sandbox_cli, ["catalog"])
    assert result.exit_code == 0
    assert json.loads(result.output) == sandbox.web.catalog.to_json()


def test_get_prints_a_response() -> None:
    result = CliRunner().invoke(sandbox_cli, ["get", "http://cinemagnet.ru/x", "--head"])
    assert result.exit_code == 0
    assert result.output.startswith("HTTP 301\n")
    assert "Location: http://cinemagnet.mx/x" in result.output


def _serve(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, "-m", "crawler.sandbox", "serve", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_serve_prints_proxy_url_first_and_exits_cleanly(sig: signal.Signals) -> None:
    proc = _serve("--port", "0", "--seed", "1")
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline().strip()
        assert first.startswith("http://127.0.0.1:")
        conn = http.client.HTTPConnection("127.0.0.1", int(first.rsplit(":", 1)[1]), timeout=10)
        try:
            conn.request("GET", "http://flixtorrent.to/robots.txt")
            assert conn.getresponse().status == 200
        finally:
            conn.close()
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0
    assert "Traceback" not in err


def test_serve_on_a_busy_port_exits_2_with_one_line() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        proc = _serve("--port", str(port))
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and str(port) in lines[0] and "in use" in lines[0].lower()
