"""The monitor's side of the registry: which sites are due, and what a check changes.

A check is claimed before it is scheduled (``check_claimed_until``), so two monitor processes
sweeping at once schedule a site once; the claim outlives the due time by a grace period, and
a claim that expired (its request was lost) lets the next sweep schedule the site again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from crawler.domains import registered_domain
from crawler.registry.lifecycle import change_status
from crawler.registry.models import TITLE_LEN, Check, Domain, Evidence, Site
from crawler.registry.policy import Policy

OUTCOMES = frozenset({"up", "down", "parked", "seized", "moved"})
# A site in one of these is gone from its domain; operators hop after all three.
GONE = frozenset({"down", "parked", "seized"})


@dataclass(frozen=True)
class DueCheck:
    """One site to check: the URL of its primary domain and when."""

    site_id: int
    domain: str
    url: str
    due_at: datetime


@dataclass(frozen=True)
class CheckResult:
    """What the monitor saw; ``moved_to`` is the registered domain a redirect ended on."""

    site_id: int
    domain: str
    url: str
    at: datetime
    outcome: str
    http_status: int | None = None
    redirect_chain: list[str] = field(default_factory=list)
    response_ms: float | None = None
    error: str | None = None
    fingerprint: str | None = None
    moved_to: str | None = None
    why: str | None = None
    title: str | None = None
    # How a ``moved_to`` domain is known to be the same site: "redirect" (the site sent us
    # there) or "hop-probe:<proof>" (a probed hop candidate serves the same site).
    link_proof: str = "redirect"
    # The due time the check was scheduled for (None: not a scheduled check, e.g. a probe).
    # A check whose site has been rescheduled since (a hop found, a sweep after a lost
    # request) is stale and is not recorded.
    scheduled_for: datetime | None = None


@dataclass(frozen=True)
class CheckRecorded:
    """What the registry made of a check, and the next one to schedule (None: not monitored)."""

    site_id: int
    previous_status: str
    status: str
    fingerprint_changed: bool | None
    went_down: bool  # just became down, parked or seized: time to probe hop candidates
    next_check: DueCheck | None
    # The latest page seen while the site was up: what a hop candidate must look like.
    reference_fingerprint: str | None = None
    reference_title: str | None = None
    stale: bool = False


def claim_due(session: Session, policy: Policy, now: datetime, limit: int) -> list[DueCheck]:
    """Up to ``limit`` monitored sites with no live claim, soonest due first; claims them."""
    rows = session.scalars(
        select(Site)
        .where(
            Site.status.in_(sorted(policy.monitored_statuses)),
            or_(Site.verdict.is_(None), Site.verdict != "false_positive"),
            or_(Site.check_claimed_until.is_(None), Site.check_claimed_until < now),
        )
        .order_by(Site.next_check_at.asc().nulls_first(), Site.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    due: list[DueCheck] = []
    for site in rows:
        when = max(now, site.next_check_at) if site.next_check_at else now
        checked = _due_check(session, site, when, policy)
        if checked is not None:
            due.append(checked)
    return due


def _due_check(session: Session, site: Site, when: datetime, policy: Policy) -> DueCheck | None:
    primary = session.scalar(
        select(Domain.domain)
        .where(Domain.site_id == site.id)
        .order_by((Domain.role != "primary"), Domain.last_seen.desc(), Domain.id)
        .limit(1)
    )
    site.next_check_at = when
    site.check_claimed_until = when + timedelta(seconds=policy.claim_grace_s)
    if primary is None:
        return None
    return DueCheck(site.id, primary, _root_url(session, site.id, primary), when)


def _root_url(session: Session, site_id: int, domain: str) -> str:
    """The site's front page, with the scheme and host its latest evidence used."""
    for url in session.scalars(
        select(Evidence.url)
        .where(Evidence.site_id == site_id)
        .order_by(Evidence.captured_at.desc(), Evidence.id.desc())
        .limit(20)
    ):
        parts = urlsplit(url)
        host = parts.hostname
        if parts.scheme in ("http", "https") and host and registered_domain(host) == domain:
            return f"{parts.scheme}://{parts.netloc}/"
    return f"https://{domain}/"


