"""Alert delivery when things go wrong: receivers dying, several deliverers, PostgreSQL,
slow batches, database errors, rows edited into nonsense."""

from __future__ import annotations

import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from test_alerts_delivery import (
    Receiver,
    add_alerts,
    config,
    engine,
    free_port,
    receiver,
    statuses,
    wait_for,
)

from crawler.alerts import sink
from crawler.alerts.config import RouteConfig
from crawler.alerts.db import open_engine
from crawler.alerts.deliver import Deliverer
from crawler.alerts.metrics import AlertMetrics
from crawler.alerts.models import OutboxAlert
from crawler.alerts.outbox import record_alert
from crawler.registry.db import write_engine
from crawler.registry.models import Site

__all__ = ["engine", "receiver"]  # fixtures, imported for pytest


def test_receiver_killed_mid_run_every_alert_arrives_once(
    engine: Engine, receiver: Receiver
) -> None:
    """At-least-once delivery plus ids: nothing lost while the receiver is down, nothing twice."""
    metrics = AlertMetrics()
    routes = (RouteConfig(name="hook", urls=(receiver.url(),)),)
    deliverer = Deliverer(engine, config(*routes, digest_after=1000), metrics)
    stop = threading.Event()
    worker = threading.Thread(target=deliverer.run, args=(stop,))
    worker.start()
    try:
        first = add_alerts(engine, 10)
        wait_for(lambda: len(receiver.ids()) == 10)
        receiver.kill()
        second = add_alerts(engine, 10, start=10)
        wait_for(lambda: statuses(engine)["failed"] >= 5)  # retried, visible as failed
        receiver.start()
        third = add_alerts(engine, 5, start=20)
        wait_for(lambda: statuses(engine) == {"delivered": 25})
    finally:
        stop.set()
        worker.join(10)
    received = receiver.ids()
    assert sorted(received) == first + second + third
    assert [i for i, n in Counter(received).items() if n > 1] == []
    assert all(entry["ids"] == entry["new"] for entry in sink.read(receiver.out))
    assert (metrics.registry.get_sample_value("isop_alert_send_failures_total") or 0) >= 1
    with Session(engine) as session:
        retried = session.scalars(select(OutboxAlert).where(OutboxAlert.attempts > 0)).all()
    assert retried and all(r.last_error and "hook/0" in r.last_error for r in retried)


