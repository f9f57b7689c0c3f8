"""SQL behind the store: ORM operations on a session, inputs already validated.

Every function runs inside the caller's (short) transaction; the store owns transactions and
retries, this module owns what a write means.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crawler.registry.errors import SiteMovedMeanwhile
from crawler.registry.lifecycle import confirm_by_rule
from crawler.registry.models import Domain, Evidence, ScoreHistory, Site, SiteEvent
from crawler.registry.views import EvidenceView, SiteView
from crawler.registry.vocab import ROLE_BY_LINK
from detectors.site import SiteConfig

_ROLE_ORDER = {"primary": 0, "alias": 1, "mirror": 2, "former": 3}


@dataclass(frozen=True)
class PageVerdict:
    """One page's fused verdict, validated."""

    domain: str
    url: str
    score: float
    infringing: bool
    kind: str | None
    explanation: str
    signals: list[dict[str, Any]]
    content_sha256: str
    seen_at: datetime
    aliases: list[tuple[str, str]]
    how_linked: str


def record_page_verdict(
    session: Session, page: PageVerdict, rule: SiteConfig | None = None, view: bool = True
) -> SiteView | None:
    """Record one page; a candidate is confirmed when ``rule`` (the detectors' site rule)
    holds over its flagged pages.  A new domain linked to a known site is its new primary
    (a hop) or a mirror beside it (see :func:`crawler.linking.link.hop_or_mirror`)."""
    owner = session.scalar(select(Domain).where(Domain.domain == page.domain))
    if owner is None:
        if not page.infringing:
            return None  # a clean page of an unknown domain is not our business
        from crawler.linking.link import link_page  # here: linking imports the registry

        link = link_page(session, page)  # redirects, shared identifiers, favicon, template
        site = link.site if link.site is not None else _site_hopped_from(session, page)
        role = "primary"
        if site is None:
            site, how_linked = _new_site(session, page), page.how_linked
        elif link.site is not None and not link.hop:
            role, how_linked = "mirror", link.how_linked or "mirror"
        else:
            _demote_primary(session, site)
            how_linked = link.how_linked or "redirect"
        if role == "primary":
            site.label = page.domain
        owner = Domain(
            domain=page.domain,
            site_id=site.id,
            role=role,
            how_linked=how_linked,
            first_seen=page.seen_at,
            last_seen=page.seen_at,
        )
        session.add(owner)
    else:
        # Lock the site row: concurrent writers on PostgreSQL would otherwise lose updates.
        site = _locked_site(session, owner.site_id)
        _touch(owner, page.seen_at)
    _observe(session, site, page, rule or SiteConfig(confirm_score=0.0))
    _attach_aliases(session, site, page)
    session.flush()
    return _views(session, [site])[0] if view else None


def record_evidence(session: Session, page: PageVerdict) -> SiteView | None:
    """Evidence for the site owning ``page.domain`` that is no page verdict (a protected
    image the site shows): score and status stay; None when no site owns the domain."""
    owner = session.scalar(select(Domain).where(Domain.domain == page.domain))
    if owner is None:
        return None
    site = _locked_site(session, owner.site_id)
    _add_evidence(session, site, page)
    session.flush()
    return _views(session, [site])[0]


def _locked_site(session: Session, site_id: int) -> Site:
    """The site row, locked; gone meanwhile (a relink merged it away) is a lost race."""
    site = session.scalars(select(Site).where(Site.id == site_id).with_for_update()).first()
    if site is None:
        raise SiteMovedMeanwhile(f"site {site_id} was merged into another meanwhile")
    return site


def _new_site(session: Session, page: PageVerdict) -> Site:
    site = Site(
        label=page.domain,
        kind=page.kind,
        status="candidate",  # created only from an infringing verdict; _observe confirms
        score=page.score,
        max_score=page.score,
        first_seen=page.seen_at,
        last_seen=page.seen_at,
        status_changed_at=page.seen_at,
    )
    session.add(site)
    session.flush()  # we need site.id
    session.add(SiteEvent(site_id=site.id, kind="status", old=None, new="candidate",
                          actor="score", text=f"first flagged page {page.url}",
                          at=page.seen_at))  # fmt: skip
    return site


def _site_hopped_from(session: Session, page: PageVerdict) -> Site | None:
    """The known site a redirect came from: the operation hopped to a new domain."""
    hops = [alias for alias, how in page.aliases if how == "redirect"]
    if not hops:
        return None
    return session.scalars(
        select(Site)
        .join(Domain, Domain.site_id == Site.id)
        .where(Domain.domain.in_(hops))
        .order_by(Site.id)
        .limit(1)
        .with_for_update()
    ).first()


def _demote_primary(session: Session, site: Site) -> None:
    """The old primary domain becomes a former one; the caller adds the new primary."""
    for domain in session.scalars(
        select(Domain).where(Domain.site_id == site.id, Domain.role == "primary")
    ):
        domain.role = "former"


