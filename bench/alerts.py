"""Alert latency from flag to webhook receipt: outbox + deliverer vs notifying inline.

A writer commits flags (a site and its outbox alert, one transaction each) at a steady
rate into a SQLite registry, or the empty database that ``ISOP_DATABASE_URL`` names;
``isop alerts deliver`` runs as its own process (default poll interval) and posts through
Apprise (``json://``) to a webhook receiver on 127.0.0.1 (its own process,
``crawler.alerts.sink``), which stamps each alert id on receipt.  Latency is receipt time
minus commit time (one host, one clock).  Baseline: the writer itself calls Apprise right
after its commit ("inline"): the fastest possible, and the design the outbox replaces
because it loses the alert when the receiver is down or the writer dies.  Digests are off
for the run (a digest holds alerts on purpose).  Goal: p99 under 2 s."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.alerts import sink
from crawler.alerts.db import open_engine
from crawler.alerts.deliver import AppriseSender
from crawler.alerts.models import OutboxAlert
from crawler.alerts.outbox import record_alert
from crawler.registry.db import write_engine
from crawler.registry.models import Site

GOAL_P99_S = 2.0


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _flag(engine: Any, i: int) -> tuple[int, float]:
    """Commit one flag with its alert; returns (alert id, commit time)."""
    now = datetime.now(UTC)
    with Session(write_engine(engine)) as session:
        site = Site(label=f"bench{i}.to", kind="index", status="confirmed", score=0.9,
                    max_score=0.9, first_seen=now, last_seen=now)  # fmt: skip
        session.add(site)
        session.flush()
        payload = {"domain": site.label, "score": 0.9}
        record_alert(session, event="site.confirmed", site_id=site.id, dedup_key=f"bench:{i}",
                     payload=payload)  # fmt: skip
        session.commit()
        committed = time.time()
        alert_id = session.scalar(
            select(OutboxAlert.id).where(OutboxAlert.dedup_key == f"bench:{i}")
        )
    return int(alert_id or 0), committed


def _quantiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)

    def q(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] if ordered else float("nan")

    return {"p50": q(0.50), "p95": q(0.95), "p99": q(0.99), "max": ordered[-1] if ordered else 0}


def _received(out: Path, path: str) -> dict[int, float]:
    first: dict[int, float] = {}
    for entry in sink.read(out):
        if entry["path"] == path:
            for i in entry["ids"]:
                first.setdefault(i, entry["t"])
    return first


def run(quick: bool = False) -> dict[str, Any]:
    n, rate = (30, 20.0) if quick else (300, 20.0)
    tmp = Path(tempfile.mkdtemp(prefix="isop-bench-alerts-"))
    port, out = _port(), tmp / "received.jsonl"
    receiver = subprocess.Popen([sys.executable, "-m", "crawler.alerts.sink", str(port), str(out)],
                                stdout=subprocess.PIPE, text=True)  # fmt: skip
    assert receiver.stdout is not None and receiver.stdout.readline().startswith("listening")
    url = os.environ.get("ISOP_DATABASE_URL") or f"sqlite:///{tmp / 'registry.db'}"
    engine = open_engine(url)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ISOP_")}
    env.update({
        "ISOP_DATABASE_URL": url, "ISOP_DATA_DIR": str(tmp),
        "ISOP_ALERTS__ROUTES": f'[{{"name": "bench", "urls": ["json://127.0.0.1:{port}/outbox"]}}]',
        "ISOP_ALERTS__DIGEST_AFTER": "1000000",
    })  # fmt: skip
    deliverer = subprocess.Popen([sys.executable, "-m", "crawler", "alerts", "deliver"], env=env,
                                 stderr=subprocess.PIPE, text=True)  # fmt: skip
    assert deliverer.stderr is not None
    while "delivering as" not in deliverer.stderr.readline():
        pass
    try:
        flags: dict[int, float] = {}
        for i in range(n):
            alert_id, committed = _flag(engine, i)
            flags[alert_id] = committed
            time.sleep(1 / rate)
        deadline = time.time() + 30
        while len(_received(out, "/outbox")) < n and time.time() < deadline:
            time.sleep(0.05)
        deliverer.terminate()  # the baseline's flags go inline only
        deliverer.communicate(timeout=30)
        # Baseline: notify inline after each commit (no outbox), same receiver, same rate.
        inline = AppriseSender(timeout=10)
        inline_sent: dict[int, float] = {}
        for i in range(n):
            alert_id, committed = _flag(engine, n + i)
            inline(f"json://127.0.0.1:{port}/inline", "I-SOP inline",
                   f"x\nisop-alert-ids: {alert_id}")  # fmt: skip
            inline_sent[alert_id] = committed
            time.sleep(1 / rate)
        time.sleep(0.5)
    finally:
        deliverer.terminate()
        deliverer.communicate(timeout=30)
        receiver.terminate()
        receiver.communicate(timeout=10)
        engine.dispose()
    got = {i: t for i, t in _received(out, "/outbox").items() if i in flags}
    got_inline = _received(out, "/inline")
    ours = _quantiles([got[i] - t for i, t in flags.items() if i in got])
    base = _quantiles([got_inline[i] - t for i, t in inline_sent.items() if i in got_inline])
    backend = url.split(":", 1)[0].split("+", 1)[0]
    table = Table(title=f"Flag-to-webhook latency, {n} flags at {rate:.0f}/s on {backend} (s)")
    for col in ("", "received", "p50", "p95", "p99", "max"):
        table.add_column(col, justify="right" if col else "left")
    table.add_row("outbox + deliverer (ours)", f"{len(got)}/{n}",
                  *(f"{ours[k]:.3f}" for k in ("p50", "p95", "p99", "max")))  # fmt: skip
    table.add_row("inline Apprise call (baseline)", f"{len(got_inline)}/{n}",
                  *(f"{base[k]:.3f}" for k in ("p50", "p95", "p99", "max")))  # fmt: skip
    console = Console()
    console.print(table)
    ratio = ours["p99"] / base["p99"] if base["p99"] > 0 else float("inf")
    verdict = "meets" if ours["p99"] < GOAL_P99_S else "MISSES"
    console.print(f"p99 ours / inline: {ratio:.1f}x; ours {verdict} the {GOAL_P99_S:.0f} s goal")
    return {
        "flags": n,
        "backend": backend,
        "received": len(got),
        "ours_p50_s": round(ours["p50"], 4),
        "ours_p99_s": round(ours["p99"], 4),
        "inline_p99_s": round(base["p99"], 4),
        "p99_ratio": round(ratio, 2),
        "goal_p99_s": GOAL_P99_S,
    }
