"""Reading sites for the API and the console, always through the caller's scope.

The list is keyset-paginated on (score desc, id): a cursor names the last row seen, so a
page costs the same at row 10 and row 100,000 and rows inserted meanwhile are not skipped
twice.  Related rows (domains, tags, evidence counts) come in one extra query each for the
whole page, never one per site.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from crawler.api.models import SiteTag
from crawler.api.scope import Principal, visible
from crawler.registry.models import Check, Domain, Evidence, ScoreHistory, Site, SiteEvent
from crawler.registry.observed import summarize

MAX_PAGE = 200


class BadQuery(ValueError):
    """A filter or cursor the caller got wrong (HTTP 400 / a form error)."""


@dataclass(frozen=True)
class SiteFilters:
    kind: str | None = None
    status: str | None = None
    tag: str | None = None
    tld: str | None = None
    min_score: float | None = None
    max_score: float | None = None
    first_seen_after: datetime | None = None
    last_seen_after: datetime | None = None
    last_seen_before: datetime | None = None
    q: str | None = None


def encode_cursor(score: float, site_id: int) -> str:
    return base64.urlsafe_b64encode(json.dumps([score, site_id]).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[float, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        score, site_id = json.loads(raw)
        if isinstance(site_id, bool) or not isinstance(site_id, int):
            raise TypeError("id")
        return float(score), site_id
    except (ValueError, TypeError, json.JSONDecodeError) as exc:
        raise BadQuery("bad cursor: pass back the next_cursor of a previous page") from exc


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def filtered(principal: Principal, filters: SiteFilters) -> Select[Site]:
    query = select(Site).where(visible(principal, Site.id))
    f = filters
    if f.kind:
        query = query.where(Site.kind == f.kind)
    if f.status:
        query = query.where(Site.status == f.status)
    if f.tag:
        query = query.where(
            exists(select(SiteTag.site_id).where(SiteTag.site_id == Site.id,
                                                 SiteTag.tag == f.tag.upper()))
        )  # fmt: skip
    if f.tld:
        suffix = "%." + f.tld.lower().lstrip(".").replace("%", "").replace("_", "\\_")
        query = query.where(exists(select(Domain.id).where(
            Domain.site_id == Site.id, Domain.domain.like(suffix, escape="\\"))))  # fmt: skip
    if f.min_score is not None:
        query = query.where(Site.score >= f.min_score)
    if f.max_score is not None:
        query = query.where(Site.score <= f.max_score)
    if f.first_seen_after is not None:
        query = query.where(Site.first_seen >= f.first_seen_after)
    if f.last_seen_after is not None:
        query = query.where(Site.last_seen >= f.last_seen_after)
    if f.last_seen_before is not None:
        query = query.where(Site.last_seen <= f.last_seen_before)
    if f.q:
        pattern = _like(f.q.strip())
        query = query.where(or_(
            func.lower(Site.label).like(pattern, escape="\\"),
            exists(select(Domain.id).where(Domain.site_id == Site.id,
                                           Domain.domain.like(pattern, escape="\\"))),
        ))  # fmt: skip
    return query


def list_sites(
    session: Session,
    principal: Principal,
    filters: SiteFilters,
    limit: int = 50,
    cursor: str | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of sites, highest score first, and the cursor of the next page (or None)."""
    limit = max(1, min(limit, MAX_PAGE))
    query = filtered(principal, filters).order_by(Site.score.desc(), Site.id)
    if cursor:
        score, site_id = decode_cursor(cursor)
        query = query.where(or_(Site.score < score, and_(Site.score == score, Site.id > site_id)))
    sites = list(session.scalars(query.limit(limit + 1)))
    more = len(sites) > limit
    sites = sites[:limit]
    rows = summaries(session, sites)
    next_cursor = encode_cursor(sites[-1].score, sites[-1].id) if more and sites else None
    return rows, next_cursor


def iter_sites(session: Session, principal: Principal, filters: SiteFilters,
               batch: int = 500) -> Any:  # fmt: skip
    """Every visible site matching ``filters``, page by page (exports: constant memory)."""
    cursor: str | None = None
    while True:
        rows, cursor = list_sites(session, principal, filters, limit=batch, cursor=cursor)
        yield from rows
        if cursor is None:
            return