def _observe(session: Session, site: Site, page: PageVerdict, rule: SiteConfig) -> None:
    if page.seen_at >= site.last_seen:
        if page.infringing:
            # The latest flagged page's score: a clean page (an "about" page, a 404) of a
            # known site says nothing against the evidence already held.
            site.score = page.score
        site.last_seen = page.seen_at
    site.first_seen = min(site.first_seen, page.seen_at)
    site.max_score = max(site.max_score, page.score)
    if page.infringing and page.kind is not None:
        site.kind = page.kind
    session.add(ScoreHistory(site_id=site.id, score=page.score, at=page.seen_at))
    if page.infringing:
        _add_evidence(session, site, page)  # before the rule: this page counts
        confirm_by_rule(session, site, page.score, rule, page.seen_at)


def _add_evidence(session: Session, site: Site, page: PageVerdict) -> None:
    url_sha256 = hashlib.sha256(page.url.encode("utf-8")).hexdigest()
    exists = session.scalar(
        select(Evidence.id).where(
            Evidence.site_id == site.id,
            Evidence.url_sha256 == url_sha256,
            Evidence.content_sha256 == page.content_sha256,
        )
    )
    if exists is None:
        session.add(
            Evidence(
                site_id=site.id,
                url=page.url,
                url_sha256=url_sha256,
                score=page.score,
                kind=page.kind,
                explanation=page.explanation,
                signals=page.signals,
                content_sha256=page.content_sha256,
                captured_at=page.seen_at,
            )
        )


def _attach_aliases(session: Session, site: Site, page: PageVerdict) -> None:
    """Attach unowned alias domains; a domain owned by another site stays where it is."""
    if not page.aliases:
        return
    names = [alias for alias, _ in page.aliases]
    known = {d.domain: d for d in session.scalars(select(Domain).where(Domain.domain.in_(names)))}
    for alias, how in page.aliases:
        domain = known.get(alias)
        if domain is None:
            session.add(
                Domain(
                    domain=alias,
                    site_id=site.id,
                    role=ROLE_BY_LINK.get(how, "alias"),
                    how_linked=how,
                    first_seen=page.seen_at,
                    last_seen=page.seen_at,
                )
            )
        elif domain.site_id == site.id:
            _touch(domain, page.seen_at)


def _touch(domain: Domain, seen_at: datetime) -> None:
    domain.first_seen = min(domain.first_seen, seen_at)
    domain.last_seen = max(domain.last_seen, seen_at)


def site_views(session: Session, domain: str | None = None) -> list[SiteView]:
    """All sites by score (highest first), or the one owning ``domain``."""
    query = select(Site).order_by(Site.score.desc(), Site.id)
    if domain is None:
        return _views(session, list(session.scalars(query)), every_site=True)
    query = query.join(Domain, Domain.site_id == Site.id).where(Domain.domain == domain)
    return _views(session, list(session.scalars(query)))


def site_exists(session: Session, site_id: int) -> bool:
    return session.get(Site, site_id) is not None


def evidence_views(session: Session, site_id: int) -> list[EvidenceView]:
    rows = session.scalars(
        select(Evidence)
        .where(Evidence.site_id == site_id)
        .order_by(Evidence.captured_at, Evidence.id)
    )
    return [
        EvidenceView(
            id=e.id,
            site_id=e.site_id,
            url=e.url,
            score=e.score,
            kind=e.kind,
            explanation=e.explanation,
            signals=e.signals,
            content_sha256=e.content_sha256,
            captured_at=e.captured_at,
        )
        for e in rows
    ]


def _views(session: Session, sites: list[Site], every_site: bool = False) -> list[SiteView]:
    """Snapshots of ``sites`` with two extra queries, whatever their number.

    ``every_site`` reads the whole tables instead of an ``IN`` list that could outgrow the
    backend's limit on bound parameters.
    """
    if not sites:
        return []
    domain_query = select(Domain)
    count_query = select(Evidence.site_id, func.count(Evidence.id)).group_by(Evidence.site_id)
    if not every_site:
        ids = [site.id for site in sites]
        domain_query = domain_query.where(Domain.site_id.in_(ids))
        count_query = count_query.where(Evidence.site_id.in_(ids))
    domains: dict[int, list[Domain]] = {site.id: [] for site in sites}
    for domain in session.scalars(domain_query):
        if domain.site_id in domains:  # a site created since the first query is not listed
            domains[domain.site_id].append(domain)
    counts = {site_id: count for site_id, count in session.execute(count_query)}
    return [
        SiteView(
            id=site.id,
            label=site.label,
            domains=[d.domain for d in sorted(domains[site.id], key=_domain_order)],
            kind=site.kind,
            status=site.status,
            score=site.score,
            first_seen=site.first_seen,
            last_seen=site.last_seen,
            evidence_count=counts.get(site.id, 0),
        )
        for site in sites
    ]


def _domain_order(domain: Domain) -> tuple[int, datetime, str]:
    """Primary first, then aliases and mirrors, former domains last; oldest first within."""
    return (_ROLE_ORDER.get(domain.role, len(_ROLE_ORDER)), domain.first_seen, domain.domain)
