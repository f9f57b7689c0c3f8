"""``isop serve`` for real: uvicorn on 127.0.0.1, accounts and tokens made by the CLI, one
real HTTP request over a socket; plus the account commands' one-line errors."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.cli import cli


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _isop(env: dict[str, str], *args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), input=stdin, env=env)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"ISOP_DATABASE_URL": f"sqlite:///{tmp_path / 'registry.db'}",
            "ISOP_DATA_DIR": str(tmp_path)}  # fmt: skip


def test_cli_accounts_and_one_line_errors(env: dict[str, str]) -> None:
    code, out, _ = _isop(env, "users", "add", "ana", "--role", "analyst", "--scope", "fr",
                         "--password-stdin", stdin="a long password\n")  # fmt: skip
    assert code == 0 and "ana (analyst)" in out
    code, _, err = _isop(env, "users", "add", "ana", "--role", "viewer", "--no-password")
    assert code == 2 and "already exists" in err and len(err.strip().splitlines()) == 1
    code, _, err = _isop(env, "users", "add", "bob", "--role", "viewer", "--password-stdin",
                         stdin="short\n")  # fmt: skip
    assert code == 2 and "password too short" in err
    code, out, _ = _isop(env, "users", "list", "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(r["username"], r["role"], r["scopes"]) for r in rows] == [("ana", "analyst", ["FR"])]
    code, _, err = _isop(env, "tokens", "revoke", "4242")
    assert code == 2 and "no token with id 4242" in err
    code, _, err = _isop(env, "users", "disable", "nobody")
    assert code == 2 and "no user" in err


def test_serve_answers_real_http(env: dict[str, str], tmp_path: Path) -> None:
    code, _, _ = _isop(env, "users", "add", "ops1", "--role", "ops", "--no-password")
    assert code == 0
    code, _, _ = _isop(env, "users", "add", "view", "--role", "viewer", "--no-password")
    code, token, _ = _isop(env, "tokens", "create", "view")
    token = token.strip()
    assert code == 0 and token.startswith("isop_")
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "crawler", "serve", "--port", str(port)],
        env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_up(f"{base}/healthz", proc)
        with pytest.raises(urllib.error.HTTPError) as denied:
            urllib.request.urlopen(f"{base}/api/v1/sites", timeout=5)
        assert denied.value.code == 401
        denied.value.close()  # the error holds the response's socket
        request = urllib.request.Request(f"{base}/api/v1/sites",
                                         headers={"Authorization": f"Bearer {token}"})  # fmt: skip
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.status == 200
            assert json.loads(response.read()) == {"items": [], "next_cursor": None}
            assert response.headers["X-Content-Type-Options"] == "nosniff"
        code, _, _ = _isop(env, "tokens", "revoke", "1")
        assert code == 0
        with pytest.raises(urllib.error.HTTPError) as revoked:
            urllib.request.urlopen(request, timeout=5)
        assert revoked.value.code == 401
        revoked.value.close()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        output = proc.communicate(timeout=20)[0].decode(errors="replace")
    # uvicorn shuts down cleanly, then re-raises the SIGTERM it caught (exit by that signal).
    assert "Application shutdown complete" in output, output
    assert proc.returncode in (0, -signal.SIGTERM), output


def _wait_up(url: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(proc.communicate()[0].decode(errors="replace"))
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
    raise AssertionError(f"isop serve did not answer {url} within 30 s")