def summaries(session: Session, sites: list[Site]) -> list[dict[str, Any]]:
    if not sites:
        return []
    ids = [site.id for site in sites]
    domains: dict[int, list[Domain]] = {site_id: [] for site_id in ids}
    for domain in session.scalars(select(Domain).where(Domain.site_id.in_(ids))):
        domains[domain.site_id].append(domain)
    tags: dict[int, list[str]] = {site_id: [] for site_id in ids}
    for site_id, tag in session.execute(
        select(SiteTag.site_id, SiteTag.tag).where(SiteTag.site_id.in_(ids)).order_by(SiteTag.tag)
    ):
        tags[site_id].append(tag)
    counts: dict[int, int] = {
        site_id: count for site_id, count in session.execute(
            select(Evidence.site_id, func.count(Evidence.id))
            .where(Evidence.site_id.in_(ids)).group_by(Evidence.site_id))
    }  # fmt: skip
    return [
        {
            "id": site.id,
            "label": site.label,
            "domains": [d.domain for d in sorted(domains[site.id], key=_domain_order)],
            "kind": site.kind,
            "status": site.status,
            "score": site.score,
            "max_score": site.max_score,
            "first_seen": site.first_seen.isoformat(),
            "last_seen": site.last_seen.isoformat(),
            "tags": tags[site.id],
            "evidence_count": int(counts.get(site.id, 0)),
            "verdict": site.verdict,
            "operator_cluster": site.operator_cluster,
        }
        for site in sites
    ]


_ROLE_ORDER = {"primary": 0, "alias": 1, "mirror": 2, "former": 3}


def _domain_order(domain: Domain) -> tuple[int, datetime, str]:
    return (_ROLE_ORDER.get(domain.role, 9), domain.first_seen, domain.domain)


def visible_site(session: Session, principal: Principal, site_id: int) -> Site | None:
    """The site if it exists *and* is in scope: callers answer 404 for both misses."""
    return session.scalar(select(Site).where(Site.id == site_id, visible(principal, Site.id)))


def site_detail(session: Session, principal: Principal, site_id: int) -> dict[str, Any] | None:
    site = visible_site(session, principal, site_id)
    if site is None:
        return None
    detail = summaries(session, [site])[0]
    domains = sorted(session.scalars(select(Domain).where(Domain.site_id == site.id)),
                     key=_domain_order)  # fmt: skip
    proofs = _proofs(session, site.id)
    detail["domain_links"] = [
        {"domain": d.domain, "role": d.role, "how_linked": d.how_linked,
         "first_seen": d.first_seen.isoformat(), "last_seen": d.last_seen.isoformat(),
         "proofs": proofs.get(d.domain, [])}
        for d in domains
    ]  # fmt: skip
    detail["history"] = [
        {"kind": e.kind, "old": e.old, "new": e.new, "actor": e.actor, "text": e.text,
         "at": e.at.isoformat()}
        for e in session.scalars(select(SiteEvent).where(SiteEvent.site_id == site.id)
                                 .order_by(SiteEvent.id.desc()).limit(200))
    ]  # fmt: skip
    detail["cluster_sites"] = _cluster_sites(session, principal, site)
    # What the spiders observed on the site's domains (crawler.registry.observed): counts + top.
    detail["observations"] = summarize(session, [d.domain for d in domains]).to_json()
    detail["evidence"] = [
        {"id": e.id, "url": e.url, "score": e.score, "kind": e.kind,
         "explanation": e.explanation, "signals": e.signals,
         "content_sha256": e.content_sha256, "captured_at": e.captured_at.isoformat()}
        for e in session.scalars(select(Evidence).where(Evidence.site_id == site.id)
                                 .order_by(Evidence.captured_at.desc(), Evidence.id.desc())
                                 .limit(100))
    ]  # fmt: skip
    detail["checks"] = [
        {"domain": c.domain, "url": c.url, "http_status": c.http_status,
         "redirect_chain": c.redirect_chain, "response_ms": c.response_ms, "error": c.error,
         "outcome": c.outcome, "at": c.at.isoformat()}
        for c in session.scalars(select(Check).where(Check.site_id == site.id)
                                 .order_by(Check.at.desc(), Check.id.desc()).limit(200))
    ]  # fmt: skip
    detail["score_history"] = [
        {"score": h.score, "at": h.at.isoformat()}
        for h in session.scalars(select(ScoreHistory).where(ScoreHistory.site_id == site.id)
                                 .order_by(ScoreHistory.at.desc()).limit(200))
    ]  # fmt: skip
    detail["notes"] = site.notes
    return detail


def _proofs(session: Session, site_id: int) -> dict[str, list[dict[str, str]]]:
    """What linked each domain, as the linking feature recorded it (strongest first)."""
    from crawler.linking.link import domain_proofs

    return {
        row.domain: [{"proof": kind, "detail": detail} for kind, detail in row.proofs]
        for row in domain_proofs(session, site_id)
    }


def _cluster_sites(session: Session, principal: Principal, site: Site) -> list[dict[str, Any]]:
    """Other visible sites of the same operator cluster (sites sharing identifiers)."""
    if not site.operator_cluster:
        return []
    others = session.execute(
        select(Site.id, Site.label, Site.status).where(
            Site.operator_cluster == site.operator_cluster, Site.id != site.id,
            visible(principal, Site.id)).order_by(Site.id).limit(50)
    )  # fmt: skip
    return [{"id": i, "label": label, "status": status} for i, label, status in others]
