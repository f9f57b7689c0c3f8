"""Status changes of a site, each written with its history row and, when a coordinator must
hear of it, its alert: all in the caller's transaction, so none exists without the others.

candidate --(the site rule over its flagged pages, or an analyst)--> confirmed --(first check up)-->
monitored <--> down / parked / seized / moved; an analyst's false-positive verdict is sticky:
no score and no check moves the site out of it, only another analyst verdict.
A coordinator may close a case (any status -> closed): the monitor stops revisiting it (it is
in no revisit interval, and a check already in flight is dropped as stale); reopening is a
status change back to confirmed or monitored, which the monitor schedules at once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.registry.models import Domain, Evidence, Site, SiteEvent
from detectors.site import CONFIRMED, SiteConfig, site_status

# A monitored site answering again after one of these is news for a coordinator.
BACK_UP_FROM = frozenset({"down", "parked", "seized"})
VERDICTS = frozenset({"confirmed", "false_positive"})
# Evidence written by these detectors is not a page verdict (crawler.images.pipeline).
NOT_PAGE_DETECTORS = frozenset({"image_phash"})


def change_status(
    session: Session, site: Site, new: str, *, actor: str, at: datetime, why: str | None = None
) -> bool:
    """Move ``site`` to ``new``; records the change and its alert.  False if nothing changed."""
    old = site.status
    if old == new:
        return False
    site.status = new
    site.status_changed_at = at
    if new == "closed" or old == "closed":  # closed: no check; reopened: checked at once
        site.next_check_at = site.check_claimed_until = None
    session.add(
        SiteEvent(site_id=site.id, kind="status", old=old, new=new, actor=actor, text=why, at=at)
    )
    session.flush()
    if new == "confirmed" and old in ("candidate", "false_positive"):
        _alert(
            session,
            "site.confirmed",
            site,
            f"site.confirmed:{site.id}",
            {"actor": actor, "why": why},
        )
    elif new == "monitored" and old in BACK_UP_FROM:
        # One alert per comeback: the key names the outage it ends.
        since = old_changed_key(session, site, old)
        _alert(
            session,
            "site.back_up",
            site,
            f"site.back_up:{site.id}:{since}",
            {"was": old, "actor": actor, "why": why},
        )
    return True


def old_changed_key(session: Session, site: Site, old: str) -> int:
    """The id of the event that put the site into ``old``: names one outage."""
    event_id = session.scalar(
        select(SiteEvent.id)
        .where(SiteEvent.site_id == site.id, SiteEvent.kind == "status", SiteEvent.new == old)
        .order_by(SiteEvent.id.desc())
        .limit(1)
    )
    return int(event_id or 0)


def confirm_by_rule(
    session: Session, site: Site, score: float, rule: SiteConfig, at: datetime
) -> None:
    """A candidate is confirmed when the site rule holds over its flagged pages.

    ``score`` is the flagged page just recorded (its evidence already added): at
    ``rule.confirm_score`` it confirms on its own, otherwise the site's page evidence is
    read (only for candidates, so rarely) and :func:`detectors.site.site_status` decides.
    """
    if site.status != "candidate" or site.verdict is not None:
        return
    if score >= rule.confirm_score:
        why = f"flagged page scored {score:.2f} >= {rule.confirm_score:.2f}"
    else:
        scores = flagged_page_scores(session, site.id)
        if site_status(scores, rule) != CONFIRMED:
            return
        why = (f"{len(scores)} flagged pages (site rule: {rule.confirm_pages} pages, or one "
               f"at {rule.confirm_score:.2f})")  # fmt: skip
    change_status(session, site, "confirmed", actor="score", at=at, why=why)


def flagged_page_scores(session: Session, site_id: int) -> list[float]:
    """The best score of each flagged page (distinct URL) the site has evidence of.  Image
    evidence (a catalog match, ``Registry.record_evidence``) is no page verdict and does
    not count: a poster alone never makes a site."""
    best: dict[str, float] = {}
    rows = session.execute(
        select(Evidence.url_sha256, Evidence.score, Evidence.signals).where(
            Evidence.site_id == site_id
        )
    )
    for url_sha256, score, signals in rows:
        detectors = {s.get("detector") for s in signals or () if isinstance(s, dict)}
        if detectors and detectors <= NOT_PAGE_DETECTORS:
            continue
        best[url_sha256] = max(best.get(url_sha256, 0.0), float(score))
    return list(best.values())


def set_verdict(
    session: Session, site: Site, verdict: str, *, analyst: str, at: datetime, note: str | None
) -> None:
    """An analyst's label: it overrides scores, and is kept for detector evaluation."""
    if verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {sorted(VERDICTS)}, got {verdict!r}")
    actor = f"analyst:{analyst}"
    old_verdict = site.verdict
    site.verdict = verdict
    session.add(
        SiteEvent(
            site_id=site.id,
            kind="verdict",
            old=old_verdict,
            new=verdict,
            actor=actor,
            text=note,
            at=at,
        )
    )
    if verdict == "false_positive":
        change_status(session, site, "false_positive", actor=actor, at=at, why=note)
        site.next_check_at = None
        site.check_claimed_until = None
    elif site.status in ("candidate", "false_positive"):
        change_status(session, site, "confirmed", actor=actor, at=at, why=note)


def add_note(session: Session, site: Site, *, analyst: str, text: str, at: datetime) -> None:
    session.add(
        SiteEvent(site_id=site.id, kind="note", actor=f"analyst:{analyst}", text=text, at=at)
    )


def _alert(session: Session, event: str, site: Site, key: str, extra: dict[str, Any]) -> None:
    """Queue the coordinators' alert in this transaction (the outbox delivers it later)."""
    from crawler.alerts.outbox import record_alert  # the alerts feature owns the outbox

    domains = list(
        session.scalars(select(Domain.domain).where(Domain.site_id == site.id).order_by(Domain.id))
    )
    payload = {
        "site": site.label,
        "site_id": site.id,
        "domains": domains,
        "kind": site.kind,
        "status": site.status,
        "score": site.score,
        **{k: v for k, v in extra.items() if v is not None},
    }
    record_alert(session, event=event, site_id=site.id, dedup_key=key, payload=payload)
