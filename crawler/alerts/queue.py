"""The outbox as a work queue: claim due rows under a lease, then record what happened.

A claim is one ``UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED) RETURNING``:
on PostgreSQL concurrent deliverers skip each other's locked rows instead of waiting; on
SQLite ``FOR UPDATE`` compiles to nothing and the write transaction (``BEGIN IMMEDIATE``)
serialises claimers, while the conditions repeated in the UPDATE make the claim conditional.
Every later write is conditional on the claim token too: a deliverer whose lease expired
(stalled, killed) can no longer mark rows another deliverer has since claimed.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, and_, func, or_, select, update
from sqlalchemy.orm import Session

from crawler.alerts.models import OutboxAlert
from crawler.alerts.routing import Alert
from crawler.registry.db import write_engine
from crawler.registry.models import Site

DUE_STATUSES = ("pending", "failed")
MAX_ERROR_CHARS = 500


def _due(now: datetime) -> object:
    return and_(
        OutboxAlert.status.in_(DUE_STATUSES),
        OutboxAlert.next_attempt_at <= now,
        or_(OutboxAlert.lease_until.is_(None), OutboxAlert.lease_until < now),
    )


def claim(engine: Engine, token: str, limit: int, lease: float) -> list[Alert]:
    """Take up to ``limit`` due alerts for ``lease`` seconds, oldest first."""
    now = datetime.now(UTC)
    due = _due(now)
    ids = (
        select(OutboxAlert.id)
        .where(due)  # type: ignore[arg-type]
        .order_by(OutboxAlert.next_attempt_at, OutboxAlert.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    statement = (
        update(OutboxAlert)
        .where(OutboxAlert.id.in_(ids.scalar_subquery()), due)  # type: ignore[arg-type]
        .values(claimed_by=token, lease_until=now + timedelta(seconds=lease))
        .returning(
            OutboxAlert.id,
            OutboxAlert.event,
            OutboxAlert.site_id,
            OutboxAlert.payload,
            OutboxAlert.targets_done,
        )
        .execution_options(synchronize_session=False)
    )
    with Session(write_engine(engine)) as session, session.begin():
        rows = session.execute(statement).all()
    if not rows:
        return []
    with Session(engine) as session:
        sites = {
            s.id: {"label": s.label, "kind": s.kind, "score": s.score, "status": s.status}
            for s in session.execute(
                select(Site.id, Site.label, Site.kind, Site.score, Site.status).where(
                    Site.id.in_({r.site_id for r in rows})
                )
            )
        }
    alerts = [
        Alert(
            r.id,
            r.event,
            r.site_id,
            r.payload if isinstance(r.payload, dict) else {"payload": r.payload},
            tuple(str(t) for t in r.targets_done) if isinstance(r.targets_done, list) else (),
            sites.get(r.site_id, {}),
        )
        for r in rows
    ]
    return sorted(alerts, key=lambda a: a.id)


def renew(engine: Engine, token: str, lease: float) -> int:
    """Extend the lease of every row ``token`` still holds (a long batch); rows renewed."""
    until = datetime.now(UTC) + timedelta(seconds=lease)
    with Session(write_engine(engine)) as session, session.begin():
        result = session.execute(
            update(OutboxAlert)
            .where(OutboxAlert.claimed_by == token)
            .values(lease_until=until)
            .execution_options(synchronize_session=False)
        )
    return int(getattr(result, "rowcount", 0) or 0)


def backoff(attempts: int, base: float, cap: float, rng: random.Random | None = None) -> float:
    """Seconds before retry number ``attempts`` (1-based): exponential, capped, jittered."""
    exponent = min(max(attempts - 1, 0), 60)
    return min(cap, base * 2.0**exponent) * (rng or random).uniform(0.5, 1.5)


@dataclass
class Outcome:
    """What happened to one claimed alert in this round."""

    alert: Alert
    done: list[str] = field(default_factory=list)  # targets that accepted it now
    errors: list[str] = field(default_factory=list)
    defer_until: datetime | None = None  # a target held it for a digest
    unrouted: bool = False


def settle(
    engine: Engine, token: str, outcomes: Iterable[Outcome], base: float, cap: float
) -> list[tuple[int, datetime]]:
    """Write every outcome under the claim; returns ``(id, created_at)`` of rows now delivered."""
    now = datetime.now(UTC)
    delivered: list[tuple[int, datetime]] = []
    with Session(write_engine(engine)) as session, session.begin():
        for outcome in outcomes:
            row = session.get(OutboxAlert, outcome.alert.id, with_for_update=True)
            if row is None or row.claimed_by != token:
                continue  # deleted with its site, or our lease lapsed and another took it
            row.targets_done = [*row.targets_done, *outcome.done]
            row.claimed_by = None
            row.lease_until = None
            if outcome.unrouted:
                row.status, row.last_error = "unrouted", "no route wants this alert"
            elif outcome.errors:
                row.attempts += 1
                row.status = "failed"
                row.last_error = "; ".join(outcome.errors)[:MAX_ERROR_CHARS]
                retry = now + timedelta(seconds=backoff(row.attempts, base, cap))
                row.next_attempt_at = min(retry, outcome.defer_until or retry)
            elif outcome.defer_until is not None:
                row.next_attempt_at = outcome.defer_until
            else:
                row.status, row.delivered_at = "delivered", now
                delivered.append((row.id, row.created_at))
    return delivered


def release(engine: Engine, token: str) -> None:
    """Give back every row still claimed by ``token`` (a clean stop mid-batch)."""
    with Session(write_engine(engine)) as session, session.begin():
        session.execute(
            update(OutboxAlert)
            .where(OutboxAlert.claimed_by == token)
            .values(claimed_by=None, lease_until=None)
            .execution_options(synchronize_session=False)
        )


def retry(engine: Engine, ids: list[int], unrouted: bool) -> int:
    """Make failed alerts (only ``ids`` if given), and unrouted ones if asked, due now."""
    statuses = ["failed", "unrouted"] if unrouted else ["failed"]
    query = update(OutboxAlert).where(OutboxAlert.status.in_(statuses))
    if ids:
        query = query.where(OutboxAlert.id.in_(ids))
    now = datetime.now(UTC)
    with Session(write_engine(engine)) as session, session.begin():
        result = session.execute(
            query.values(status="pending", next_attempt_at=now).execution_options(
                synchronize_session=False
            )
        )
    return int(getattr(result, "rowcount", 0) or 0)


def counts(engine: Engine) -> dict[str, int]:
    """Rows by status (every known status present, zero included)."""
    with Session(engine) as session:
        rows = session.execute(
            select(OutboxAlert.status, func.count()).group_by(OutboxAlert.status)
        ).all()
    found = {status: int(n) for status, n in rows}
    return {s: found.get(s, 0) for s in ("pending", "failed", "delivered", "unrouted")} | found
