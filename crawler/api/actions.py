"""State changes asked for through the API or the console, each with its audit entry.

Status changes, analyst verdicts and notes go through the registry's lifecycle functions
(``crawler.registry.lifecycle``): its history rows and coordinator alerts are written in
the same transaction as our audit entry, so none exists without the others.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from crawler.api import audit
from crawler.api.models import AlertAck, SiteTag
from crawler.api.queries import visible_site
from crawler.api.scope import Principal, normalise_tag
from crawler.registry import lifecycle
from crawler.registry.models import Site
from crawler.registry.vocab import SITE_STATUSES

VERDICTS = ("confirmed", "false_positive")
# What a coordinator may set by hand (the monitor owns down/parked/seized/moved); "closed"
# only once the registry's vocabulary knows it, so no status exists that the rest can't read.
MANUAL_STATUSES = tuple(
    s for s in ("confirmed", "false_positive", "monitored", "closed") if s in SITE_STATUSES
)
MAX_NOTE = 10_000


class NotFound(LookupError):
    """No such site *for this caller* (absent or out of scope: the same answer)."""


def _site(session: Session, principal: Principal, site_id: int) -> Site:
    site = visible_site(session, principal, site_id)
    if site is None:
        raise NotFound(site_id)
    return site


def _state(site: Site) -> dict[str, Any]:
    return {"status": site.status, "verdict": site.verdict}


def review(session: Session, principal: Principal, site_id: int, verdict: str,
           note: str | None = None) -> dict[str, Any]:  # fmt: skip
    """An analyst's verdict (confirmed / false_positive): the label ``isop eval`` reads."""
    if verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {', '.join(VERDICTS)}")
    site = _site(session, principal, site_id)
    before, now = _state(site), datetime.now(UTC)
    lifecycle.set_verdict(session, site, verdict, analyst=principal.username, at=now, note=note)
    session.flush()
    audit.record(session, principal, f"site.review.{verdict}", site_id=site.id,
                 target=site.label, before=before, after=_state(site))  # fmt: skip
    return _state(site)


def set_status(session: Session, principal: Principal, site_id: int, status: str,
               why: str | None = None) -> dict[str, Any]:  # fmt: skip
    if status not in MANUAL_STATUSES:
        raise ValueError(f"status must be one of {', '.join(MANUAL_STATUSES)}")
    site = _site(session, principal, site_id)
    before, now = _state(site), datetime.now(UTC)
    lifecycle.change_status(session, site, status, actor=f"user:{principal.username}", at=now,
                            why=why)  # fmt: skip
    session.flush()
    audit.record(session, principal, "site.status", site_id=site.id, target=site.label,
                 before=before, after=_state(site))  # fmt: skip
    return _state(site)


def add_note(session: Session, principal: Principal, site_id: int, text: str) -> None:
    body = text.strip()
    if not body:
        raise ValueError("empty note")
    body = body[:MAX_NOTE]
    site = _site(session, principal, site_id)
    now = datetime.now(UTC)
    lifecycle.add_note(session, site, analyst=principal.username, text=body, at=now)
    audit.record(session, principal, "site.note", site_id=site.id, target=site.label,
                 after={"note": body})  # fmt: skip


def set_tags(session: Session, principal: Principal, site_id: int, tags: list[str]) -> list[str]:
    """Replace a site's country tags.  Only unscoped users may: a national unit cannot
    move a case out of (or into) another unit's view."""
    if not principal.unscoped:
        raise PermissionError("only users without a country scope may change country tags")
    wanted = sorted({normalise_tag(tag) for tag in tags})
    site = _site(session, principal, site_id)
    before = sorted(session.scalars(select(SiteTag.tag).where(SiteTag.site_id == site.id)))
    session.execute(delete(SiteTag).where(SiteTag.site_id == site.id))
    session.add_all(SiteTag(site_id=site.id, tag=tag) for tag in wanted)
    audit.record(session, principal, "site.tags", site_id=site.id, target=site.label,
                 before={"tags": before}, after={"tags": wanted})  # fmt: skip
    return wanted


def ack_alert(session: Session, principal: Principal, alert_id: int) -> bool:
    """Acknowledge an alert of a visible site; False if it was already acknowledged."""
    from crawler.api.alerts import visible_alert

    alert = visible_alert(session, principal, alert_id)
    if alert is None:
        raise NotFound(alert_id)
    if session.get(AlertAck, alert_id) is not None:
        return False
    session.add(AlertAck(alert_id=alert_id, acked_by=principal.username,
                         acked_at=datetime.now(UTC)))  # fmt: skip
    audit.record(session, principal, "alert.ack", site_id=alert["site_id"],
                 target=f"alert {alert_id}", after={"event": alert["event"]})  # fmt: skip
    return True
