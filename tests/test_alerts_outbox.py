"""The outbox write: in the caller's transaction, once per dedup key, on a migrated registry."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from crawler.alerts.models import OutboxAlert
from crawler.alerts.outbox import record_alert
from crawler.registry.db import make_engine, write_engine
from crawler.registry.migrate import upgrade
from crawler.registry.models import Site


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'registry.db'}")
    upgrade(engine)
    yield engine
    engine.dispose()


def _site(session: Session) -> int:
    now = datetime.now(UTC)
    site = Site(
        label="example.test",
        kind="index",
        status="confirmed",
        score=0.9,
        max_score=0.9,
        first_seen=now,
        last_seen=now,
    )
    session.add(site)
    session.flush()
    return site.id


def _count(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(OutboxAlert)) or 0


def test_alert_commits_and_rolls_back_with_the_change(engine: Engine) -> None:
    with Session(write_engine(engine)) as session:
        site_id = _site(session)
        record_alert(session, event="site.confirmed", site_id=site_id, dedup_key="k1", payload={})
        session.rollback()
    assert _count(engine) == 0
    with Session(write_engine(engine)) as session:
        site_id = _site(session)
        payload = {"domain": "example.test", "score": 0.9}
        record_alert(
            session, event="site.confirmed", site_id=site_id, dedup_key="k1", payload=payload
        )
        session.commit()
    with Session(engine) as session:
        row = session.scalars(select(OutboxAlert)).one()
    assert (row.event, row.status, row.attempts, row.payload) == (
        "site.confirmed",
        "pending",
        0,
        payload,
    )


def test_same_key_twice_is_one_alert_even_from_two_transactions(engine: Engine) -> None:
    with Session(write_engine(engine)) as session:
        site_id = _site(session)
        session.commit()
    for _ in range(2):
        with Session(write_engine(engine)) as session:
            for event in ("site.hopped", "site.hopped"):
                record_alert(
                    session, event=event, site_id=site_id, dedup_key="hop:1:b.test", payload={}
                )
            record_alert(
                session, event="site.back_up", site_id=site_id, dedup_key="up:1:1", payload={}
            )
            session.commit()
    assert _count(engine) == 2


def test_long_keys_are_digested_stably(engine: Engine) -> None:
    key = "x" * 5000
    with Session(write_engine(engine)) as session:
        site_id = _site(session)
        for _ in range(3):
            record_alert(
                session, event="site.confirmed", site_id=site_id, dedup_key=key, payload={}
            )
        session.commit()
    with Session(engine) as session:
        stored = session.scalars(select(OutboxAlert.dedup_key)).one()
    assert stored.startswith("sha256:") and len(stored) == 71


@pytest.mark.parametrize(
    ("event", "key", "payload"),
    [
        ("site.exploded", "k", {}),
        ("site.confirmed", "", {}),
        ("site.confirmed", "k", {"when": datetime.now(UTC)}),
        ("site.confirmed", "k", {"score": float("nan")}),
    ],
)
def test_bad_alerts_are_refused(engine: Engine, event: str, key: str, payload: dict) -> None:
    with Session(write_engine(engine)) as session:
        site_id = _site(session)
        with pytest.raises(ValueError):
            record_alert(session, event=event, site_id=site_id, dedup_key=key, payload=payload)