def test_several_deliverers_share_the_outbox_without_duplicates(
    engine: Engine, receiver: Receiver
) -> None:
    ids = add_alerts(engine, 60)
    routes = (RouteConfig(name="hook", urls=(receiver.url(),)),)
    deliverers = [Deliverer(engine, config(*routes, batch_size=7, digest_after=1000))
                  for _ in range(3)]  # fmt: skip
    threads = [threading.Thread(target=d.drain) for d in deliverers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(receiver.ids()) == ids
    assert statuses(engine) == {"delivered": 60}


def test_postgresql_dedup_and_skip_locked_claims(postgres: Any, receiver: Receiver) -> None:
    """The fleet's database: concurrent writers of one event make one row; concurrent
    deliverers (FOR UPDATE SKIP LOCKED) deliver each alert once."""
    engine = open_engine(postgres.create_database())
    try:
        ids = add_alerts(engine, 40)
        site_id = _first_site(engine)
        barrier = threading.Barrier(4)

        def same_event() -> None:
            with Session(write_engine(engine)) as session:
                barrier.wait()
                record_alert(session, event="site.back_up", site_id=site_id,
                             dedup_key="back_up:race", payload={"n": 1})  # fmt: skip
                session.commit()

        writers = [threading.Thread(target=same_event) for _ in range(4)]
        for t in writers:
            t.start()
        for t in writers:
            t.join(30)
        assert statuses(engine) == {"pending": 41}
        routes = (RouteConfig(name="hook", urls=(receiver.url(),)),)
        deliverers = [Deliverer(engine, config(*routes, batch_size=5, digest_after=1000))
                      for _ in range(3)]  # fmt: skip
        threads = [threading.Thread(target=d.drain) for d in deliverers]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        received = receiver.ids()
        assert len(received) == len(set(received)) == 41
        assert set(ids) < set(received)
        assert statuses(engine) == {"delivered": 41}
    finally:
        engine.dispose()


def _first_site(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.scalars(select(Site.id).order_by(Site.id)).first() or 0)


def test_a_target_that_accepted_is_not_resent_when_another_fails(
    engine: Engine, receiver: Receiver
) -> None:
    dead = f"json://127.0.0.1:{free_port()}/down"
    routes = (RouteConfig(name="live", urls=(receiver.url(),)),
              RouteConfig(name="dead", urls=(dead,)))  # fmt: skip
    deliverer = Deliverer(engine, config(*routes))
    [alert_id] = add_alerts(engine, 1)
    for _ in range(3):
        deliverer.drain()
        time.sleep(0.35)  # past backoff_max: due again
    assert receiver.ids() == [alert_id]
    with Session(engine) as session:
        row = session.get(OutboxAlert, alert_id)
        assert row is not None
        assert (row.status, row.targets_done) == ("failed", ["live/0"])
        assert row.attempts >= 3 and row.last_error and row.last_error.startswith("dead/0 ")


def test_a_slow_batch_keeps_its_claim(engine: Engine) -> None:
    """A batch outlasting its lease renews it: a second deliverer finds nothing to take."""
    sent: list[int] = []

    def slow(url: str, title: str, body: str) -> None:
        sent.extend(sink.alert_ids(body))
        time.sleep(0.4)

    routes = (RouteConfig(name="slow", urls=("json://127.0.0.1:9/x",)),)
    slow_one = Deliverer(engine, config(*routes, lease=1.0, digest_after=1000), send=slow)
    other = Deliverer(engine, config(*routes, lease=1.0, digest_after=1000), send=slow)
    ids = add_alerts(engine, 6)  # 2.4 s of sending against a 1 s lease
    worker = threading.Thread(target=slow_one.drain)
    worker.start()
    wait_for(lambda: len(sent) >= 1)  # claimed and sending
    time.sleep(1.2)  # past the original lease
    taken = other.run_once()
    worker.join(30)
    assert taken == 0
    assert sorted(sent) == ids


def test_rows_edited_into_nonsense_are_still_delivered(engine: Engine, receiver: Receiver) -> None:
    from sqlalchemy import update

    first, second = add_alerts(engine, 2)
    with Session(engine) as session, session.begin():
        session.execute(update(OutboxAlert).where(OutboxAlert.id == first)
                        .values(payload=["not", "a", "dict"], targets_done={"x": 1}))  # fmt: skip
        session.execute(update(OutboxAlert).where(OutboxAlert.id == second)
                        .values(payload={"domain": "x" * 100_000 + "\r\nBcc: a@b"}))  # fmt: skip
    Deliverer(engine, config(RouteConfig(name="h", urls=(receiver.url(),)))).drain()
    assert sorted(receiver.ids()) == [first, second]
    titles = [e["title"] for e in sink.read(receiver.out)]
    assert all(len(t) <= 300 and "\n" not in t for t in titles)


def test_run_waits_out_database_errors(
    engine: Engine, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Claims failing (a database failing over) pause the loop instead of ending it."""
    from sqlalchemy.exc import OperationalError

    from crawler.alerts import queue

    real_claim, failures = queue.claim, [2]

    def flaky(*args: Any) -> Any:
        if failures[0] > 0:
            failures[0] -= 1
            raise OperationalError("claim", {}, Exception("server closed the connection"))
        return real_claim(*args)

    monkeypatch.setattr(queue, "claim", flaky)
    ids = add_alerts(engine, 2)
    deliverer = Deliverer(engine, config(RouteConfig(name="h", urls=(receiver.url(),))))
    stop = threading.Event()
    worker = threading.Thread(target=deliverer.run, args=(stop,))
    worker.start()
    try:
        wait_for(lambda: sorted(receiver.ids()) == ids, timeout=20)
    finally:
        stop.set()
        worker.join(10)
    assert failures == [0] and not worker.is_alive()


def test_a_lost_acknowledgement_is_a_resend_that_the_ids_deduplicate(
    engine: Engine, tmp_path: Path
) -> None:
    """The receiver gets the alert but its answer comes after the sender's timeout: the
    deliverer, rightly, sends it again (at-least-once); the id makes the second one a no-op."""
    stalling = Receiver(tmp_path / "stalling.jsonl", stall=3.0)
    stalling.start()
    try:
        ids = add_alerts(engine, 1)
        route = RouteConfig(name="h", urls=(stalling.url("stall"),))
        deliverer = Deliverer(engine, config(route, timeout=1.0))
        assert deliverer.run_once() == 1  # one attempt: it times out
        assert statuses(engine) == {"failed": 1}
        time.sleep(0.35)  # past the backoff
        deliverer.drain()
        assert statuses(engine) == {"delivered": 1}
    finally:
        stalling.kill()
    entries = sink.read(stalling.out)
    assert [e["ids"] for e in entries] == [ids, ids]  # arrived twice: at-least-once
    assert [e["new"] for e in entries] == [ids, []]  # the receiver keeps it once
