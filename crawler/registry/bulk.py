"""Bulk ingest: a batch of page verdicts in a few set-based statements instead of ~10 per page.

The common case in a fleet is a flagged page of a site already known: that needs the site
row locked and updated, a score-history row and (once per page version) an evidence row.
Those are done for the whole batch at once: one ``SELECT`` of the domains, one
``SELECT ... FOR UPDATE`` of their sites in id order (concurrent batches lock in one order),
one multi-row insert per table (evidence with ``ON CONFLICT DO NOTHING`` on its unique key,
so a page seen by two writers is stored once), and the updates flushed together.

Pages that may create or re-link a site (an unknown domain, redirect aliases) take the
page-at-a-time path of :mod:`crawler.registry.backend` first, so linking, hops and new-site
alerts behave exactly as for single writes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Insert, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from crawler.registry import backend
from crawler.registry.errors import SiteMovedMeanwhile
from crawler.registry.lifecycle import confirm_by_rule
from crawler.registry.models import Domain, Evidence, ScoreHistory, Site
from detectors.site import SiteConfig


def record_batch(session: Session, pages: Sequence[backend.PageVerdict], rule: SiteConfig) -> int:
    """Record ``pages`` (validated) in ``session``'s transaction; returns how many."""
    names = sorted({page.domain for page in pages})
    owners = select(Domain.domain, Domain.site_id).where(Domain.domain.in_(names))
    known: dict[str, int] = {name: site_id for name, site_id in session.execute(owners)}
    slow = [p for p in pages if p.aliases or p.domain not in known]
    fast = [p for p in pages if not p.aliases and p.domain in known]
    for page in slow:
        backend.record_page_verdict(session, page, rule, view=False)
    if fast:
        _record_known(session, fast, known, rule)
    session.flush()
    return len(pages)


def _record_known(
    session: Session,
    pages: list[backend.PageVerdict],
    known: dict[str, int],
    rule: SiteConfig,
) -> None:
    """``known`` (domain -> site id, read in this transaction) tells which sites to lock;
    once they are locked (in id order), the domains are read: a writer that held a lock
    before us may have moved their ``last_seen`` on, and we must not write back an older
    value."""
    site_ids = sorted(set(known.values()))
    sites = {
        s.id: s
        for s in session.scalars(
            select(Site)
            .where(Site.id.in_(site_ids))
            .order_by(Site.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    }
    names = sorted({page.domain for page in pages})
    domains = {
        d.domain: d
        for d in session.scalars(
            select(Domain).where(Domain.domain.in_(names)).execution_options(populate_existing=True)
        )
    }
    moved = sorted({d.site_id for d in domains.values()} - set(sites))
    if moved or len(domains) < len(names):  # a relink merged a site before we locked it
        raise SiteMovedMeanwhile(f"sites {moved} were merged meanwhile")
    history: list[dict[str, Any]] = []
    evidence: list[dict[str, Any]] = []
    flagged: dict[int, tuple[float, datetime]] = {}  # site id -> (best score, latest time)
    for page in sorted(pages, key=lambda p: p.seen_at):
        domain = domains[page.domain]
        site = sites[domain.site_id]
        domain.first_seen = min(domain.first_seen, page.seen_at)
        domain.last_seen = max(domain.last_seen, page.seen_at)
        # The same rules as backend._observe, minus its per-page inserts.
        if page.seen_at >= site.last_seen:
            if page.infringing:
                site.score = page.score
            site.last_seen = page.seen_at
        site.first_seen = min(site.first_seen, page.seen_at)
        site.max_score = max(site.max_score, page.score)
        history.append({"site_id": site.id, "score": page.score, "at": page.seen_at})
        if page.infringing:
            if page.kind is not None:
                site.kind = page.kind
            evidence.append(_evidence_row(site.id, page))
            best, _ = flagged.get(site.id, (0.0, page.seen_at))
            flagged[site.id] = (max(best, page.score), page.seen_at)
    session.flush()
    session.execute(insert(ScoreHistory), history)
    if evidence:
        session.execute(_insert_ignoring_duplicates(session), evidence)
    # The site rule once this batch's evidence is in: two weak pages in one batch count.
    for site_id, (best, at) in flagged.items():
        confirm_by_rule(session, sites[site_id], best, rule, at)


def _evidence_row(site_id: int, page: backend.PageVerdict) -> dict[str, Any]:
    return {
        "site_id": site_id,
        "url": page.url,
        "url_sha256": hashlib.sha256(page.url.encode("utf-8")).hexdigest(),
        "score": page.score,
        "kind": page.kind,
        "explanation": page.explanation,
        "signals": page.signals,
        "content_sha256": page.content_sha256,
        "captured_at": page.seen_at,
    }


def _insert_ignoring_duplicates(session: Session) -> Insert:
    keys = ["site_id", "url_sha256", "content_sha256"]
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(Evidence).on_conflict_do_nothing(index_elements=keys)
    if dialect == "sqlite":
        return sqlite.insert(Evidence).on_conflict_do_nothing(index_elements=keys)
    raise NotImplementedError(f"bulk evidence insert: no insert-or-ignore for {dialect}")
