"""Reading a site's full history (``isop sites show``) and the analysts' labels (``isop eval``).

Proofs of domain links are the linking feature's (``crawler.linking``: redirects, shared
identifiers, templates, favicons) plus the monitor's (redirects seen by a check, hop probes).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.registry.backend import _domain_order, _views, evidence_views
from crawler.registry.cluster import operator_cluster
from crawler.registry.models import Check, Domain, ScoreHistory, Site, SiteEvent
from crawler.registry.views import AnalystLabel, CheckView, DomainView, EventView, SiteHistory


def site_history(session: Session, domain: str, limit: int = 200) -> SiteHistory | None:
    """The site owning ``domain`` with its domains, scores, checks and events (newest last;
    at most ``limit`` of each of the long lists)."""
    site = session.scalar(
        select(Site).join(Domain, Domain.site_id == Site.id).where(Domain.domain == domain)
    )
    if site is None:
        return None
    [view] = _views(session, [site])
    domains = sorted(
        session.scalars(select(Domain).where(Domain.site_id == site.id)),
        key=lambda d: (d.first_seen, d.id),
    )
    proofs = _proofs(session, site.id)
    scores = list(
        session.execute(
            select(ScoreHistory.at, ScoreHistory.score)
            .where(ScoreHistory.site_id == site.id)
            .order_by(ScoreHistory.at.desc(), ScoreHistory.id.desc())
            .limit(limit)
        )
    )
    checks = session.scalars(
        select(Check)
        .where(Check.site_id == site.id)
        .order_by(Check.at.desc(), Check.id.desc())
        .limit(limit)
    ).all()
    cluster_name, members = operator_cluster(session, site.id)
    events = session.scalars(
        select(SiteEvent).where(SiteEvent.site_id == site.id).order_by(SiteEvent.id)
    ).all()
    return SiteHistory(
        site=view,
        verdict=site.verdict,
        operator_cluster=site.operator_cluster or cluster_name,
        next_check_at=site.next_check_at,
        domains=[
            DomainView(
                d.domain, d.role, d.how_linked, d.first_seen, d.last_seen, proofs.get(d.domain, [])
            )
            for d in domains
        ],
        scores=[(at, score) for at, score in reversed(scores)],
        checks=[
            CheckView(
                c.domain,
                c.url,
                c.at,
                c.outcome,
                c.http_status,
                list(c.redirect_chain),
                c.response_ms,
                c.error,
                c.fingerprint_changed,
            )
            for c in reversed(checks)
        ],
        events=[EventView(e.kind, e.old, e.new, e.actor, e.text, e.at) for e in events],
        evidence=evidence_views(session, site.id),
        cluster=[
            {"site": m.label, "shared": [list(pair) for pair in m.shared]} for m in members
        ],
    )


def _proofs(session: Session, site_id: int) -> dict[str, list[dict[str, Any]]]:
    """What linked each domain, as the linking feature recorded it (strongest first)."""
    from crawler.linking.link import domain_proofs

    return {
        row.domain: [{"proof": kind, "detail": detail} for kind, detail in row.proofs]
        for row in domain_proofs(session, site_id)
    }


def analyst_labels(session: Session) -> list[AnalystLabel]:
    """The latest verdict of every labelled site, oldest label first."""
    latest: dict[int, SiteEvent] = {}
    for event in session.scalars(
        select(SiteEvent).where(SiteEvent.kind == "verdict").order_by(SiteEvent.id)
    ):
        latest[event.site_id] = event
    if not latest:
        return []
    domains: dict[int, list[Domain]] = defaultdict(list)
    for domain in session.scalars(select(Domain).where(Domain.site_id.in_(list(latest)))):
        domains[domain.site_id].append(domain)
    labels = [
        AnalystLabel(
            site_id=site_id,
            label=event.new or "",
            domains=[d.domain for d in sorted(domains[site_id], key=_domain_order)],
            analyst=event.actor.removeprefix("analyst:"),
            at=event.at,
            note=event.text,
        )
        for site_id, event in latest.items()
    ]
    return sorted(labels, key=lambda label: (label.at, label.site_id))
