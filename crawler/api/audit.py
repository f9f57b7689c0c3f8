"""The append-only audit trail: every state change and export, written in its transaction.

``record`` adds the row to the caller's session, so the entry commits if and only if the
change does.  There is deliberately no update or delete function; the database refuses
them too (triggers from migration 0301).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.api.models import AuditEntry
from crawler.api.scope import Principal, visible


def record(
    session: Session,
    principal: Principal,
    action: str,
    *,
    site_id: int | None = None,
    target: str | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    session.add(
        AuditEntry(
            at=datetime.now(UTC),
            actor=principal.username,
            via=principal.via,
            address=principal.address,
            action=action,
            site_id=site_id,
            target=target,
            before=before,
            after=after,
        )
    )


def entries(
    session: Session, principal: Principal, *, limit: int = 100, before_id: int | None = None,
    site_id: int | None = None, action: str | None = None,
) -> list[dict[str, Any]]:  # fmt: skip
    """Newest first; ``before_id`` pages backwards.  A scoped reader sees the entries about
    sites in its countries only (account events name other units' people)."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if not principal.unscoped:
        query = query.where(AuditEntry.site_id.is_not(None), visible(principal, AuditEntry.site_id))
    if before_id is not None:
        query = query.where(AuditEntry.id < before_id)
    if site_id is not None:
        query = query.where(AuditEntry.site_id == site_id)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    return [to_json(entry) for entry in session.scalars(query)]


def to_json(entry: AuditEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "at": entry.at.isoformat(),
        "actor": entry.actor,
        "via": entry.via,
        "address": entry.address,
        "action": entry.action,
        "site_id": entry.site_id,
        "target": entry.target,
        "before": entry.before,
        "after": entry.after,
    }
