"""Writing alerts: one outbox row, inside the caller's transaction, at most once per event.

The caller (the registry store) owns the session and commits it together with the change
that caused the alert, so an alert exists if and only if its change does (the transactional
outbox pattern).  Concurrent writers seeing the same event race on ``dedup_key``; the insert
ignores the conflict on SQLite and PostgreSQL alike (``INSERT ... ON CONFLICT DO NOTHING``),
so the loser neither fails nor duplicates, and its transaction goes on.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from crawler.alerts.models import DEDUP_KEY_LEN, OutboxAlert

EVENTS = ("site.confirmed", "site.hopped", "site.back_up")


def dedup_digest(dedup_key: str) -> str:
    """``dedup_key`` itself when it fits the column, else a stable digest of it."""
    if len(dedup_key) <= DEDUP_KEY_LEN:
        return dedup_key
    return "sha256:" + hashlib.sha256(dedup_key.encode("utf-8", "surrogatepass")).hexdigest()


def record_alert(
    session: Session, *, event: str, site_id: int, dedup_key: str, payload: dict[str, Any]
) -> None:
    """Queue one alert in ``session``'s transaction (no commit); a repeated key is a no-op.

    ``payload`` must be JSON-serialisable: it is what the coordinator will read.  Raises
    ``ValueError`` for an unknown event, an empty key or a payload JSON can't carry.
    """
    if event not in EVENTS:
        raise ValueError(f"unknown alert event {event!r}: expected one of {', '.join(EVENTS)}")
    if not dedup_key:
        raise ValueError("empty alert dedup_key")
    try:
        json.dumps(payload, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"alert payload is not JSON: {exc}") from exc
    now = datetime.now(UTC)
    values = {
        "event": event,
        "site_id": site_id,
        "dedup_key": dedup_digest(dedup_key),
        "payload": payload,
        "status": "pending",
        "attempts": 0,
        "created_at": now,
        "next_attempt_at": now,
        "targets_done": [],
    }
    session.execute(_insert_ignoring_duplicates(session).values(**values))


def _insert_ignoring_duplicates(session: Session) -> Insert:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(OutboxAlert).on_conflict_do_nothing(index_elements=["dedup_key"])
    if dialect == "sqlite":
        return sqlite.insert(OutboxAlert).on_conflict_do_nothing(index_elements=["dedup_key"])
    raise NotImplementedError(f"alert outbox: no insert-or-ignore for the {dialect} dialect")