def record_check(session: Session, result: CheckResult, policy: Policy) -> CheckRecorded:
    """Store one check and move the site's status accordingly."""
    site = session.scalars(select(Site).where(Site.id == result.site_id).with_for_update()).first()
    if site is None:
        raise ValueError(f"unknown site id {result.site_id}")
    if result.scheduled_for is not None and not _same_time(
        site.next_check_at, result.scheduled_for
    ):
        return CheckRecorded(site.id, site.status, site.status, None, False, None, stale=True)
    recent = list(
        session.scalars(
            select(Check)
            .where(Check.site_id == site.id)
            .order_by(Check.at.desc(), Check.id.desc())
            .limit(max(1, policy.down_after_failures - 1))
        )
    )
    # Compared with the last page seen, not the last check: an outage has no page.
    previous = session.scalar(
        select(Check.fingerprint)
        .where(Check.site_id == site.id, Check.fingerprint.is_not(None))
        .order_by(Check.at.desc(), Check.id.desc())
        .limit(1)
    )
    changed = (
        None if previous is None or result.fingerprint is None else (previous != result.fingerprint)
    )
    session.add(
        Check(
            site_id=site.id,
            domain=result.domain,
            url=result.url,
            http_status=result.http_status,
            redirect_chain=list(result.redirect_chain),
            response_ms=result.response_ms,
            error=result.error,
            at=result.at,
            outcome=result.outcome,
            fingerprint=result.fingerprint,
            fingerprint_changed=changed,
            title=result.title[:TITLE_LEN] if result.title else None,
        )
    )
    old = site.status
    if site.verdict != "false_positive" and old in policy.monitored_statuses:
        new = _status_after(result, old, recent, policy)
        if result.outcome == "moved" and result.moved_to:
            _follow_move(session, site, result)
        if result.outcome == "up":
            _touch_domain(session, result.domain, result.at)
        why = result.why or _describe(result)
        change_status(session, site, new, actor="monitor", at=result.at, why=why)
    session.flush()
    interval = policy.revisit(site.status) if site.verdict != "false_positive" else None
    next_check = None
    if interval is None:
        site.next_check_at = site.check_claimed_until = None
    else:
        next_check = _due_check(session, site, result.at + interval, policy)
    went_down = site.status in GONE and old not in GONE
    reference = _last_up(session, site.id) if went_down else None
    return CheckRecorded(
        site_id=site.id,
        previous_status=old,
        status=site.status,
        fingerprint_changed=changed,
        went_down=went_down,
        next_check=next_check,
        reference_fingerprint=reference.fingerprint if reference else None,
        reference_title=reference.title if reference else None,
    )


def _same_time(a: datetime | None, b: datetime) -> bool:
    return a is not None and abs((a - b).total_seconds()) < 0.001


def _last_up(session: Session, site_id: int) -> Check | None:
    return session.scalars(
        select(Check)
        .where(Check.site_id == site_id, Check.outcome == "up")
        .order_by(Check.at.desc(), Check.id.desc())
        .limit(1)
    ).first()


def _status_after(result: CheckResult, old: str, recent: list[Check], policy: Policy) -> str:
    if result.outcome == "up":
        return "monitored"
    if result.outcome == "down":
        # One failed check is a blip; ``down_after_failures`` in a row is an outage.
        needed = policy.down_after_failures - 1
        streak = sum(1 for check in recent if check.outcome == "down")
        return "down" if streak >= needed and len(recent) >= needed else old
    return result.outcome  # parked, seized, moved


def _follow_move(session: Session, site: Site, result: CheckResult) -> None:
    """The site redirected to ``moved_to``: attach it as the primary domain (a hop) unless
    another site owns it (then the move is only recorded: an analyst decides)."""
    assert result.moved_to is not None
    target = session.scalar(select(Domain).where(Domain.domain == result.moved_to))
    if target is not None and target.site_id != site.id:
        return
    for domain in session.scalars(
        select(Domain).where(Domain.site_id == site.id, Domain.role == "primary")
    ):
        domain.role = "former"
    if target is None:
        session.add(
            Domain(
                domain=result.moved_to,
                site_id=site.id,
                role="primary",
                how_linked=result.link_proof[:32],
                first_seen=result.at,
                last_seen=result.at,
            )
        )
    else:
        target.role = "primary"
    site.label = result.moved_to
    if target is None:
        _record_hop(session, site, result)


def _record_hop(session: Session, site: Site, result: CheckResult) -> None:
    """The proof of the new domain (shown by ``isop sites show``) and the coordinators'
    ``site.hopped`` alert, keyed as the linking step keys it: one alert per hop, whichever
    of the two saw it first."""
    from crawler.alerts.outbox import record_alert
    from crawler.linking.models import DomainLink

    assert result.moved_to is not None
    kind = "http_redirect" if result.link_proof == "redirect" else result.link_proof
    chain = " -> ".join(result.redirect_chain) or result.url
    detail = result.why or f"monitor check: {chain}"
    exists = session.scalar(
        select(DomainLink.id).where(
            DomainLink.domain == result.moved_to,
            DomainLink.site_id == site.id,
            DomainLink.proof == kind[:32],
            DomainLink.via_domain == result.domain,
        )
    )
    if exists is None:  # the linking step may have recorded this very proof already
        session.add(DomainLink(domain=result.moved_to, site_id=site.id, proof=kind[:32],
                               detail=detail, via_domain=result.domain,
                               source_url=result.url, seen_at=result.at))  # fmt: skip
    record_alert(
        session,
        event="site.hopped",
        site_id=site.id,
        dedup_key=f"site.hopped:{site.id}:{result.moved_to}",
        payload={"site_id": site.id, "site": site.label, "domain": result.moved_to,
                 "url": result.url, "seen_at": result.at.isoformat(),
                 "proofs": [{"kind": kind, "detail": detail, "via": result.domain}]},
    )  # fmt: skip


def _touch_domain(session: Session, name: str, at: datetime) -> None:
    domain = session.scalar(select(Domain).where(Domain.domain == name))
    if domain is not None and at > domain.last_seen:
        domain.last_seen = at


def _describe(result: CheckResult) -> str:
    status = f"HTTP {result.http_status}" if result.http_status is not None else "no answer"
    detail = f" ({result.error})" if result.error else ""
    return f"check of {result.url}: {result.outcome}, {status}{detail}"
