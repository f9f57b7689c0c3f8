"""Alert delivery end to end: real webhook receivers (a subprocess on 127.0.0.1) and SMTP."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from crawler.alerts import sink
from crawler.alerts.config import AlertsConfig, RouteConfig
from crawler.alerts.db import open_engine
from crawler.alerts.deliver import Deliverer
from crawler.alerts.metrics import AlertMetrics
from crawler.alerts.models import OutboxAlert
from crawler.alerts.outbox import record_alert
from crawler.registry.db import write_engine
from crawler.registry.models import Site


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Receiver:
    """``python -m crawler.alerts.sink`` in a subprocess: killable, restartable on its port."""

    def __init__(self, out: Path, stall: float = 0.0) -> None:
        self.port = free_port()
        self.out = out
        self.stall = stall
        self.proc: subprocess.Popen[str] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "crawler.alerts.sink",
                str(self.port),
                str(self.out),
                str(self.stall),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        assert self.proc.stdout.readline().startswith("listening")

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait()
        assert self.proc.stdout is not None
        self.proc.stdout.close()
        self.proc = None

    def url(self, path: str = "hook") -> str:
        return f"json://127.0.0.1:{self.port}/{path}"

    def ids(self) -> list[int]:
        return [i for entry in sink.read(self.out) for i in entry["ids"]]


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[Receiver]:
    rec = Receiver(tmp_path / "received.jsonl")
    rec.start()
    yield rec
    if rec.proc is not None:
        rec.kill()


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = open_engine(f"sqlite:///{tmp_path / 'registry.db'}")
    yield engine
    engine.dispose()


def add_alerts(engine: Engine, n: int, start: int = 0, **payload: Any) -> list[int]:
    """``n`` confirmed sites, each with its alert, one transaction each; their alert ids."""
    for i in range(start, start + n):
        now = datetime.now(UTC)
        body = {"domain": f"s{i}.to", "kind": "index", "score": 0.9, **payload}
        with Session(write_engine(engine)) as session:
            site = Site(label=body["domain"], kind=body["kind"], status="confirmed",
                        score=body["score"], max_score=body["score"], first_seen=now,
                        last_seen=now)  # fmt: skip
            session.add(site)
            session.flush()
            record_alert(session, event="site.confirmed", site_id=site.id,
                         dedup_key=f"confirmed:{site.id}", payload=body)  # fmt: skip
            session.commit()
    with Session(engine) as session:
        ids = session.scalars(select(OutboxAlert.id).order_by(OutboxAlert.id)).all()
    return list(ids[start : start + n])


def statuses(engine: Engine) -> Counter[str]:
    with Session(engine) as session:
        return Counter(session.scalars(select(OutboxAlert.status)).all())


def config(*routes: RouteConfig, **kw: Any) -> AlertsConfig:
    base = {"poll_interval": 0.02, "backoff_base": 0.05, "backoff_max": 0.3, "timeout": 2.0}
    return AlertsConfig(routes=routes, **{**base, **kw})


def wait_for(check: Callable[[], bool], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_every_alert_reaches_the_webhook_once(engine: Engine, receiver: Receiver) -> None:
    ids = add_alerts(engine, 5)
    metrics = AlertMetrics()
    deliverer = Deliverer(engine, config(RouteConfig(name="all", urls=(receiver.url(),))), metrics)
    assert deliverer.drain() == 5
    assert sorted(receiver.ids()) == ids
    assert statuses(engine) == {"delivered": 5}
    assert deliverer.drain() == 0  # delivered rows are never claimed again
    assert len(receiver.ids()) == 5
    assert metrics.registry.get_sample_value("isop_alert_delivery_latency_seconds_count") == 5
    entry = sink.read(receiver.out)[0]
    assert entry["title"] == "I-SOP site.confirmed: s0.to"


def test_routes_by_kind_tld_country_and_score(engine: Engine, receiver: Receiver) -> None:
    index_to = add_alerts(engine, 2)  # kind index, .to, score 0.9
    iptv_de = add_alerts(engine, 1, start=2, kind="iptv", domain="tv.example.de", score=0.95)
    low = add_alerts(engine, 1, start=3, kind="iptv", domain="low.example.de", score=0.5)
    routes = (
        RouteConfig(name="iptv", urls=(receiver.url("iptv"),), kinds=("IPTV",), min_score=0.8),
        RouteConfig(name="tonga", urls=(receiver.url("to"),), tlds=(".to",)),
        RouteConfig(name="germany", urls=(receiver.url("de"),), countries=("de",)),
    )
    Deliverer(engine, config(*routes)).drain()
    by_path: dict[str, list[int]] = {}
    for entry in sink.read(receiver.out):
        by_path.setdefault(entry["path"], []).extend(entry["ids"])
    assert sorted(by_path["/iptv"]) == iptv_de
    assert sorted(by_path["/to"]) == index_to
    assert sorted(by_path["/de"]) == sorted(iptv_de + low)
    unrouted = add_alerts(engine, 1, start=4, domain="x.example.com", kind="index")
    Deliverer(engine, config(*routes)).drain()
    with Session(engine) as session:
        assert session.get(OutboxAlert, unrouted[0]).status == "unrouted"  # type: ignore[union-attr]


def test_routing_falls_back_on_the_site_when_the_payload_is_silent(
    engine: Engine, receiver: Receiver
) -> None:
    """A hop alert names the new domain only: kind and score come from the site row."""
    now = datetime.now(UTC)
    with Session(write_engine(engine)) as session:
        site = Site(label="tv.de", kind="iptv", status="monitored", score=0.97, max_score=0.97,
                    first_seen=now, last_seen=now)  # fmt: skip
        session.add(site)
        session.flush()
        record_alert(session, event="site.hopped", site_id=site.id, dedup_key="hop",
                     payload={"site": "tv.de", "domain": "tv2.example.org"})  # fmt: skip
        session.commit()
    routes = (RouteConfig(name="iptv", urls=(receiver.url("iptv"),), kinds=("iptv",),
                          countries=("de",), min_score=0.9),)  # fmt: skip
    Deliverer(engine, config(*routes)).drain()
    [entry] = sink.read(receiver.out)
    assert (entry["path"], entry["title"]) == ("/iptv", "I-SOP site.hopped: tv2.example.org")


def test_a_burst_goes_as_digests(engine: Engine, receiver: Receiver) -> None:
    routes = (RouteConfig(name="hook", urls=(receiver.url(),)),)
    deliverer = Deliverer(engine, config(*routes, digest_after=3, digest_window=1.5))
    burst = add_alerts(engine, 8)
    deliverer.drain()
    window_ends = time.monotonic() + 1.5
    entries = sink.read(receiver.out)
    assert [sorted(e["ids"]) for e in entries] == [burst]
    assert entries[0]["title"] == "I-SOP digest: 8 alerts"
    late = add_alerts(engine, 2, start=8)
    deliverer.drain()  # within the window: held for the next digest
    assert time.monotonic() < window_ends, "machine too slow for this window"
    assert len(sink.read(receiver.out)) == 1
    assert statuses(engine) == {"delivered": 8, "pending": 2}
    wait_for(lambda: deliverer.drain() > 0 or len(sink.read(receiver.out)) == 2, timeout=10)
    entries = sink.read(receiver.out)
    assert len(entries) == 2 and sorted(entries[1]["ids"]) == late
    assert entries[1]["title"] == "I-SOP digest: 2 alerts"
    assert statuses(engine) == {"delivered": 10}


def test_mail_reaches_a_local_smtp_server(engine: Engine) -> None:
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received: list[Any] = []

    class Keep(Message):
        def handle_message(self, message: Any) -> None:
            received.append(message)

    port = free_port()
    controller = Controller(Keep(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        ids = add_alerts(engine, 3)
        url = (f"mailto://127.0.0.1:{port}?from=isop@example.org&to=coord@example.org"
               "&mode=insecure")  # fmt: skip
        # Apprise spaces e-mails to one server 5.5 s apart: three alerts go as one digest.
        mail = config(RouteConfig(name="mail", urls=(url,)), digest_after=1)
        Deliverer(engine, mail).drain()
    finally:
        controller.stop()
    assert statuses(engine) == {"delivered": 3}
    assert len(received) == 1
    assert sorted(sink.alert_ids(_text(received[0]))) == ids
    assert "coord@example.org" in received[0]["To"]
    assert received[0]["Subject"] == "I-SOP digest: 3 alerts"


def _text(message: Any) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return str(part.get_payload(decode=True).decode())
    raise AssertionError("no text/plain part")


def test_outbox_gauges_follow_the_database(engine: Engine, receiver: Receiver) -> None:
    metrics = AlertMetrics()
    from crawler.alerts import queue

    metrics.watch_outbox(lambda: queue.counts(engine))
    add_alerts(engine, 3)

    def gauge(status: str) -> float | None:
        return metrics.registry.get_sample_value("isop_alerts", {"status": status})

    assert (gauge("pending"), gauge("delivered")) == (3, 0)
    Deliverer(engine, config(RouteConfig(name="h", urls=(receiver.url(),))), metrics).drain()
    assert (gauge("pending"), gauge("delivered")) == (0, 3)
    assert metrics.registry.get_sample_value("isop_alerts_delivered_total") == 3
    assert (
        metrics.registry.get_sample_value("isop_alert_messages_sent_total", {"kind": "single"}) == 3
    )


def test_form_webhooks_carry_the_ids_too(engine: Engine, receiver: Receiver) -> None:
    ids = add_alerts(engine, 2)
    form = f"form://127.0.0.1:{receiver.port}/form"
    Deliverer(engine, config(RouteConfig(name="form", urls=(form,)))).drain()
    entries = sink.read(receiver.out)
    assert [e["path"] for e in entries] == ["/form", "/form"]
    assert sorted(receiver.ids()) == ids


def test_a_registry_flag_reaches_the_webhook(tmp_path: Path, receiver: Receiver) -> None:
    """End to end with the registry's own write path: the confirming flag queues the alert."""
    from crawler.registry import Registry

    url = f"sqlite:///{tmp_path / 'flags.db'}"
    with Registry.open(url) as registry:
        for n in range(2):  # the second flag of a confirmed site is no new event
            registry.record_page_verdict("pirate.to", f"http://pirate.to/{n}", 0.95, True, "index",
                                         "magnets", [], str(n) * 64, datetime.now(UTC))  # fmt: skip
    engine = open_engine(url)
    try:
        routes = (RouteConfig(name="h", urls=(receiver.url(),), kinds=("index",), tlds=("to",)),)
        assert Deliverer(engine, config(*routes)).drain() == 1
    finally:
        engine.dispose()
    [entry] = sink.read(receiver.out)
    assert entry["title"] == "I-SOP site.confirmed: pirate.to"
