"""``isop alerts`` and ``isop alerts deliver`` as users run them: real processes, real receiver."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from test_alerts_delivery import Receiver, add_alerts, free_port, wait_for

from crawler.alerts import sink
from crawler.alerts.db import open_engine
from crawler.alerts.models import OutboxAlert
from crawler.cli import cli

SECRET = "S3cretT0ken9f2"


def isop(*args: str, env: dict[str, str]) -> Result:
    """The command in this process: the CLI contract without paying an interpreter start."""
    cleared: dict[str, str | None] = {k: None for k in os.environ if k.startswith("ISOP_")}
    result = CliRunner().invoke(cli, list(args), env={**cleared, **env})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def _env(tmp_path: Path, url: str, **extra: str) -> dict[str, str]:
    routes = json.dumps([{"name": "coord", "urls": [url]}])
    return {
        "ISOP_DATABASE_URL": f"sqlite:///{tmp_path / 'registry.db'}",
        "ISOP_ALERTS__ROUTES": routes,
        "ISOP_ALERTS__POLL_INTERVAL": "0.05",
        "ISOP_ALERTS__TIMEOUT": "2",
        **extra,
    }


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[Receiver]:
    rec = Receiver(tmp_path / "received.jsonl")
    rec.start()
    yield rec
    if rec.proc is not None:
        rec.kill()


def test_deliver_runs_until_sigterm_and_stops_cleanly(tmp_path: Path, receiver: Receiver) -> None:
    env = _env(tmp_path, f"json://127.0.0.1:{receiver.port}/hook/{SECRET}")
    engine = open_engine(env["ISOP_DATABASE_URL"])
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "crawler", "alerts", "deliver"],
            env={**{k: v for k, v in os.environ.items() if not k.startswith("ISOP_")}, **env},
            stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        ids = add_alerts(engine, 3)
        wait_for(lambda: sorted(receiver.ids()) == ids)
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=20)
    finally:
        engine.dispose()
    assert proc.returncode == 0, stderr  # a real process: SIGTERM handling is real
    assert "stopped cleanly" in stderr
    assert f"route coord: json://127.0.0.1:{receiver.port}/***" in stderr
    assert SECRET not in stderr
    listing = isop("alerts", env=env)
    assert listing.exit_code == 0
    assert "delivered: 3" in listing.stdout


def test_failures_stay_visible_and_secrets_never_print(tmp_path: Path) -> None:
    dead = free_port()  # nothing listens there
    env = _env(tmp_path, f"json://user:{SECRET}@127.0.0.1:{dead}/hook?token={SECRET}")
    engine = open_engine(env["ISOP_DATABASE_URL"])
    try:
        add_alerts(engine, 2)
    finally:
        engine.dispose()
    once = isop("alerts", "deliver", "--once", env=env)
    assert once.exit_code == 0, once.stderr
    listing = isop("alerts", "--status", "failed", env=env)
    as_json = isop("alerts", "--json", env=env)
    for result in (once, listing, as_json):
        assert SECRET not in result.stdout + result.stderr
    rows = [json.loads(line) for line in as_json.stdout.splitlines()]
    assert [r["status"] for r in rows] == ["failed", "failed"]
    assert all(r["attempts"] == 1 and "coord/0" in r["last_error"] for r in rows)
    assert "failed: 2" in listing.stdout


def test_deliver_without_routes_is_one_line_error(tmp_path: Path) -> None:
    env = {"ISOP_DATABASE_URL": f"sqlite:///{tmp_path / 'registry.db'}"}
    result = isop("alerts", "deliver", "--once", env=env)
    assert result.exit_code == 2
    assert [line for line in result.stderr.splitlines() if line] == [
        "isop: alerts.routes: no route with an Apprise URL is configured; nothing to deliver to"
    ]


def test_unusable_apprise_url_is_one_line_error(tmp_path: Path) -> None:
    result = isop("alerts", "deliver", "--once",
                  env=_env(tmp_path, f"nosuchscheme://{SECRET}@host/x"))  # fmt: skip
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line]
    assert len(lines) == 1 and "alerts.routes" in lines[0] and "nosuchscheme://host" in lines[0]
    assert SECRET not in result.stderr


def test_receiver_records_only_new_ids(tmp_path: Path) -> None:
    out = tmp_path / "r.jsonl"
    out.write_text(json.dumps({"t": time.time(), "path": "/", "title": "", "ids": [1, 2],
                               "new": [1, 2]}) + "\n")  # fmt: skip
    rec = Receiver(out)
    rec.start()
    try:
        import urllib.request

        body = json.dumps({"title": "t", "message": "x\nisop-alert-ids: 2 3"}).encode()
        request = urllib.request.Request(f"http://127.0.0.1:{rec.port}/h", data=body,
                                         headers={"Content-Type": "application/json"})  # fmt: skip
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.status == 200
    finally:
        rec.kill()
    assert sink.read(out)[-1]["ids"] == [2, 3] and sink.read(out)[-1]["new"] == [3]


def test_retry_makes_failed_and_unrouted_alerts_due(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'registry.db'}"
    engine = open_engine(url)
    try:
        first, second, third = add_alerts(engine, 3)
        with Session(engine) as session, session.begin():
            for alert_id, status in ((first, "failed"), (second, "failed"), (third, "unrouted")):
                session.execute(update(OutboxAlert).where(OutboxAlert.id == alert_id)
                                .values(status=status))  # fmt: skip
        env = {"ISOP_DATABASE_URL": url}
        runner = CliRunner()
        assert runner.invoke(cli, ["alerts", "retry", str(first)], env=env).stdout == (
            "1 alert(s) due again\n"
        )
        assert runner.invoke(cli, ["alerts", "retry", "--unrouted"], env=env).stdout == (
            "2 alert(s) due again\n"
        )
        with Session(engine) as session:
            assert set(session.scalars(select(OutboxAlert.status))) == {"pending"}
    finally:
        engine.dispose()
