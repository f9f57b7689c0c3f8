"""Coordinators' alerts as the API shows them: the outbox rows of visible sites, with acks.

The outbox belongs to ``crawler.alerts``; where that feature is absent the API simply has
no alerts (``AVAILABLE`` is False and the endpoints answer 501).
"""

from __future__ import annotations

import importlib
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.api.models import AlertAck
from crawler.api.scope import Principal, visible


def _outbox_model() -> Any:
    try:
        return importlib.import_module("crawler.alerts.models").OutboxAlert
    except (ImportError, AttributeError):
        return None


OutboxAlert = _outbox_model()
AVAILABLE = OutboxAlert is not None


def _row(alert: Any, ack: AlertAck | None) -> dict[str, Any]:
    payload = alert.payload if isinstance(alert.payload, dict) else {}
    return {
        "id": alert.id,
        "event": alert.event,
        "site_id": alert.site_id,
        "site": payload.get("site"),
        "payload": payload,
        "delivery": alert.status,
        "created_at": alert.created_at.isoformat(),
        "acked_by": ack.acked_by if ack else None,
        "acked_at": ack.acked_at.isoformat() if ack else None,
    }


def list_alerts(
    session: Session,
    principal: Principal,
    *,
    unacked_only: bool = False,
    limit: int = 100,
    before_id: int | None = None,
) -> list[dict[str, Any]]:
    """Newest first, only alerts about sites the caller may see."""
    query = (
        select(OutboxAlert, AlertAck)
        .outerjoin(AlertAck, AlertAck.alert_id == OutboxAlert.id)
        .where(visible(principal, OutboxAlert.site_id))
        .order_by(OutboxAlert.id.desc())
        .limit(max(1, min(limit, 500)))
    )
    if unacked_only:
        query = query.where(AlertAck.alert_id.is_(None))
    if before_id is not None:
        query = query.where(OutboxAlert.id < before_id)
    return [_row(alert, ack) for alert, ack in session.execute(query)]


def visible_alert(session: Session, principal: Principal, alert_id: int) -> dict[str, Any] | None:
    found = session.execute(
        select(OutboxAlert, AlertAck)
        .outerjoin(AlertAck, AlertAck.alert_id == OutboxAlert.id)
        .where(OutboxAlert.id == alert_id, visible(principal, OutboxAlert.site_id))
    ).first()
    return _row(found[0], found[1]) if found else None
